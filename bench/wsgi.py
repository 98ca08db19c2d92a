"""The benchmark's WSGI entry point for Coalition: ``gunicorn bench.wsgi:application``.

Bench-only, never used in production: it builds the app from the settings file that
``COALITION_BENCH_CONFIG`` names (so neither instance/config.py nor the developer's
environment leak into a run) and, when ``COALITION_BENCH_COUNT_QUERIES=1``, counts the SQL
statements each request runs with a SQLAlchemy ``before_cursor_execute`` listener and
returns the count in an ``X-Bench-Queries`` response header. The app itself has no
debug endpoint and no counter.

It also adds one bench-only route, ``POST /bench/floor/<token>/signature``: the
baseline's work (read the JSON body, insert one row, commit) served by Coalition's own
request pipeline (proxy fix, rate limit, access guard, language, security headers, the
session and its commit). Its throughput beside the baseline's is the share of the baseline
that any sign-on served by this app can reach before doing a signature's own work.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, jsonify, request
from sqlalchemy import event
from werkzeug.wrappers import Response

from bench.baseline_app import FLOOR_PATH, rows
from coalition import create_app
from coalition.database import late_write_lock
from coalition.extensions import csrf, db, limiter
from coalition.models import utcnow
from coalition.security import partner

QUERY_HEADER = "X-Bench-Queries"

StartResponse = Callable[..., Any]


def settings() -> dict[str, Any]:
    """The run's settings, written by the bench into its temporary folder."""
    path = os.environ.get("COALITION_BENCH_CONFIG")
    if not path:
        raise RuntimeError("COALITION_BENCH_CONFIG must name the bench's settings file")
    loaded: dict[str, Any] = json.loads(Path(path).read_text())
    # The scale-out runs share their rate-limit counters in the bench's redis-server.
    storage = os.environ.get("COALITION_BENCH_RATELIMIT_STORAGE_URI")
    if storage:
        loaded["RATELIMIT_STORAGE_URI"] = storage
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


_FLOOR_INSERT = rows.insert()


def add_floor_route(app: Flask) -> None:
    """The baseline's one INSERT as a route of Coalition's app (see the module's doc)."""

    @limiter.limit(lambda: current_app.config["RATELIMIT_SIGN"])
    @partner
    @late_write_lock
    def floor(token: str) -> tuple[Response, int]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            return jsonify({"error": "The body must be a JSON object.", "fields": {}}), 400
        result = db.session.connection().execute(_FLOOR_INSERT, {
            "token": token[:64],
            "name": data["name"][:200],
            "signer_name": str(data.get("signer_name", ""))[:200],
            "signer_email": str(data.get("signer_email", ""))[:320],
            "country": str(data.get("country") or "")[:100],
            "created_at": utcnow(),
        })
        (row_id,) = result.inserted_primary_key or (None,)
        db.session.commit()
        return jsonify({"id": row_id}), 201

    app.add_url_rule(FLOOR_PATH.replace("{token}", "<token>"), "bench_floor", floor,
                     methods=["POST"])
    csrf.exempt(floor)


def build() -> Flask:
    """Coalition as the bench serves it."""
    app = create_app(settings())
    add_floor_route(app)
    if os.environ.get("COALITION_BENCH_COUNT_QUERIES") == "1":
        app.wsgi_app = QueryCounter(app)  # type: ignore[method-assign]
    return app


if os.environ.get("COALITION_BENCH_CONFIG"):  # gunicorn; bench.profile imports the route only
    application = build()
