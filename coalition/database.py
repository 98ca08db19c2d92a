"""Database connection settings that the schema's rules rely on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from coalition.extensions import db

# Requests that may write: their transaction takes SQLite's write lock at its first statement.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

F = TypeVar("F", bound=Callable[..., Any])


def late_write_lock(view: F) -> F:
    """Mark a view whose service takes SQLite's write lock itself, after its reads.

    SQLite has one writer at a time: a request holding the lock while it validates, sorts
    and renders makes every other write wait that long. A view marked so starts its
    transaction deferred; its service must lock before it writes and check that what it
    read is unchanged (signing: `signing.services.sign`). Unmarked views keep the lock
    from their first statement, which needs no such care.
    """
    view.late_write_lock = True  # type: ignore[attr-defined]
    return view


def _locks_late() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "late_write_lock", False))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL and a busy timeout let
    # readers and a writer work side by side under gunicorn.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """BEGIN IMMEDIATE for the transactions of requests that may write.

    pysqlite opens a transaction only before the first INSERT/UPDATE/DELETE, so the reads a
    request makes before its first write run outside any transaction: two saves on the same
    base revision both read "latest is n", both passed the check, and the second died on the
    unique (statement, number) constraint — a 500 instead of a 409. Taking the write lock at
    the first statement (waiting up to busy_timeout, never failing at once with "database is
    locked") makes a write request's reads and writes one serialised transaction, as a row
    lock does on PostgreSQL. GET requests keep pysqlite's behaviour, so WAL readers never
    wait for a writer. (SQLAlchemy's documented pysqlite "begin" event recipe.)
    """
    immediate = (
        has_request_context() and request.method in WRITE_METHODS and not _locks_late()
    )
    if immediate:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    # Set at every begin, so the flag always describes the transaction now open.
    connection.info["write_lock"] = immediate


def take_write_lock() -> bool:
    """On SQLite, hold the database's write lock from now to the commit; True if taken now.

    False when the transaction already holds it: since its first statement (a write
    request) or an earlier call; then it is the only writer and nothing it read can have
    changed. For a view marked `late_write_lock`, whose reads ran before this. When the
    transaction has already written, it holds the lock (SQLite takes it at the first
    write). Always False on PostgreSQL, which locks rows, not the database.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite" or connection.info.get("write_lock"):
        return False
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        # Waits up to busy_timeout for the writer before us, like any BEGIN IMMEDIATE.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    connection.info["write_lock"] = True
    return True


def init_app(app: Flask) -> None:
    """Attach per-connection settings once the engine exists."""
    with app.app_context():
        engine: Engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
