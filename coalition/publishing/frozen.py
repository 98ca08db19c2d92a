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

import contextlib
import functools
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, request
from sqlalchemy import and_, bindparam, event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased
from werkzeug.http import parse_etags, unquote_etag
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


def version(slug: str, number: int | None, connection: Connection | None = None) -> Version | None:
    """The public version of a statement, with the edition asked for; None when the
    public may not see it (unknown slug, nothing public yet, that edition not public)."""
    if not slug or len(slug) > 120:
        return None
    query = _VERSION_NEWEST if number is None else _VERSION_NUMBER
    values: dict[str, Any] = {"slug": slug, "now": services.now()}
    if number is not None:
        values["number"] = number
    row = (connection or db.session).execute(query, values).first()
    if row is None or row[5] is None:
        return None
    statement_id, updated_at, organisation, newest, count, edition_id, sha256 = row
    return Version(statement_id, f"{updated_at.timestamp():.6f}", organisation, newest, count,
                   edition_id, sha256)


_public = Edition.public_from <= bindparam("now")
_FEED_VERSION = select(
    select(func.max(Edition.id)).where(_public).scalar_subquery(),
    select(func.count(Edition.id)).where(_public).scalar_subquery(),
    select(func.max(Statement.updated_at)).scalar_subquery(),
    select(func.max(StatementUpdate.id)).scalar_subquery(),
    select(func.count(StatementUpdate.id)).scalar_subquery(),
)


def feed_version(connection: Connection | None = None) -> str:
    """What the Atom feed shows besides frozen editions, in one SQL statement: the public
    editions, the statements' last changes and their updates. (A lead organisation that
    renames itself shows in the feed with its next edition or update.)"""
    row = (connection or db.session).execute(_FEED_VERSION, {"now": services.now()}).one()
    newest, count, changed, update, updates = row
    stamp = f"{changed.timestamp():.6f}" if changed is not None else "0"
    return f"{newest or 0}-{count}-{stamp}-{update or 0}-{updates}"


@dataclass(frozen=True)
class Mark:
    """Left in the WSGI environ by a view whose answer may be kept: what to check it by."""

    slug: str | None  # None: the feed
    number: int | None
    version: Version | str

    def current(self, connection: Connection) -> Version | str | None:
        """The version now (one SQL statement)."""
        if self.slug is None:
            return feed_version(connection)
        return version(self.slug, self.number, connection)


MARK = "coalition.frozen"


def cacheable() -> bool:
    """Whether this request may be answered from (and fill) the kept answers."""
    return (
        request.method in ("GET", "HEAD")
        and len(request.query_string) <= _QUERY_LIMIT
        and not pipeline.may_be_signed_in()
    )


def _mark(mark: Mark) -> None:
    """Let KeptAnswers keep this answer: the full 200 is made (the conditional headers are
    set aside, KeptAnswers answers them from what it keeps)."""
    if cacheable() and MARK in request.environ:
        request.environ[MARK] = mark
        for name in _CONDITIONAL:
            request.environ.pop(name, None)


def published(view: F) -> F:
    """A public view of a published edition: 404 before any rendering when the public may
    not see it, as the view itself would answer; its answer may be kept (see the module).

    The view's ``slug`` and ``number`` name the edition.
    """

    @functools.wraps(view)
    def wrapper(**arguments: Any) -> Response:
        slug = str(arguments.get("slug", ""))
        number = arguments.get("number")
        number = int(number) if number is not None else None
        found = version(slug, number)
        if found is None:
            abort(404)
        _mark(Mark(slug, number, found))
        response: Response = view(**arguments)
        return response

    return wrapper  # type: ignore[return-value]


def serve_feed(make: Callable[[str], Response]) -> Response:
    """The feed, kept under its version."""
    state = feed_version()
    _mark(Mark(None, None, state))
    return make(state)


@dataclass(frozen=True)
class Held:
    """A kept answer: what it was checked by, its final headers and body, its ETag."""

    mark: Mark
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str | None


# Dropped from a 304, as werkzeug drops them (the body they describe is not sent).
_ENTITY = frozenset({"content-type", "content-length", "content-encoding", "content-language",
                     "content-md5", "content-range", "content-disposition"})
StartResponse = Callable[..., Any]


class KeptAnswers:
    """WSGI middleware in front of the app: the kept public answers, checked by one SQL
    statement and sent as they were made (every header the app added included), without
    Flask's request pipeline; anything else goes to the app untouched."""

    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app
        megabytes = float(app.config.get("PUBLIC_CACHE_MB") or 0)
        self.store = (
            caching.LRU(4096, int(megabytes * 1024 * 1024)) if megabytes > 0 else None
        )
        cookies = (app.config.get("SESSION_COOKIE_NAME") or "session",
                   app.config.get("REMEMBER_COOKIE_NAME") or "remember_token")
        self.cookies = tuple(f"{name}=" for name in cookies)
        with app.app_context():
            self.engine = db.engine
        # One connection per thread, kept open in autocommit: a check is one round trip to
        # the database, not a pool checkout with its ping, a BEGIN and a ROLLBACK.
        self._local = threading.local()
        self._opened: list[Connection] = []
        self._lock = threading.Lock()
        event.listen(self.engine, "engine_disposed", lambda _engine: self.close())

    def _connection(self) -> Connection:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def _current(self, mark: Mark) -> Version | str | None:
        """The version now, or None when the database could not say (the app answers)."""
        connection = self._connection()
        try:
            now = mark.current(connection)
            connection.rollback()  # nothing to undo: ends SQLAlchemy's autobegun block
            return now
        except SQLAlchemyError:
            self._local.connection = None
            with contextlib.suppress(SQLAlchemyError):
                connection.invalidate()
            return None

    def close(self) -> None:
        """Close the kept connections (when the engine is disposed)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            with contextlib.suppress(SQLAlchemyError):
                # Closed for good: the pool it came from has been disposed of.
                connection.invalidate()
                connection.close()
        self._local = threading.local()

    def _keepable(self, environ: dict[str, Any]) -> bool:
        path = environ.get("PATH_INFO", "")
        cookie = environ.get("HTTP_COOKIE", "")
        return (
            environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and (path.startswith("/s/") or path == "/feed.atom")
            and len(environ.get("QUERY_STRING", "")) <= _QUERY_LIMIT
            and not any(name in cookie for name in self.cookies)
        )

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if self.store is None or not self._keepable(environ):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),
               environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"),
               environ.get("QUERY_STRING"))
        held: Held | None = self.store.get(key)
        if held is not None:
            now = self._current(held.mark)
            if now is not None and now == held.mark.version:
                return self._answer(held, environ, start_response)
        return self._make(key, environ, start_response)

    def _make(self, key: Hashable, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if environ.get("REQUEST_METHOD") != "GET":  # a HEAD is answered, never kept
            return self.wsgi_app(environ, start_response)
        conditional = {name: environ[name] for name in _CONDITIONAL if name in environ}
        environ[MARK] = None  # a view of a published edition replaces it with its Mark
        started: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers, exc_info]
            return lambda _data: None  # Flask never writes

        body = self.wsgi_app(environ, capture)
        mark = environ.get(MARK)
        if not isinstance(mark, Mark) or not started or not started[0].startswith("200"):
            start_response(*started)
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = tuple((name, value) for name, value in started[1]
                        if name.lower() not in ("content-length", "set-cookie"))
        etag = next((value for name, value in headers if name.lower() == "etag"), None)
        held = Held(mark, headers, content, etag)
        assert self.store is not None
        self.store.put(key, held, size=len(content))
        environ.update(conditional)
        return self._answer(held, environ, start_response)

    @staticmethod
    def _answer(held: Held, environ: dict[str, Any], start_response: StartResponse) -> Any:
        asked = environ.get("HTTP_IF_NONE_MATCH")
        if asked and held.etag:
            tag, _weak = unquote_etag(held.etag)
            if tag is not None and parse_etags(asked).contains_weak(tag):
                start_response("304 NOT MODIFIED", [
                    (name, value) for name, value in held.headers
                    if name.lower() not in _ENTITY
                ])
                return []
        start_response("200 OK", [*held.headers, ("Content-Length", str(len(held.body)))])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [held.body]


def init_app(app: Flask) -> None:
    """Put KeptAnswers in front of the app (inside the proxy fix, which sets the host)."""
    app.wsgi_app = KeptAnswers(app, app.wsgi_app)  # type: ignore[method-assign]
