"""Sign-up, log-in, log-out, colleagues and API tokens."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition import roster
from coalition.extensions import db
from coalition.models import ApiToken, OutboxMessage, Statement, User
from tests import factories


def test_sign_up_creates_organisation_and_logs_in(app: Flask, client: FlaskClient):
    response = client.post(
        "/signup",
        data={
            "organisation": "Viasna",
            "name": "Ales",
            "email": "Ales@Example.org",
            "password": "a long enough phrase",
            "confirm": "a long enough phrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "ales@example.org"
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert "a long enough phrase" not in user.password_hash


def test_sign_up_refuses_common_password_and_keeps_the_fields(client: FlaskClient):
    page = client.post(
        "/signup",
        data={
            "organisation": "Viasna",
            "name": "Ales",
            "email": "ales@example.org",
            "password": "password123",
            "confirm": "password123",
        },
    ).get_data(as_text=True)
    assert "Use at least" in page or "too common" in page
    assert 'value="Viasna"' in page


def test_sign_up_for_existing_organisation_is_refused(app: Flask, client: FlaskClient):
    with app.app_context():
        factories.user(organisation="Viasna")
    page = client.post(
        "/signup",
        data={
            "organisation": "viasna",
            "name": "X",
            "email": "x@example.org",
            "password": "a long enough phrase",
            "confirm": "a long enough phrase",
        },
    ).get_data(as_text=True)
    assert "already uses Coalition" in page


def test_login_wrong_password_and_unknown_email_answer_the_same(app, client):
    with app.app_context():
        email = factories.user().email
    wrong = client.post("/login", data={"email": email, "password": "nope nope nope"})
    unknown = client.post("/login", data={"email": "ghost@example.org", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong e-mail address or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail address or password." in unknown.get_data(as_text=True)


def test_login_follows_only_local_next(app, client):
    with app.app_context():
        email = factories.user().email
    response = client.post(
        "/login?next=https://evil.example/", data={"email": email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_logout_invalidates_a_copied_session(app, client):
    with app.app_context():
        factories.login(client, factories.user())
    stolen = client.get_cookie("session", domain="coalition.test").value
    client.post("/logout")
    assert client.get("/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen, domain="coalition.test")
    assert thief.get("/").status_code == 302  # the old session no longer opens


def test_api_token_shown_once_and_stored_hashed(app, client):
    with app.app_context():
        factories.login(client, factories.user())
    page = client.post("/account/tokens", data={"name": "press bot"}).get_data(as_text=True)
    secret = re.search(r'id="new-token" class="token" readonly value="(coal_[^"]+)"', page).group(1)
    assert (
        client.get("/api/v1/statements/1", headers=factories.bearer(secret)).status_code == 404
    )  # authenticated
    with app.app_context():
        token = db.session.scalar(select(ApiToken))
        assert token.token_hash != secret and secret not in token.token_hash
    assert secret not in client.get("/account").get_data(as_text=True)
    client.post(f"/account/tokens/{token.id}/revoke")
    assert client.get("/api/v1/statements/1", headers=factories.bearer(secret)).status_code == 401


def test_revoking_someone_elses_token_is_404(app, client):
    with app.app_context():
        other = factories.user(organisation="Other")
        factories.token(other)
        factories.login(client, factories.user())
    assert client.post("/account/tokens/1/revoke").status_code == 404


def test_colleague_invitation_joins_same_organisation(app, client):
    with app.app_context():
        factories.login(client, factories.user(organisation="Viasna"))
    client.post("/account/colleagues", data={"email": "colleague@example.org"})
    with app.app_context():
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "colleague_invitation")
        )
        assert mail.to_address == "colleague@example.org"
        url = re.search(r"https?://\S+/join/(\S+)", mail.body_text)
    token = url.group(1)
    other = app.test_client()
    response = other.post(
        f"/join/{token}",
        data={
            "name": "Col League",
            "password": "another long phrase",
            "confirm": "another long phrase",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        joined = db.session.scalar(select(User).where(User.email == "colleague@example.org"))
        assert joined.organisation.name == "Viasna"
    assert other.post(f"/join/{token}", data={}).status_code == 404  # single use


def test_create_user_and_token_commands(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "cli@example.org",
            "--organisation",
            "CLI Org",
            "--password",
            "cli password phrase",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-token", "cli@example.org"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    client = app.test_client()
    assert (
        client.post(
            "/api/v1/statements", json={"title": "T", "body": "B"}, headers=factories.bearer(secret)
        ).status_code
        == 201
    )
    bad = runner.invoke(
        args=["create-user", "x@example.org", "--organisation", "O", "--password", "short"]
    )
    assert bad.exit_code != 0 and "at least" in bad.output


def test_demo_command_is_idempotent(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "lead@example.org" in first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0


def test_demo_counts_the_statements_the_dashboard_shows(app, client, runner):
    from coalition.demo import DEMO_EMAIL, DEMO_PASSWORD

    first = runner.invoke(args=["demo"])
    with app.app_context():
        shown = db.session.scalar(select(func.count(Statement.id)))
    assert f"Demo data ready: {shown} statements on the dashboard ({shown} added now)." in (
        first.output
    )
    again = runner.invoke(args=["demo"]).output
    assert f"Demo data ready: {shown} statements on the dashboard (0 added now)." in again
    client.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    dashboard = client.get("/").get_data(as_text=True)
    assert dashboard.count('<td data-label="Revision">') == shown


def test_demo_shows_a_current_french_translation_with_a_french_name(app, runner):
    from coalition.models import Statement
    from coalition.publishing.demo import OPEN_TITLE
    from coalition.translations import services as translations

    first = runner.invoke(args=["demo"])
    assert "French translation" in first.output, first.output
    assert "French translation" not in runner.invoke(args=["demo"]).output  # made once
    with app.app_context():
        statement = db.session.scalar(select(Statement).where(Statement.title == OPEN_TITLE))
        french = translations.find(statement, "fr")
        assert french is not None
        assert translations.state_of(french).current
        listed = {
            s.name: name
            for s, name in translations.ordered_names(
                statement, roster.published(statement), "fr"
            )
        }
        assert listed["Свободное радио"] == "Radio libre (Lettonie)"
        assert listed["Média Libre"] == "Média Libre"
