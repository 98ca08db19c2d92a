"""Text is kept exactly as typed (apart from NFC, trimming and collapsing whitespace in
one-line fields); what can never be kept is refused naming the field, never removed."""

from __future__ import annotations

import re

import pytest

from coalition.domain.errors import ValidationError
from coalition.domain.invitations import clean_organisation
from coalition.domain.limits import clean_body, clean_line, clean_note, clean_text, clean_title
from tests.typed_names import EMOJI, HEBREW, MALAYALAM, PERSIAN, PERSIAN_ZWNJ, SINHALA

KEPT = [f"{PERSIAN} {PERSIAN_ZWNJ}", MALAYALAM, SINHALA, EMOJI, HEBREW, "A\u200eB"]

REFUSED = [
    ("\x00", "U+0000"), ("\x01", "U+0001"), ("\x1b", "U+001B"), ("\x7f", "U+007F"),
    ("\x85", "U+0085"), ("\x9f", "U+009F"), ("\u202a", "U+202A"), ("\u202e", "U+202E"),
    ("\u2066", "U+2066"), ("\u2069", "U+2069"), ("\ud800", "U+D800"), ("\udfff", "U+DFFF"),
]


@pytest.mark.parametrize("name", KEPT)
def test_joiners_and_marks_are_kept_byte_for_byte(name: str):
    assert clean_line("name", f"  {name} ", limit=200) == name
    assert clean_title(name) == name
    assert clean_body(f"{name}\n\n{name}") == f"{name}\n\n{name}"
    assert clean_organisation(name) == name


@pytest.mark.parametrize(("character", "code"), REFUSED)
def test_controls_overrides_and_lone_surrogates_are_refused_naming_the_field(
    character: str, code: str
):
    for check in (
        lambda: clean_line("name", f"Amnesty{character} Org", limit=200),
        lambda: clean_title(f"Title{character}"),
        lambda: clean_body(f"Body{character}"),
        lambda: clean_text("reason", f"Because{character}"),
        lambda: clean_note(f"note{character}"),
    ):
        with pytest.raises(ValidationError) as caught:
            check()
        (field,) = caught.value.fields
        assert code in caught.value.message and code in caught.value.fields[field]
        assert caught.value.message.startswith(field)
    with pytest.raises(ValueError, match=re.escape(code)):
        clean_organisation(f"Org{character}")


def test_the_position_of_the_refused_character_is_named():
    with pytest.raises(ValidationError) as caught:
        clean_line("name", "ab\x00c", limit=200)
    assert caught.value.fields == {"name": "contains U+0000 (a control character) at character 3"}


def test_tab_and_newline_are_kept_in_bodies_and_collapsed_in_lines():
    assert clean_body("a\tb\r\nc") == "a\tb\nc"
    assert clean_line("name", "a\tb\nc", limit=200) == "a b c"


def test_nfc_still_applies():
    assert clean_line("name", "E\u0301lan", limit=200) == "\u00c9lan"


def test_a_required_text_of_invisible_characters_only_is_missing():
    for blank in ("\u200b", " \u200c\u200d ", "\u200f"):
        with pytest.raises(ValidationError, match="required"):
            clean_line("name", blank, limit=200)
        with pytest.raises(ValidationError, match="required"):
            clean_body(blank)
    assert clean_line("name", "\u200b", limit=200, required=False) == "\u200b"
