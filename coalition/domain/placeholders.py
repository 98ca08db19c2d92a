"""The signatory-count placeholder: "{{signatories}} organisations said today".

A statement's title or body may hold ``{{signatories}}`` (spaces inside the braces
are allowed: ``{{ signatories }}``). At publication it is replaced by the number of
signatories listed in that edition, written as numbers are in the statement's
language ("1,024" in English, "1 024" in French). The edition stores, and hashes, the
filled-in text: what the public reads is exactly what its SHA-256 covers.

Pure Python (no flask, no sqlalchemy).
"""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

__all__ = ["COUNT_PLACEHOLDER", "fill_count", "format_count", "has_count_placeholder"]

COUNT_PLACEHOLDER = "{{signatories}}"
_PATTERN = re.compile(r"\{\{\s*signatories\s*\}\}", re.IGNORECASE)


def has_count_placeholder(text: str) -> bool:
    """Whether ``text`` holds the count placeholder."""
    return _PATTERN.search(text) is not None


def _locale(language: str) -> Locale:
    tag = (language or "").strip().replace("-", "_")
    try:
        return Locale.parse(tag) if tag else Locale("en")
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale("en")


def format_count(count: int, language: str = "en") -> str:
    """``count`` as the statement's language writes numbers."""
    return str(format_decimal(count, locale=_locale(language)))


def fill_count(text: str, count: int, language: str = "en") -> str:
    """``text`` with every count placeholder replaced by ``count``."""
    written = format_count(count, language)
    return _PATTERN.sub(lambda _match: written, text)
