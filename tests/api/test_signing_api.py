"""API rows for signatures and the signatory list (DESIGN.md's table)."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Invitation, Signature, Statement, utcnow
from tests import factories

BODY = {"name": "Viasna", "signer_name": "Jana", "signer_email": "jana@viasna.example.org"}


def _setup(app: Flask, state: str = "open") -> tuple[int, str, str]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state=state)
        _, token = factories.partner_invitation(statement, "Viasna")
        return statement.id, token, factories.token(owner)


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Signature.id))) or 0


def test_sign_201_then_replace_200_never_duplicate(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    first = client.post(f"/api/v1/invitations/{token}/signature",
                        json={**BODY, "country": "BY", "kind": "organisation"})
    assert first.status_code == 201, first.get_json()
    data = first.get_json()
    assert data["name"] == "Viasna" and data["revision"] == 1 and data["replaced"] is False
    assert "signer_email" not in data and "jana@" not in first.get_data(as_text=True)
    second = client.post(f"/api/v1/invitations/{token}/signature", json=BODY)
    assert second.status_code == 200 and second.get_json()["replaced"] is True
    assert second.get_json()["country"] == "BY"  # left out: kept
    with app.app_context():
        assert db.session.scalar(
            select(func.count(Signature.id)).where(Signature.status == "live")) == 1


def test_withdraw_then_sign_again_is_201(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    client.post(f"/api/v1/invitations/{token}/signature", json=BODY)
    deleted = client.delete(f"/api/v1/invitations/{token}/signature")
    assert deleted.status_code == 200 and deleted.get_json()["status"] == "withdrawn"
    again = client.delete(f"/api/v1/invitations/{token}/signature")
    assert again.status_code == 409 and again.get_json()["error"]
    assert client.post(f"/api/v1/invitations/{token}/signature", json=BODY).status_code == 201
    assert _count(app) == 2  # withdrawn row kept


def test_not_open_is_409(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app, state="review")
    response = client.post(f"/api/v1/invitations/{token}/signature", json=BODY)
    assert response.status_code == 409 and "error" in response.get_json()
    assert _count(app) == 0


def test_deadline_passed_is_409_and_closes(app: Flask, client: FlaskClient):
    sid, token, _ = _setup(app)
    with app.app_context():
        db.session.get(Statement, sid).sign_deadline = utcnow() - dt.timedelta(minutes=1)
        db.session.commit()
    assert client.post(f"/api/v1/invitations/{token}/signature", json=BODY).status_code == 409
    with app.app_context():
        assert db.session.get(Statement, sid).state == "closed"


def test_bad_tokens_are_404(app: Flask, client: FlaskClient):
    sid, token, _ = _setup(app)
    assert client.post("/api/v1/invitations/forged/signature", json=BODY).status_code == 404
    assert client.delete("/api/v1/invitations/forged/signature").status_code == 404
    with app.app_context():
        db.session.scalar(select(Invitation)).revoked_at = utcnow()
        db.session.commit()
    assert client.post(f"/api/v1/invitations/{token}/signature", json=BODY).status_code == 404
    assert _count(app) == 0


def test_bad_input_is_4xx_naming_the_field(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    url = f"/api/v1/invitations/{token}/signature"
    cases = [
        ({**BODY, "name": "   "}, "name"),
        ({**BODY, "name": "\x00\x01"}, "name"),
        ({**BODY, "name": "x" * 201}, "name"),
        ({**BODY, "signer_name": "y" * 201}, "signer_name"),
        ({**BODY, "signer_email": "nope"}, "signer_email"),
        ({**BODY, "kind": "robot"}, "kind"),
        ({"signer_name": "J", "signer_email": "j@x.example"}, "name"),
        ({**BODY, "name": 5}, "name"),
        ({**BODY, "extra": "field"}, "extra"),
    ]
    for body, field in cases:
        response = client.post(url, json=body)
        assert 400 <= response.status_code < 500, (body, response.status_code)
        assert field in response.get_json()["fields"], (body, response.get_json())
    bad = client.post(url, data="not json", content_type="application/json")
    assert 400 <= bad.status_code < 500 and bad.get_json()["error"]
    assert _count(app) == 0


def test_signatories_in_published_order_without_contacts(app: Flask, client: FlaskClient):
    sid, _, secret = _setup(app)
    names = ["Вясна", "the Zebra Trust", "Écoute", "“Amnesty”", "10 Rivers", "2 Rivers",
             "de Gaulle"]
    with app.app_context():
        statement = db.session.get(Statement, sid)
        for name in names:
            factories.signed(statement, name, country="FR", signer_email="hidden@contact.example")
    response = client.get(f"/api/v1/statements/{sid}/signatories", headers=factories.bearer(secret))
    assert response.status_code == 200
    listed = response.get_json()["signatories"]
    assert [s["name"] for s in listed] == [
        "2 Rivers", "10 Rivers", "“Amnesty”", "de Gaulle", "Écoute", "the Zebra Trust", "Вясна"]
    assert set(listed[0]) == {"name", "country", "kind", "revision"}
    assert "hidden@contact.example" not in response.get_data(as_text=True)


def test_signatories_need_the_leads_own_statement(app: Flask, client: FlaskClient):
    sid, _, _ = _setup(app)
    assert client.get(f"/api/v1/statements/{sid}/signatories").status_code == 401
    with app.app_context():
        other = factories.token(factories.user(organisation="Other"))
    response = client.get(f"/api/v1/statements/{sid}/signatories", headers=factories.bearer(other))
    assert response.status_code == 404


def test_openapi_documents_the_rows(client: FlaskClient):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "delete"} <= set(paths["/invitations/{token}/signature"])
    assert "SignatureIn" in client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "get" in paths["/statements/{id}/signatories"]


def test_russian_statement_puts_cyrillic_first(app: Flask, client: FlaskClient):
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open", language="ru")
        for name in ["Amnesty International", "Вясна", "Ёлка", "Елена"]:
            factories.signed(statement, name)
        sid, secret = statement.id, factories.token(owner)
    listed = client.get(f"/api/v1/statements/{sid}/signatories", headers=factories.bearer(secret))
    assert [s["name"] for s in listed.get_json()["signatories"]] == [
        "Вясна", "Елена", "Ёлка", "Amnesty International"]
