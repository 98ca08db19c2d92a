"""The benchmark's WSGI entry point for Coalition: ``gunicorn bench.wsgi:application``.

Bench-only, never used in production: it builds the app from the settings file that
``COALITION_BENCH_CONFIG`` names (so neither instance/config.py nor the developer's
environment leak into a run) and, when ``COALITION_BENCH_COUNT_QUERIES=1``, counts the SQL
statements each request runs with a SQLAlchemy ``before_cursor_execute`` listener and
returns the count in an ``X-Bench-Queries`` response header. The app itself has no
debug endpoint and no counter.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from coalition import create_app
from coalition.extensions import db

QUERY_HEADER = "X-Bench-Queries"

StartResponse = Callable[..., Any]


def settings() -> dict[str, Any]:
    """The run's settings, written by the bench into its temporary folder."""
    path = os.environ.get("COALITION_BENCH_CONFIG")
    if not path:
        raise RuntimeError("COALITION_BENCH_CONFIG must name the bench's settings file")
    loaded: dict[str, Any] = json.loads(Path(path).read_text())
    return loaded


class QueryCounter:
    """WSGI middleware: the number of SQL statements of each request, as a header."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.local = threading.local()
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.local.count = getattr(self.local, "count", 0) + 1

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.local.count = 0

        def counted(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            headers.append((QUERY_HEADER, str(self.local.count)))
            return start_response(status, headers, *exc_info)

        return self.wsgi_app(environ, counted)


def build() -> Flask:
    """Coalition as the bench serves it."""
    app = create_app(settings())
    if os.environ.get("COALITION_BENCH_COUNT_QUERIES") == "1":
        app.wsgi_app = QueryCounter(app)  # type: ignore[method-assign]
    return app


application = build()
