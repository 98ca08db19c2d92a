"""Input limits and clean-up shared by forms, the API and the services (DESIGN.md's limits)."""

from __future__ import annotations

import re
import unicodedata

from coalition.domain.errors import Said, TooLong, ValidationError, say_plural

TITLE_MAX = 300
NAME_MAX = 200  # a signatory's name, a signer's name, an invited organisation
BODY_MAX = 200_000
NOTE_MAX = 500
EMAIL_MAX = 320
COMMENT_MAX = 20_000

# Refused, never silently removed (DESIGN.md): NUL and the other C0 controls except tab,
# newline and carriage return (a browser's line ending, converted to \n), DEL and the C1
# controls, the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
# U+2066-U+2069: they reorder what a reader sees, so a name could read other than it is
# stored) and lone surrogates (no encoding can store them). Everything else is kept as
# typed, among them the zero-width non-joiner and joiner (U+200C, U+200D: Persian
# spelling, Indic scripts, emoji sequences) and the direction marks (U+200E, U+200F).
# In a one-line field, tab and newline are whitespace, collapsed with the rest.
_REFUSED = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def normalise_newlines(text: str) -> str:
    """Store line endings as \\n whatever the browser sent."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def blank(text: str) -> bool:
    """True when nothing in `text` shows: only spaces and invisible format characters (a
    lone zero-width space or joiner is no name), though such characters are kept in text."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def _describe(character: str) -> str:
    code = ord(character)
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} (a lone surrogate)"
    name = unicodedata.name(character, "")
    return f"U+{code:04X} ({name.lower()})" if name else f"U+{code:04X} (a control character)"


def refused_character(text: str) -> tuple[int, str] | None:
    """The first character that cannot be kept (1-based position, description), or None."""
    match = _REFUSED.search(text)
    if match is None:
        return None
    return match.start() + 1, _describe(match.group())


def check_characters(field: str, text: str) -> None:
    """Refuse, naming the field, a text holding a character that is never kept."""
    found = refused_character(text)
    if found is not None:
        position, what = found
        raise ValidationError(
            f"{field} contains a character that cannot be kept: {what} at character "
            f"{position}. Remove it and try again.",
            fields={field: f"contains {what} at character {position}"},
        )


def too_long(count: int, limit: int) -> Said:
    """The one message for a text over its limit, beside the field on every form."""
    return say_plural(
        "Too long: %(num)d character, at most %(limit)s. Shorten it and send it again.",
        "Too long: %(num)d characters, at most %(limit)s. Shorten it and send it again.",
        count,
        limit=limit,
    )


def line_length(text: str) -> int:
    """A one-line text's length as it is stored: NFC, whitespace collapsed, trimmed."""
    return len(" ".join(unicodedata.normalize("NFC", text).split()))


def text_length(text: str) -> int:
    """A multi-line text's length as it is stored: NFC, line endings as \\n, trimmed."""
    return len(normalise_newlines(unicodedata.normalize("NFC", text)).strip())


def _too_long(field: str, count: int, limit: int) -> TooLong:
    return TooLong(
        f"{field} is too long ({count} characters, at most {limit}).",
        fields={field: f"at most {limit} characters"},
        count=count,
        limit=limit,
    )


def check_length(field: str, cleaned: str, limit: int) -> None:
    """Refuse a cleaned text over `limit` characters (TooLong, naming the field)."""
    if len(cleaned) > limit:
        raise _too_long(field, len(cleaned), limit)


def clean_line(field: str, value: object, *, limit: int, required: bool = True) -> str:
    """A one-line text: NFC, whitespace collapsed and trimmed, length checked; controls refused."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.", fields={field: "must be a string"})
    check_characters(field, value)
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    if required and blank(cleaned):
        raise ValidationError(f"{field} is required.", fields={field: "is required"})
    if len(cleaned) > limit:
        raise _too_long(field, len(cleaned), limit)
    return cleaned


def clean_title(value: object) -> str:
    """A statement title: trimmed, one line, at most TITLE_MAX characters."""
    return clean_line("title", value, limit=TITLE_MAX)


def clean_body(value: object, field: str = "body", *, limit: int = BODY_MAX) -> str:
    """A Markdown body: NFC, newlines normalised, trimmed, at most `limit`; controls refused."""
    cleaned = clean_text(field, value)
    if blank(cleaned):
        raise ValidationError(f"{field} is required.", fields={field: "is required"})
    if len(cleaned) > limit:
        raise _too_long(field, len(cleaned), limit)
    return cleaned


def clean_text(field: str, value: object) -> str:
    """A multi-line text as typed: NFC, line endings as \\n, trimmed; controls refused."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.", fields={field: "must be a string"})
    check_characters(field, value)
    return normalise_newlines(unicodedata.normalize("NFC", value)).strip()


def clean_note(value: object) -> str:
    """An optional one-line note."""
    return clean_line("note", value, limit=NOTE_MAX, required=False)
