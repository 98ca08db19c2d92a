"""Inputs that answered 500 (issue 21, part 3): JSON nested deeper than the decoder can
recurse, and a `next` holding a line break. The fuzz tests (tests/fuzz) draw both shapes."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from coalition.jsonencoding import MAX_DEPTH, nesting_exceeds
from tests import factories

DEEP = [
    b"[" * 100_000,
    b"[" * 5_000 + b"]" * 5_000,
    b'{"a":' * 50_000,
    b'{"name": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
]


def _partner_token(app: Flask) -> tuple[str, str]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        _, token = factories.partner_invitation(statement, "Deep Partner")
        return token, factories.token(owner)


@pytest.mark.parametrize("body", DEEP, ids=["open", "closed", "objects", "one-too-deep"])
def test_deeply_nested_json_is_a_400_naming_the_nesting(app: Flask, client: FlaskClient,
                                                        body: bytes):
    token, bearer = _partner_token(app)
    for url, headers in [
        (f"/api/v1/invitations/{token}/signature", {}),
        (f"/api/v1/invitations/{token}/comments", {}),
        ("/api/v1/statements", factories.bearer(bearer)),
        ("/api/v1/statements/1/state", factories.bearer(bearer)),
    ]:
        response = client.post(url, data=body, headers=headers, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        answer = response.get_json()
        assert "nested more than" in answer["error"] and "body" in answer["fields"]


def test_nesting_within_the_limit_and_brackets_in_strings_are_fine(app: Flask,
                                                                    client: FlaskClient):
    token, _ = _partner_token(app)
    name = "[" * 500 + '"{' * 100 + "\\"
    response = client.post(f"/api/v1/invitations/{token}/signature", data=json.dumps({
        "name": name[:200], "signer_name": "Signer", "signer_email": "s@example.org"}),
        content_type="application/json")
    assert response.status_code == 201, response.get_json()
    assert not nesting_exceeds(json.dumps({"a": [[[[{"b": "]]]]]]" * 50}]]]]}))
    assert not nesting_exceeds("[" * MAX_DEPTH) and nesting_exceeds("[" * (MAX_DEPTH + 1))
    assert not nesting_exceeds('"\\"' + "[" * 100)  # inside an unterminated string


NEXTS = ["/%0d%0aX:1", "/%0aLocation:%20https://evil.example", "/%09", "/%00",
         "/%5cevil.example", "/%5c%5cevil.example", "/%c2%85x"]


@pytest.mark.parametrize("target", NEXTS)
def test_a_next_with_control_characters_goes_to_the_dashboard(app: Flask,
                                                              client: FlaskClient,
                                                              target: str):
    with app.app_context():
        email = factories.user().email
    response = client.post(f"/login?next={target}",
                           data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    already = client.get(f"/login?next={target}")  # logged in already
    assert already.status_code == 302 and already.headers["Location"] == "/"


def test_a_plain_local_next_is_still_followed(app: Flask, client: FlaskClient):
    with app.app_context():
        email = factories.user().email
    response = client.post("/login?next=/statements/1%3Fa%3Db",
                           data={"email": email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/statements/1?a=b"
