"""The life-cycle buttons post exactly one state: a browser sends every hidden field."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests import factories


def test_each_state_button_sends_one_state(app, client: FlaskClient) -> None:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner)
        factories.login(client, owner)
        page = client.get(f"/statements/{statement.id}").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="[^"]*/state"[^>]*>(.*?)</form>', page, re.S)
    assert len(forms) == 2  # open for review, open for signing
    for form in forms:
        assert len(re.findall(r'name="state"', form)) == 1, form
