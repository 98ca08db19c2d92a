"""One rule and one message for a text over its limit, on every form; the text is kept.

A browser's maxlength cuts a pasted text without a word (a 250-character organisation name
became 200 characters): no form sets it; each refuses with the typed text kept.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests import factories

LONG = ("Association for the Defence of Human Rights and Fundamental Freedoms of " * 4)[:249]
LONG = LONG.rstrip().ljust(249, "x") + "s"  # 250 characters as stored: no space at either end
MESSAGE = "Too long: 250 characters, at most 200. Shorten it and send it again."


def test_no_page_sets_a_maxlength(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Amnesty Network")
        _, token = factories.partner_invitation(statement, "Viasna")
        factories.login(client, owner)
        sid = statement.id
    for path in (f"/statements/{sid}/invitations", f"/statements/{sid}/signatories",
                 f"/statements/{sid}/edit", f"/statements/{sid}/settings", "/statements/new",
                 "/account", f"/i/{token}", f"/i/{token}/sign"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "maxlength" not in response.get_data(as_text=True), path


def test_the_invite_form_and_the_sign_form_refuse_alike_and_keep_the_text(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        _, token = factories.partner_invitation(statement, "Viasna")
        factories.login(client, owner)
        sid = statement.id
    invited = client.post(f"/statements/{sid}/invitations",
                          data={"organisation": LONG, "email": "press@example.org"})
    assert invited.status_code == 422
    page = invited.get_data(as_text=True)
    assert MESSAGE in page
    assert f'value="{LONG}"' in page  # typed text kept, whole
    signed = app.test_client().post(f"/i/{token}/sign", data={
        "name": LONG, "kind": "organisation", "signer_name": "Jana",
        "signer_email": "jana@example.org", "country": ""})
    assert signed.status_code == 422
    page = signed.get_data(as_text=True)
    assert MESSAGE in page and f'value="{LONG}"' in page
    # Spaces are counted as stored: collapsed and trimmed, so padding is not "too long".
    padded = client.post(f"/statements/{sid}/invitations",
                         data={"organisation": "  Viasna   Centre  " + " " * 300,
                               "email": "viasna@example.org"})
    assert padded.status_code == 302


def test_the_api_still_names_the_field(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        secret = factories.token(owner)
        sid = statement.id
    response = client.post(f"/api/v1/statements/{sid}/invitations",
                           json={"organisation": LONG, "email": "press@example.org"},
                           headers=factories.bearer(secret))
    assert response.status_code == 422
    body = response.get_json()
    assert "organisation" in body["fields"]
    assert re.search(r"organisation is too long \(250 characters, at most 200\)", body["error"])
