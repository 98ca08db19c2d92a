"""The README's set-up steps say what a newcomer needs to know before typing them."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from coalition.config import Defaults

README = Path(__file__).resolve().parent.parent / "README.md"


def test_set_up_says_the_server_keeps_running_and_tests_need_another_terminal() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    set_up = text[text.index("## Set up"):text.index("## Configuration")]
    quickstart, tests = set_up.index("scripts/quickstart.sh"), set_up.index("scripts/test.sh")
    assert "keeps running" in set_up[quickstart:tests]
    assert "another terminal" in set_up[quickstart:tests]


def _configuration_table() -> list[str]:
    """The first cell of each row of the README's settings table."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration"):]
    section = section[:section.index("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [row.split("|")[1] for row in rows]


def _documented_settings() -> set[str]:
    names: set[str] = set()
    for cell in _configuration_table():
        names.update(
            name for name in re.findall(r"`([^`]+)`", cell) if name.isupper() or "_" in name
        )
    return names


def test_every_setting_in_defaults_is_documented_in_the_readme_table() -> None:
    # Like Datasette's test_settings_are_documented: a setting added to config.Defaults
    # without a row in the README's table fails here.
    settings = {name for name in vars(Defaults) if name.isupper()}
    assert settings, "config.Defaults has no settings?"
    missing = sorted(settings - _documented_settings())
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_every_setting_in_the_readme_table_exists() -> None:
    documented = _documented_settings()
    assert "SECRET_KEY" in documented and "TRUSTED_PROXIES" in documented
    # Flask's own settings (e.g. SECRET_KEY_FALLBACKS) may be documented without a default.
    known = {name for name in vars(Defaults) if name.isupper()} | set(Flask.default_config)
    unknown = sorted(documented - known)
    assert not unknown, f"the README documents settings no one defines: {unknown}"
