"""Forwarded headers only from trusted proxies, and no lead page in any cache (issue 21,
part 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from coalition.models import User
from coalition.proxies import TrustedProxyFix, networks
from tests import factories
from tests.conftest import base_config
from tests.security.routes import API, LEAD, ROUTES, build_url, url_values
from tests.security.world import World, build_world

ATTACKER = "203.0.113.9"  # reaches the app directly, not through the proxy


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {**base_config(tmp_path), "PROXIES": 1, "RATELIMIT_ENABLED": True,
            "RATELIMIT_LOGIN": "3 per minute"}


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world()


def test_a_forged_forwarded_for_does_not_escape_the_login_limit(app: Flask, world: World):
    """Issue 21: with PROXIES=1, a new X-Forwarded-For per try gave 25 tries, all 200."""
    client = app.test_client()
    # A new account each try, so only the per-address limit can stop it (not the account's).
    codes = [
        client.post("/login", data={"email": f"guess{n}@example.org", "password": "wrong one"},
                    environ_base={"REMOTE_ADDR": ATTACKER},
                    headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(25)
    ]
    assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}


def test_the_proxy_on_loopback_still_names_each_visitor(app: Flask, world: World):
    client = app.test_client()  # connects from 127.0.0.1, as nginx on the same machine does
    for n in range(6):  # six visitors behind the proxy, two tries each: none is limited
        wrong = {"email": f"visitor{n}@example.org", "password": "not the password at all"}
        for _ in range(2):
            response = client.post("/login", data=wrong,
                                   headers={"X-Forwarded-For": f"198.51.100.{n}"})
            assert response.status_code == 200


def _echo(environ: dict[str, Any], start_response: Any) -> Any:
    request = Request(environ)
    seen = f"{request.remote_addr} {request.scheme} {request.host}"
    return Response(seen)(environ, start_response)


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "seen"),
    [
        (1, "127.0.0.1", "198.51.100.1", "198.51.100.1 https proxied.example"),
        (1, "::1", "198.51.100.1", "198.51.100.1 https proxied.example"),
        (1, "::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1 https proxied.example"),
        (1, ATTACKER, "198.51.100.1", f"{ATTACKER} http direct.example"),
        (2, "127.0.0.1", "198.51.100.1, 127.0.0.2", "198.51.100.1 https proxied.example"),
        # The inner hop is not ours: someone wrote it and reached the outer proxy directly.
        (2, "127.0.0.1", "198.51.100.1, 203.0.113.1", "127.0.0.1 http direct.example"),
    ],
)
def test_forwarded_headers_count_only_from_trusted_proxies(hops: int, remote: str,
                                                           forwarded: str, seen: str):
    app = TrustedProxyFix(_echo, hops, networks(["127.0.0.0/8", "::1"]))
    proto, host = ("https, https", "proxied.example, proxied.example") if hops == 2 else (
        "https", "proxied.example")
    response = Client(app).get("/", environ_base={"REMOTE_ADDR": remote}, headers={
        "Host": "direct.example", "X-Forwarded-For": forwarded,
        "X-Forwarded-Proto": proto, "X-Forwarded-Host": host})
    assert response.get_data(as_text=True) == seen


def test_trusted_proxies_setting_takes_a_list_or_a_string_and_refuses_nonsense(tmp_path: Path):
    assert [str(n) for n in networks("10.0.0.0/8, 192.0.2.1 ::1")] == [
        "10.0.0.0/8", "192.0.2.1/32", "::1/128"]
    with pytest.raises(ValueError, match="nginx"):
        networks(["127.0.0.1", "nginx"])
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        from coalition import create_app

        create_app({**base_config(tmp_path), "PROXIES": 1, "TRUSTED_PROXIES": "localhost"})


# --- Cache-Control -------------------------------------------------------------------------


def _lead_client(app: Flask, world: World) -> Any:
    client = app.test_client()
    with app.app_context():
        owner = app.extensions["sqlalchemy"].session.get(User, world.owner_id)
        factories.login(client, owner)
    return client


def test_every_lead_and_api_page_is_private_and_no_store(app: Flask, world: World):
    """Issue 21: /account, partners, signatories, outbox and activity sent no Cache-Control."""
    lead = _lead_client(app, world)
    checked = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        case = ROUTES.get(rule.endpoint)
        if case is None or case.access not in (LEAD, API) or "GET" not in (rule.methods or ()):
            continue
        url = build_url(rule, url_values(rule, world))
        headers = factories.bearer(world.bearer) if case.access == API else {}
        response = lead.get(url, headers=headers)
        response.close()
        if response.status_code != 200:
            continue
        checked.append(rule.endpoint)
        cache = response.headers.get("Cache-Control", "")
        if response.mimetype.startswith("image/"):
            assert "private" in cache, (url, cache)  # a logo may stay in this browser
        else:
            assert "private" in cache and "no-store" in cache, (url, cache)
    for page in ("accounts.account", "invitations.index", "invitations.outbox",
                 "signing.signatories", "drafting.activity"):
        assert page in checked, page


def test_a_public_page_is_private_for_a_logged_in_lead_only(app: Flask, world: World):
    url = f"/s/{world.slug}"
    anonymous = app.test_client().get(url)
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    seen_by_lead = _lead_client(app, world).get(url)  # names the lead's organisation
    assert seen_by_lead.status_code == 200
    assert seen_by_lead.headers["Cache-Control"] == "private, no-store"
    static = _lead_client(app, world).get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()
