"""Every HTML form, posted with hostile text in each field: never a 5xx, and when the post
is refused (4xx) not one row is added anywhere."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests.fuzz.conftest import EXAMPLES, SLOW_EXAMPLES, Fuzz, hostile_text
from tests.security.forms import FORM_ENDPOINTS, form_data
from tests.security.helpers import row_counts
from tests.security.routes import LEAD, PARTNER, ROUTES, build_url, url_values

# Logging out ends the fuzzing client's session; it has no fields to fuzz anyway.
ENDPOINTS = sorted(FORM_ENDPOINTS - {"accounts.logout"})


def _rule(app: Flask, endpoint: str) -> Rule:
    return next(r for r in app.url_map.iter_rules()
                if r.endpoint == endpoint and "POST" in (r.methods or set()))


def form_values(valid: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """Each field: its valid value, hostile text, or left out; sometimes an unknown field."""
    fields = {
        name: st.one_of(st.just(value), hostile_text(), st.none())
        for name, value in valid.items()
    }
    extra = st.dictionaries(st.text(min_size=1, max_size=20), hostile_text(), max_size=2)
    return st.builds(
        lambda chosen, more: {**more, **{k: v for k, v in chosen.items() if v is not None}},
        st.fixed_dictionaries(fields),
        extra,
    )


def _post(fuzz: Fuzz, endpoint: str, values: dict[str, Any]) -> None:
    rule = _rule(fuzz.app, endpoint)
    access = ROUTES[endpoint].access
    overrides = {"invitation_id": fuzz.world.revoked_invitation_id}  # keep the partner's link
    url = build_url(rule, url_values(rule, fuzz.world, **{
        k: v for k, v in overrides.items() if k in rule.arguments}))
    client = {LEAD: fuzz.lead, PARTNER: fuzz.partner}.get(access, fuzz.public)
    before = row_counts(fuzz.app)
    response = client.post(url, data=values)
    status = response.status_code
    response.close()
    assert status < 500, f"{endpoint} {url} answered {status} to {values!r:.300}"
    if status >= 400:
        assert row_counts(fuzz.app) == before, f"{endpoint} refused ({status}) but saved rows"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(max_examples=EXAMPLES)
@given(data=st.data())
def test_forms_survive_hostile_input(fuzz: Fuzz, endpoint: str, data: st.DataObject):
    values = data.draw(form_values(form_data(endpoint, fuzz.world)), label="form")
    _post(fuzz, endpoint, values)


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@settings(max_examples=SLOW_EXAMPLES)
@given(data=st.data())
def test_forms_survive_hostile_input_at_length(fuzz: Fuzz, endpoint: str, data: st.DataObject):
    values = data.draw(form_values(form_data(endpoint, fuzz.world)), label="form")
    _post(fuzz, endpoint, values)
