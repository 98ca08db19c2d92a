"""Hostile values in every URL parameter of every route (slugs, tokens, languages, formats,
numbers): never a 5xx, whoever asks."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests import factories
from tests.fuzz.conftest import EXAMPLES, Fuzz, query_text
from tests.security.routes import API, LEAD, PARTNER, ROUTES, build_url, url_values

NASTY = ["\x00", "a\x00b", "%00", "..", "../../etc/passwd", "x" * 5000, "é" * 300,
         "<script>alert(1)</script>", "' OR '1'='1", "🏳️‍🌈", " ", "\u202e", "NaN", "-1",
         "0" * 40, "%", "%%", "\\", "null", "\r\nSet-Cookie: x=1", "/\r\nX:1", "/\\evil.example"]
# The default run tries these; the slow run tries every NASTY value.
FEW = ["a\x00b", "x" * 5000, "%%", "<script>alert(1)</script>", "\r\nSet-Cookie: x=1"]
STRING_PARAMETERS = ("slug", "token", "language", "lang")


def _rules(fuzz: Fuzz) -> list[Rule]:
    return sorted(
        (r for r in fuzz.app.url_map.iter_rules()
         if "GET" in (r.methods or set()) and r.endpoint in ROUTES
         and any(p in r.arguments for p in STRING_PARAMETERS)),
        key=lambda r: r.rule,
    )


def _get(fuzz: Fuzz, rule: Rule, name: str, value: str) -> None:
    case = ROUTES[rule.endpoint]
    values = url_values(rule, fuzz.world)
    url = build_url(rule, {**values, name: "PLACEHOLDER"}).replace(
        "PLACEHOLDER", quote(value, safe=""))
    client = {LEAD: fuzz.lead, PARTNER: fuzz.partner}.get(case.access, fuzz.public)
    headers = factories.bearer(fuzz.world.bearer) if case.access == API else {}
    response = client.get(url, headers=headers)
    status = response.status_code
    response.close()
    assert status < 500, f"GET {url[:200]} answered {status}"


def _values(few: list[str]) -> list[object]:
    return [
        pytest.param(v, id=f"value{n}", marks=() if v in few else pytest.mark.slow)
        for n, v in enumerate(NASTY + [v for v in few if v not in NASTY])
    ]


@pytest.mark.parametrize("value", _values(FEW))
def test_nasty_path_values_never_fail(fuzz: Fuzz, value: str):
    for rule in _rules(fuzz):
        for name in STRING_PARAMETERS:
            if name in rule.arguments:
                _get(fuzz, rule, name, value)


@settings(max_examples=EXAMPLES * 5)
@given(data=st.data())
def test_arbitrary_path_values_never_fail(fuzz: Fuzz, data: st.DataObject):
    rule = data.draw(st.sampled_from(_rules(fuzz)), label="route")
    names = [n for n in STRING_PARAMETERS if n in rule.arguments]
    name = data.draw(st.sampled_from(names), label="parameter")
    _get(fuzz, rule, name, data.draw(st.text(min_size=1, max_size=400), label="value"))


# Every query parameter the views read (grep request.args in coalition/).
QUERY_PARAMETERS = ("format", "from", "to", "lang", "next", "page", "show", "status")


def _get_query(fuzz: Fuzz, rule: Rule, query: str) -> None:
    case = ROUTES[rule.endpoint]
    url = build_url(rule, url_values(rule, fuzz.world))
    client = {LEAD: fuzz.lead, PARTNER: fuzz.partner}.get(case.access, fuzz.public)
    headers = factories.bearer(fuzz.world.bearer) if case.access == API else {}
    response = client.get(f"{url}?{query}", headers=headers)
    status = response.status_code
    response.close()
    assert status < 500, f"GET {url}?{query[:200]} answered {status}"


def _get_rules(fuzz: Fuzz) -> list[Rule]:
    return sorted((r for r in fuzz.app.url_map.iter_rules()
                   if "GET" in (r.methods or set()) and r.endpoint != "static"),
                  key=lambda r: r.rule)


# Issue 21: "/\r\nX:1" as the login page's next was a 500 (a header with a line break).
@pytest.mark.parametrize("value", _values([*FEW[:2], "/\r\nX:1"]))
def test_nasty_query_values_never_fail(fuzz: Fuzz, value: str):
    for rule in _get_rules(fuzz):
        _get_query(fuzz, rule, "&".join(
            f"{name}={quote(value, safe='')}" for name in QUERY_PARAMETERS))


@settings(max_examples=EXAMPLES * 5)
@given(data=st.data())
def test_control_characters_in_query_values_never_fail(fuzz: Fuzz, data: st.DataObject):
    rule = data.draw(st.sampled_from(_get_rules(fuzz)), label="route")
    name = data.draw(st.sampled_from(QUERY_PARAMETERS), label="parameter")
    value = data.draw(query_text(), label="value")
    _get_query(fuzz, rule, f"{name}={quote(value, safe='')}")


def test_a_next_with_a_line_break_never_fails(fuzz: Fuzz):
    for client in (fuzz.lead, fuzz.public):  # logged in already, and not
        response = client.get("/login?next=/%0d%0aX:1")
        assert response.status_code < 500
