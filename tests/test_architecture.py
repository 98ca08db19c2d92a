"""The arrows between feature packages: Translations builds on Drafting and Publishing.

Drafting and Publishing tell the others what happens through coalition.events (and
typed errors), so neither imports Translations, not even inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coalition"


def _imported(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", ["drafting"])
def test_package_never_imports_translations(package: str) -> None:
    offenders = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in (PACKAGE / package).rglob("*.py")
        for name in _imported(path)
        if name == "coalition.translations" or name.startswith("coalition.translations.")
    )
    assert not offenders, offenders
