"""CSRF: with protection on (as in production), a forged post to any HTML form is refused
with 400 and changes nothing; the API takes no cookies, so it needs no CSRF token and a
logged-in browser without a bearer token gets nothing from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Statement
from tests import factories
from tests.conftest import base_config
from tests.security.forms import CSRF_EXEMPT, FORM_ENDPOINTS, form_data
from tests.security.helpers import csrf_token, login_with_csrf, snapshot
from tests.security.routes import LEAD, PARTNER, PUBLIC, ROUTES, build_url, url_values
from tests.security.world import World, build_world


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {**base_config(tmp_path), "WTF_CSRF_ENABLED": True}


@pytest.fixture
def world(app: Flask) -> World:
    # Built in its own application context, then left: requests must not share `g`.
    with app.app_context():
        return build_world()


def _form_rules(app: Flask) -> list[Any]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or set()) and not rule.rule.startswith("/api/")
        ),
        key=lambda rule: rule.rule,
    )


def test_every_html_form_route_is_in_the_forms_table(app: Flask):
    endpoints = {rule.endpoint for rule in _form_rules(app)}
    missing = sorted(endpoints - FORM_ENDPOINTS - CSRF_EXEMPT)
    assert not missing, f"POST routes missing from tests/security/forms.py: {missing}"


class Visitors:
    """One browser per access rule, a second one of each (another session), and tokens."""

    def __init__(self, app: Flask, world: World) -> None:
        pages = {LEAD: "/statements/new", PARTNER: f"/i/{world.token}/sign", PUBLIC: "/login"}
        self.client: dict[str, FlaskClient] = {}
        self.token: dict[str, str] = {}
        self.foreign: dict[str, str] = {}
        for access, page in pages.items():
            mine, other = app.test_client(), app.test_client()
            if access == LEAD:
                login_with_csrf(mine, world.owner_email)
                login_with_csrf(other, world.owner_email)
            self.client[access] = mine
            self.token[access] = csrf_token(mine, page)
            self.foreign[access] = csrf_token(other, page)


def _targets(app: Flask, world: World) -> list[tuple[str, str, str, dict[str, str]]]:
    targets = []
    for rule in _form_rules(app):
        if rule.endpoint not in FORM_ENDPOINTS:
            continue
        access = ROUTES[rule.endpoint].access
        url = build_url(rule, url_values(rule, world))
        targets.append((access, rule.endpoint, url, form_data(rule.endpoint, world)))
    return targets


def test_forged_posts_are_refused_and_change_nothing(app: Flask, world: World):
    visitors = Visitors(app, world)
    targets = _targets(app, world)
    assert len(targets) >= len(FORM_ENDPOINTS)
    before = snapshot(app)
    failures = []
    for access, endpoint, url, data in targets:
        client = visitors.client[access]
        for label, extra in (
            ("no token", {}),
            ("another session's token", {"csrf_token": visitors.foreign[access]}),
            ("a made-up token", {"csrf_token": "IjEyMzQ1Njc4OTAi.forged.token"}),
        ):
            response = client.post(url, data={**data, **extra})
            if response.status_code != 400:
                failures.append(f"{endpoint} {url} with {label}: {response.status_code}")
    assert not failures, "\n".join(failures)
    after = snapshot(app)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"forged posts changed the tables {changed}"

    # The same posts with the session's own token pass the CSRF check: it alone refused them.
    order = {PARTNER: 0, PUBLIC: 1, LEAD: 2}
    targets.sort(key=lambda t: (order[t[0]], t[1] == "accounts.logout"))
    passed = []
    for access, endpoint, url, data in targets:
        response = visitors.client[access].post(
            url, data={**data, "csrf_token": visitors.token[access]}
        )
        if response.status_code == 400:
            failures.append(f"{endpoint} {url} refused with its own token")
        passed.append(endpoint)
    assert not failures, "\n".join(failures)
    assert snapshot(app) != after  # and they did change things


def test_csrf_refusal_is_a_friendly_page(app: Flask, world: World):
    client = app.test_client()
    response = client.post("/login", data={"email": world.owner_email,
                                           "password": factories.PASSWORD})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<html" in page and "Traceback" not in page
    assert client.get("/").status_code == 302  # not logged in


def test_api_ignores_the_session_and_needs_no_csrf_token(app: Flask, world: World):
    browser = app.test_client()
    login_with_csrf(browser, world.owner_email)
    assert browser.get("/").status_code == 200  # the cookie does log the browser in
    body = {"title": "Made through the API", "body": "Text."}
    with_cookie = browser.post("/api/v1/statements", json=body)
    assert with_cookie.status_code == 401
    assert with_cookie.is_json and "error" in with_cookie.get_json()
    assert browser.get(f"/api/v1/statements/{world.statement_id}").status_code == 401

    def made() -> int:
        with app.app_context():
            return int(db.session.scalar(
                select(func.count(Statement.id)).where(Statement.title == body["title"])
            ) or 0)

    assert made() == 0
    # A bearer token needs no CSRF token: no browser sends it by itself.
    with_token = app.test_client().post(
        "/api/v1/statements", json=body, headers=factories.bearer(world.bearer)
    )
    assert with_token.status_code == 201
    assert made() == 1
