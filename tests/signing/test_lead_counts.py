"""The signatories page says one thing: its counts agree with the banner and the publication,
and it says when and why signing actually closed."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition import roster
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Statement, User
from coalition.publishing import services as publishing
from coalition.signing import services as signing
from tests import factories

NAMES = ("Amnesty Network", "Bridge Collective", "Civic Voice")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _shown(moment: dt.datetime) -> str:
    """As the pages show a time in the statement's zone."""
    local = moment.astimezone(BERLIN)
    return f"{local:%-d %b %Y, %H:%M} {local.tzname()}"


def _count(page: str, label: str) -> int:
    match = re.search(rf'>{re.escape(label)} <span class="count">(\d+)</span>', page)
    assert match, label
    return int(match.group(1))


def _setup(app: Flask, client: FlaskClient, deadline_days: int | None = 10) -> int:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        statement.timezone = "Europe/Berlin"
        if deadline_days is not None:
            drafting.set_sign_deadline(
                owner, statement,
                dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=deadline_days),
            )
        db.session.commit()
        for name in NAMES:
            factories.signed(statement, name)
        factories.login(client, owner)
        return statement.id


def test_after_a_substantive_change_the_counts_agree_with_the_banner(
    app: Flask, client: FlaskClient
) -> None:
    sid = _setup(app, client)
    with app.app_context():
        statement = db.session.get(Statement, sid)
        drafting.save_revision(db.session.scalar(select(User)), statement,
                               body="A changed text.", base_revision=1)
        db.session.commit()
        plan = roster.plan(statement)
    page = client.get(f"/statements/{sid}/signatories").get_data(as_text=True)
    assert "3 signatories have not re-confirmed the current text" in page
    assert _count(page, "As it will be published") == len(plan.endorsing) == 0
    assert _count(page, "Outstanding") == 3
    assert _count(page, "Everyone who signed") == 3
    published = client.get(f"/statements/{sid}/signatories?show=endorsed").get_data(
        as_text=True)
    assert not any(f"<strong>{name}</strong>" in published for name in NAMES)


def test_published_before_the_deadline_says_when_and_why_signing_closed(
    app: Flask, client: FlaskClient
) -> None:
    sid = _setup(app, client)
    with app.app_context():
        statement = db.session.get(Statement, sid)
        deadline = statement.sign_deadline
        publishing.publish(db.session.scalar(select(User)), statement)
        db.session.commit()
        published_at = statement.published_at
    page = client.get(f"/statements/{sid}/signatories").get_data(as_text=True)
    assert f"Signing closed {_shown(published_at)}, when the statement was published." in page
    assert _shown(deadline) not in page


def test_closed_by_hand_or_at_the_deadline(app: Flask, client: FlaskClient) -> None:
    sid = _setup(app, client)
    client.post(f"/statements/{sid}/state", data={"state": "closed"})
    page = client.get(f"/statements/{sid}/signatories").get_data(as_text=True)
    assert "Signing was closed by hand" in page
    with app.app_context():
        statement = db.session.get(Statement, sid)
        owner = db.session.scalar(select(User))
        statement.state = "open"
        drafting.set_sign_deadline(owner, statement,
                                   dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
        assert signing.close_if_due(statement)
        db.session.commit()
        deadline = statement.sign_deadline
    page = client.get(f"/statements/{sid}/signatories").get_data(as_text=True)
    assert f"Signing closed at its deadline, {_shown(deadline)}." in page
