"""After the deadline: the typed details are kept and can go to the lead as a late signature
request, which the lead approves or rejects; the partner's page says where it stands."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition import roster
from coalition.extensions import db
from coalition.models import OutboxMessage, Signature, Statement, User
from tests import factories

FORM = {
    "name": "Viasna Human Rights Centre",
    "kind": "organisation",
    "country": "BY",
    "signer_name": "Jana Secret",
    "signer_email": "jana.secret@viasna.example.org",
}


def _setup(app: Flask) -> tuple[int, str]:
    """An open statement whose deadline has just passed (not yet closed by any request)."""
    with app.app_context():
        owner = factories.user(organisation="Rights Watch")
        statement = factories.statement(owner, state="open")
        statement.sign_deadline = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
        _, token = factories.partner_invitation(statement, "Viasna")
        return statement.id, token


def _rows(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(s.name, s.status) for s in db.session.scalars(select(Signature))]


def test_signing_after_the_deadline_keeps_the_text_and_offers_a_late_request(
    app: Flask, client: FlaskClient
) -> None:
    _, token = _setup(app)
    response = client.post(f"/i/{token}/sign", data=FORM)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "What you typed is kept below, not sent yet." in page
    assert 'value="Viasna Human Rights Centre"' in page
    assert 'value="jana.secret@viasna.example.org"' in page
    assert f'action="/i/{token}/sign/late"' in page
    assert "Send as a late signature request" in page
    assert _rows(app) == []

    sent = client.post(f"/i/{token}/sign/late", data=FORM)
    assert sent.status_code == 302
    assert _rows(app) == [("Viasna Human Rights Centre", "pending")]
    home = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Your late signature request is sent to Rights Watch" in home
    assert "You sent a late signature request as <strong>Viasna Human Rights Centre</strong>" in (
        home
    )
    assert "Send as a late signature request" not in home
    # Twice is refused; nothing more is written.
    again = client.post(f"/i/{token}/sign/late", data=FORM)
    assert again.status_code == 409 and len(_rows(app)) == 1


def test_the_lead_sees_the_request_and_approves_it(app: Flask, client: FlaskClient) -> None:
    sid, token = _setup(app)
    partner = app.test_client()
    assert partner.post(f"/i/{token}/sign/late", data=FORM).status_code == 302
    with app.app_context():
        factories.login(client, db.session.scalar(select(User)))
        request_id = db.session.scalar(select(Signature.id))
    page = client.get(f"/statements/{sid}/signatories").get_data(as_text=True)
    assert "1 request to sign</a> waits for your decision." in page
    pending = client.get(f"/statements/{sid}/signatories?show=pending").get_data(as_text=True)
    assert "Late: sent after signing closed" in pending and "Through the invitation of Viasna" in (
        pending
    )
    done = client.post(f"/statements/{sid}/signatories/{request_id}/approve")
    assert done.status_code == 302
    assert _rows(app) == [("Viasna Human Rights Centre", "live")]
    with app.app_context():
        statement = db.session.get(Statement, sid)
        assert [s.name for s in roster.published(statement)] == [
            "Viasna Human Rights Centre"]
        mail = db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.kind == "open_signon_approved"))
        assert mail is not None and mail.to_address == FORM["signer_email"]
    home = partner.get(f"/i/{token}").get_data(as_text=True)
    assert "You have signed" in home


def test_a_rejected_request_can_be_sent_again_and_rejected_again(
    app: Flask, client: FlaskClient
) -> None:
    sid, token = _setup(app)
    partner = app.test_client()
    partner.post(f"/i/{token}/sign/late", data=FORM)
    with app.app_context():
        factories.login(client, db.session.scalar(select(User)))
        request_id = db.session.scalar(select(Signature.id))
    assert client.post(f"/statements/{sid}/signatories/{request_id}/reject").status_code == 302
    assert _rows(app) == [("Viasna Human Rights Centre", "rejected")]
    page = partner.get(f"/i/{token}").get_data(as_text=True)
    assert "Send as a late signature request" in page


def test_after_the_deadline_the_page_no_longer_offers_signing_or_declining(
    app: Flask, client: FlaskClient
) -> None:
    _, token = _setup(app)
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "Sign at the end of the text" not in page
    assert "so they stop reminding you" not in page
    assert "Signing has closed." in page and "Ask to sign late" in page


def test_once_signed_the_page_no_longer_asks_to_sign(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        statement.comments_when_open = True
        db.session.commit()
        _, token = factories.partner_invitation(statement, "Viasna")
    assert client.post(f"/i/{token}/sign", data=FORM).status_code == 302
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "sign at the end of the text" not in page.lower()
    assert "Comment on any paragraph below or propose new wording for it." in page
    assert "so they stop reminding you" not in page


def test_signing_open_offers_no_late_request(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        statement = factories.statement(factories.user(), state="open")
        _, token = factories.partner_invitation(statement, "Viasna")
    assert client.post(f"/i/{token}/sign/late", data=FORM).status_code == 409
    assert _rows(app) == []
