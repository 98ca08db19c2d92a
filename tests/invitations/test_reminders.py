"""Automatic reminders before the deadline (flask --app coalition remind): never twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from coalition.extensions import db
from coalition.invitations import services
from coalition.models import AuditEvent, Invitation, OutboxMessage, Statement, User
from tests import factories


def _open_with_deadline(app, make_setup, days: float):
    s = make_setup(state="open")
    with app.app_context():
        owner = db.session.get(User, s.owner_id)
        statement = db.session.get(Statement, s.statement_id)
        statement.sign_deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        quiet, _ = factories.invite(owner, statement, "Quiet", "quiet@example.org")
        answered, _ = factories.invite(owner, statement, "Declined", "no@example.org")
        answered.declined_at = dt.datetime.now(dt.UTC)
        db.session.commit()
        return s, quiet.id


def _reminders() -> int:
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "reminder")
    )


def test_remind_command_sends_inside_the_window_once(app, make_setup, runner):
    s, quiet_id = _open_with_deadline(app, make_setup, days=2)  # window: 3 days before
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 reminder(s)." in result.output
    with app.app_context():
        assert _reminders() == 1
        assert db.session.get(Invitation, quiet_id).last_reminded_at is not None
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "invitation.reminded"))
        assert event.actor_label == "system" and event.detail["automatic"] is True
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
        assert message.to_address == "quiet@example.org" and "/i/" in message.body_text
    result = runner.invoke(args=["remind"])
    assert "Queued 0 reminder(s)." in result.output
    with app.app_context():
        assert _reminders() == 1


def test_no_reminder_before_the_window_or_after_a_manual_one(app, make_setup):
    s, quiet_id = _open_with_deadline(app, make_setup, days=10)
    with app.app_context():
        assert services.remind_due() == 0
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)  # 2 days before the deadline
        invitation = db.session.get(Invitation, quiet_id)
        owner = db.session.get(User, s.owner_id)
        services.remind(owner, invitation, now=later - dt.timedelta(hours=2))
        db.session.commit()
        # The lead already reminded inside the window: the automatic run leaves it.
        assert services.remind_due(now=later) == 0
        # Extending the deadline opens a new window.
        statement = db.session.get(Statement, s.statement_id)
        statement.sign_deadline = statement.sign_deadline + dt.timedelta(days=14)
        db.session.commit()
        assert services.remind_due(now=later + dt.timedelta(days=13)) == 1
        assert services.remind_due(now=later + dt.timedelta(days=13, hours=5)) == 0


def test_no_reminders_for_statements_not_open(app, make_setup):
    s, _ = _open_with_deadline(app, make_setup, days=2)
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        statement.state = "closed"
        db.session.commit()
        assert services.remind_due() == 0


def test_partner_on_the_page_right_now_is_reminded_later(app, make_setup):
    s, quiet_id = _open_with_deadline(app, make_setup, days=2)
    with app.app_context():
        invitation = db.session.get(Invitation, quiet_id)
        invitation.last_seen_at = dt.datetime.now(dt.UTC)
        db.session.commit()
        assert services.remind_due() == 0
        assert services.remind_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)) == 1
