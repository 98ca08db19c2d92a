"""API rows for translations, and the whole three-language journey through the API."""

from __future__ import annotations

import csv
import hashlib
import io

from flask import Flask
from flask.testing import FlaskClient

from coalition.extensions import db
from coalition.models import Statement
from coalition.translations import services
from tests import factories
from tests.translations.conftest import (
    BE_BODY,
    BE_TITLE,
    BODY,
    ORDER,
    RU_BODY,
    RU_TITLE,
    SIGNERS,
    TITLE,
)


def _lead(app: Flask, organisation: str = "API Lead") -> tuple[str, dict[str, str]]:
    with app.app_context():
        lead = factories.user(organisation=organisation)
        return lead.email, factories.bearer(factories.token(lead))


def _translate(app: Flask, statement_id: int, language: str, title: str, body: str) -> None:
    """The translator's work happens on the pages; here through the service."""
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        lead = statement.organisation.users[0]
        made = services.find(statement, language) or factories.translation(lead, statement,
                                                                           language)
        factories.translate(lead, made, body, title=title)


def test_list_and_read_translations(app: Flask, client: FlaskClient):
    _, headers = _lead(app)
    created = client.post("/api/v1/statements", json={"title": TITLE, "body": BODY},
                          headers=headers).get_json()
    sid = created["id"]
    assert client.get(f"/api/v1/statements/{sid}/translations",
                      headers=headers).get_json() == {"translations": []}
    with app.app_context():
        statement = db.session.get(Statement, sid)
        factories.translation(statement.organisation.users[0], statement, "be")
    _translate(app, sid, "ru", RU_TITLE, RU_BODY)
    listed = client.get(f"/api/v1/statements/{sid}/translations", headers=headers).get_json()
    by_language = {t["language"]: t for t in listed["translations"]}
    assert by_language["ru"]["revision"] == 1 and by_language["ru"]["source_revision"] == 1
    assert by_language["ru"]["stale"] is False and by_language["ru"]["status"] == "current"
    assert by_language["be"] == {"language": "be", "revision": None, "source_revision": None,
                                 "stale": True, "status": "missing", "updated_at": None}
    one = client.get(f"/api/v1/statements/{sid}/translations/ru", headers=headers)
    assert one.status_code == 200
    data = one.get_json()
    assert data["title"] == RU_TITLE and data["body"] == RU_BODY
    assert data["body_html"].startswith("<p>Мы, {{signatories}}")
    assert data["sha256"] == hashlib.sha256(f"{RU_TITLE}\n\n{RU_BODY}".encode()).hexdigest()
    assert (data["revision"], data["source_revision"], data["stale"]) == (1, 1, False)
    assert client.get(f"/api/v1/statements/{sid}/translations/RU", headers=headers).status_code \
        == 200
    for path in ("be", "fr", "not%20a%20tag"):
        answer = client.get(f"/api/v1/statements/{sid}/translations/{path}", headers=headers)
        assert answer.status_code == 404 and answer.get_json()["error"]


def test_other_organisations_and_anonymous_callers_are_refused(app: Flask, client: FlaskClient):
    _, headers = _lead(app)
    sid = client.post("/api/v1/statements", json={"title": TITLE, "body": BODY},
                      headers=headers).get_json()["id"]
    _translate(app, sid, "ru", RU_TITLE, RU_BODY)
    _, stranger = _lead(app, "Elsewhere")
    assert client.get(f"/api/v1/statements/{sid}/translations", headers=stranger).status_code \
        == 404
    assert client.get(f"/api/v1/statements/{sid}/translations/ru",
                      headers=stranger).status_code == 404
    assert client.get(f"/api/v1/statements/{sid}/translations").status_code == 401


def test_the_openapi_document_describes_the_translation_rows(client: FlaskClient):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    listed = paths["/statements/{id}/translations"]["get"]
    assert "stale" in listed["description"]
    one = paths["/statements/{id}/translations/{lang}"]["get"]
    assert {p["name"]: p["schema"]["type"] for p in one["parameters"]} == {
        "id": "integer", "lang": "string",
    }
    assert "404" in one["responses"]


def test_drafted_translated_revised_signed_and_published_in_three_languages(
    app: Flask, client: FlaskClient
):
    """The issue's journey through the API: English source, Russian and Belarusian."""
    _, headers = _lead(app)
    sid = client.post("/api/v1/statements", json={"title": TITLE, "body": BODY, "language": "en"},
                      headers=headers).get_json()["id"]
    _translate(app, sid, "ru", RU_TITLE, RU_BODY)
    _translate(app, sid, "be", BE_TITLE, BE_BODY)

    def stale() -> dict[str, bool]:
        answer = client.get(f"/api/v1/statements/{sid}/translations", headers=headers)
        return {t["language"]: t["stale"] for t in answer.get_json()["translations"]}

    # A non-substantive revision: still current.
    made = client.post(f"/api/v1/statements/{sid}/revisions", headers=headers,
                       json={"body": BODY.replace("Belarus.", "Belarus. "), "base_revision": 1,
                             "substantive": False})
    assert made.status_code == 201 and stale() == {"be": False, "ru": False}
    # A substantive revision: both stale.
    body = BODY + "\n\nRelease them now."
    assert client.post(f"/api/v1/statements/{sid}/revisions", headers=headers,
                       json={"body": body, "base_revision": 2}).status_code == 201
    assert stale() == {"be": True, "ru": True}
    assert client.post(f"/api/v1/statements/{sid}/state", headers=headers,
                       json={"state": "open"}).status_code == 200

    # Signed with Cyrillic and Latin name forms.
    with app.app_context():
        statement = db.session.get(Statement, sid)
        tokens = [factories.partner_invitation(statement, name)[1] for name, _, _ in SIGNERS]
    for (name, forms, kind), token in zip(SIGNERS, tokens, strict=True):
        signed = client.post(f"/api/v1/invitations/{token}/signature", json={
            "name": name, "kind": kind, "signer_name": "S", "signer_email": "s@example.org",
            "names": forms,
        })
        assert signed.status_code == 201, signed.get_json()

    # Publication waits for the translations (the API's contract has no field for them).
    refused = client.post(f"/api/v1/statements/{sid}/publish", headers=headers,
                          json={"date": "2026-12-03"})
    assert refused.status_code == 409
    assert refused.get_json()["stale_translations"] == ["be", "ru"]
    assert refused.get_json()["outstanding"] == []

    # Updated: both current again.
    _translate(app, sid, "ru", RU_TITLE, RU_BODY + "\n\nОсвободите их сейчас.")
    _translate(app, sid, "be", BE_TITLE, BE_BODY + "\n\nВызваліце іх зараз.")
    assert stale() == {"be": False, "ru": False}
    published = client.post(f"/api/v1/statements/{sid}/publish", headers=headers,
                            json={"date": "2026-12-03"})
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["signatories"] == ORDER["en"]
    url = published.get_json()["url"].replace("http://coalition.test", "")

    for language in ("ru", "be"):
        listed = client.get(f"/api/v1/statements/{sid}/signatories?lang={language}",
                            headers=headers).get_json()["signatories"]
        assert [s["name"] for s in listed] == ORDER[language]
        rows = list(csv.DictReader(io.StringIO(
            client.get(f"{url}/signatories.csv?lang={language}").get_data(as_text=True)
            .removeprefix("\ufeff"))))
        assert [row["name"] for row in rows] == ORDER[language]
        text = client.get(f"{url}.txt?lang={language}").get_data(as_text=True)
        assert text.startswith({"ru": RU_TITLE, "be": BE_TITLE}[language])
        assert "5" in text.split("\n\n")[2]  # the count filled in
