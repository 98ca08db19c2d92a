"""Nothing is lost: no deletes, no rewrites of history, a consistent backup that restores."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from coalition import create_app
from coalition.extensions import db
from coalition.immutability import ImmutableRecordError
from coalition.models import AuditEvent, Revision, Statement
from tests import factories
from tests.conftest import PG_URL, base_config

SOURCE = Path(__file__).resolve().parent.parent / "coalition"
WRITE_ONCE = (
    "Revision",
    "Signature",
    "Comment",
    "AuditEvent",
    "Edition",
    "EditionSignatory",
    "ExportFile",
)
NEVER_DELETED = (*WRITE_ONCE, "Invitation", "Statement", "OutboxMessage")


def test_revisions_cannot_be_rewritten_or_deleted(ctx):
    owner = factories.user()
    statement = factories.statement(owner)
    revision = db.session.scalar(select(Revision))
    revision.body = "rewritten history"
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(Revision)))
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Statement, statement.id).revisions[0].body == factories.BODY


def test_audit_events_cannot_be_changed_or_deleted(ctx):
    factories.statement(factories.user())
    event = db.session.scalar(select(AuditEvent))
    event.action = "nothing.happened"
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEvent)))
    with pytest.raises(ImmutableRecordError):
        db.session.flush()


def _source_lines():
    for path in SOURCE.rglob("*.py"):
        if "migrations" not in path.parts:
            yield path, path.read_text().splitlines()


def test_no_code_path_deletes_or_rewrites_protected_records():
    from coalition import immutability, models

    offenders = []
    names = "|".join(NEVER_DELETED)
    deletes = re.compile(
        rf"session\.delete\(|\bdelete\((?:{names})\b|\.delete\(\s*synchronize"
    )
    bulk_update = re.compile(r"\bupdate\((" + "|".join(WRITE_ONCE) + r")\)")
    for path, lines in _source_lines():
        for number, line in enumerate(lines, 1):
            where = f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
            if deletes.search(line):
                offenders.append(where)
            match = bulk_update.search(line)
            if match:
                # A bulk UPDATE may only move the columns that record a change of state.
                allowed = immutability.MUTABLE[getattr(models, match.group(1))]
                statement = " ".join(lines[number - 1 : number + 6])
                values = re.search(r"\.values\(([^)]*)\)", statement)
                keys = set(re.findall(r"(\w+)\s*=", values.group(1))) if values else {"?"}
                if not keys <= allowed:
                    offenders.append(f"{where} sets {sorted(keys - allowed)}")
    assert offenders == []


@pytest.mark.skipif(
    bool(PG_URL), reason="the backup command copies SQLite; PostgreSQL uses pg_dump"
)
def test_backup_of_a_live_sqlite_database_restores(app, runner, tmp_path):
    with app.app_context():
        owner = factories.user()
        factories.statement(owner, title="Kept safe")
    target = tmp_path / "backup.sqlite"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    restored = create_app(
        {**base_config(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"}
    )
    with restored.app_context():
        statement = db.session.scalar(select(Statement))
        assert statement.title == "Kept safe"
        assert statement.revisions[0].body == factories.BODY
        db.engine.dispose()
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output
