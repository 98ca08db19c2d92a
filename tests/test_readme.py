"""The README's set-up steps say what a newcomer needs to know before typing them."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_set_up_says_the_server_keeps_running_and_tests_need_another_terminal() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    set_up = text[text.index("## Set up"):text.index("## Configuration")]
    quickstart, tests = set_up.index("scripts/quickstart.sh"), set_up.index("scripts/test.sh")
    assert "keeps running" in set_up[quickstart:tests]
    assert "another terminal" in set_up[quickstart:tests]
