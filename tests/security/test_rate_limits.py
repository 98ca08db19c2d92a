"""Rate limits (Flask-Limiter), keyed by what they protect: login and password reset
requests per address and per account; routes reached with an invitation token (signing by
form and by API, comments, declining) per invitation, never per address; open sign-on per
address and per e-mail domain. Past the limit the answer is a friendly 429 page, or JSON
under /api/. Storage is in memory by default, Redis when RATELIMIT_STORAGE_URI says
redis://; if Redis is down, limits go on in memory rather than failing the request."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from coalition import create_app
from coalition.extensions import db, limiter
from coalition.models import Signature
from tests import factories
from tests.conftest import base_config
from tests.security.world import World, build_world

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_LOGIN": "3 per minute",
    "RATELIMIT_SIGN": "2 per minute",
    "RATELIMIT_OPEN_SIGNON": "2 per hour",
}


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {**base_config(tmp_path), **LIMITS}


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world()


def _friendly(response: Any) -> None:
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page and "Traceback" not in page
    assert "<html" in page  # the site's own page, not a bare error


def test_login_is_limited_per_address(app: Flask, world: World):
    client = app.test_client()
    wrong = {"email": world.owner_email, "password": "not the password at all"}
    codes = [client.post("/login", data=wrong).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    _friendly(client.post("/login", data=wrong))
    # Even the right password waits: a guesser cannot tell when it found it.
    right = {"email": world.owner_email, "password": factories.PASSWORD}
    _friendly(client.post("/login", data=right))
    assert client.get("/login").status_code == 200  # reading the page is not limited
    # Another account from another address is not held up by this one.
    other = app.test_client()
    with app.app_context():
        factories.user(email="second@lead.example")
    right_second = {"email": "second@lead.example", "password": factories.PASSWORD}
    response = other.post("/login", data=right_second, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302


def test_login_is_limited_per_account_from_any_address(app: Flask, world: World):
    wrong = {"email": world.owner_email, "password": "not the password at all"}
    codes = [
        app.test_client().post("/login", data=wrong,
                               environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code
        for n in range(1, 5)
    ]
    # A guesser spreading its tries over many addresses still gets three per minute.
    assert codes == [200, 200, 200, 429]


def test_password_reset_requests_are_limited(app: Flask, world: World):
    client = app.test_client()
    for _ in range(3):
        assert client.post("/password/forgot", data={"email": world.owner_email}).status_code == 200
    _friendly(client.post("/password/forgot", data={"email": world.owner_email}))


def _live(app: Flask, statement_id: int) -> int:
    with app.app_context():
        return int(db.session.scalar(
            select(func.count(Signature.id)).where(
                Signature.statement_id == statement_id, Signature.status == "live")
        ) or 0)


def test_signing_by_form_is_limited(app: Flask, world: World):
    client = app.test_client()
    data = {"name": "Partner One Org", "kind": "organisation", "country": "FR",
            "signer_name": "", "signer_email": ""}
    codes = [client.post(f"/i/{world.token}/sign", data=data).status_code for _ in range(2)]
    assert 429 not in codes
    before = _live(app, world.statement_id)
    _friendly(client.post(f"/i/{world.token}/sign", data=data))
    assert _live(app, world.statement_id) == before
    assert client.get(f"/i/{world.token}/sign").status_code == 200


def test_signing_by_api_is_limited_with_a_json_answer(app: Flask, world: World):
    client = app.test_client()
    url = f"/api/v1/invitations/{world.token}/signature"
    body = {"name": "Partner One Org", "signer_name": "S", "signer_email": "s@example.org"}
    assert [client.post(url, json=body).status_code for _ in range(2)] == [200, 200]
    response = client.post(url, json=body)
    assert response.status_code == 429
    assert response.is_json and "Too many requests" in response.get_json()["error"]
    # Withdrawing has its own budget, limited the same way.
    assert [client.delete(url).status_code for _ in range(3)] == [200, 409, 429]


def test_open_signon_is_limited(app: Flask, world: World):
    client = app.test_client()
    data = {"name": "Burst Org {}", "kind": "organisation", "signer_name": "Someone",
            "signer_email": "someone@burst.example", "website": "burst.example",
            "country": ""}
    codes = [client.post(f"/open/{world.open_token}",
                         data={**data, "name": f"Burst Org {n}"}).status_code for n in range(2)]
    assert 429 not in codes
    _friendly(client.post(f"/open/{world.open_token}", data={**data, "name": "Burst Org 9"}))


def test_open_signon_is_limited_per_email_domain(app: Flask, world: World):
    data = {"kind": "organisation", "signer_name": "Someone", "website": "burst.example",
            "country": ""}
    codes = [
        app.test_client().post(
            f"/open/{world.open_token}",
            data={**data, "name": f"Burst Org {n}", "signer_email": f"s{n}@Burst.example"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
        ).status_code
        for n in range(1, 4)
    ]
    assert codes[:2] == [200, 200]
    assert codes[2] == 429  # same domain, whatever the address
    # Another domain from yet another address is not held up.
    response = app.test_client().post(
        f"/open/{world.open_token}",
        data={**data, "name": "Calm Org", "signer_email": "s@calm.example"},
        environ_base={"REMOTE_ADDR": "198.51.100.99"},
    )
    assert response.status_code == 200


def test_comments_and_declines_are_limited_per_invitation(app: Flask, world: World):
    client = app.test_client()
    url = f"/api/v1/invitations/{world.token}/comments"
    codes = [client.post(url, json={"body": f"Comment {n}"}).status_code for n in range(3)]
    assert codes[2] == 429 and 429 not in codes[:2]
    decline = [client.post(f"/i/{world.token}/decline", data={"reason": "no"}).status_code
               for _ in range(3)]
    assert decline[2] == 429 and 429 not in decline[:2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(bool(os.environ.get("COALITION_TEST_DATABASE_URL")),
                    reason="makes its own SQLite database")
def test_a_redis_url_selects_redis_storage_and_survives_redis_being_down(tmp_path: Path):
    pytest.importorskip("redis", reason="pip install 'coalition[redis]'")
    url = f"redis://127.0.0.1:{_closed_port()}/0"  # nothing listens there
    made = create_app({**base_config(tmp_path), **LIMITS, "RATELIMIT_STORAGE_URI": url})
    assert type(limiter.storage).__name__ == "RedisStorage"
    with made.app_context():
        db.create_all()
        email = factories.user().email
    client = made.test_client()
    wrong = {"email": email, "password": "not the password at all"}
    try:
        codes = [client.post("/login", data=wrong).status_code for _ in range(4)]
    finally:
        # The extension is one object for every app made in this process: forget that its
        # storage died, or the next app would count in memory too.
        limiter._storage_dead = False
    # Redis is unreachable: the limits go on in this process's memory, with no 500.
    assert codes == [200, 200, 200, 429]


@pytest.mark.skipif(not os.environ.get("COALITION_TEST_REDIS_URL"),
                    reason="set COALITION_TEST_REDIS_URL=redis://... to run against Redis")
def test_limits_are_shared_through_redis(tmp_path: Path):
    """Two apps (as two gunicorn workers) count against one budget in Redis."""
    settings = {**base_config(tmp_path), **LIMITS,
                "RATELIMIT_STORAGE_URI": os.environ["COALITION_TEST_REDIS_URL"]}
    first = create_app(settings)
    limiter.reset()
    with first.app_context():
        db.create_all()
        email = factories.user().email
    wrong = {"email": email, "password": "not the password at all"}
    codes = [first.test_client().post("/login", data=wrong).status_code for _ in range(3)]
    second = create_app(settings)
    codes.append(second.test_client().post("/login", data=wrong).status_code)
    assert codes == [200, 200, 200, 429]
