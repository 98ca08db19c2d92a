"""HTTP answers shared by the lead's and the public's publishing views: downloads, page context."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter, Map
from werkzeug.wrappers import Response

from coalition import caching
from coalition.domain import exports, formats
from coalition.domain.exports import EditionDocument
from coalition.extensions import db
from coalition.models import Edition
from coalition.publishing import languages

# Secrets (preview links), drafts and the lead's downloads: never kept by a shared cache.
NO_STORE = "private, no-store"
# The newest edition behind a stable address can be replaced by a newer edition. A shared
# cache (a CDN, nginx) may answer with what it holds while it asks again in the background
# (docs/operations.md, "A cache in front").
LATEST = "public, max-age=300, stale-while-revalidate=600"
# A statement's page: a newer edition, an update or a response shows within a minute.
PAGE = "public, max-age=60, stale-while-revalidate=300"
# The Atom feed of published statements.
FEED = "public, max-age=300, stale-while-revalidate=600"
# One edition's own address: its content can never change.
PERMANENT = "public, max-age=31536000, immutable"

# The frame page: the same, plus the one script that reports its height to the host page.
FRAME_CSP = (
    f"default-src 'none'; style-src 'unsafe-inline'; script-src {exports.FRAME_SCRIPT_CSP}; "
    "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors *"
)


class FormatConverter(BaseConverter):
    """``<export:fmt>`` in a route: the name of a registered format, like ``any(...)`` of them.

    ``<export(dotted):fmt>`` takes the formats reached as ``/s/<slug>.<name>``,
    ``<export(draft):fmt>`` those the lead may export a draft in. The pattern is made
    when the app adds the rule, so it holds every format registered before create_app.
    """

    def __init__(self, url_map: Map, offered: str = "all") -> None:
        super().__init__(url_map)
        self.items = [
            fmt.name
            for fmt in formats.every()
            if {"dotted": fmt.dotted, "draft": fmt.draft}.get(offered, True)
        ]
        self.regex = f"(?:{'|'.join(re.escape(name) for name in self.items)})"


def download(
    content: bytes,
    fmt: str,
    filename: str,
    *,
    cache_control: str,
    etag: str | None = None,
) -> Response:
    """An export as a response, with its type, file name, caching and (optional) ETag."""
    spec = formats.get(fmt)
    response = Response(content, content_type=spec.media_type)
    response.headers.set(
        "Content-Disposition", "attachment" if spec.attachment else "inline", filename=filename
    )
    response.headers["Cache-Control"] = cache_control
    if spec.content_security_policy:
        response.headers["Content-Security-Policy"] = spec.content_security_policy
    if etag is not None:
        response.set_etag(etag)
        response.make_conditional(request)
    return response


def export_response(edition: Edition, fmt: str, *, cache_control: str) -> Response:
    """A published edition's export from the cache (rendered and stored on first use).

    ``?lang=`` picks one of the edition's translations (docs/translations.md).
    """
    reading = languages.requested(edition)
    # Everything the answer needs is read before the commit, which expires the rows: read
    # after it, they would be loaded again (the export's content too).
    content, etag = reading.export(fmt)
    name = reading.file_name(fmt)
    db.session.commit()  # keeps a newly rendered export; nothing else is pending on a GET
    response = download(content, fmt, name, cache_control=cache_control, etag=etag)
    if reading.language:
        response.headers["Content-Language"] = reading.language
    return response


def _description(document: EditionDocument, limit: int = 200) -> str:
    """The first paragraph as plain text, for link previews (Open Graph, Twitter, Atom)."""
    for block in exports.html_blocks(document.body_html):
        if block.kind in ("paragraph", "item") and block.text.strip():
            text = re.sub(r"\s+", " ", block.text).strip()
            if len(text) <= limit:
                return text
            return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return ""


def _list_items(document: EditionDocument, members: list[exports.Signatory]) -> Markup:
    """The <li> lines of one group; every name and detail goes through escape()."""
    items = []
    for signatory in members:
        name, details = exports.signatory_line(signatory, document.language)
        extra = f' <span class="signatory-details">{escape(details)}</span>' if details else ""
        items.append(f'<li><span class="signatory-name">{escape(name)}</span>{extra}</li>')
    return Markup("\n".join(items))  # noqa: S704 - built from escaped values only


def signatory_list(document: EditionDocument) -> list[tuple[str | None, int, Markup]]:
    """The list as (heading, size, HTML items), made once per document.

    A published edition's document is cached (files.edition_document), so its list of
    thousands of names is escaped and joined once per worker instead of on every view.
    The memo is keyed by the document's identity and holds the document, so the id
    cannot be reused while the entry lives.
    """
    memo = caching.cache("signatory_lists", maxsize=16)

    def make() -> tuple[EditionDocument, list[tuple[str | None, int, Markup]]]:
        return document, [
            (heading, len(members), _list_items(document, members))
            for heading, members in exports.signatory_groups(document)
        ]

    held, groups = memo.get_or_make(id(document), make)
    if held is not document:
        held, groups = make()
        memo.put(id(document), (held, groups))
    return groups


def edition_page_context(document: EditionDocument) -> dict[str, Any]:
    """What the statement templates show of a document, in its language, unescaped."""
    words = exports.labels_for(document.language)
    groups = signatory_list(document)
    letter = document.letter
    return {
        "document": document,
        "words": words,
        "lang": exports.html_lang(document.language),
        "date_text": exports.format_date(document.date, document.language),
        "human_date": lambda day: exports.format_date(day, document.language),
        "body_html": document.body_html,  # sanitised by render_markdown
        "groups": groups,
        "count": document.total,  # named or not: the withheld line says how many are not
        "withheld": exports.withheld_lines(document),
        "identification": exports.has_affiliations(document),
        "note_lines": exports.note_lines(document),
        "letter_lines": exports.letter_lines(letter) if letter else [],
        "salutation": " ".join(letter.salutation.split()) if letter else "",
        "description": _description(document),
        "coordinated_by": exports.conveners_line(document),
    }
