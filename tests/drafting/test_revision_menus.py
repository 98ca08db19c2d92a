"""The revision menus read the same way on History and Compare: newest first."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from coalition.drafting import services as drafting
from coalition.extensions import db
from tests import factories


def _menu(page: str, name: str) -> list[str]:
    select = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', page, re.S)
    assert select, name
    return re.findall(r'<option value="(\d+)"', select.group(1))


def test_history_and_compare_list_revisions_newest_first(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner)
        for base in (1, 2):
            drafting.save_revision(owner, statement, title=statement.title,
                                   body=f"Text {base + 1}.", base_revision=base)
        db.session.commit()
        factories.login(client, owner)
        sid = statement.id
    history = client.get(f"/statements/{sid}/revisions").get_data(as_text=True)
    compare = client.get(f"/statements/{sid}/compare?from=1&to=3").get_data(as_text=True)
    for page in (history, compare):
        assert _menu(page, "from") == ["3", "2", "1"]
        assert _menu(page, "to") == ["3", "2", "1"]
    assert re.search(r'<option value="1" selected>', compare)
    assert re.search(r'<option value="3" selected>', compare)
