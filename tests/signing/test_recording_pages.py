"""The lead's pages for recorded signatures and imports (issue 22): the form, its errors,
the evidence file, the preview that writes nothing, the confirmation, and French."""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Invitation, OutboxMessage, Signature, SignatureImport, User
from tests import factories

# Werkzeug's test client spools a large multipart body to a temporary file it never closes.
CLIENT_SPOOL = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning", "ignore::ResourceWarning"
)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture
def lead(app: Flask, client: FlaskClient) -> int:
    with app.app_context():
        owner = factories.user(name="Maria Lead")
        statement = factories.statement(owner, state="open", timezone="Europe/Paris")
        factories.login(client, owner)
        return statement.id


def _counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Signature.id))) or 0,
            db.session.scalar(select(func.count(Invitation.id))) or 0,
            db.session.scalar(select(func.count(OutboxMessage.id))) or 0,
        )


def _when() -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def _form(**kw: Any) -> dict[str, Any]:
    data = {"invitation": "", "revision": "1", "approved_at": _when(), "name": "Viasna",
            "kind": "organisation", "country": "BY", "signer_name": "Ales Bialiatski",
            "signer_role": "Chair", "signer_email": "ales@viasna.example.org",
            "visibility": "named", "evidence_text": "From: ales@viasna.example.org\nYes."}
    data.update(kw)
    return data


def test_the_form_records_with_a_file_and_the_list_says_who_recorded_it(
    app: Flask, client: FlaskClient, lead: int
):
    page = client.get(f"/statements/{lead}/signatories/record")
    assert page.status_code == 200
    assert "Record a signature given by e-mail or by phone" in page.get_data(as_text=True)
    response = client.post(
        f"/statements/{lead}/signatories/record",
        data=_form(evidence_file=(io.BytesIO(PDF), "mail.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    listing = client.get(f"/statements/{lead}/signatories").get_data(as_text=True)
    assert "Recorded by Maria Lead" in listing and "From: ales@viasna.example.org" in listing
    with app.app_context():
        signature = db.session.scalar(select(Signature))
        assert signature is not None and signature.signer_name == "Ales Bialiatski"
    evidence = client.get(f"/statements/{lead}/signatories/{signature.id}/evidence")
    assert evidence.status_code == 200 and evidence.data == PDF
    assert evidence.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_public_list_does_not_tell_it_apart(app: Flask, client: FlaskClient, lead: int):
    client.post(f"/statements/{lead}/signatories/record", data=_form())
    answer = client.get(f"/api/v1/statements/{lead}/signatories")
    assert answer.status_code in (401, 200)  # the API needs a token; see test_recording_api


def test_bad_input_is_refused_with_the_typed_text_kept(app: Flask, client: FlaskClient, lead: int):
    before = _counts(app)
    response = client.post(f"/statements/{lead}/signatories/record",
                           data=_form(signer_name="Ales\u202eB", evidence_text=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "U+202E" in page and 'value="Viasna"' in page
    assert _counts(app) == before


def test_an_evidence_file_of_the_wrong_kind_is_refused(app: Flask, client: FlaskClient, lead: int):
    before = _counts(app)
    response = client.post(
        f"/statements/{lead}/signatories/record",
        data=_form(evidence_file=(io.BytesIO(b"<svg onload='x'/>"), "mail.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "PDF, PNG or JPEG" in response.get_data(as_text=True)
    assert _counts(app) == before


CSV = (
    "name,signer_name,signer_email,named_publicly\r\n"
    "Group One,Ann,ann@one.example.org,yes\r\n"
    "Group Two,Bob,bob@two.example.org,no\r\n"
    "Group One,Ann again,ann@one.example.org,yes\r\n"
    "Bad,,nobody@bad.example.org,yes\r\n"
)


def _upload(client: FlaskClient, statement_id: int, content: bytes | str = CSV) -> Any:
    raw = content.encode() if isinstance(content, str) else content
    return client.post(
        f"/statements/{statement_id}/signatories/import",
        data={"csv_file": (io.BytesIO(raw), "list.csv"), "note": "Meeting sheet"},
        content_type="multipart/form-data",
    )


def test_import_previews_then_writes_only_on_confirm(app: Flask, client: FlaskClient, lead: int):
    before = _counts(app)
    response = _upload(client, lead)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing has been written yet" in preview
    assert "2 signatures will be recorded" in preview and "1 duplicate" in preview
    assert "It repeats line 2." in preview and "signer_name" in preview.lower()
    assert _counts(app) == before
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', preview)
    assert fingerprint is not None
    done = client.post(response.headers["Location"], data={"fingerprint": fingerprint.group(1)})
    assert done.status_code == 302
    after = _counts(app)
    assert after[0] == before[0] + 2 and after[1] == before[1] + 2
    listing = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "2 signatures are imported" in listing and "Imported from list.csv, line 2." in listing
    again = client.post(response.headers["Location"], data={"fingerprint": fingerprint.group(1)})
    assert again.status_code == 302 and _counts(app) == after


def test_a_changed_list_is_shown_again_with_409(app: Flask, client: FlaskClient, lead: int):
    response = _upload(client, lead)
    with app.app_context():
        held = db.session.scalar(select(SignatureImport))
        assert held is not None
        held_id = held.id
    changed = client.post(f"/statements/{lead}/signatories/import/{held_id}",
                          data={"fingerprint": "0" * 32})
    assert changed.status_code == 409
    assert "no longer matches its preview" in changed.get_data(as_text=True)
    assert response.status_code == 302


@CLIENT_SPOOL
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02\xff\xfe\x00\x81", "not text"),
        (b"name,signer_name,signer_email\nA\x00,B,c@d.example\n", "not text"),
        (b"organisation,email\nOrg,a@b.example\n", "not among them: organisation, email"),
        (b"name,signer_name,signer_email\n" + b"A,B,c@d.example\n" * 70_000, "larger than 1 MB"),
    ],
)
def test_a_bad_file_is_refused_and_not_kept(
    app: Flask, client: FlaskClient, lead: int, content: bytes, message: str
):
    response = _upload(client, lead, content)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(SignatureImport.id))) == 0
    del response
    gc.collect()


def test_the_pages_are_in_french(app: Flask, client: FlaskClient, lead: int):
    with app.app_context():
        owner = db.session.scalar(select(User))
        assert owner is not None
        owner.language = "fr"
        db.session.commit()
    record = client.get(f"/statements/{lead}/signatories/record").get_data(as_text=True)
    assert "Enregistrer une signature" in record
    assert "Record the signature" not in record
    response = _upload(client, lead)
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rien n’a encore été écrit" in preview
    assert "Elle répète la ligne 2." in preview


def test_another_organisation_sees_nothing(app: Flask, client: FlaskClient, lead: int):
    _upload(client, lead)
    other = app.test_client()
    with app.app_context():
        held = db.session.scalar(select(SignatureImport))
        held_id = held.id if held else 0
        factories.login(other, factories.user(organisation="Elsewhere"))
    assert other.get(f"/statements/{lead}/signatories/import/{held_id}").status_code == 404
    assert other.get(f"/statements/{lead}/signatories/record").status_code == 404


def test_the_activity_log_names_the_lead_who_recorded_it(
    app: Flask, client: FlaskClient, lead: int
):
    assert client.post(f"/statements/{lead}/signatories/record", data=_form()).status_code == 302
    page = client.get(f"/statements/{lead}/activity").get_data(as_text=True)
    with app.app_context():
        owner = db.session.scalar(select(User))
        assert owner is not None
        assert owner.email in page
    assert "recorded for" in page and "Viasna" in page


def test_an_imported_list_says_so_and_offers_no_second_import(
    app: Flask, client: FlaskClient, lead: int
):
    location = _upload(client, lead).headers["Location"]
    preview = client.get(location).get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', preview)
    assert fingerprint is not None
    client.post(location, data={"fingerprint": fingerprint.group(1)})
    after = client.get(location).get_data(as_text=True)
    assert "This list was imported" in after and "2 signatures recorded" in after
    assert 'name="fingerprint"' not in after
