"""The time-zone menu: current zones by region, named by city and country, searchable."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from coalition.domain.timezones import zone_groups
from coalition.extensions import db
from coalition.models import Statement
from tests import factories


def _setup(app: Flask, client: FlaskClient, zone: str = "UTC") -> int:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner)
        statement.timezone = zone
        db.session.commit()
        factories.login(client, owner)
        return statement.id


def test_the_menu_lists_current_zones_by_region_with_city_names(
    app: Flask, client: FlaskClient
) -> None:
    sid = _setup(app, client)
    page = client.get(f"/statements/{sid}/settings").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="timezone"[^>]*>(.*?)</select>', page, re.S)
    assert select
    menu = select.group(1)
    groups = re.findall(r'<optgroup label="([^"]+)"', menu)
    assert groups[:2] == ["Universal time", "Africa"] and "Europe" in groups
    assert re.search(r'<option value="Europe/Kyiv">Kyiv, Ukraine \(UTC\+0[23]:00\)</option>',
                     menu)
    for deprecated in ("US/Eastern", "Europe/Kiev", "Etc/GMT+5", "Asia/Calcutta"):
        assert f'value="{deprecated}"' not in menu, deprecated
    assert len(re.findall(r"<option ", menu)) < 450  # not the ~600 raw ids
    assert 'data-filter-select="timezone"' in page and "Find a time zone" in page


def test_city_names_follow_the_interface_language() -> None:
    europe = dict(dict(zone_groups("fr"))["Europe"])
    assert europe["Europe/Vienna"].startswith("Vienne, Autriche")


def test_an_older_stored_zone_stays_selected_and_a_current_one_saves(
    app: Flask, client: FlaskClient
) -> None:
    sid = _setup(app, client, zone="Europe/Kiev")
    page = client.get(f"/statements/{sid}/settings").get_data(as_text=True)
    assert '<option selected value="Europe/Kiev">' in page or (
        '<option value="Europe/Kiev" selected>' in page)
    response = client.post(f"/statements/{sid}/settings",
                           data={"language": "en", "timezone": "Europe/Kyiv"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Statement, sid).timezone == "Europe/Kyiv"
    refused = client.post(f"/statements/{sid}/settings",
                          data={"language": "en", "timezone": "Mars/Olympus_Mons"})
    assert refused.status_code == 200 and "Not a valid choice" in refused.get_data(as_text=True)
