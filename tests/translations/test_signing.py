"""Signing covers every language: name forms on the sign form and the API, kept and replaced."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.extensions import db
from coalition.models import Signature
from coalition.translations import services
from tests import factories
from tests.translations.conftest import make_world

FORM = {
    "name": "Viasna Human Rights Centre",
    "kind": "organisation",
    "country": "BY",
    "signer_name": "Jana Secret",
    "signer_email": "jana.secret@viasna.example.org",
}


def _setup(app: Flask) -> tuple[int, str, str]:
    with app.app_context():
        world = make_world()
        _, token = factories.partner_invitation(world.statement, "Viasna")
        return world.id, token, factories.token(world.lead)


def _live_names(app: Flask) -> dict[str, str]:
    with app.app_context():
        signature = db.session.scalar(select(Signature).where(Signature.status == "live"))
        return services.names_of({signature.id}).get(signature.id, {})


def test_the_sign_form_asks_for_a_name_in_each_translation_language(
    app: Flask, client: FlaskClient
):
    _, token, _ = _setup(app)
    page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    assert "Your name in the statement's other languages" in page
    assert "Name in Russian (optional)" in page and "Name in Belarusian (optional)" in page
    assert 'name="name_ru"' in page and 'lang="ru"' in page


def test_signing_with_name_forms_then_changing_them(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    response = client.post(f"/i/{token}/sign", data={
        **FORM, "name_ru": "Правозащитный центр «Весна»", "name_be": "Праваабарончы цэнтр «Вясна»",
    })
    assert response.status_code == 302
    assert _live_names(app) == {
        "ru": "Правозащитный центр «Весна»", "be": "Праваабарончы цэнтр «Вясна»",
    }
    # The change form shows them back; clearing one leaves the name for that language.
    page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    assert 'value="Праваабарончы цэнтр «Вясна»"' in page
    response = client.post(f"/i/{token}/sign", data={
        **FORM, "signer_name": "", "signer_email": "", "name_ru": "Весна", "name_be": "",
    })
    assert response.status_code == 302
    assert _live_names(app) == {"ru": "Весна"}


def test_a_too_long_name_form_is_shown_on_its_field(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    response = client.post(f"/i/{token}/sign", data={**FORM, "name_ru": "Я" * 201})
    assert response.status_code == 422
    assert "at most 200 characters" in response.get_data(as_text=True)


def test_the_api_takes_name_forms_and_keeps_them_when_left_out(app: Flask, client: FlaskClient):
    statement_id, token, secret = _setup(app)
    body = {"name": "Viasna", "signer_name": "Jana", "signer_email": "jana@viasna.example.org"}
    first = client.post(f"/api/v1/invitations/{token}/signature",
                        json={**body, "names": {"ru": "Весна", "be": "Вясна"}})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["names"] == {"ru": "Весна", "be": "Вясна"}
    again = client.post(f"/api/v1/invitations/{token}/signature", json=body)
    assert again.status_code == 200 and again.get_json()["names"] == {"ru": "Весна", "be": "Вясна"}
    refused = client.post(f"/api/v1/invitations/{token}/signature",
                          json={**body, "names": {"fr": "Printemps"}})
    assert refused.status_code == 409  # a well-formed tag the statement is not translated into
    assert "names.fr" in refused.get_json()["fields"]
    wrong_type = client.post(f"/api/v1/invitations/{token}/signature",
                             json={**body, "names": ["Весна"]})
    assert wrong_type.status_code == 422


def test_the_signatories_api_lists_each_language_in_its_order(app: Flask, client: FlaskClient):
    from tests.translations.conftest import ORDER, sign_all

    with app.app_context():
        world = make_world()
        sign_all(world)
        secret = factories.token(world.lead)
        statement_id = world.id
    headers = factories.bearer(secret)
    for language in ("en", "ru", "be"):
        answer = client.get(f"/api/v1/statements/{statement_id}/signatories?lang={language}",
                            headers=headers)
        assert answer.status_code == 200
        assert [s["name"] for s in answer.get_json()["signatories"]] == ORDER[language]
    default = client.get(f"/api/v1/statements/{statement_id}/signatories", headers=headers)
    assert [s["name"] for s in default.get_json()["signatories"]] == ORDER["en"]
    missing = client.get(f"/api/v1/statements/{statement_id}/signatories?lang=fr",
                         headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]
