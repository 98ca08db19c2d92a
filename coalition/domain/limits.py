"""Input limits and clean-up shared by forms, the API and the services (DESIGN.md's limits)."""

from __future__ import annotations

import re
import unicodedata

from coalition.domain.errors import ValidationError

TITLE_MAX = 300
NAME_MAX = 200  # a signatory's name, a signer's name, an invited organisation
BODY_MAX = 200_000
NOTE_MAX = 500
EMAIL_MAX = 320
COMMENT_MAX = 20_000

_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]"
)


def normalise_newlines(text: str) -> str:
    """Store line endings as \\n whatever the browser sent."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def strip_controls(text: str) -> str:
    """Remove control and invisible formatting characters (keeps \\n and \\t)."""
    return _CONTROL.sub("", text)


def clean_line(field: str, value: object, *, limit: int, required: bool = True) -> str:
    """A one-line text: controls removed, whitespace collapsed and trimmed, length checked."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.", fields={field: "must be a string"})
    cleaned = " ".join(strip_controls(unicodedata.normalize("NFC", value)).split())
    if required and not cleaned:
        raise ValidationError(f"{field} is required.", fields={field: "is required"})
    if len(cleaned) > limit:
        raise ValidationError(
            f"{field} is too long ({len(cleaned)} characters, at most {limit}).",
            fields={field: f"at most {limit} characters"},
        )
    return cleaned


def clean_title(value: object) -> str:
    """A statement title: trimmed, one line, at most TITLE_MAX characters."""
    return clean_line("title", value, limit=TITLE_MAX)


def clean_body(value: object, field: str = "body", *, limit: int = BODY_MAX) -> str:
    """A Markdown body: newlines normalised, controls removed, at most `limit` after trimming."""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be text.", fields={field: "must be a string"})
    cleaned = strip_controls(normalise_newlines(unicodedata.normalize("NFC", value))).strip()
    if not cleaned:
        raise ValidationError(f"{field} is required.", fields={field: "is required"})
    if len(cleaned) > limit:
        raise ValidationError(
            f"{field} is too long ({len(cleaned)} characters, at most {limit}).",
            fields={field: f"at most {limit} characters"},
        )
    return cleaned


def clean_note(value: object) -> str:
    """An optional one-line note."""
    return clean_line("note", value, limit=NOTE_MAX, required=False)
