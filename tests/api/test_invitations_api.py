"""The invitation and comment rows of DESIGN.md's API table, exactly as written."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Comment, Invitation, Signature, Statement
from coalition.security import hash_token
from tests import factories


@pytest.fixture
def auth(app: Flask) -> dict[str, str]:
    with app.app_context():
        return factories.bearer(factories.token(factories.user()))


def _statement(client: FlaskClient, auth: dict[str, str], state: str | None = "review") -> int:
    response = client.post("/api/v1/statements", headers=auth,
                           json={"title": "Joint call", "body": "One.\n\nTwo."})
    sid = response.get_json()["id"]
    if state:
        client.post(f"/api/v1/statements/{sid}/state", headers=auth, json={"state": state})
    return int(sid)


def _invite(client, auth, sid, email="press@partner.org", organisation="Partner"):
    return client.post(f"/api/v1/statements/{sid}/invitations", headers=auth,
                       json={"organisation": organisation, "email": email})


def test_create_invitation_answers_201_with_id_and_sign_url(app, client, auth):
    sid = _statement(client, auth)
    response = _invite(client, auth, sid)
    assert response.status_code == 201
    data = response.get_json()
    assert set(data) == {"id", "sign_url"}
    assert data["sign_url"].startswith("http://coalition.test/i/")
    token = data["sign_url"].rsplit("/", 1)[1]
    assert len(token) >= 22
    with app.app_context():
        invitation = db.session.get(Invitation, data["id"])
        assert invitation.token_hash is None and hash_token(token) not in str(invitation.__dict__)
        assert token.startswith(invitation.link_salt)  # the salt alone opens nothing
    assert client.get(f"/api/v1/invitations/{invitation.link_salt}").status_code == 404
    assert client.get(f"/api/v1/invitations/{token}").status_code == 200


def test_invitations_can_be_made_in_any_state(client, auth):
    for state in (None, "review", "open"):
        sid = _statement(client, auth, state)
        assert _invite(client, auth, sid).status_code == 201


def test_duplicate_email_is_409_naming_the_existing_invitation(app, client, auth):
    sid = _statement(client, auth)
    first = _invite(client, auth, sid).get_json()
    response = _invite(client, auth, sid, email="PRESS@partner.org", organisation="Again")
    assert response.status_code == 409
    data = response.get_json()
    assert data["invitation_id"] == first["id"]
    assert "email" in data["fields"] and data["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"organisation": "x" * 201, "email": "a@b.org"}, "organisation"),
        ({"organisation": "  ", "email": "a@b.org"}, "organisation"),
        ({"organisation": "Org", "email": "not-an-address"}, "email"),
        ({"organisation": "Org"}, "email"),
        ({"organisation": 5, "email": "a@b.org"}, "organisation"),
        ({"organisation": "Org", "email": "a@b.org", "extra": 1}, "extra"),
    ],
)
def test_invalid_invitation_is_4xx_naming_the_field(client, auth, body, field):
    sid = _statement(client, auth)
    response = client.post(f"/api/v1/statements/{sid}/invitations", headers=auth, json=body)
    assert 400 <= response.status_code < 500
    assert field in response.get_json()["fields"]


def test_list_invitations_with_status(app, client, auth):
    sid = _statement(client, auth)
    first = _invite(client, auth, sid, "a@partner.org", "A").get_json()
    second = _invite(client, auth, sid, "b@partner.org", "B").get_json()
    token = second["sign_url"].rsplit("/", 1)[1]
    client.get(f"/api/v1/invitations/{token}")  # opened
    data = client.get(f"/api/v1/statements/{sid}/invitations", headers=auth).get_json()
    assert data == {"invitations": [
        {"id": first["id"], "organisation": "A", "email": "a@partner.org", "status": "invited"},
        {"id": second["id"], "organisation": "B", "email": "b@partner.org", "status": "opened"},
    ]}


def test_lead_routes_need_the_token_and_the_organisation(app, client, auth):
    sid = _statement(client, auth)
    assert client.get(f"/api/v1/statements/{sid}/invitations").status_code == 401
    with app.app_context():
        other = factories.bearer(factories.token(factories.user("Another Organisation")))
    assert client.get(f"/api/v1/statements/{sid}/invitations", headers=other).status_code == 404
    assert _invite(client, other, sid).status_code == 404


def test_partner_read_shows_public_fields_only_and_its_signature(app, client, auth):
    sid = _statement(client, auth, "open")
    sign_url = _invite(client, auth, sid, "secret@partner.org").get_json()["sign_url"]
    token = sign_url.rsplit("/", 1)[1]
    data = client.get(f"/api/v1/invitations/{token}").get_json()
    assert set(data) == {"statement", "revision", "title", "body_html", "signature"}
    assert data["revision"] == 1 and data["title"] == "Joint call"
    assert data["body_html"] == "<p>One.</p>\n<p>Two.</p>"
    assert data["signature"] is None
    assert data["statement"]["id"] == sid and data["statement"]["state"] == "open"
    text = str(data)
    assert "secret@partner.org" not in text and "@example.org" not in text
    with app.app_context():
        invitation = db.session.scalar(select(Invitation))
        db.session.add(Signature(
            statement_id=sid, invitation_id=invitation.id, status="live", name="Partner Org",
            sort_key=b"p", signer_name="Ana", signer_email="ana@partner.org", country="LT",
            revision_number=1, revision_sha256="0" * 64,
        ))
        db.session.commit()
    data = client.get(f"/api/v1/invitations/{token}").get_json()
    assert data["signature"] == {"name": "Partner Org", "kind": "organisation",
                                 "country": "LT", "revision": 1}
    assert "ana@partner.org" not in str(data)


def test_unknown_revoked_or_expired_token_is_404_json(app, client, auth):
    sid = _statement(client, auth, "open")
    token = _invite(client, auth, sid).get_json()["sign_url"].rsplit("/", 1)[1]
    unknown = client.get("/api/v1/invitations/nope")
    assert unknown.status_code == 404 and unknown.get_json()["error"]
    with app.app_context():
        statement = db.session.get(Statement, sid)
        statement.sign_deadline = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
        db.session.commit()
    assert client.get(f"/api/v1/invitations/{token}").status_code == 404
    assert client.post(f"/api/v1/invitations/{token}/comments",
                       json={"body": "x"}).status_code == 404
    with app.app_context():
        statement = db.session.get(Statement, sid)
        statement.sign_deadline = None
        db.session.scalar(select(Invitation)).revoked_at = dt.datetime.now(dt.UTC)
        db.session.commit()
    response = client.get(f"/api/v1/invitations/{token}")
    assert response.status_code == 404 and "fields" in response.get_json()


def test_post_comment_201_in_review_with_anchor_and_suggestion(app, client, auth):
    sid = _statement(client, auth, "review")
    token = _invite(client, auth, sid).get_json()["sign_url"].rsplit("/", 1)[1]
    response = client.post(f"/api/v1/invitations/{token}/comments",
                           json={"body": "Sharper?", "anchor": 1, "suggestion": "Two, sharper."})
    assert response.status_code == 201
    assert response.get_json()["anchor"] == 1
    response = client.post(f"/api/v1/invitations/{token}/comments", json={"body": "Overall ok"})
    assert response.status_code == 201
    with app.app_context():
        comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
        assert comments[0].anchor_text == "Two." and comments[0].suggestion == "Two, sharper."
        assert comments[1].anchor is None and comments[1].visibility == "private"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "x", "anchor": 7}, "anchor"),
        ({"body": "x", "anchor": "1"}, "anchor"),
        ({"body": "", "suggestion": "y"}, "anchor"),
        ({"body": "  "}, "body"),
        ({"anchor": 0}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "x", "visibility": "public"}, "visibility"),
    ],
)
def test_invalid_comment_is_4xx_naming_the_field(client, auth, body, field):
    sid = _statement(client, auth, "review")
    token = _invite(client, auth, sid).get_json()["sign_url"].rsplit("/", 1)[1]
    response = client.post(f"/api/v1/invitations/{token}/comments", json=body)
    assert 400 <= response.status_code < 500
    assert field in response.get_json()["fields"]


def test_comments_are_409_outside_review_unless_allowed_while_open(app, client, auth):
    sid = _statement(client, auth, None)
    token = _invite(client, auth, sid).get_json()["sign_url"].rsplit("/", 1)[1]
    assert client.post(f"/api/v1/invitations/{token}/comments",
                       json={"body": "x"}).status_code == 409
    client.post(f"/api/v1/statements/{sid}/state", headers=auth, json={"state": "open"})
    assert client.post(f"/api/v1/invitations/{token}/comments",
                       json={"body": "x"}).status_code == 409
    with app.app_context():
        db.session.get(Statement, sid).comments_when_open = True
        db.session.commit()
    assert client.post(f"/api/v1/invitations/{token}/comments",
                       json={"body": "x"}).status_code == 201


def test_openapi_documents_the_invitation_rows(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/statements/{id}/invitations"]
    assert "get" in paths["/statements/{id}/invitations"]
    assert paths["/invitations/{token}"]["get"]["security"] == []
    assert "requestBody" in paths["/invitations/{token}/comments"]["post"]
