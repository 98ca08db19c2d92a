"""Fixtures: an app with a fresh database per test, a client, a CLI runner.

Set COALITION_TEST_DATABASE_URL to a postgresql+psycopg:// URL to run the suite on
PostgreSQL (the schema is made once per run and every table is emptied after each test);
otherwise each test gets its own SQLite file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from coalition import create_app
from coalition.extensions import db

PG_URL = os.environ.get("COALITION_TEST_DATABASE_URL", "")


def base_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": PG_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Cheap hashing: tests check behaviour, not the cost of scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        "SERVER_NAME": "coalition.test",
        "BASE_URL": "http://coalition.test",
    }


@pytest.fixture(scope="session")
def _pg_schema() -> Iterator[None]:
    if not PG_URL:
        yield
        return
    app = create_app({**base_config(Path("/nonexistent")), "SQLALCHEMY_DATABASE_URI": PG_URL})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _empty_pg_tables(app: Flask) -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    """Override in a test module to change settings before the app is made."""
    return base_config(tmp_path)


@pytest.fixture
def app(app_config: dict[str, Any], _pg_schema: None) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        if not PG_URL:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if PG_URL:
            _empty_pg_tables(app)
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An application context for tests that call services directly."""
    with app.app_context():
        yield app


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """Compile the interface's message catalogues when a .po is newer than its .mo.

    An install compiles them (hatch_build.py); this covers a .po edited since, so the
    tests always see the catalogue in the tree.
    """
    from coalition.catalogues import compile_catalogues

    compile_catalogues(only_stale=True)
