"""Browser security: Content-Security-Policy without inline script, framing refused except
for the embeddable fragment, Referrer-Policy, nosniff, HSTS and Secure cookies over HTTPS,
HttpOnly and SameSite=Lax session cookies, and a session that a planted cookie cannot
take over at login."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from coalition import create_app
from coalition.domain import exports
from coalition.extensions import db
from coalition.models import User
from tests import factories
from tests.conftest import base_config
from tests.security.helpers import csrf_token, login_with_csrf
from tests.security.world import World, build_world


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        return build_world()


def csp(response: TestResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [values]}."""
    policy: dict[str, list[str]] = {}
    for part in response.headers.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            policy[words[0].lower()] = words[1:]
    return policy


class _Scripts(HTMLParser):
    """Inline scripts and event-handler attributes: what a CSP without 'unsafe-inline' blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_script = True
        self.inline += [f"<{tag} {n}=...>" for n in names if n.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append(f"<script>{data.strip()[:40]}</script>")


def _pages(world: World) -> dict[str, str]:
    return {
        "login": "/login",
        "public statement": f"/s/{world.slug}",
        "partner": f"/i/{world.token}",
        "sign form": f"/i/{world.token}/sign",
        "open sign-on": f"/open/{world.open_token}",
        "public export": f"/s/{world.slug}.html",
        "not found": "/s/no-such-statement",
        "API": f"/api/v1/invitations/{world.token}",
    }


LEAD_PAGES = ("/", "/statements/{id}", "/statements/{id}/edit", "/statements/{id}/comments",
              "/statements/{id}/signatories", "/statements/{id}/publish", "/account")


def test_every_page_forbids_inline_script_framing_and_sniffing(app: Flask, world: World):
    anonymous, lead = app.test_client(), app.test_client()
    with app.app_context():
        owner = db.session.get(User, world.owner_id)
        assert owner is not None
        factories.login(lead, owner)
    responses = {name: anonymous.get(url) for name, url in _pages(world).items()}
    for url in LEAD_PAGES:
        responses[url] = lead.get(url.format(id=world.statement_id))
    for name, response in responses.items():
        assert response.status_code in (200, 404), name
        policy = csp(response)
        scripts = policy.get("script-src", policy.get("default-src"))
        assert scripts, name
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, name
        assert not any(s.startswith(("http:", "https:", "*", "data:")) for s in scripts), name
        # object-src falls back to default-src (the standalone export says 'none' for all).
        assert policy.get("object-src", policy.get("default-src")) == ["'none'"], name
        assert policy["base-uri"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert response.headers["X-Frame-Options"] == "DENY", name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer"), name
        assert "Strict-Transport-Security" not in response.headers  # plain http in tests
        if response.mimetype == "text/html":
            parser = _Scripts()
            parser.feed(response.get_data(as_text=True))
            assert not parser.inline, (name, parser.inline)


@pytest.mark.parametrize("path", ["/s/{slug}/embed", "/s/{slug}/editions/1/embed"])
def test_only_the_embeddable_fragment_may_be_framed(app: Flask, world: World, path: str):
    response = app.test_client().get(path.format(slug=world.slug))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    policy = csp(response)
    assert policy["frame-ancestors"] == ["*"]
    assert policy.get("script-src", policy["default-src"]) == ["'none'"]  # no script at all
    body = response.get_data(as_text=True)
    assert "<script" not in body.lower() and "<html" not in body.lower()


@pytest.mark.parametrize("path", ["/s/{slug}/frame", "/s/{slug}/editions/1/frame"])
def test_the_embed_frame_runs_its_own_script_only(app: Flask, world: World, path: str):
    """The frame page may be framed and runs one script: the height report, by its hash."""
    response = app.test_client().get(path.format(slug=world.slug))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    policy = csp(response)
    assert policy["frame-ancestors"] == ["*"]
    assert policy["script-src"] == [exports.FRAME_SCRIPT_CSP]
    assert policy["default-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    parser = _Scripts()
    parser.feed(response.get_data(as_text=True))
    assert parser.inline == [f"<script>{exports.FRAME_SCRIPT.strip()[:40]}</script>"]


def _cookie(response: TestResponse, name: str = "session") -> str:
    found = [v for v in response.headers.getlist("Set-Cookie") if v.startswith(f"{name}=")]
    assert found, response.headers.getlist("Set-Cookie")
    return found[-1]


def _flags(cookie: str) -> set[str]:
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_session_cookie_is_httponly_and_samesite_lax(app: Flask, world: World):
    client = app.test_client()
    response = client.post("/login", data={"email": world.owner_email,
                                           "password": factories.PASSWORD})
    flags = _flags(_cookie(response))
    assert "httponly" in flags and "samesite=lax" in flags
    assert "secure" not in flags  # tests run over plain http


def _app(tmp_path: Path, **settings: Any) -> Flask:
    config = {**base_config(tmp_path), **settings}
    for key, value in list(config.items()):
        if value is None:
            del config[key]
    made = create_app(config)
    with made.app_context():
        db.create_all()
        factories.user(email="https@example.org")
    return made


@pytest.mark.parametrize(
    ("settings", "secure"),
    [
        ({"HTTPS": True}, True),
        ({"TESTING": None}, True),  # production: HTTPS unless told otherwise
        ({"TESTING": None, "DEBUG": True}, False),  # `flask run --debug` over http
        ({"TESTING": None, "HTTPS": False}, False),  # the local trial's instance config
    ],
)
def test_hsts_and_secure_cookies_over_https(tmp_path: Path, settings: dict[str, Any],
                                            secure: bool):
    if "COALITION_TEST_DATABASE_URL" in __import__("os").environ:
        pytest.skip("makes its own SQLite database")
    made = _app(tmp_path, **settings)
    client = made.test_client()
    response = client.post("/login", data={"email": "https@example.org",
                                           "password": factories.PASSWORD},
                           base_url="https://coalition.test")
    assert response.status_code == 302
    flags = _flags(_cookie(response))
    assert ("secure" in flags) is secure
    assert "httponly" in flags and "samesite=lax" in flags
    page = client.get("/login", base_url="https://coalition.test")
    hsts = page.headers.get("Strict-Transport-Security", "")
    if secure:
        assert "max-age=31536000" in hsts
    else:
        assert not hsts


def test_the_built_in_secret_is_refused_in_production(tmp_path: Path):
    config = {**base_config(tmp_path), "SECRET_KEY": "dev-insecure-change-me"}
    del config["TESTING"]
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


class TestSessionFixation:
    @pytest.fixture
    def app_config(self, tmp_path: Path) -> dict[str, Any]:
        return {**base_config(tmp_path), "WTF_CSRF_ENABLED": True}

    def test_a_cookie_planted_before_login_does_not_log_anyone_in(
        self, app: Flask, world: World
    ):
        victim = app.test_client()
        csrf_token(victim, "/login")  # the login page gives the browser a session cookie
        planted = victim.get_cookie("session", domain="coalition.test")
        assert planted is not None
        login_with_csrf(victim, world.owner_email)
        after = victim.get_cookie("session", domain="coalition.test")
        assert after is not None and after.value != planted.value  # a new session identifier
        assert victim.get("/").status_code == 200

        attacker = app.test_client()
        attacker.set_cookie("session", planted.value, domain="coalition.test")
        response = attacker.get("/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]

    def test_logout_ends_the_session_everywhere(self, app: Flask, world: World):
        browser = app.test_client()
        login_with_csrf(browser, world.owner_email)
        copied = browser.get_cookie("session", domain="coalition.test")
        assert copied is not None
        token = csrf_token(browser, "/statements/new")
        assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
        thief = app.test_client()
        thief.set_cookie("session", copied.value, domain="coalition.test")
        assert thief.get("/").status_code == 302


def _token_pages(app: Flask, world: World) -> dict[str, str]:
    """Every page (GET, HTML or JSON) whose address carries a token, filled from the world."""
    from tests.security.routes import build_url, url_values

    pages: dict[str, str] = {}
    for rule in app.url_map.iter_rules():
        if "token" not in rule.arguments or "GET" not in (rule.methods or set()):
            continue
        if rule.endpoint.endswith("logo"):  # an image, not a page
            continue
        pages[rule.endpoint] = build_url(rule, url_values(rule, world))
    return pages


def test_every_page_reached_by_a_token_is_noindex_and_no_store(app: Flask, world: World):
    """Issue 24, point 12: /i/<token>/sign had neither, while /i/<token> had them."""
    client = app.test_client()
    pages = _token_pages(app, world)
    assert "signing.sign" in pages and "invitations.partner_page" in pages
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert "noindex" in response.headers.get("X-Robots-Tag", ""), name
        cache = response.headers.get("Cache-Control", "")
        assert "no-store" in cache and "private" in cache, (name, cache)
        body = response.get_data(as_text=True)
        if response.mimetype == "text/html" and '<main id="main"' in body:  # a page, not a file
            assert '<meta name="robots" content="noindex' in body, name
