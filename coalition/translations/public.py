"""Languages on the public pages and exports: ``?lang=``, the switcher and hreflang links.

Decision (docs/translations.md): a language is chosen with ``?lang=<tag>`` on every address
of an edition (the page, the permalink, every export, the embed, the CSV, source.txt,
previews and the lead's edition view). Without it, or with the source language, the source
text is served exactly as before; a language the edition does not carry answers 404, so a
press officer never gets another language than the one asked for. No Accept-Language
negotiation: one address always gives the same document, so shared caches stay correct.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request, url_for

from coalition.domain import translations as rules
from coalition.domain.exports import EditionDocument
from coalition.models import Edition, EditionTranslation, Statement
from coalition.publishing import languages
from coalition.publishing.languages import Reading
from coalition.translations import editions


class TranslatedReading(Reading):
    """A published edition in one of its translations: its own text, list, files and cache."""

    def __init__(self, edition: Edition, translated: EditionTranslation) -> None:
        super().__init__(edition)
        self.translated = translated
        self.language = translated.language

    def text(self) -> tuple[str, str]:
        return self.translated.title, self.translated.body

    def document(self) -> EditionDocument:
        return editions.document(self.edition, self.translated)

    def file_name(self, fmt: str) -> str:
        return editions.file_name(self.edition, self.translated, fmt)

    def export(self, fmt: str) -> tuple[bytes, str]:
        row = editions.cached_export(self.translated, fmt)
        translated = self.translated
        etag = f"{translated.sha256[:16]}-{self.edition.id}-{translated.language}-{fmt}-{row.id}"
        return row.content, etag


def requested(edition: Edition) -> TranslatedReading | None:
    """The translation ``?lang=`` asks for; None for the source; 404 for any other language."""
    language = request.args.get("lang", "").strip()
    if not language or (rules.is_tag(language) and rules.same_language(language, edition.language)):
        return None
    translated = editions.find(edition, language)
    if translated is None:
        abort(404)
    return TranslatedReading(edition, translated)


def _url(language: str | None, *, external: bool = False) -> str:
    """This page's address in another language (the source when ``language`` is None)."""
    arguments: dict[str, Any] = dict(request.view_args or {})
    if language is not None:
        arguments["lang"] = language
    return url_for(request.endpoint or "", _external=external, **arguments)


def page_context(
    edition: Edition, reading: Reading, canonical: str | None = None
) -> dict[str, Any]:
    """The switcher's languages and the hreflang alternates of an edition's page."""
    carried = editions.of_edition(edition)
    switcher = [
        {
            "code": edition.language,
            "name": rules.native_name(edition.language),
            "url": _url(None),
            "current": reading.language is None,
        }
    ] + [
        {
            "code": item.language,
            "name": rules.native_name(item.language),
            "url": _url(item.language),
            "current": item.language == reading.language,
        }
        for item in carried
    ]
    alternates: list[tuple[str, str]] = []
    if carried and canonical:
        # Each language's permanent address, and the source as the default.
        alternates = [(edition.language, canonical)] + [
            (item.language, f"{canonical}?lang={item.language}") for item in carried
        ]
        alternates.append(("x-default", canonical))
    return {"languages": switcher if carried else [], "alternates": alternates}


def draft_document(statement: Statement, language: str) -> EditionDocument:
    """The lead's DRAFT export in a translation (NotFound for a language it lacks)."""
    return editions.draft_document(statement, language)


class _Languages:
    """Translations' answers to Publishing's language hook."""

    requested = staticmethod(requested)
    page_context = staticmethod(page_context)
    draft_document = staticmethod(draft_document)


LANGUAGES = _Languages()


def connect() -> None:
    """Serve ``?lang=`` on Publishing's addresses (idempotent)."""
    languages.register(LANGUAGES)
