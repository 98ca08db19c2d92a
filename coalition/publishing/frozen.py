"""A published edition's answers as bytes: made once per worker, then served from memory.

A published edition never changes, so its page and each export (per language and format)
can be rendered once and kept. What else a public answer shows is named by one SQL
statement, the statement's *public version*: its id, ``updated_at`` (moved by anything
shown under the statement: an update, a response, an option), the lead organisation's
name, and the newest public edition and how many are public now (an embargo lifting or a
new edition changes them). The bytes are kept under that version, the address and the
host; a request with the same key is answered from memory with one SQL statement and no
ORM object or template, and a conditional request with a matching ETag gets its 304
without anything being rendered. Any change of the version misses the cache at once, in
every worker, so the ETag changes with it.

Only requests without a session or remember-me cookie use the cache: a signed-in lead's
page differs (the header links home, the answer is private). Previews are never cached.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, current_app, request
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased
from werkzeug.wrappers import Response

from coalition import caching, pipeline
from coalition.extensions import db
from coalition.models import Edition, Organisation, Statement, StatementUpdate
from coalition.publishing import services

F = TypeVar("F", bound=Callable[..., Any])

# The conditional headers, kept aside while a miss renders the full answer to keep.
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE")
# A query string longer than this is not worth keeping (only ?lang= changes an answer).
_QUERY_LIMIT = 64


def _public_editions(column: Any) -> Any:
    return (
        select(column)
        .where(Edition.statement_id == Statement.id, Edition.public_from <= bindparam("now"))
        .correlate(Statement)
        .scalar_subquery()
    )


_chosen = aliased(Edition)
_newest = _public_editions(func.max(Edition.id))
_columns = (
    Statement.id, Statement.updated_at, Organisation.name,
    _newest, _public_editions(func.count(Edition.id)), _chosen.id, _chosen.sha256,
)
# The newest public edition: editions are numbered in the order they are made.
_VERSION_NEWEST = (
    select(*_columns)
    .join(Organisation, Organisation.id == Statement.organisation_id)
    .outerjoin(_chosen, _chosen.id == _newest)
    .where(Statement.slug == bindparam("slug"))
)
_VERSION_NUMBER = (
    select(*_columns)
    .join(Organisation, Organisation.id == Statement.organisation_id)
    .outerjoin(_chosen, and_(
        _chosen.statement_id == Statement.id,
        _chosen.number == bindparam("number"),
        _chosen.public_from <= bindparam("now"),
    ))
    .where(Statement.slug == bindparam("slug"))
)


@dataclass(frozen=True)
class Version:
    """What a statement's public answers depend on besides the frozen editions."""

    statement_id: int
    updated: str
    organisation: str
    newest_id: int
    public_count: int
    edition_id: int  # the edition asked for (the newest when no number is given)
    edition_sha256: str


def version(slug: str, number: int | None) -> Version | None:
    """The public version of a statement, with the edition asked for; None when the
    public may not see it (unknown slug, nothing public yet, that edition not public)."""
    if not slug or len(slug) > 120:
        return None
    query = _VERSION_NEWEST if number is None else _VERSION_NUMBER
    values: dict[str, Any] = {"slug": slug, "now": services.now()}
    if number is not None:
        values["number"] = number
    row = db.session.execute(query, values).first()
    if row is None or row[5] is None:
        return None
    statement_id, updated_at, organisation, newest, count, edition_id, sha256 = row
    return Version(statement_id, f"{updated_at.timestamp():.6f}", organisation, newest, count,
                   edition_id, sha256)


@dataclass(frozen=True)
class Held:
    """A kept answer: its body and the headers its view set."""

    body: bytes
    headers: tuple[tuple[str, str], ...]


def _store() -> caching.LRU | None:
    megabytes = current_app.config.get("PUBLIC_CACHE_MB", 0) or 0
    if megabytes <= 0:
        return None
    return caching.cache("frozen_answers", maxsize=4096, maxbytes=int(megabytes * 1024 * 1024))


def cacheable() -> bool:
    """Whether this request may be answered from (and fill) the cache."""
    return (
        request.method in ("GET", "HEAD")
        and len(request.query_string) <= _QUERY_LIMIT
        and not pipeline.may_be_signed_in()
    )


def _answer(held: Held) -> Response:
    response = Response(held.body, headers=list(held.headers))
    response.make_conditional(request)
    return response


def serve(key: Hashable, make: Callable[[], Response]) -> Response:
    """The kept answer for `key`, or `make()`'s, kept when it is a complete 200."""
    store = _store() if cacheable() else None
    if store is None:
        return make()
    held: Held | None = store.get(key)
    if held is not None:
        return _answer(held)
    environ = request.environ
    aside = {name: environ.pop(name) for name in _CONDITIONAL if name in environ}
    try:
        response = make()
    finally:
        environ.update(aside)
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return response
    body = response.get_data()
    held = Held(body, tuple(
        (name, value) for name, value in response.headers.items()
        if name.lower() not in ("content-length", "set-cookie", "vary")
    ))
    store.put(key, held, size=len(body))
    return _answer(held)


def published(view: F) -> F:
    """Serve a public view of a published edition from the kept bytes (see the module).

    The view's ``slug`` and ``number`` name the edition; 404 comes before any rendering
    when the public may not see it, exactly as the view itself would answer.
    """

    @functools.wraps(view)
    def wrapper(**arguments: Any) -> Response:
        found = version(str(arguments.get("slug", "")), _number(arguments))
        if found is None:
            abort(404)
        key = (
            request.endpoint,
            tuple(sorted((k, str(v)) for k, v in arguments.items())),
            request.args.get("lang", ""),
            request.host_url,
            found,
        )
        return serve(key, lambda: view(**arguments))

    return wrapper  # type: ignore[return-value]


def _number(arguments: dict[str, Any]) -> int | None:
    number = arguments.get("number")
    return int(number) if number is not None else None


_public = Edition.public_from <= bindparam("now")
_FEED_VERSION = select(
    select(func.max(Edition.id)).where(_public).scalar_subquery(),
    select(func.count(Edition.id)).where(_public).scalar_subquery(),
    select(func.max(Statement.updated_at)).scalar_subquery(),
    select(func.max(StatementUpdate.id)).scalar_subquery(),
    select(func.count(StatementUpdate.id)).scalar_subquery(),
)


def feed_version() -> str:
    """What the Atom feed shows besides frozen editions, in one SQL statement: the public
    editions, the statements' last changes and their updates. (A lead organisation that
    renames itself shows in the feed with its next edition or update.)"""
    row = db.session.execute(_FEED_VERSION, {"now": services.now()}).one()
    newest, count, changed, update, updates = row
    stamp = f"{changed.timestamp():.6f}" if changed is not None else "0"
    return f"{newest or 0}-{count}-{stamp}-{update or 0}-{updates}"


def serve_feed(make: Callable[[str], Response]) -> Response:
    """The feed from the kept bytes of its version, else `make(version)`'s."""
    state = feed_version()
    return serve(("feed", request.host_url, state), lambda: make(state))
