"""The co-leads' API (issue 17): invite, list, remove, sign off, roles; refusals."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.coleads import services as coleads
from coalition.extensions import db
from coalition.models import Statement, User
from tests import factories


@pytest.fixture
def two(app: Flask) -> dict[str, Any]:
    """An open statement of Rights Watch co-led by Centre for Rights, with tokens."""
    with app.app_context():
        lead = factories.user("Rights Watch")
        made = factories.statement(lead, state="open")
        co = factories.co_lead(lead, made, "Centre for Rights", email="boss@centre.example")
        viewer = factories.colleague(lead, "viewer")
        co_viewer = factories.colleague(co, "viewer")
        return {
            "id": made.id,
            "lead": factories.bearer(factories.token(lead)),
            "co": factories.bearer(factories.token(co)),
            "viewer": factories.bearer(factories.token(viewer)),
            "co_viewer": factories.bearer(factories.token(co_viewer)),
            "row": coleads.active(made)[0].id,
        }


def test_list_names_conveners_and_sign_offs(client: FlaskClient, two: dict[str, Any]) -> None:
    for who in ("lead", "co", "viewer", "co_viewer"):
        answer = client.get(f"/api/v1/statements/{two['id']}/co-leads", headers=two[who])
        assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["conveners"] == ["Rights Watch", "Centre for Rights"]
    assert data["co_leads"][0]["status"] == "active"
    assert data["sign_offs"][0] == {"organisation": "Centre for Rights", "approved": False,
                                    "revision": None, "sha256": None, "by": None, "at": None}


def test_invite_answers_201_with_the_accept_url(app: Flask, client: FlaskClient,
                                                two: dict[str, Any]) -> None:
    answer = client.post(f"/api/v1/statements/{two['id']}/co-leads",
                         json={"email": "third@third.example"}, headers=two["lead"])
    assert answer.status_code == 201, answer.get_json()
    token = answer.get_json()["accept_url"].rsplit("/", 1)[1]
    page = client.get(f"/co-lead/{token}")
    assert page.status_code == 200 and "Create the account" in page.get_data(as_text=True)
    again = client.post(f"/api/v1/statements/{two['id']}/co-leads",
                        json={"email": "third@third.example"}, headers=two["lead"])
    assert again.status_code == 409


@pytest.mark.parametrize("who", ["co", "viewer", "co_viewer"])
def test_only_the_lead_invites_removes_and_publishes(client: FlaskClient, two: dict[str, Any],
                                                     who: str) -> None:
    base = f"/api/v1/statements/{two['id']}"
    assert client.post(f"{base}/co-leads", json={"email": "x@x.example"},
                       headers=two[who]).status_code == 403
    assert client.delete(f"{base}/co-leads/{two['row']}", headers=two[who]).status_code == 403
    assert client.post(f"{base}/publish", json={}, headers=two[who]).status_code == 403


@pytest.mark.parametrize("who", ["viewer", "co_viewer"])
def test_viewers_change_nothing_through_the_api(client: FlaskClient, two: dict[str, Any],
                                                who: str) -> None:
    base = f"/api/v1/statements/{two['id']}"
    for path, body in [
        ("/revisions", {"body": "Changed.", "base_revision": 1}),
        ("/invitations", {"organisation": "P", "email": "p@p.example"}),
        ("/state", {"state": "closed"}),
        ("/sign-off", {}),
    ]:
        answer = client.post(base + path, json=body, headers=two[who])
        assert answer.status_code == 403, (path, answer.get_json())
        assert "error" in answer.get_json()
    assert client.post("/api/v1/statements", json={"title": "T", "body": "B"},
                       headers=two[who]).status_code == 403


def test_sign_off_then_publish(app: Flask, client: FlaskClient, two: dict[str, Any]) -> None:
    base = f"/api/v1/statements/{two['id']}"
    with app.app_context():
        made = db.session.get(Statement, two["id"])
        lead = db.session.scalar(select(User).where(User.organisation_id == made.organisation_id,
                                                    User.role == "admin"))
        coleads.set_required(lead, made, True)
        db.session.commit()
    refused = client.post(f"{base}/publish", json={}, headers=two["lead"])
    assert refused.status_code == 409
    assert refused.get_json()["awaiting_sign_off"] == ["Centre for Rights"]
    assert set(refused.get_json()) >= {"error", "awaiting_sign_off"}
    assert client.post(f"{base}/sign-off", json={"revision": 2},
                       headers=two["co"]).status_code == 409
    assert client.post(f"{base}/sign-off", json={}, headers=two["lead"]).status_code == 409
    made_off = client.post(f"{base}/sign-off", json={"revision": 1}, headers=two["co"])
    assert made_off.status_code == 201, made_off.get_json()
    assert made_off.get_json()["organisation"] == "Centre for Rights"
    listed = client.get(f"{base}/co-leads", headers=two["lead"]).get_json()
    assert listed["sign_offs"][0]["approved"] is True
    assert listed["sign_offs"][0]["sha256"] == made_off.get_json()["sha256"]
    published = client.post(f"{base}/publish", json={}, headers=two["lead"])
    assert published.status_code == 200, published.get_json()


def test_removed_co_lead_is_refused_everything(client: FlaskClient, two: dict[str, Any]) -> None:
    base = f"/api/v1/statements/{two['id']}"
    removed = client.delete(f"{base}/co-leads/{two['row']}", headers=two["lead"])
    assert removed.status_code == 200
    assert removed.get_json()["co_leads"][0]["status"] == "removed"
    assert client.get(base, headers=two["co"]).status_code == 404
    assert client.post(f"{base}/revisions", json={"body": "x", "base_revision": 1},
                       headers=two["co"]).status_code == 404
    assert client.post(f"{base}/sign-off", json={}, headers=two["co"]).status_code == 404


def test_members_and_colleague_invitation(client: FlaskClient, two: dict[str, Any]) -> None:
    members = client.get("/api/v1/organisation/members", headers=two["lead"]).get_json()
    assert {m["role"] for m in members["members"]} == {"admin", "viewer"}
    made = client.post("/api/v1/organisation/colleagues",
                       json={"email": "new@rights.example", "role": "viewer"},
                       headers=two["lead"])
    assert made.status_code == 201 and made.get_json()["role"] == "viewer"
    assert client.post("/api/v1/organisation/colleagues", json={"email": "a@b.example"},
                       headers=two["viewer"]).status_code == 403
    assert client.post("/api/v1/organisation/colleagues",
                       json={"email": "c@b.example", "role": "admin"},
                       headers=two["lead"]).status_code == 422
