"""Open sign-on: request, confirm by POST only, honeypot, same answer, flag, lead decision."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import AuditEvent, OutboxMessage, Signature, Statement, User
from coalition.signing import open_signon
from tests import factories
from tests.conftest import base_config

REQUEST = {
    "name": "Rivertown Legal Aid",
    "kind": "organisation",
    "country": "GB",
    "signer_name": "Sam Contact",
    "signer_role": "Director",
    "signer_email": "sam@rivertownlegal.example.org",
    "website": "https://www.rivertownlegal.example.org/about",
    "fax_number": "",
}


def _enable(app: Flask, client: FlaskClient, state: str = "open") -> tuple[int, str]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state=state)
        factories.login(client, owner)
        statement_id = statement.id
    response = client.post(f"/statements/{statement_id}/signing-options",
                           data={"open_signon": "y"})
    assert response.status_code == 302
    with app.app_context():
        token = db.session.get(Statement, statement_id).open_signon_token
    assert token
    return statement_id, token


def _confirm_link(app: Flask) -> str:
    with app.app_context():
        mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.kind == "open_signon_confirm")
            .order_by(OutboxMessage.id.desc())
        )
        match = re.search(r"/open/confirm/\S+", mail.body_text)
        assert match
        return match.group()


def _statuses(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Signature.status).order_by(Signature.id)))


def test_full_flow_request_confirm_approve(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    page = client.get(f"/open/{token}").get_data(as_text=True)
    assert "Ask to sign" in page and "Free the defenders" in page
    response = client.post(f"/open/{token}", data=REQUEST)
    assert response.status_code == 200 and "Check your e-mail" in response.get_data(as_text=True)
    assert _statuses(app) == ["unconfirmed"]
    link = _confirm_link(app)

    # A mail scanner following the link changes nothing.
    for _ in range(3):
        shown = client.get(link)
        assert shown.status_code == 200
        assert "Yes, confirm our request" in shown.get_data(as_text=True)
    assert _statuses(app) == ["unconfirmed"]

    assert "Request confirmed" in client.post(link).get_data(as_text=True)
    assert _statuses(app) == ["pending"]
    assert "Request confirmed" in client.post(link).get_data(as_text=True)  # twice is harmless

    lead_page = client.get(f"/statements/{statement_id}/signatories?show=pending")
    text = lead_page.get_data(as_text=True)
    assert "Rivertown Legal Aid" in text and "E-mail matches website" in text
    with app.app_context():
        signature_id = db.session.scalar(select(Signature.id))
    assert client.post(
        f"/statements/{statement_id}/signatories/{signature_id}/approve"
    ).status_code == 302
    assert _statuses(app) == ["live"]
    with app.app_context():
        signature = db.session.get(Signature, signature_id)
        assert signature.invitation_id is None and signature.reviewed_at is not None
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"signature.requested", "signature.confirmed", "signature.approved"} <= actions
    listed = client.get(f"/statements/{statement_id}/signatories").get_data(as_text=True)
    assert "Rivertown Legal Aid" in listed


def test_reject_keeps_the_row_as_rejected(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    client.post(f"/open/{token}", data=REQUEST)
    with app.app_context():
        signature_id = db.session.scalar(select(Signature.id))
    client.post(f"/statements/{statement_id}/signatories/{signature_id}/reject")
    assert _statuses(app) == ["rejected"]


def test_unconfirmed_request_cannot_be_approved(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    client.post(f"/open/{token}", data=REQUEST)
    with app.app_context():
        signature_id = db.session.scalar(select(Signature.id))
    client.post(f"/statements/{statement_id}/signatories/{signature_id}/approve")
    assert _statuses(app) == ["unconfirmed"]


def test_repeat_requests_get_the_same_answer(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    public = app.test_client()  # the requester has no session with the lead's flashes
    first = public.post(f"/open/{token}", data=REQUEST).get_data(as_text=True)
    public.post(_confirm_link(app))
    with app.app_context():
        signature_id = db.session.scalar(select(Signature.id))
    client.post(f"/statements/{statement_id}/signatories/{signature_id}/approve")
    again = public.post(f"/open/{token}", data=REQUEST)
    assert again.status_code == 200
    assert again.get_data(as_text=True) == first  # nothing tells it already signed


def test_honeypot_answers_alike_and_saves_nothing(app: Flask, client: FlaskClient):
    _, token = _enable(app, client)
    public = app.test_client()
    normal = public.post(f"/open/{token}", data={**REQUEST, "name": "Other Org"}).get_data(
        as_text=True
    )
    with app.app_context():
        before = db.session.scalar(select(func.count(Signature.id)))
    bot = public.post(f"/open/{token}", data={**REQUEST, "fax_number": "555-1234"})
    assert bot.status_code == 200 and bot.get_data(as_text=True) == normal
    with app.app_context():
        assert db.session.scalar(select(func.count(Signature.id))) == before


@pytest.mark.parametrize(
    "email,website,flag",
    [
        ("a@example.org", "https://www.example.org", ""),
        ("a@uk.example.org", "example.org", ""),
        ("a@example.org", "https://campaign.example.org/x", ""),
        ("a@gmail.com", "https://example.org", "does not match"),
        ("a@example.org.evil.net", "https://example.org", "does not match"),
        ("a@example.org", "", "no website"),
        ("a@co.uk", "https://charity.co.uk", "does not match"),
        ("a@charity.org.uk", "www.charity.org.uk", ""),
    ],
)
def test_domain_mismatch(email: str, website: str, flag: str):
    result = open_signon.domain_mismatch(email, website)
    assert (flag in result) if flag else result == ""


def test_mismatched_domain_is_flagged_for_the_lead(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    client.post(f"/open/{token}", data={**REQUEST, "signer_email": "sam.rivertown@gmail.com"})
    with app.app_context():
        assert "does not match" in db.session.scalar(select(Signature.flagged))
    page = client.get(f"/statements/{statement_id}/signatories?show=pending").get_data(
        as_text=True
    )
    assert "Check: e-mail domain gmail.com does not match" in page


def test_bad_input_keeps_text_and_saves_nothing(app: Flask, client: FlaskClient):
    _, token = _enable(app, client)
    response = client.post(f"/open/{token}", data={**REQUEST, "name": " \u200b "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "is required" in page and "sam@rivertownlegal.example.org" in page
    assert _statuses(app) == []


def test_link_dead_when_off_or_unknown(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    assert client.get("/open/not-a-link").status_code == 404
    client.post(f"/statements/{statement_id}/signing-options", data={})
    assert client.get(f"/open/{token}").status_code == 404
    assert client.post(f"/open/{token}", data=REQUEST).status_code == 404
    assert client.get("/open/confirm/forged").status_code == 404


def test_new_link_replaces_old(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    client.post(f"/statements/{statement_id}/signing-options",
                data={"open_signon": "y", "new_link": "1"})
    with app.app_context():
        new = db.session.get(Statement, statement_id).open_signon_token
    assert new != token
    assert client.get(f"/open/{token}").status_code == 404
    assert client.get(f"/open/{new}").status_code == 200


def test_closed_statement_takes_no_requests(app: Flask, client: FlaskClient):
    _, token = _enable(app, client, state="closed")
    assert "Signing has closed" in client.get(f"/open/{token}").get_data(as_text=True)
    assert client.post(f"/open/{token}", data=REQUEST).status_code == 409
    assert _statuses(app) == []


def test_other_organisations_cannot_decide(app: Flask, client: FlaskClient):
    statement_id, token = _enable(app, client)
    client.post(f"/open/{token}", data=REQUEST)
    with app.app_context():
        signature_id = db.session.scalar(select(Signature.id))
        stranger = factories.user(organisation="Other Org")
    client.post("/logout")
    factories_login(app, client, stranger)
    response = client.post(f"/statements/{statement_id}/signatories/{signature_id}/approve")
    assert response.status_code == 404
    assert _statuses(app) == ["unconfirmed"]


def factories_login(app: Flask, client: FlaskClient, user: User) -> None:
    with app.app_context():
        factories.login(client, db.session.merge(user))


class TestRateLimit:
    @pytest.fixture
    def app_config(self, tmp_path: Path) -> dict[str, Any]:
        return {**base_config(tmp_path), "RATELIMIT_ENABLED": True,
                "RATELIMIT_OPEN_SIGNON": "2 per hour"}

    def test_requests_per_address_are_limited(self, app: Flask, client: FlaskClient):
        _, token = _enable(app, client)
        codes = [client.post(f"/open/{token}", data={**REQUEST, "name": f"Org {i}"}).status_code
                 for i in range(3)]
        assert codes == [200, 200, 429]


def test_approving_the_same_signer_again_supersedes_the_earlier_row(
    app: Flask, client: FlaskClient
):
    statement_id, token = _enable(app, client)
    public = app.test_client()
    for name in ("Rivertown Legal Aid", "Rivertown Legal Aid CIC"):
        public.post(f"/open/{token}", data={**REQUEST, "name": name})
        public.post(_confirm_link(app))
        with app.app_context():
            signature_id = db.session.scalar(
                select(Signature.id).where(Signature.status == "pending")
            )
        client.post(f"/statements/{statement_id}/signatories/{signature_id}/approve")
    assert _statuses(app) == ["superseded", "live"]
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "signature.approved")
            .order_by(AuditEvent.id.desc())
        )
        assert event.detail["replaces"] is not None
