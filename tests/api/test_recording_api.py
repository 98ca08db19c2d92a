"""API routes for recorded signatures and CSV imports (issue 22)."""

from __future__ import annotations

import base64
import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Invitation, OutboxMessage, Signature, SignatureImport, utcnow
from tests import factories

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _setup(app: Flask) -> tuple[int, dict[str, str]]:
    with app.app_context():
        owner = factories.user(name="Maria Lead")
        statement = factories.statement(owner, state="open")
        return statement.id, factories.bearer(factories.token(owner))


def _yesterday() -> str:
    return (utcnow() - dt.timedelta(days=1)).isoformat(timespec="seconds")


BODY = {"name": "Viasna", "signer_name": "Ales Bialiatski", "signer_role": "Chair",
        "signer_email": "ales@viasna.example.org", "country": "BY"}


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(model.id))) or 0  # type: ignore[attr-defined]


def test_record_201_then_200_and_the_public_list_does_not_tell_it_apart(
    app: Flask, client: FlaskClient
):
    statement_id, bearer = _setup(app)
    url = f"/api/v1/statements/{statement_id}/recorded-signatures"
    first = client.post(url, headers=bearer, json={
        **BODY, "approved_at": _yesterday(), "evidence_text": "Yes, Viasna signs.",
        "evidence_file": {"name": "mail.pdf", "content_base64": base64.b64encode(PDF).decode()},
    })
    assert first.status_code == 201, first.get_json()
    data = first.get_json()
    assert data["recorded_by"] == "Maria Lead" and data["invited_now"] is True
    assert data["revision"] == 1 and data["replaced"] is False and data["approved_at"]
    second = client.post(url, headers=bearer, json={
        **BODY, "invitation_id": data["invitation_id"], "approved_at": _yesterday(),
        "evidence_text": "They changed their mind about the country.", "country": "LT"})
    assert second.status_code == 200 and second.get_json()["replaced"] is True
    listed = client.get(f"/api/v1/statements/{statement_id}/signatories", headers=bearer)
    assert listed.get_json()["signatories"] == [
        {"name": "Viasna", "country": "LT", "kind": "organisation", "revision": 1}]
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.kind == "signature_receipt")) == 2


def test_record_refuses_with_fields_named(app: Flask, client: FlaskClient):
    statement_id, bearer = _setup(app)
    url = f"/api/v1/statements/{statement_id}/recorded-signatures"
    before = _count(app, Signature)
    for body, field in [
        ({**BODY, "approved_at": _yesterday()}, "evidence_text"),
        ({**BODY, "approved_at": "yesterday", "evidence_text": "ok"}, "approved_at"),
        ({**BODY, "signer_name": "A\u202eB", "approved_at": _yesterday(), "evidence_text": "ok"},
         "signer_name"),
        ({**BODY, "approved_at": _yesterday(),
          "evidence_file": {"name": "x.pdf", "content_base64": "PHN2Zz4="}}, "evidence_file"),
    ]:
        answer = client.post(url, headers=bearer, json=body)
        assert answer.status_code == 422, (field, answer.get_json())
        assert field in answer.get_json()["fields"], (field, answer.get_json())
    # Well formed, but the statement has no revision 5 (yet), and the future has not come.
    tomorrow = (utcnow() + dt.timedelta(days=1)).isoformat(timespec="seconds")
    for body, field in [
        ({**BODY, "approved_at": _yesterday(), "evidence_text": "ok", "revision": 5}, "revision"),
        ({**BODY, "approved_at": tomorrow, "evidence_text": "ok"}, "approved_at"),
    ]:
        answer = client.post(url, headers=bearer, json=body)
        assert answer.status_code == 409, (field, answer.get_json())
        assert field in answer.get_json()["fields"]
    assert _count(app, Signature) == before


CSV = (
    "name,signer_name,signer_email,endorsed_revision\n"
    "Group One,Ann,ann@one.example.org,1\n"
    "Group Two,Bob,bob@two.example.org,\n"
    "Group One,Ann,ann@one.example.org,1\n"
    "Bad,Carl,not-an-address,\n"
)


def test_import_preview_writes_nothing_and_confirm_writes_it(app: Flask, client: FlaskClient):
    statement_id, bearer = _setup(app)
    base = f"/api/v1/statements/{statement_id}/signature-imports"
    before = (_count(app, Signature), _count(app, Invitation), _count(app, OutboxMessage))
    made = client.post(base, headers=bearer, json={"csv": CSV, "file_name": "list.csv",
                                                   "note": "Meeting sheet"})
    assert made.status_code == 201, made.get_json()
    preview = made.get_json()
    assert preview["counts"] == {"to_write": 2, "new": 2, "invited": 0, "duplicate": 1,
                                 "refused": 1}
    assert preview["refused"][0]["line"] == 5 and "e-mail" in preview["refused"][0]["reason"]
    assert preview["lines"][2]["action"] == "duplicate"
    assert "line 2" in preview["lines"][2]["detail"]
    assert (_count(app, Signature), _count(app, Invitation),
            _count(app, OutboxMessage)) == before
    again = client.get(f"{base}/{preview['id']}", headers=bearer)
    assert again.status_code == 200 and again.get_json()["fingerprint"] == preview["fingerprint"]
    wrong = client.post(f"{base}/{preview['id']}/confirm", headers=bearer,
                        json={"fingerprint": "0" * 32})
    assert wrong.status_code == 409 and wrong.get_json()["preview"]["id"] == preview["id"]
    done = client.post(f"{base}/{preview['id']}/confirm", headers=bearer,
                       json={"fingerprint": preview["fingerprint"]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["imported"] == 2
    assert _count(app, Signature) == before[0] + 2
    twice = client.post(f"{base}/{preview['id']}/confirm", headers=bearer,
                        json={"fingerprint": preview["fingerprint"]})
    assert twice.status_code == 409


def test_import_refuses_a_file_without_the_columns(app: Flask, client: FlaskClient):
    statement_id, bearer = _setup(app)
    answer = client.post(f"/api/v1/statements/{statement_id}/signature-imports",
                         headers=bearer, json={"csv": "organisation,email\nA,a@b.example\n"})
    assert answer.status_code == 422 and "csv" in answer.get_json()["fields"]
    nul = client.post(f"/api/v1/statements/{statement_id}/signature-imports", headers=bearer,
                      json={"csv": "name,signer_name,signer_email\nA\u0000,B,c@d.e\n"})
    assert nul.status_code == 422
    assert _count(app, SignatureImport) == 0


def test_another_organisation_gets_404(app: Flask, client: FlaskClient):
    statement_id, bearer = _setup(app)
    made = client.post(f"/api/v1/statements/{statement_id}/signature-imports", headers=bearer,
                       json={"csv": CSV}).get_json()
    with app.app_context():
        stranger = factories.bearer(factories.token(factories.user(organisation="Elsewhere")))
    assert client.get(f"/api/v1/statements/{statement_id}/signature-imports/{made['id']}",
                      headers=stranger).status_code == 404
    assert client.post(f"/api/v1/statements/{statement_id}/recorded-signatures",
                       headers=stranger, json={**BODY, "approved_at": _yesterday(),
                                               "evidence_text": "ok"}).status_code == 404
