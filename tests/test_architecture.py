"""The arrows between feature packages: Translations builds on Drafting and Publishing.

Drafting and Publishing tell the others what happens through coalition.events (and
typed errors), so neither imports Translations, not even inside a function. Imports sit
at the top of a module, where the arrows can be read (STYLE rule 14), and functions stay
short enough to read at once.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "coalition"

FEATURES = (
    "accounts",
    "api",
    "drafting",
    "followup",
    "invitations",
    "publishing",
    "signing",
    "translations",
)

# Imports inside a function, where they are allowed: the factory wires the blueprints, the
# CLI's commands load what one command needs, and WeasyPrint is loaded on the first PDF
# (about 0.5 s of CPU, a third more than the whole app's start of 1.6 s, measured on
# create_app; see coalition/domain/documents._weasyprint).
LATE_IMPORTS_ALLOWED = {
    "coalition/__init__.py": {"create_app"},
    "coalition/cli.py": {"*"},
    "coalition/signing/commands.py": {"*"},
    "coalition/domain/documents.py": {"_weasyprint"},
}

LONGEST = 80  # lines, from `def` to the last line of the body


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        name = path.relative_to(PACKAGE.parent).as_posix()
        yield name, ast.parse(path.read_text(encoding="utf-8"), filename=name)


def _names(node: ast.AST) -> set[str]:
    """The modules an import statement names (``from a import b`` names a and a.b)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        return {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return set()


def _imported(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names |= _names(node)
    return names


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _package_graph() -> dict[str, set[str]]:
    """Which feature package imports which (anywhere in its modules, even in a function)."""
    graph: dict[str, set[str]] = {package: set() for package in FEATURES}
    for name, tree in _modules():
        parts = name.split("/")
        if len(parts) < 3 or parts[1] not in FEATURES:
            continue
        for node in ast.walk(tree):
            for module in _names(node):
                target = module.split(".")
                if target[0] == "coalition" and len(target) > 1 and target[1] in FEATURES:
                    graph[parts[1]].add(target[1])
        graph[parts[1]].discard(parts[1])
    return graph


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of the graph, or None."""
    done: set[str] = set()

    def visit(package: str, path: list[str]) -> list[str] | None:
        if package in path:
            return [*path[path.index(package) :], package]
        if package in done:
            return None
        for target in sorted(graph[package]):
            found = visit(target, [*path, package])
            if found:
                return found
        done.add(package)
        return None

    for package in sorted(graph):
        found = visit(package, [])
        if found:
            return found
    return None


@pytest.mark.parametrize("part", ["drafting", "publishing"])
def test_never_imports_translations(part: str) -> None:
    paths = [PACKAGE / part] if part.endswith(".py") else (PACKAGE / part).rglob("*.py")
    offenders = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in paths
        for name in _imported(path)
        if name == "coalition.translations" or name.startswith("coalition.translations.")
    )
    assert not offenders, offenders


def test_no_import_circle_between_feature_packages() -> None:
    """Translations builds on Publishing and Drafting; nothing below imports it back."""
    assert _circle(_package_graph()) is None


def test_the_circle_finder_finds_circles() -> None:
    assert _circle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _circle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_imports_sit_at_the_top_of_modules() -> None:
    """No import inside a function (to dodge a circle) but in the factory, the CLI and
    WeasyPrint's loader."""
    offenders = []
    for name, tree in _modules():
        allowed = LATE_IMPORTS_ALLOWED.get(name, set())
        for function in _functions(tree):
            if "*" in allowed or function.name in allowed:
                continue
            offenders += [
                f"{name}:{node.lineno} in {function.name}()"
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]
    assert not offenders, offenders


def test_functions_are_short() -> None:
    """Every function of coalition/ reads at once: at most LONGEST lines."""
    offenders = [
        f"{name}:{function.lineno} {function.name}() is {length} lines"
        for name, tree in _modules()
        for function in _functions(tree)
        if function.end_lineno
        and (length := function.end_lineno - function.lineno + 1) > LONGEST
    ]
    assert not offenders, offenders
