"""Every API route, with arbitrary JSON (wrong types, nested objects, huge strings), raw
bodies that are not JSON, and arbitrary tokens and numbers in the path: never a 5xx, and
when a request is refused not one row is added anywhere."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests import factories
from tests.fuzz.conftest import (
    EXAMPLES,
    SLOW_EXAMPLES,
    Fuzz,
    deep_json,
    hostile_text,
    json_values,
    query_text,
)
from tests.security.helpers import row_counts
from tests.security.routes import API, ROUTES, build_url, url_values

# The fields each schema names, so fuzzed bodies reach past "unknown field".
FIELDS = {
    "api.create_statement": ["title", "body", "language"],
    "api.create_revision": ["title", "body", "base_revision", "note", "substantive"],
    "api.change_state": ["state", "sign_deadline"],
    "api.create_invitation": ["organisation", "email", "message"],
    "api.publish": ["date", "note", "exclude_outstanding"],
    "api.create_comment": ["body", "anchor", "suggestion", "visibility"],
    "api.put_signature": ["name", "signer_name", "signer_email", "country", "kind",
                          "affiliation", "signer_role"],
}


def _api_rules(fuzz: Fuzz) -> list[tuple[Rule, str]]:
    return sorted(
        ((rule, method) for rule in fuzz.app.url_map.iter_rules()
         if rule.rule.startswith("/api/")
         for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})),
        key=lambda pair: (pair[0].rule, pair[1]),
    )


def bodies(endpoint: str) -> st.SearchStrategy[bytes]:
    names = FIELDS.get(endpoint, [])
    shaped = st.builds(
        lambda chosen: {k: v for k, v in chosen.items() if v is not None},
        st.fixed_dictionaries({name: st.one_of(st.none(), json_values()) for name in names}),
    )
    as_json = st.one_of(shaped, json_values()).map(
        lambda value: json.dumps(value, allow_nan=True).encode())
    raw = st.one_of(st.binary(max_size=200), hostile_text().map(
        lambda text: text.encode("utf-8", "surrogatepass")))
    return st.one_of(as_json, as_json, raw, deep_json())


def path_values(rule: Rule) -> st.SearchStrategy[dict[str, Any]]:
    """Arbitrary tokens, languages and (possibly huge) numbers for the rule's parameters."""
    choices: dict[str, st.SearchStrategy[Any]] = {}
    for name in rule.arguments:
        if name in ("statement_id", "number"):
            choices[name] = st.integers(min_value=0, max_value=2**80)
        elif name in ("token", "lang"):
            choices[name] = st.text(min_size=1, max_size=300).filter(lambda t: t not in ".")
    return st.fixed_dictionaries({k: st.one_of(st.none(), v) for k, v in choices.items()})


def _call(fuzz: Fuzz, rule: Rule, method: str, path: dict[str, Any], body: bytes,
          query: str) -> None:
    values = url_values(rule, fuzz.world)
    for name, value in path.items():
        if value is not None:
            values[name] = value
    url = build_url(rule, {k: quote(str(v), safe="") if isinstance(v, str) else v
                           for k, v in values.items()}).replace("%25", "%")
    headers = factories.bearer(fuzz.world.bearer) if ROUTES[rule.endpoint].access == API else {}
    before = row_counts(fuzz.app)
    response = fuzz.public.open(url + query, method=method, data=body, headers=headers,
                                content_type="application/json")
    status = response.status_code
    assert status < 500, f"{method} {url}{query} answered {status} to {body[:200]!r}"
    if status >= 400:
        assert response.is_json and "error" in response.get_json(), (method, url, status)
        assert row_counts(fuzz.app) == before, f"{method} {url}: refused ({status}), rows saved"


# Every API route (test_security.py makes sure the table names them all).
ENDPOINTS = sorted(e for e in ROUTES if e.startswith("api."))


def _run(fuzz: Fuzz, endpoint: str, data: st.DataObject) -> None:
    pairs = [(rule, method) for rule, method in _api_rules(fuzz) if rule.endpoint == endpoint]
    rule, method = data.draw(st.sampled_from(pairs), label="route")
    path = data.draw(path_values(rule), label="path")
    body = data.draw(bodies(rule.endpoint), label="body") if method != "GET" else b""
    query = data.draw(st.one_of(st.just(""), st.builds(
        lambda a, b: f"?from={quote(a)}&to={quote(b)}", hostile_text(), hostile_text()),
        st.builds(lambda a: f"?from={quote(a, safe='')}", query_text()),
        st.builds(lambda a, b: f"?from={a}&to={b}", st.integers(0, 2**80),
                  st.integers(0, 2**80))), label="query")
    _call(fuzz, rule, method, path, body, query)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_api_survives_hostile_requests(fuzz: Fuzz, endpoint: str, data: st.DataObject):
    _run(fuzz, endpoint, data)


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(max_examples=SLOW_EXAMPLES)
@given(data=st.data())
def test_api_survives_hostile_requests_at_length(
    fuzz: Fuzz, endpoint: str, data: st.DataObject
):
    _run(fuzz, endpoint, data)


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_numbers_too_large_for_the_database_are_not_found(fuzz: Fuzz, number: int):
    headers = factories.bearer(fuzz.world.bearer)
    for url in (f"/api/v1/statements/{number}", f"/statements/{number}",
                f"/s/{fuzz.world.slug}/editions/{number}",
                f"/api/v1/statements/{fuzz.world.statement_id}/revisions/{number}",
                f"/api/v1/statements/{fuzz.world.statement_id}/diff?from={number}&to=1"):
        client = fuzz.lead if url.startswith("/statements") else fuzz.public
        response = client.get(url, headers=headers)
        assert response.status_code in (404, 422), (url, response.status_code)
