"""The Coalition name in the header: a way home for staff, never a staff login for others."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from coalition.extensions import db
from coalition.models import Statement, User
from coalition.publishing import services as publishing
from tests import factories
from tests.publishing.conftest import make_world


def _brand(page: str) -> str:
    match = re.search(r'<(a|span) class="brand"[^>]*>', page)
    assert match
    return match.group(0)


def test_partner_and_public_pages_do_not_link_the_logo_to_the_login(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        world = make_world()
        _, token = factories.partner_invitation(world.statement, "Late Partner")
        publishing.publish(db.session.get(User, world.lead.id),
                           db.session.get(Statement, world.id))
        db.session.commit()
        slug, lead_id = world.statement.slug, world.lead.id
    for path in (f"/i/{token}", f"/s/{slug}", "/s/no-such-statement"):
        page = client.get(path).get_data(as_text=True)
        brand = _brand(page)
        assert "/login" not in brand and brand.startswith("<span"), (path, brand)
    assert 'href="/login"' in _brand(client.get("/login").get_data(as_text=True))
    with app.app_context():
        factories.login(client, db.session.get(User, lead_id))
    assert 'href="/"' in _brand(client.get(f"/s/{slug}").get_data(as_text=True))
