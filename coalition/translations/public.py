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
from werkzeug.wrappers import Response

from coalition.domain import translations as rules
from coalition.domain.exports import EditionDocument
from coalition.models import Edition, EditionTranslation
from coalition.translations import editions


def requested(edition: Edition) -> EditionTranslation | None:
    """The translation ``?lang=`` asks for; None for the source; 404 for any other language."""
    language = request.args.get("lang", "").strip()
    if not language or (rules.is_tag(language) and rules.same_language(language, edition.language)):
        return None
    translated = editions.find(edition, language)
    if translated is None:
        abort(404)
    return translated


def query(translated: EditionTranslation | None) -> str:
    """The query string that selects this language ("" for the source)."""
    return f"?lang={translated.language}" if translated is not None else ""


def with_language(links: dict[str, str], translated: EditionTranslation | None) -> dict[str, str]:
    """Export links that keep the page's language."""
    suffix = query(translated)
    return {name: f"{link}{suffix}" for name, link in links.items()} if suffix else links


def document(edition: Edition, translated: EditionTranslation | None) -> EditionDocument:
    """The edition's document in the chosen language."""
    from coalition.publishing import files

    if translated is None:
        return files.edition_document(edition)
    return editions.document(edition, translated)


def file_name(edition: Edition, translated: EditionTranslation | None, fmt: str) -> str:
    """An export's file name in the chosen language (slug-ru.pdf; the source's without)."""
    from coalition.publishing import files

    if translated is None:
        return files.file_name(edition.statement, edition.number, fmt)
    return editions.file_name(edition, translated, fmt)


def export_response(
    edition: Edition, translated: EditionTranslation, fmt: str, *, cache_control: str
) -> Response:
    """A translated edition's export from its cache (rendered and stored on first use)."""
    from coalition.extensions import db
    from coalition.publishing.responses import download

    row = editions.cached_export(translated, fmt)
    db.session.commit()  # keeps a newly rendered export; nothing else is pending on a GET
    response = download(
        row.content,
        fmt,
        editions.file_name(edition, translated, fmt),
        cache_control=cache_control,
        etag=f"{translated.sha256[:16]}-{edition.id}-{translated.language}-{fmt}-{row.id}",
    )
    response.headers["Content-Language"] = translated.language
    return response


def _url(language: str | None, *, external: bool = False) -> str:
    """This page's address in another language (the source when ``language`` is None)."""
    arguments: dict[str, Any] = dict(request.view_args or {})
    if language is not None:
        arguments["lang"] = language
    return url_for(request.endpoint or "", _external=external, **arguments)


def page_context(
    edition: Edition, translated: EditionTranslation | None, *, canonical: str | None = None
) -> dict[str, Any]:
    """The switcher's languages and the hreflang alternates of an edition's page."""
    carried = editions.of_edition(edition)
    current = translated.language if translated is not None else edition.language
    switcher = [
        {
            "code": edition.language,
            "name": rules.native_name(edition.language),
            "url": _url(None),
            "current": translated is None,
        }
    ] + [
        {
            "code": item.language,
            "name": rules.native_name(item.language),
            "url": _url(item.language),
            "current": translated is not None and item.language == translated.language,
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
    return {
        "languages": switcher if carried else [],
        "alternates": alternates,
        "current_language": current,
        "lang_query": query(translated),
    }
