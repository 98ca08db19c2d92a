"""The drafting rows of DESIGN.md's API table, exactly as written."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Revision, Statement
from tests import factories


@pytest.fixture
def auth(app: Flask) -> dict[str, str]:
    with app.app_context():
        return factories.bearer(factories.token(factories.user()))


def create(client: FlaskClient, auth: dict[str, str], **body) -> dict:
    payload = {"title": "Free them all", "body": "First paragraph.\n\nSecond.", **body}
    response = client.post("/api/v1/statements", json=payload, headers=auth)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_statement_answers_201_with_contract_fields(client, auth):
    data = create(client, auth, language="fr")
    assert set(data) == {"id", "slug", "state", "revision"}
    assert data["state"] == "draft" and data["revision"] == 1
    assert data["slug"] == "free-them-all"


def test_get_statement_has_every_contract_field(client, auth):
    sid = create(client, auth)["id"]
    data = client.get(f"/api/v1/statements/{sid}", headers=auth).get_json()
    assert set(data) == {
        "id",
        "slug",
        "title",
        "language",
        "state",
        "revision",
        "sign_deadline",
        "published_at",
        "embargo_until",  # issue 24: beyond the contract's fields, while an embargo runs
        "date",
    }
    assert data["language"] == "en" and data["published_at"] is None and data["date"] is None
    assert data["embargo_until"] is None


def test_revisions_append_and_stale_base_gets_409_with_current(client, auth):
    sid = create(client, auth)["id"]
    r = client.post(
        f"/api/v1/statements/{sid}/revisions",
        json={"body": "Changed.", "base_revision": 1, "note": "n", "substantive": False},
        headers=auth,
    )
    assert r.status_code == 201 and r.get_json() == {"revision": 2}
    stale = client.post(
        f"/api/v1/statements/{sid}/revisions",
        json={"body": "Other.", "base_revision": 1},
        headers=auth,
    )
    assert stale.status_code == 409
    assert stale.get_json()["current_revision"] == 2
    assert "error" in stale.get_json()
    listing = client.get(f"/api/v1/statements/{sid}/revisions", headers=auth).get_json()
    assert [r["number"] for r in listing["revisions"]] == [1, 2]
    second = listing["revisions"][1]
    assert set(second) == {"number", "author", "created_at", "note", "substantive"}
    assert second["substantive"] is False and second["note"] == "n"
    assert re.match(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", second["created_at"]
    )


def test_revision_sha256_is_over_title_two_newlines_and_body(client, auth):
    sid = create(client, auth, title="  Spaced title ", body="Line\r\nNext")["id"]
    data = client.get(f"/api/v1/statements/{sid}/revisions/1", headers=auth).get_json()
    assert data["title"] == "Spaced title" and data["body"] == "Line\nNext"
    expected = hashlib.sha256(b"Spaced title\n\nLine\nNext").hexdigest()
    assert data["sha256"] == expected
    assert set(data) == {"number", "title", "body", "body_html", "sha256"}


def test_body_html_is_sanitised(client, auth):
    sid = create(client, auth, body="Hi <script>alert(1)</script> [x](javascript:alert(1))")["id"]
    html = client.get(f"/api/v1/statements/{sid}/revisions/1", headers=auth).get_json()["body_html"]
    assert "<script" not in html and "javascript:" not in html


def test_diff_marks_insertions_and_deletions(client, auth):
    sid = create(client, auth, body="We call for release.")["id"]
    client.post(
        f"/api/v1/statements/{sid}/revisions",
        json={"body": "We demand immediate release.", "base_revision": 1},
        headers=auth,
    )
    data = client.get(f"/api/v1/statements/{sid}/diff?from=1&to=2", headers=auth).get_json()
    assert data["from"] == 1 and data["to"] == 2
    assert "<ins>" in data["html"] and "<del>" in data["html"]
    assert "release" in data["html"]


@pytest.mark.parametrize("query", ["", "?from=1", "?from=a&to=1", "?from=1&to=7"])
def test_diff_bad_query_is_4xx_json(client, auth, query):
    sid = create(client, auth)["id"]
    response = client.get(f"/api/v1/statements/{sid}/diff{query}", headers=auth)
    assert 400 <= response.status_code < 500
    assert "error" in response.get_json()


def test_state_moves_and_409_for_forbidden_move(client, auth):
    sid = create(client, auth)["id"]
    bad = client.post(f"/api/v1/statements/{sid}/state", json={"state": "closed"}, headers=auth)
    assert bad.status_code == 409
    ok = client.post(
        f"/api/v1/statements/{sid}/state",
        json={"state": "open", "sign_deadline": "2030-12-01T12:00:00+01:00"},
        headers=auth,
    )
    assert ok.status_code == 200
    data = ok.get_json()
    assert data["state"] == "open" and data["sign_deadline"] == "2030-12-01T11:00:00Z"
    assert (
        client.post(
            f"/api/v1/statements/{sid}/state", json={"state": "published"}, headers=auth
        ).status_code
        == 422
    )
    naive = client.post(
        f"/api/v1/statements/{sid}/state",
        json={"state": "closed", "sign_deadline": "2030-12-01T12:00:00"},
        headers=auth,
    )
    assert naive.status_code == 422 and "sign_deadline" in naive.get_json()["fields"]


def test_missing_or_bad_token_is_401(client, auth):
    assert client.post("/api/v1/statements", json={"title": "t", "body": "b"}).status_code == 401
    bad = client.get("/api/v1/statements/1", headers=factories.bearer("coal_nope"))
    assert bad.status_code == 401 and "error" in bad.get_json()


def test_other_organisation_gets_404(app, client, auth):
    sid = create(client, auth)["id"]
    with app.app_context():
        other = factories.bearer(factories.token(factories.user(organisation="Other")))
    for path in ("", "/revisions", "/revisions/1", "/diff?from=1&to=1"):
        assert client.get(f"/api/v1/statements/{sid}{path}", headers=other).status_code == 404
    assert (
        client.post(
            f"/api/v1/statements/{sid}/revisions",
            json={"body": "x", "base_revision": 1},
            headers=other,
        ).status_code
        == 404
    )


def test_revoked_token_is_refused(app, client):
    with app.app_context():
        from coalition.accounts.services import revoke_api_token

        owner = factories.user()
        secret = factories.token(owner)
        revoke_api_token(owner, 1)
        db.session.commit()
    assert client.get("/api/v1/statements/1", headers=factories.bearer(secret)).status_code == 401


LIMIT_CASES = [
    ({"title": "x" * 301, "body": "b"}, "title"),
    ({"title": "   ", "body": "b"}, "title"),
    ({"title": "t", "body": "b" * 200_001}, "body"),
    ({"title": "t", "body": "  \n "}, "body"),
    ({"title": 5, "body": "b"}, "title"),
    ({"title": "t"}, "body"),
    ({"title": "t", "body": "b", "language": "not a tag!"}, "language"),
    ({"title": "t", "body": "b", "extra": 1}, "extra"),
]


@pytest.mark.parametrize(("payload", "field"), LIMIT_CASES)
def test_limits_and_types_are_refused_naming_the_field(app, client, auth, payload, field):
    response = client.post("/api/v1/statements", json=payload, headers=auth)
    assert 400 <= response.status_code < 500
    assert field in response.get_json()["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_limits_count_characters_after_trimming(client, auth):
    create(client, auth, title="  " + "x" * 300 + "  ")


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b'"text"', b"\xff\xfe", b'{"title": }'])
def test_malformed_json_is_400(client, auth, raw):
    response = client.post(
        "/api/v1/statements", data=raw, headers=auth, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_request_over_2mb_is_413_json(client, auth):
    response = client.post(
        "/api/v1/statements",
        data=b"{" + b" " * (2 * 1024 * 1024 + 10) + b"}",
        headers=auth,
        content_type="application/json",
    )
    assert response.status_code == 413 and "error" in response.get_json()


def test_revision_wrong_types_save_nothing(app, client, auth):
    sid = create(client, auth)["id"]
    for payload in (
        {"body": "x", "base_revision": "1"},
        {"body": "x", "base_revision": True},
        {"body": 3, "base_revision": 1},
        {"body": "x", "base_revision": 1, "substantive": "yes"},
        {},
    ):
        response = client.post(f"/api/v1/statements/{sid}/revisions", json=payload, headers=auth)
        assert response.status_code == 422, payload
    with app.app_context():
        assert db.session.scalar(select(func.count(Revision.id))) == 1


def test_unknown_ids_are_404_json(client, auth):
    for path in (
        "/statements/999",
        "/statements/999/revisions",
        "/statements/999/revisions/1",
        "/statements/999/diff?from=1&to=2",
        "/nothing-here",
    ):
        response = client.get(f"/api/v1{path}", headers=auth)
        assert response.status_code == 404 and "error" in response.get_json()


def test_openapi_document_lists_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_document":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1") :])
        path = path.replace("{statement_id}", "{id}").replace("{number}", "{n}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {path} is not documented"
