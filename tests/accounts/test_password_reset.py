"""Password reset by a mailed, single-use, expiring link that reveals nothing."""

from __future__ import annotations

import re

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import OutboxMessage
from tests import factories


def _reset_link(app) -> str:
    with app.app_context():
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "password_reset")
        )
        return re.search(r"http://coalition\.test(/password/reset/\S+)", mail.body_text).group(1)


def test_answer_is_the_same_for_known_and_unknown_addresses(app, client):
    with app.app_context():
        email = factories.user().email
    known = client.post("/password/forgot", data={"email": email}).get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "ghost@example.org"}).get_data(
        as_text=True
    )
    strip = lambda page: re.sub(r'value="[^"]*"', "", page)  # noqa: E731
    assert strip(known) == strip(unknown)
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_reset_link_sets_password_once(app, client):
    with app.app_context():
        email = factories.user().email
    client.post("/password/forgot", data={"email": email})
    link = _reset_link(app)
    response = client.post(
        link, data={"password": "brand new phrase 42", "confirm": "brand new phrase 42"}
    )
    assert response.status_code == 302
    other = app.test_client()
    assert (
        other.post("/login", data={"email": email, "password": "brand new phrase 42"}).status_code
        == 302
    )
    assert other.get(link).status_code == 404  # used: the password it was bound to changed


def test_forged_and_expired_links_are_refused(app, client):
    with app.app_context():
        owner = factories.user()
        forged = URLSafeTimedSerializer("wrong key", salt="password-reset").dumps(
            {"u": owner.id, "p": "x"}
        )
    assert client.get(f"/password/reset/{forged}").status_code == 404
    assert client.get("/password/reset/garbage").status_code == 404


def test_expired_link_is_refused(app, client, monkeypatch):
    from coalition.accounts import services

    with app.app_context():
        email = factories.user().email
    client.post("/password/forgot", data={"email": email})
    link = _reset_link(app)
    monkeypatch.setattr(services, "RESET_MAX_AGE", -1)
    assert client.get(link).status_code == 404
