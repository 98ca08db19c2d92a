"""Every page's ids are unique (WCAG 4.1.1, axe's duplicate-id rules): a label, a help text
or an aria reference pointing at an id that appears twice reaches the wrong element.

Issue 24, point 11: the Partners tab repeated csrf_token 15 times, and its two forms shared
message, message-help and submit, so the "Invite a list" label pointed at the other form.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import flask_wtf
from flask import Flask

from coalition.extensions import db
from coalition.forms import FlaskForm
from coalition.models import User
from tests import factories
from tests.security.routes import LEAD, PARTNER, PUBLIC, ROUTES, build_url, url_values
from tests.security.world import World, build_world


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(name for name, count in parser.ids.items() if count > 1)


def test_no_page_repeats_an_id(app: Flask):
    with app.app_context():
        world: World = build_world()
        owner = db.session.get(User, world.owner_id)
        assert owner is not None
        lead = app.test_client()
        factories.login(lead, owner)
    anonymous = app.test_client()
    checked, repeated = [], {}
    for rule in app.url_map.iter_rules():
        case = ROUTES.get(rule.endpoint)
        if case is None or rule.endpoint == "static" or "GET" not in (rule.methods or set()):
            continue
        client = lead if case.access == LEAD else anonymous
        if case.access not in (LEAD, PARTNER, PUBLIC):
            continue
        response = client.get(build_url(rule, url_values(rule, world)))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        checked.append(rule.endpoint)
        if duplicates := duplicate_ids(response.get_data(as_text=True)):
            repeated[rule.endpoint] = duplicates
    assert repeated == {}
    assert "invitations.index" in checked and "signing.signatories" in checked


def test_every_form_renders_its_csrf_token_without_an_id(app: Flask):
    """Every form builds on coalition.forms.FlaskForm, whose CSRF field has no id; a page
    of several forms from Flask-WTF's own base repeated id="csrf_token" (after publication)."""
    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found.append(sub)
            found.extend(subclasses(sub))
        return found

    ours = [
        form for form in subclasses(flask_wtf.FlaskForm) if form.__module__.startswith("coalition")
    ]
    assert len(ours) > 20
    outside = [
        f"{form.__module__}.{form.__name__}"
        for form in ours
        if form is not FlaskForm and not issubclass(form, FlaskForm)
    ]
    assert outside == []
