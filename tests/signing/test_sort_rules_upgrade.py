"""`flask db upgrade` (0007) gives each statement the oldest collation rules of its keys."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from coalition import roster
from coalition.domain import collation
from coalition.extensions import db
from coalition.models import Statement
from tests import factories
from tests.test_migrations import keep_loggers, migrated_app  # noqa: F401 - the fixtures

pytestmark = pytest.mark.usefixtures("keep_loggers")


def test_a_statement_with_keys_of_older_rules_is_stale_after_the_upgrade(
    migrated_app: Flask,  # noqa: F811
):
    with migrated_app.app_context():
        upgrade()
        owner = factories.user()
        older = factories.statement(owner, title="Older keys", state="open")
        current = factories.statement(owner, title="Current keys", state="open")
        empty = factories.statement(owner, title="No signatures")
        stale = factories.signature_row(older, "Zeta")
        factories.signature_row(older, "Alpha")
        factories.signature_row(current, "Mu")
        ids = (older.id, current.id, empty.id)
        stale_id = stale.id
        db.session.remove()
        downgrade(revision="0006")
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE signature SET sort_rules = 0 WHERE id = :id"), {"id": stale_id}
            )
        upgrade()
        older, current, empty = (db.session.get_one(Statement, i) for i in ids)
        assert (older.sort_rules, current.sort_rules, empty.sort_rules) == (0, 1, 1)
        assert collation.RULES_VERSION == 1  # the rules 0007 knew; a bump needs a resort
        assert roster.stale_keys(older)
        assert not roster.stale_keys(current) and not roster.stale_keys(empty)
        db.session.remove()
