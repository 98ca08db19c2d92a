"""The signatory-count placeholder, filled in at publication."""

from __future__ import annotations

import pytest

from coalition.domain.placeholders import (
    COUNT_PLACEHOLDER,
    fill_count,
    format_count,
    has_count_placeholder,
)


@pytest.mark.parametrize(
    "text",
    ["{{signatories}} groups", "{{ signatories }} groups", "{{SIGNATORIES}} groups",
     "{{  Signatories}} groups"],
)
def test_every_spelling_is_filled(text: str) -> None:
    assert has_count_placeholder(text)
    assert fill_count(text, 24) == "24 groups"


def test_other_braces_are_left_alone() -> None:
    text = "{{signatory}} {signatories} {{ signatories"
    assert not has_count_placeholder(text)
    assert fill_count(text, 3) == text


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1,024"), ("fr", "1\u202f024"), ("de", "1.024"), ("ru", "1\xa0024"),
     ("xx-??", "1,024")],
)
def test_numbers_are_written_as_the_language_writes_them(language: str, expected: str) -> None:
    assert format_count(1024, language) == expected


def test_the_placeholder_constant_is_the_documented_one() -> None:
    assert COUNT_PLACEHOLDER == "{{signatories}}"
    assert fill_count(f"We, the {COUNT_PLACEHOLDER}.", 7) == "We, the 7."
