"""`flask --app coalition publish-due`: embargoes whose time has come, for cron."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from coalition.domain import formats
from coalition.extensions import db
from coalition.models import AuditEvent, ExportFile
from coalition.publishing import services
from tests.publishing.conftest import make_world


def test_publish_due_records_lifted_embargoes_once_and_renders_exports(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "now", lambda: start)
    with app.app_context():
        world = make_world()
        services.publish(world.lead, world.statement, public_from=start + dt.timedelta(hours=1))
        db.session.commit()
        slug = world.statement.slug

    result = runner.invoke(args=["publish-due"])
    assert result.exit_code == 0, result.output
    assert "0 embargo(es) lifted." in result.output

    monkeypatch.setattr(services, "now", lambda: start + dt.timedelta(hours=2))
    result = runner.invoke(args=["publish-due"])
    assert result.exit_code == 0, result.output
    assert f"Public now: {slug}, edition 1." in result.output
    with app.app_context():
        rendered = set(db.session.scalars(select(ExportFile.format)))
        assert rendered == {fmt.name for fmt in formats.every()}
        assert db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "edition.embargo_lifted")
        ) == 1

    again = runner.invoke(args=["publish-due"])
    assert "0 embargo(es) lifted." in again.output
