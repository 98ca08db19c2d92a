"""Public pages of published statements: the page, permalinks, exports, embed, preview, feed.

An edition is public iff its ``public_from`` has come; anything else (an unpublished
statement, an embargoed edition, an unknown slug) answers 404, so the public cannot tell
an embargo from nothing at all. Exports come from the cache of published exports.

Addresses: ``/s/<slug>`` and ``/s/<slug>.<ext>`` are the newest public edition;
``/s/<slug>/editions/<n>`` and ``/s/<slug>/editions/<n>.<ext>`` are one edition, forever.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import abort, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from coalition.domain import exports, formats
from coalition.domain.errors import NotFound
from coalition.models import Edition, Statement
from coalition.publishing import files, frozen, languages, services
from coalition.publishing.responses import (
    FEED,
    FRAME_CSP,
    LATEST,
    NO_STORE,
    PAGE,
    PERMANENT,
    download,
    edition_page_context,
    export_response,
)
from coalition.publishing.views import bp
from coalition.security import embeddable, public
from coalition.web import local_time


def _dotted() -> list[str]:
    """The formats reached as /s/<slug>.<name> (the others have their own paths)."""
    return [fmt.name for fmt in formats.every() if fmt.dotted]


def _visible(slug: str, number: int | None) -> tuple[Statement, Edition, list[Edition]]:
    """The statement, the public edition asked for (newest by default) and every public one."""
    statement = services.statement_by_slug(slug)
    if statement is None:
        abort(404)
    visible = services.public_editions(statement)
    if not visible:
        abort(404)
    if number is None:
        return statement, visible[-1], visible
    for edition in visible:
        if edition.number == number:
            return statement, edition, visible
    abort(404)


def _public_links(statement: Statement, number: int | None) -> dict[str, str]:
    """Export addresses: the newest edition's stable ones, or one edition's own."""
    if number is None:
        links = {
            fmt: url_for("publishing.public_export", slug=statement.slug, fmt=fmt)
            for fmt in _dotted()
        }
        links["embed"] = url_for("publishing.embed", slug=statement.slug)
        links["csv"] = url_for("publishing.signatories_csv", slug=statement.slug)
        return links
    links = {
        fmt: url_for(
            "publishing.public_edition_export", slug=statement.slug, number=number, fmt=fmt
        )
        for fmt in _dotted()
    }
    links["embed"] = url_for("publishing.edition_embed", slug=statement.slug, number=number)
    links["csv"] = url_for(
        "publishing.edition_signatories_csv", slug=statement.slug, number=number
    )
    return links


def _page(
    statement: Statement,
    edition: Edition,
    visible: list[Edition],
    *,
    links: dict[str, str],
    banner: tuple[str, str] | None = None,
    noindex: bool = False,
    source_url: str | None = None,
) -> str:
    reading = languages.requested(edition)  # ?lang=: one of the edition's translations
    document = reading.document()
    context: dict[str, Any] = edition_page_context(document)
    canonical = services.permalink(statement, edition.number)
    page_url = services.public_url(statement)
    embed_frame, embed_link = exports.embed_snippets(
        f"{page_url}/frame{reading.query}",
        f"{page_url}{reading.query}",
        document.title,
    )
    return render_template(
        "publishing/public.html",
        statement=statement,
        edition=edition,
        editions=visible,
        newest=visible[-1],
        banner=banner,
        noindex=noindex,
        lead_view=False,
        embed_frame=embed_frame,
        embed_link=embed_link,
        links=languages.with_language(links, reading),
        public_url=services.public_url(statement),
        canonical=canonical + reading.query,
        source_url=(
            source_url
            or url_for(
                "publishing.source_text", slug=statement.slug, number=edition.number,
                _external=True,
            )
        )
        + reading.query,
        **languages.page_context(edition, reading, canonical=canonical),
        edition_url=lambda n: url_for("publishing.public_edition", slug=statement.slug, number=n),
        **context,
    )


def _html(body: str, *, cache_control: str, etag: str | None = None) -> Response:
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = cache_control
    if etag is not None:
        response.set_etag(etag, weak=True)
        response.make_conditional(request)
    return response


@bp.get("/s/<slug>", defaults={"number": None})
@public
@frozen.published
def public_statement(slug: str, number: int | None) -> Response:
    """The newest public edition of a statement, or one edition's permalink; anyone."""
    statement, edition, visible = _visible(slug, number)
    body = _page(statement, edition, visible, links=_public_links(statement, number))
    # The page changes only when a newer edition becomes public.
    reading = languages.requested(edition)
    # updated_at moves with what is shown under the statement too (updates, a response).
    changed = f"{statement.updated_at.timestamp():.6f}"
    etag = f"{edition.id}-{edition.sha256[:12]}-{visible[-1].id}-{changed}" + (
        f"-{reading.language}" if reading.language else ""
    )
    return _html(body, cache_control=PAGE, etag=etag)


# A named alias, so templates can link to one edition by endpoint.
bp.add_url_rule(
    "/s/<slug>/editions/<int:number>", endpoint="public_edition", view_func=public_statement
)


@bp.get("/s/<slug>.<export(dotted):fmt>")
@public
@frozen.published
def public_export(slug: str, fmt: str) -> Response:
    """The newest public edition as Markdown, text, HTML, PDF, DOCX or the press-kit ZIP."""
    _, edition, _ = _visible(slug, None)
    return export_response(edition, fmt, cache_control=LATEST)


@bp.get("/s/<slug>/editions/<int:number>.<export(dotted):fmt>")
@public
@frozen.published
def public_edition_export(slug: str, number: int, fmt: str) -> Response:
    """One public edition's export, at an address whose content never changes."""
    _, edition, _ = _visible(slug, number)
    return export_response(edition, fmt, cache_control=PERMANENT)


@bp.get("/s/<slug>/embed", defaults={"number": None})
@public
@frozen.published
@embeddable
def embed(slug: str, number: int | None) -> Response:
    """The newest edition as an HTML fragment other sites may frame or paste; anyone."""
    _, edition, _ = _visible(slug, None)
    return export_response(edition, "embed", cache_control=LATEST)


@bp.get("/s/<slug>/editions/<int:number>/embed")
@public
@frozen.published
@embeddable
def edition_embed(slug: str, number: int) -> Response:
    """One edition as an embeddable HTML fragment; anyone."""
    _, edition, _ = _visible(slug, number)
    return export_response(edition, "embed", cache_control=PERMANENT)


@bp.get("/s/<slug>/frame", defaults={"number": None})
@public
@frozen.published
@embeddable
def embed_frame(slug: str, number: int | None) -> Response:
    """The newest edition as a page for an <iframe> that can size itself; anyone."""
    statement, edition, visible = _visible(slug, number)
    document = languages.requested(edition).document()
    response = _html(
        exports.to_frame(document),
        cache_control=LATEST if number is None else PERMANENT,
        etag=f"frame-{edition.id}-{visible[-1].id}-{document.language}",
    )
    response.headers["Content-Security-Policy"] = FRAME_CSP
    return response


bp.add_url_rule(
    "/s/<slug>/editions/<int:number>/frame", endpoint="edition_frame", view_func=embed_frame
)


@bp.get("/s/<slug>/signatories.csv")
@public
@frozen.published
def signatories_csv(slug: str) -> Response:
    """The newest edition's signatories as CSV: name, kind, country, affiliation; no contacts."""
    _, edition, _ = _visible(slug, None)
    return export_response(edition, "csv", cache_control=LATEST)


@bp.get("/s/<slug>/editions/<int:number>/signatories.csv")
@public
@frozen.published
def edition_signatories_csv(slug: str, number: int) -> Response:
    """One edition's signatories as CSV, without contacts; anyone."""
    _, edition, _ = _visible(slug, number)
    return export_response(edition, "csv", cache_control=PERMANENT)


@bp.get("/s/<slug>/editions/<int:number>/source.txt")
@public
@frozen.published
def source_text(slug: str, number: int) -> Response:
    """The exact text the edition's SHA-256 covers (title, two newlines, body); anyone."""
    _, edition, _ = _visible(slug, number)
    reading = languages.requested(edition)
    title, body = reading.text()
    response = Response(
        f"{title}\n\n{body}".encode(),
        content_type="text/plain; charset=utf-8",
    )
    response.headers["Cache-Control"] = PERMANENT
    response.set_etag(f"source-{edition.id}-{reading.language or edition.language}")
    response.make_conditional(request)
    return response


def _preview_edition(slug: str, token: str) -> Edition:
    try:
        return services.edition_for_preview(slug, token)
    except NotFound:
        abort(404)


def _private(response: Response) -> Response:
    """A preview answer: kept by no cache, indexed by no engine, and no referrer sent."""
    response.headers["Cache-Control"] = NO_STORE
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak in links
    return response


def _preview_links(slug: str, token: str) -> dict[str, str]:
    """The preview's own addresses for every file: the public ones answer 404 until the lift."""
    links = {
        fmt: url_for("publishing.preview_export", slug=slug, token=token, fmt=fmt)
        for fmt in _dotted()
    }
    links["embed"] = url_for("publishing.preview_embed", slug=slug, token=token)
    links["csv"] = url_for("publishing.preview_signatories_csv", slug=slug, token=token)
    return links


@bp.get("/s/<slug>/preview/<token>")
@public
def preview(slug: str, token: str) -> Response:
    """An edition before its embargo lifts, for whoever holds the lead's preview link."""
    edition = _preview_edition(slug, token)
    statement = edition.statement
    # Earlier editions are listed only when public; this one is shown whatever its state.
    visible = [e for e in services.public_editions(statement) if e.number < edition.number]
    visible.append(edition)
    banner = None
    if not services.is_public(edition):
        until = local_time(edition.public_from, services.statement_zone(statement))
        banner = (
            "warning",
            gettext(
                "Private preview, under embargo until %(until)s. "
                "Do not publish or share it before then.",
                until=until,
            ),
        )
    source_url = url_for("publishing.preview_source_text", slug=slug, token=token,
                         _external=True)
    body = _page(statement, edition, visible, links=_preview_links(slug, token),
                 banner=banner, noindex=True, source_url=source_url)
    return _private(_html(body, cache_control=NO_STORE))


def _preview_file(edition: Edition, fmt: str) -> Response:
    """A preview's export: marked "Embargoed until ... — not for publication" while the
    embargo runs (rendered on each request, never stored); after the lift, the same
    edition's public file, which carries no such mark."""
    if services.is_public(edition):
        return _private(export_response(edition, fmt, cache_control=NO_STORE))
    reading = languages.requested(edition)
    document = reading.document()
    moment = edition.public_from.astimezone(services.statement_zone(edition.statement))
    document = replace(
        document, embargo_until=exports.format_moment(moment, document.language)
    )
    name = reading.file_name(fmt)
    stem = reading.file_name("md").rpartition(".")[0]
    response = download(formats.render(document, fmt, stem), fmt, name, cache_control=NO_STORE)
    if reading.language:
        response.headers["Content-Language"] = reading.language
    return _private(response)


@bp.get("/s/<slug>/preview/<token>.<export(dotted):fmt>")
@public
def preview_export(slug: str, token: str, fmt: str) -> Response:
    """An export of a previewed edition, marked with its embargo; preview-link holders."""
    return _preview_file(_preview_edition(slug, token), fmt)


@bp.get("/s/<slug>/preview/<token>/embed")
@public
def preview_embed(slug: str, token: str) -> Response:
    """The previewed edition as the HTML fragment, marked with its embargo (not framable)."""
    return _preview_file(_preview_edition(slug, token), "embed")


@bp.get("/s/<slug>/preview/<token>/signatories.csv")
@public
def preview_signatories_csv(slug: str, token: str) -> Response:
    """The previewed edition's signatories as CSV, its first line the embargo."""
    return _preview_file(_preview_edition(slug, token), "csv")


@bp.get("/s/<slug>/preview/<token>/source.txt")
@public
def preview_source_text(slug: str, token: str) -> Response:
    """The exact text the previewed edition's SHA-256 covers, as source.txt gives it later.

    Unmarked on purpose: its bytes are what the hash covers, so a journalist can check it.
    """
    edition = _preview_edition(slug, token)
    title, body = languages.requested(edition).text()
    response = Response(
        f"{title}\n\n{body}".encode(), content_type="text/plain; charset=utf-8"
    )
    return _private(response)


@bp.get("/feed.atom")
@public
def feed() -> Response:
    """An Atom feed of published statements, newest first; anyone."""
    return frozen.serve_feed(_feed)


def _feed(state: str) -> Response:
    entries = []
    for edition in services.recent_public_editions(limit=50):
        document = files.edition_document(edition)
        entries.append(
            {
                "edition": edition,
                "statement": edition.statement,
                "url": services.public_url(edition.statement),
                "summary": edition_page_context(document)["description"],
            }
        )
    updated = max((entry["edition"].public_from for entry in entries), default=services.now())
    response = Response(
        render_template(
            "publishing/feed.xml",
            entries=entries,
            updated=updated,
            self_url=url_for("publishing.feed", _external=True),
            home_url=request.url_root,
        ),
        content_type="application/atom+xml; charset=utf-8",
    )
    response.headers["Cache-Control"] = FEED
    response.set_etag(f"feed-{state}", weak=True)
    response.make_conditional(request)
    return response
