"""HTTP rules every route keeps: a 405 names the allowed methods (Allow), an id too large for
the database is not found on every method, and absolute addresses in answers follow one rule."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from coalition.config import Defaults
from coalition.security import MAX_URL_INT, BoundedIntegerConverter
from tests import factories

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _value(rule: Rule, name: str, number: int) -> Any:
    converter = rule._converters[name]  # type: ignore[attr-defined]
    if isinstance(converter, BoundedIntegerConverter):
        return number
    choices = re.fullmatch(r"\(\?:([^()]*)\)", converter.regex)
    return choices.group(1).split("|")[0] if choices else "x"


def _path(rule: Rule, number: int) -> str:
    values = {
        name: _value(rule, name, number)
        for name in rule.arguments
        if name not in (rule.defaults or {})
    }
    _, path = rule.build(values, append_unknown=False)  # type: ignore[misc]
    return str(path)


def _allowed(app: Flask, path: str) -> set[str]:
    """Every method some rule serves at `path` (several rules may share a path)."""
    adapter = app.url_map.bind("coalition.test")
    return {
        method for method in METHODS if adapter.test(path, method=method)
    }


def _int_rules(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, BoundedIntegerConverter) for c in rule._converters.values())  # type: ignore[attr-defined]
    ]


def test_every_405_names_the_allowed_methods(app: Flask, client: FlaskClient):
    checked = 0
    for rule in app.url_map.iter_rules():
        path = _path(rule, 1) if rule.arguments else rule.rule
        allowed = _allowed(app, path)
        for method in sorted(set(METHODS) - allowed):
            response = client.open(path, method=method)
            assert response.status_code == 405, (method, path, response.status_code)
            named = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            assert allowed <= named, (method, path, response.headers.get("Allow"))
            checked += 1
    assert checked > 100


def test_a_405_on_the_api_is_json_with_allow(client: FlaskClient):
    response = client.delete("/api/v1/statements")
    assert response.status_code == 405
    assert response.get_json() == {"error": "Method not allowed.", "fields": {}}
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("number", [MAX_URL_INT + 1, 2**63, 10**30])
def test_ids_too_large_for_the_database_are_not_found_on_every_route(
    app: Flask, client: FlaskClient, number: int
):
    with app.app_context():
        lead = factories.user()
        auth = factories.bearer(factories.token(lead))
    for rule in _int_rules(app):
        path = _path(rule, number)
        for method in sorted((rule.methods or set()) & set(METHODS)):
            response = client.open(path, method=method, headers=auth, json={})
            assert response.status_code == 404, (method, path, response.status_code)


def test_the_largest_id_the_database_holds_is_looked_up(app: Flask, client: FlaskClient):
    with app.app_context():
        auth = factories.bearer(factories.token(factories.user()))
    for path in ("/api/v1/statements/2147483647/revisions", "/api/v1/statements/2147483647"):
        response = client.get(path, headers=auth)
        assert response.status_code == 404
        assert response.get_json()["fields"] == {"id": "not found"}  # the view said so


@pytest.fixture
def default_base_url(app_config: dict[str, Any]) -> dict[str, Any]:
    app_config["BASE_URL"] = Defaults.BASE_URL
    return app_config


def _publish_with_invitation(client: FlaskClient, auth: dict[str, str]) -> tuple[str, str]:
    created = client.post(
        "/api/v1/statements", json={"title": "One rule", "body": "Text."}, headers=auth
    ).get_json()
    sid = created["id"]
    invited = client.post(
        f"/api/v1/statements/{sid}/invitations",
        json={"organisation": "Partner", "email": "p@partner.example"},
        headers=auth,
    ).get_json()
    assert client.post(f"/api/v1/statements/{sid}/state", json={"state": "open"},
                       headers=auth).status_code == 200
    published = client.post(f"/api/v1/statements/{sid}/publish", json={}, headers=auth)
    assert published.status_code == 200, published.get_json()
    return invited["sign_url"], published.get_json()["url"]


def test_absolute_urls_follow_the_request_host_when_base_url_is_the_default(
    default_base_url: dict[str, Any], app: Flask, client: FlaskClient
):
    with app.app_context():
        auth = factories.bearer(factories.token(factories.user()))
    sign_url, url = _publish_with_invitation(client, auth)
    assert sign_url.startswith("http://coalition.test/i/")
    assert url == "http://coalition.test/s/one-rule"


def test_absolute_urls_use_base_url_when_the_deployment_sets_it(
    app_config: dict[str, Any], app: Flask, client: FlaskClient
):
    app.config["BASE_URL"] = "https://statements.example.org/"
    with app.app_context():
        auth = factories.bearer(factories.token(factories.user()))
    sign_url, url = _publish_with_invitation(client, auth)
    assert sign_url.startswith("https://statements.example.org/i/")
    assert url == "https://statements.example.org/s/one-rule"
