"""The daily digest: opt-in per account, sent by `flask --app coalition digest` (cron)."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.followup import digest, updates
from coalition.models import OutboxMessage, Statement, User, utcnow
from tests import factories


def _digests() -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == digest.KIND).order_by(OutboxMessage.id)
    ))


def _busy_statement(lead: User) -> Statement:
    statement = factories.statement(lead, title="Protect the defenders", state="open")
    factories.signed(statement, "Alpha Rights")
    factories.signed(statement, "Beta Watch")
    statement.sign_deadline = utcnow() + dt.timedelta(days=1)
    db.session.commit()
    return statement


def test_the_digest_reaches_only_the_opted_in_lead(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        lead = factories.user(organisation="Liberty Lead")
        colleague = factories.user(organisation="Liberty Lead")
        digest.set_digest(lead, True)
        db.session.commit()
        _busy_statement(lead)
        lead_email, colleague_email = lead.email, colleague.email
    result = runner.invoke(args=["digest"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 digest(s)" in result.output
    with app.app_context():
        (mail,) = _digests()
        assert mail.to_address == lead_email != colleague_email
        assert "Protect the defenders" in mail.body_text
        assert "2 new signatures" in mail.body_text
        assert "The sign-on deadline is tomorrow" in mail.body_text
        assert mail.unsubscribe_url.startswith("http://coalition.test/unsubscribe/d")
    # Run again the same day: nothing more.
    again = runner.invoke(args=["digest"])
    assert "Queued 0 digest(s)" in again.output


def test_a_quiet_day_sends_nothing_and_the_window_moves_on(ctx: Flask) -> None:
    lead = factories.user()
    digest.set_digest(lead, True)
    statement = _busy_statement(lead)
    statement.sign_deadline = None
    db.session.commit()
    now = utcnow()
    assert digest.send_digests(now) == (1, 0)
    assert digest.send_digests(now + dt.timedelta(hours=10)) == (0, 0)  # not due yet
    assert digest.send_digests(now + dt.timedelta(days=1)) == (0, 1)  # due, nothing new
    # Closed with nothing outstanding and nothing new: no news at all.
    drafting.change_state(lead, statement, "closed")
    assert digest.news_for(lead, now + dt.timedelta(hours=1), now + dt.timedelta(days=1)) == []


def test_the_digest_is_turned_on_in_the_account_and_off_in_one_click(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        lead = factories.user()
        lead_id = lead.id
        factories.login(client, lead)
    page = client.get("/account").get_data(as_text=True)
    assert "E-mail me a daily digest" in page
    assert client.post("/account/digest", data={"wants_digest": "y"}).status_code == 302
    with app.app_context():
        user = db.session.get(User, lead_id)
        assert user is not None and user.wants_digest
        token = updates.digest_token(lead_id)
    assert client.get(f"/unsubscribe/{token}").status_code == 200
    with app.app_context():
        user = db.session.get(User, lead_id)
        assert user is not None and user.wants_digest  # a GET changes nothing
    answer = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert "the daily digest is off" in answer.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, lead_id)
        assert user is not None and not user.wants_digest
    assert client.post(f"/unsubscribe/d{lead_id}-" + "f" * 32).status_code == 404
