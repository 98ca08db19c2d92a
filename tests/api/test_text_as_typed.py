"""Names and texts kept exactly as typed through the API: real names with joiners and marks
are stored, shown, exported in every format and hashed byte for byte; hostile controls,
bidirectional overrides and lone surrogates get a 422 naming the field (never removed)."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.domain import documents
from coalition.extensions import db
from coalition.models import Edition, Revision, Signature
from coalition.publishing import files
from tests import docx_text, factories
from tests.typed_names import EMOJI, HEBREW, MALAYALAM, PERSIAN, PERSIAN_ZWNJ, SINHALA

TITLE = f"بیانیه مشترک: {PERSIAN_ZWNJ} آزادی مدافعان"
BODY = f"ما، امضاکنندگان، {PERSIAN_ZWNJ} که مدافعان آزاد شوند.\n\nSecond paragraph."
NAMES = [PERSIAN + " " + PERSIAN_ZWNJ, MALAYALAM, SINHALA, EMOJI, HEBREW]


def _lead(app: Flask) -> dict[str, str]:
    with app.app_context():
        return factories.bearer(factories.token(factories.user()))


def _raw(client: FlaskClient, url: str, text: str, headers: dict[str, str] | None = None):
    """POST a JSON body written by hand, so it can hold escapes such as \\ud800."""
    return client.post(url, data=text, content_type="application/json", headers=headers or {})


def test_real_names_are_stored_shown_exported_and_hashed_as_typed(
    app: Flask, client: FlaskClient
):
    bearer = _lead(app)
    made = client.post("/api/v1/statements", json={"title": TITLE, "body": BODY, "language": "fa"},
                       headers=bearer)
    assert made.status_code == 201, made.get_json()
    statement_id, slug = made.get_json()["id"], made.get_json()["slug"]
    assert client.post(f"/api/v1/statements/{statement_id}/state", json={"state": "open"},
                       headers=bearer).status_code == 200
    for n, name in enumerate(NAMES):
        invited = client.post(f"/api/v1/statements/{statement_id}/invitations",
                              json={"organisation": name, "email": f"p{n}@example.org"},
                              headers=bearer)
        assert invited.status_code == 201, invited.get_json()
        token = invited.get_json()["sign_url"].rsplit("/", 1)[1]
        signed = client.post(f"/api/v1/invitations/{token}/signature", json={
            "name": name, "signer_name": name, "signer_email": f"s{n}@example.org"})
        assert signed.status_code == 201, signed.get_json()
        assert signed.get_json()["name"] == name
    revision = client.get(f"/api/v1/statements/{statement_id}/revisions/1", headers=bearer)
    assert revision.get_json()["title"] == TITLE and revision.get_json()["body"] == BODY
    typed = hashlib.sha256(f"{TITLE}\n\n{BODY}".encode()).hexdigest()
    assert revision.get_json()["sha256"] == typed
    with app.app_context():
        stored = set(db.session.scalars(select(Signature.name)))
        assert stored == set(NAMES)
        assert set(db.session.scalars(select(Signature.signer_name))) == set(NAMES)
        assert db.session.scalar(select(Revision.body)) == BODY
    published = client.post(f"/api/v1/statements/{statement_id}/publish", json={},
                            headers=bearer)
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["sha256"] == typed
    assert set(published.get_json()["signatories"]) == set(NAMES)
    listed = client.get(f"/api/v1/statements/{statement_id}/signatories", headers=bearer)
    assert {s["name"] for s in listed.get_json()["signatories"]} == set(NAMES)

    for path in (f"/s/{slug}", f"/s/{slug}.md", f"/s/{slug}.txt", f"/s/{slug}.html",
                 f"/s/{slug}/embed"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        for name in NAMES:
            assert name in text, (path, name)
        assert PERSIAN_ZWNJ in text, path
    rows = list(csv.reader(io.StringIO(client.get(f"/s/{slug}/signatories.csv").get_data(
        as_text=True).lstrip("\ufeff"))))
    assert set(NAMES) <= {cell for row in rows for cell in row}
    word = docx.Document(io.BytesIO(client.get(f"/s/{slug}.docx").data))
    paragraphs = docx_text.text(word)
    for name in NAMES:
        assert name in paragraphs, name
    assert PERSIAN_ZWNJ in paragraphs
    pdf = client.get(f"/s/{slug}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    with app.app_context():
        # The PDF is drawn from this HTML; glyph shaping is the fonts' work.
        edition = db.session.scalar(select(Edition))
        assert edition is not None
        source = documents.pdf_html(files.edition_document(edition))
    for name in NAMES:
        assert name in source, name


HOSTILE = [("\\u0000", "U+0000"), ("\\u0007", "U+0007"), ("\\u202e", "U+202E"),
           ("\\u2066", "U+2066"), ("\\u0085", "U+0085"), ("\\ud800", "")]


@pytest.mark.parametrize(("escape", "code"), HOSTILE)
def test_hostile_characters_get_a_422_naming_the_field(
    app: Flask, client: FlaskClient, escape: str, code: str
):
    bearer = _lead(app)
    made = _raw(client, "/api/v1/statements",
                f'{{"title": "Free{escape} them", "body": "Body"}}', bearer)
    assert made.status_code == 422, made.get_data(as_text=True)
    assert set(made.get_json()["fields"]) == {"title"}
    assert code in json.dumps(made.get_json())
    body = _raw(client, "/api/v1/statements",
                f'{{"title": "Free them", "body": "Body{escape}"}}', bearer)
    assert body.status_code == 422 and set(body.get_json()["fields"]) == {"body"}
    with app.app_context():
        statement = factories.statement(factories.user(), state="open")
        _, token = factories.partner_invitation(statement, "Partner")
    signed = _raw(client, f"/api/v1/invitations/{token}/signature",
                  f'{{"name": "Org{escape}", "signer_name": "Jana", '
                  f'"signer_email": "jana@example.org"}}')
    assert signed.status_code == 422, signed.get_data(as_text=True)
    assert set(signed.get_json()["fields"]) == {"name"}
    signer = _raw(client, f"/api/v1/invitations/{token}/signature",
                  f'{{"name": "Org", "signer_name": "Jana{escape}", '
                  f'"signer_email": "jana@example.org"}}')
    assert signer.status_code == 422 and set(signer.get_json()["fields"]) == {"signer_name"}
    comment = _raw(client, f"/api/v1/invitations/{token}/comments", f'{{"body": "Hm{escape}"}}')
    assert comment.status_code in (409, 422)  # comments may be closed in `open`
    with app.app_context():
        assert db.session.scalar(select(Signature.id)) is None


def test_a_lone_surrogate_anywhere_in_the_body_names_its_field(app: Flask, client: FlaskClient):
    bearer = _lead(app)
    made = _raw(client, "/api/v1/statements",
                '{"title": "T", "body": "B", "language": "\\udc00"}', bearer)
    assert made.status_code == 422 and made.get_json()["fields"] == {
        "language": "contains a lone surrogate"}
    keyed = _raw(client, "/api/v1/statements", '{"title": "T", "\\ud800": "B"}', bearer)
    assert keyed.status_code == 422 and "body" in keyed.get_json()["fields"]
