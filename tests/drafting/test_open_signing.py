"""Opening signing asks for the (optional) deadline; a frozen text says why and what to do."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from flask import Flask
from flask.testing import FlaskClient

from coalition.extensions import db
from coalition.models import Statement, User
from coalition.publishing import services as publishing
from tests import factories


def _setup(app: Flask, client: FlaskClient, state: str | None = None) -> int:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state=state)
        statement.timezone = "Europe/Berlin"
        db.session.commit()
        factories.login(client, owner)
        return statement.id


def _ahead(days: int) -> dt.datetime:
    """A local time in Berlin `days` ahead, to the minute (never a date that will pass)."""
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    return (dt.datetime.now(berlin) + dt.timedelta(days=days)).replace(second=0, microsecond=0)


def test_open_for_signing_asks_for_the_deadline_in_the_statements_zone(
    app: Flask, client: FlaskClient
) -> None:
    sid = _setup(app, client)
    page = client.get(f"/statements/{sid}").get_data(as_text=True)
    form = re.search(r'<form [^>]*class="open-signing-form">(.*?)</form>', page, re.S)
    assert form, "the Open for signing button comes with its deadline field"
    assert 'name="sign_deadline"' in form.group(1)
    assert "Sign-on deadline (optional)" in form.group(1)
    assert "Europe/Berlin" in form.group(1) and "Open for signing" in form.group(1)

    local = _ahead(14)
    response = client.post(f"/statements/{sid}/state", data={
        "state": "open", "sign_deadline": local.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    with app.app_context():
        statement = db.session.get(Statement, sid)
        assert statement.state == "open"
        assert statement.sign_deadline == local.astimezone(dt.UTC)


def test_the_deadline_is_optional_and_a_past_one_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    sid = _setup(app, client)
    past = _ahead(-1).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"/statements/{sid}/state",
                          data={"state": "open", "sign_deadline": past}, follow_redirects=True)
    assert "The sign-on deadline has passed" in refused.get_data(as_text=True)
    with app.app_context():
        statement = db.session.get(Statement, sid)
        assert statement.state == "draft" and statement.sign_deadline is None
    garbled = client.post(f"/statements/{sid}/state",
                          data={"state": "open", "sign_deadline": "soon"}, follow_redirects=True)
    assert "Sign-on deadline:" in garbled.get_data(as_text=True)
    assert client.post(f"/statements/{sid}/state",
                       data={"state": "open", "sign_deadline": ""}).status_code == 302
    with app.app_context():
        statement = db.session.get(Statement, sid)
        assert statement.state == "open" and statement.sign_deadline is None


def test_closing_does_not_touch_the_deadline(app: Flask, client: FlaskClient) -> None:
    sid = _setup(app, client)
    local = _ahead(3)
    client.post(f"/statements/{sid}/state",
                data={"state": "open", "sign_deadline": local.strftime("%Y-%m-%dT%H:%M")})
    client.post(f"/statements/{sid}/state", data={"state": "closed"})
    with app.app_context():
        statement = db.session.get(Statement, sid)
        assert statement.state == "closed" and statement.sign_deadline == local.astimezone(dt.UTC)
    # Reopening offers the deadline still ahead, typed in the statement's zone.
    page = client.get(f"/statements/{sid}").get_data(as_text=True)
    assert f'value="{local.strftime("%Y-%m-%dT%H:%M")}"' in page and "Reopen signing" in page


def test_a_published_text_is_shown_frozen_with_what_to_do(
    app: Flask, client: FlaskClient
) -> None:
    sid = _setup(app, client, state="open")
    with app.app_context():
        statement = db.session.get(Statement, sid)
        lead = db.session.get(User, statement.created_by_id)
        factories.signature_row(statement, "Amnesty Network")
        publishing.publish(lead, statement)
        db.session.commit()
    page = client.get(f"/statements/{sid}/edit").get_data(as_text=True)
    assert "The published text is frozen" in page
    assert "publish a new edition from the" in page
    assert "<textarea" not in page and "disabled" not in page  # nothing that cannot be saved
    assert "Reopen to correct the text" in page
    response = client.post(f"/statements/{sid}/state",
                           data={"state": "open", "sign_deadline": ""})
    assert response.status_code == 302
    page = client.get(f"/statements/{sid}/edit").get_data(as_text=True)
    assert "<textarea" in page and "frozen" not in page


def test_a_closed_text_says_signing_is_closed(app: Flask, client: FlaskClient) -> None:
    sid = _setup(app, client, state="closed")
    page = client.get(f"/statements/{sid}/edit").get_data(as_text=True)
    assert "Signing is closed, so the text is frozen" in page
    assert "Reopen signing to correct the text" in page and "<textarea" not in page
