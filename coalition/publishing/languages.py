"""An edition in the language a request asks for (``?lang=``), through a registered hook.

Publishing knows each edition in its own language. Translations builds on Publishing and
never the reverse (STYLE rule 14): it registers a :class:`Languages` here when it is
imported, which answers ``?lang=`` with a :class:`Reading` of a translated edition and
gives the statement page its language switcher. Without one, every address serves the
source text exactly as before.
"""

from __future__ import annotations

from typing import Any, Protocol

from coalition.domain.exports import EditionDocument
from coalition.models import Edition, Statement
from coalition.publishing import files


class Reading:
    """One edition in one language: this class reads the source; a hook subclasses it."""

    language: str | None = None  # a translation's tag (?lang=, Content-Language); source: None

    def __init__(self, edition: Edition) -> None:
        self.edition = edition

    @property
    def query(self) -> str:
        """The query string that selects this language ("" for the source)."""
        return f"?lang={self.language}" if self.language else ""

    def text(self) -> tuple[str, str]:
        """The title and body the edition's (or translation's) SHA-256 covers."""
        return self.edition.title, self.edition.body

    def document(self) -> EditionDocument:
        return files.edition_document(self.edition)

    def file_name(self, fmt: str) -> str:
        return files.file_name(self.edition.statement, self.edition.number, fmt)

    def export(self, fmt: str) -> tuple[bytes, str]:
        """The published export and its ETag, from the cache (rendered on first use).

        Read before the caller commits, which expires the rows."""
        row = files.cached_export(self.edition, fmt)
        return row.content, f"{self.edition.sha256[:16]}-{self.edition.id}-{fmt}-{row.id}"


class Languages(Protocol):
    """What a feature carrying editions in other languages plugs into Publishing."""

    def requested(self, edition: Edition) -> Reading | None:
        """The reading ``?lang=`` asks for; None for the source; aborts 404 for another."""

    def page_context(
        self, edition: Edition, reading: Reading, canonical: str | None
    ) -> dict[str, Any]:
        """The statement page's language switcher and hreflang alternates."""

    def draft_document(self, statement: Statement, language: str) -> EditionDocument:
        """The lead's DRAFT in ``language``; NotFound for one the statement lacks."""


_registered: list[Languages] = []


def register(languages: Languages) -> None:
    """Plug in a feature's languages (once: registering again changes nothing)."""
    if languages not in _registered:
        _registered.append(languages)


def requested(edition: Edition) -> Reading:
    """The edition in the language ``?lang=`` asks for: the source without it."""
    for languages in _registered:
        reading = languages.requested(edition)
        if reading is not None:
            return reading
    return Reading(edition)


def page_context(
    edition: Edition, reading: Reading, *, canonical: str | None = None
) -> dict[str, Any]:
    """What the statement page shows of its languages (nothing but its own without a hook)."""
    context: dict[str, Any] = {
        "languages": [],
        "alternates": [],
        "current_language": reading.language or edition.language,
        "lang_query": reading.query,
    }
    for languages in _registered:
        context.update(languages.page_context(edition, reading, canonical))
    return context


def with_language(links: dict[str, str], reading: Reading) -> dict[str, str]:
    """Export links that keep the page's language."""
    return {name: f"{link}{reading.query}" for name, link in links.items()}


def draft_document(statement: Statement, language: str) -> EditionDocument | None:
    """The lead's DRAFT in another language (None without a hook that carries languages)."""
    return _registered[0].draft_document(statement, language) if _registered else None
