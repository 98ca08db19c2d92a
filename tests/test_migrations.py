"""`flask db upgrade` builds exactly the schema the models describe (SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from coalition import create_app
from coalition.extensions import db
from tests.conftest import base_config

PG_URL = os.environ.get("COALITION_TEST_DATABASE_URL", "")


def _database_url(tmp_path: Path) -> str:
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    # A separate schema-less database would need CREATE DATABASE rights; use a fresh schema.
    return PG_URL


@pytest.fixture
def keep_loggers() -> Iterator[None]:
    """Alembic's env.py runs logging.fileConfig, which disables every existing logger: put
    them back, or later tests that read the log (caplog) would see nothing. For tests
    outside this module that migrate a database (``pytest.mark.usefixtures``)."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    disabled = {logger.name: logger.disabled for logger in loggers}
    root_level, root_handlers = logging.root.level, list(logging.root.handlers)
    yield
    for logger in loggers:
        logger.disabled = disabled[logger.name]
    logging.root.setLevel(root_level)
    logging.root.handlers[:] = root_handlers


@pytest.fixture
def migrated_app(tmp_path: Path):
    url = _database_url(tmp_path)
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
            connection.execute(text("CREATE SCHEMA migration_check"))
        engine.dispose()
        options = {"connect_args": {"options": "-csearch_path=migration_check"}}
    else:
        options = {}
    app = create_app(
        {
            **base_config(tmp_path),
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": options,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        engine.dispose()


def test_upgrade_head_matches_the_models(migrated_app):
    with migrated_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_then_upgrade_again(migrated_app):
    with migrated_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert "statement" not in inspect(db.engine).get_table_names()
        upgrade()
        assert "statement" in inspect(db.engine).get_table_names()
