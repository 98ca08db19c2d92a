"""The baseline: a minimal Flask app doing one INSERT per request, served like Coalition.

``gunicorn bench.baseline_app:application`` with the same worker settings as ours, on the
same kind of database (the same settings file: URL, engine options, and for SQLite the
same connection pragmas as coalition/database.py). It answers
``POST /baseline/<token>/signature`` with the same JSON body the sign-on API takes: it
reads the body, inserts one row and commits, and answers 201 with the row's id. It is
what a sign-on costs when it does nothing but store a row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, request
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from werkzeug.wrappers import Response

# The same work as a route of Coalition's app (bench/wsgi.py, add_floor_route).
FLOOR_PATH = "/bench/floor/{token}/signature"

metadata = MetaData()
rows = Table(
    "bench_baseline_signature",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("signer_name", String(200), nullable=False),
    Column("signer_email", String(320), nullable=False),
    Column("country", String(100), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The same per-connection settings as coalition/database.py, so only the work differs.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def engine_for(settings: dict[str, Any]) -> Engine:
    """An engine on the run's database, set up as Coalition sets up its own."""
    options = dict(settings.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    engine = create_engine(settings["SQLALCHEMY_DATABASE_URI"], **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def create_app(settings: dict[str, Any]) -> Flask:
    """The baseline app on the run's database (the table must exist: see create_table)."""
    app = Flask(__name__)
    engine = engine_for(settings)

    @app.post("/baseline/<token>/signature")
    def sign(token: str) -> tuple[Response, int]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            abort(400)
        with engine.begin() as connection:
            result = connection.execute(
                rows.insert().values(
                    token=token[:64],
                    name=str(data["name"])[:200],
                    signer_name=str(data.get("signer_name", ""))[:200],
                    signer_email=str(data.get("signer_email", ""))[:320],
                    country=str(data.get("country") or "")[:100],
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
            (row_id,) = result.inserted_primary_key or (None,)
        return jsonify({"id": row_id}), 201

    @app.get("/baseline/ready")
    def ready() -> Response:
        return jsonify({"ok": True})

    # The same bytes as one of Coalition's public answers, from memory (the bench writes
    # each answer's body and Content-Type into COALITION_BENCH_BYTES before it starts us).
    kept: dict[str, tuple[bytes, str]] = {}

    @app.get("/baseline/bytes/<name>")
    def served(name: str) -> Response:
        if name not in kept:
            folder = Path(os.environ.get("COALITION_BENCH_BYTES", "/nonexistent"))
            try:
                body = (folder / name).read_bytes()
                media_type = (folder / f"{name}.type").read_text().strip()
            except OSError:
                abort(404)
            kept[name] = (body, media_type)
        body, media_type = kept[name]
        return Response(body, content_type=media_type)

    return app


def create_table(settings: dict[str, Any]) -> None:
    """Make the baseline's table (the bench calls this before starting the server)."""
    engine = engine_for(settings)
    metadata.create_all(engine)
    engine.dispose()


def _settings() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(os.environ["COALITION_BENCH_CONFIG"]).read_text())
    return loaded


if os.environ.get("COALITION_BENCH_CONFIG"):
    application = create_app(_settings())
