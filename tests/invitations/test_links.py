"""One link per invitation for its whole life (DESIGN.md): the invitation mail, reminders,
re-sends, the re-confirmation request, the receipt and the API's sign_url all carry it;
re-confirming is signing again through it; a revoked or expired link opens a page saying
what happened, the API answers 404; the lead can copy each partner's link and confirms
before a substantive save asks the signers to re-confirm."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.config import Defaults
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import access
from coalition.invitations import services as invitations
from coalition.models import Invitation, OutboxMessage, Revision, Signature, Statement, User
from tests import factories

SIGNATURE = {"name": "Viasna", "signer_name": "Jana", "signer_email": "jana@viasna.example.org"}


def _links(invitation_id: int) -> list[str]:
    """Every partner link in every mail about this invitation, oldest first."""
    bodies = db.session.scalars(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.invitation_id == invitation_id)
        .order_by(OutboxMessage.id)
    )
    return [found for body in bodies for found in re.findall(r"/i/([A-Za-z0-9_\-]+)", body)]


def _kinds(invitation_id: int) -> set[str]:
    return set(db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.invitation_id == invitation_id)))


def _substantive(owner_id: int, statement_id: int, words: str) -> int:
    owner = db.session.get(User, owner_id)
    statement = db.session.get(Statement, statement_id)
    assert owner is not None and statement is not None
    revision = drafting.save_revision(
        owner, statement, body=f"A new text: {words}.", base_revision=statement.current_revision)
    db.session.commit()
    return revision.number


def test_the_first_link_lasts_through_revision_reminder_and_resend(app: Flask):
    """The issue's "done when": the partner's first link still works after a substantive
    revision, a reminder and a re-send, and re-confirms through the API and the browser."""
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        owner_id, statement_id = owner.id, statement.id
        invitation, token = factories.invite(owner, statement, "Viasna", "press@viasna.org")
        silent, silent_token = factories.invite(owner, statement, "Silent", "s@silent.org")
        iid, silent_id = invitation.id, silent.id
    client = app.test_client()
    api = f"/api/v1/invitations/{token}/signature"
    assert client.post(api, json=SIGNATURE).status_code == 201
    with app.app_context():
        latest = _substantive(owner_id, statement_id, "a substantive change")
        invitations.remind(None, db.session.get(Invitation, silent_id))
        owner = db.session.get(User, owner_id)
        assert invitations.resend(owner, db.session.get(Invitation, iid)) == token
        db.session.commit()
        assert _kinds(iid) >= {"invitation", "signature_receipt", "reconfirm"}
        assert set(_links(iid)) == {token}
        assert _kinds(silent_id) == {"invitation", "reminder"}
        assert set(_links(silent_id)) == {silent_token}
    assert client.get(f"/api/v1/invitations/{token}").status_code == 200
    assert client.get(f"/i/{token}").status_code == 200
    # Re-confirming by the API: the same token, 200, now endorsing the latest revision.
    again = client.post(api, json=SIGNATURE)
    assert again.status_code == 200 and again.get_json()["revision"] == latest
    # ... and in the browser, after another substantive change.
    with app.app_context():
        newest = _substantive(owner_id, statement_id, "another change")
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert f"/i/{token}/sign/reconfirm" in page
    assert client.post(f"/i/{token}/sign/reconfirm").status_code == 302
    with app.app_context():
        live = db.session.scalar(
            select(Signature).where(Signature.invitation_id == iid, Signature.status == "live"))
        assert live is not None and live.revision_number == newest
        assert set(_links(iid)) == {token}  # the receipts of both re-confirmations too


def _invited_by_api(app: Flask) -> tuple[FlaskClient, int, dict[str, str], dict[str, Any]]:
    """An open statement with one partner invited through the API: the client, the
    statement's id, the lead's bearer header and the API's answer (id, sign_url)."""
    with app.app_context():
        owner = factories.user()
        statement_id = factories.statement(owner, state="open").id
        bearer = factories.bearer(factories.token(owner))
    client = app.test_client()
    made = client.post(f"/api/v1/statements/{statement_id}/invitations",
                       json={"organisation": "Viasna", "email": "press@viasna.org"},
                       headers=bearer)
    return client, statement_id, bearer, made.get_json()


def test_sign_url_of_the_api_is_the_link_of_every_mail(app: Flask):
    client, statement_id, _, made = _invited_by_api(app)
    token = made["sign_url"].rsplit("/", 1)[1]
    assert client.post(f"/api/v1/invitations/{token}/signature", json=SIGNATURE).status_code == 201
    with app.app_context():
        _substantive(db.session.scalar(select(User.id)), statement_id, "changed")
        assert set(_links(made["id"])) == {token}


def test_revoked_and_expired_links_open_a_page_saying_what_happened(app: Flask):
    with app.app_context():
        owner = factories.user("Lead Watch")
        statement = factories.statement(owner, state="open")
        statement_id = statement.id
        revoked, revoked_token = factories.invite(owner, statement, "Gone Org", "g@gone.org")
        _, expired_token = factories.invite(owner, statement, "Late Org", "l@late.org")
        invitations.revoke(owner, revoked)
        db.session.commit()
    client = app.test_client()
    for path in ("", "/sign"):
        ended = client.get(f"/i/{revoked_token}{path}")
        page = ended.get_data(as_text=True)
        assert ended.status_code == 404 and "withdrawn" in page and "Lead Watch" in page, path
    assert client.get(f"/i/{expired_token}/sign").status_code == 200
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        grace = app.config["INVITATION_GRACE_DAYS"]
        statement.sign_deadline = dt.datetime.now(dt.UTC) - dt.timedelta(days=grace, hours=1)
        db.session.commit()
    for path in ("", "/sign"):
        ended = client.get(f"/i/{expired_token}{path}")
        assert ended.status_code == 404 and "expired" in ended.get_data(as_text=True), path
    # The API keeps its plain 404 for a token that no longer opens, and for an unknown one.
    for token in (revoked_token, expired_token, "x" * 40):
        answer = client.get(f"/api/v1/invitations/{token}")
        assert answer.status_code == 404 and answer.is_json
    unknown = client.get("/i/" + "x" * 40)
    assert unknown.status_code == 404 and "withdrawn" not in unknown.get_data(as_text=True)


def test_the_partners_page_has_a_copy_link_for_each_partner(app: Flask):
    client = app.test_client()
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="review")
        statement_id = statement.id
        _, token = factories.invite(owner, statement, "Viasna", "press@viasna.org")
        gone, gone_token = factories.invite(owner, statement, "Gone", "g@gone.org")
        invitations.revoke(owner, gone)
        db.session.commit()
        factories.login(client, owner)
    page = client.get(f"/statements/{statement_id}/invitations").get_data(as_text=True)
    assert f'value="http://coalition.test/i/{token}"' in page or f"/i/{token}\"" in page
    assert "Copy link" in page and 'data-copy="#link-' in page
    assert gone_token not in page  # a withdrawn link is not offered


def test_a_substantive_save_while_signatures_exist_is_confirmed_first(app: Flask):
    client = app.test_client()
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        statement_id = statement.id
        factories.signed(statement, "Viasna")
        factories.signed(statement, "Memorial")
        factories.login(client, owner)
    url = f"/statements/{statement_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "2 organisations have signed" in page
    typed = {"base_revision": "1", "title": "Free the defenders", "body": "A changed text.",
             "note": "", "substantive": "y"}
    refused = client.post(url, data=typed)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "tick this to ask them to re-confirm" in text
    assert "A changed text." in text  # the typed text is kept
    with app.app_context():
        assert db.session.scalar(select(Statement.current_revision)) == 1
    assert client.post(url, data={**typed, "ask_signers": "y"}).status_code == 302
    fix = {**typed, "base_revision": "2", "body": "A changed text!", "substantive": ""}
    assert client.post(url, data=fix).status_code == 302  # a typo fix asks nobody
    with app.app_context():
        assert db.session.scalar(select(Statement.current_revision)) == 3
        revisions = db.session.scalars(select(Revision).order_by(Revision.number))
        assert [r.substantive for r in revisions] == [True, True, False]


def test_links_survive_a_secret_key_rotation_with_fallbacks(app: Flask):
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        _, token = factories.invite(owner, statement)
        old = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "a-new-secret-key-" + "x" * 40
        try:
            assert access.find_invitation(token) is None
            app.config["SECRET_KEY_FALLBACKS"] = [old]
            assert access.find_invitation(token) is not None
        finally:
            app.config["SECRET_KEY"] = old
            app.config["SECRET_KEY_FALLBACKS"] = []


@pytest.mark.parametrize("base_url", [Defaults.BASE_URL, "https://statements.example.org"])
def test_every_mailed_partner_link_is_the_api_sign_url_itself(app: Flask, base_url: str):
    """One rule (web.base_url) for the link in answers and in mail: BASE_URL when the
    deployment sets it, else the host the request came to. The invitation mail, the
    receipt (its "change or withdraw" link) and the re-confirmation request made during
    requests carry sign_url exactly, scheme and host included; with BASE_URL set, so does
    mail made outside a request (a reminder from cron)."""
    app.config["BASE_URL"] = base_url
    client, statement_id, bearer, made = _invited_by_api(app)
    sign_url = made["sign_url"]
    expected = "http://coalition.test" if base_url == Defaults.BASE_URL else base_url
    assert sign_url.startswith(f"{expected}/i/")
    token = sign_url.rsplit("/", 1)[1]
    if base_url != Defaults.BASE_URL:
        with app.app_context():
            invitations.remind(None, db.session.get(Invitation, made["id"]))
            db.session.commit()
    assert client.post(f"/api/v1/invitations/{token}/signature", json=SIGNATURE).status_code == 201
    saved = client.post(f"/api/v1/statements/{statement_id}/revisions", headers=bearer,
                        json={"body": "A new text.", "base_revision": 1, "substantive": True})
    assert saved.status_code == 201, saved.get_json()
    with app.app_context():
        bodies = list(db.session.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.invitation_id == made["id"])))
        kinds = _kinds(made["id"])
    assert kinds >= {"invitation", "signature_receipt", "reconfirm"}
    assert base_url == Defaults.BASE_URL or "reminder" in kinds
    mailed = {link for body in bodies for link in re.findall(r"\S+/i/[A-Za-z0-9_\-]+", body)}
    assert mailed == {sign_url}
