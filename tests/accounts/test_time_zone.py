"""Times on the dashboard are in the viewer's zone (the account's, default the
organisation's), with the statement's own zone beside a deadline."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from flask import Flask
from flask.testing import FlaskClient

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Organisation, User
from tests import factories


def _zone_names(page: str) -> set[str]:
    cells = re.findall(r'<td data-label="(?:Last edit|Deadline)">(.*?)</td>', page, re.S)
    return {re.sub(r"<.*", "", cell, flags=re.S).split()[-1] for cell in cells if cell != "—"}


def test_the_dashboard_shows_every_time_in_the_viewers_zone(
    app: Flask, client: FlaskClient
) -> None:
    kyiv = zoneinfo.ZoneInfo("Europe/Kyiv")
    deadline = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=20)
    with app.app_context():
        owner = factories.user()
        for zone in ("UTC", "Europe/Berlin", "Europe/Kyiv"):
            statement = factories.statement(owner, title=f"In {zone}", state="open")
            statement.timezone = zone
            drafting.set_sign_deadline(owner, statement, deadline)
        db.session.commit()
        factories.login(client, owner)
        user_id = owner.id
    # Nobody chose a zone: the organisation's default, UTC.
    page = client.get("/").get_data(as_text=True)
    assert _zone_names(page) == {"UTC"}
    assert "Times are in your time zone, UTC" in page
    # The user picks Kyiv on the account page: one zone for the whole column.
    account = client.get("/account").get_data(as_text=True)
    assert 'id="timezone"' in account and 'id="organisation_timezone"' in account
    response = client.post("/account/time-zone",
                           data={"timezone": "Europe/Kyiv", "organisation_timezone": "UTC"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    local = deadline.astimezone(kyiv)
    assert _zone_names(page) == {local.tzname()}
    # Beside each deadline set in another zone, the statement's own.
    berlin = deadline.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert f"{berlin:%-d %b %Y, %H:%M} {berlin.tzname()} in the statement's zone" in page
    assert page.count("in the statement's zone") == 2  # not for the Kyiv statement
    with app.app_context():
        assert db.session.get(User, user_id).timezone == "Europe/Kyiv"


def test_the_organisations_zone_is_the_default_and_a_bad_zone_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        owner = factories.user()
        factories.statement(owner)
        factories.login(client, owner)
        organisation_id = owner.organisation_id
    client.post("/account/time-zone",
                data={"timezone": "", "organisation_timezone": "America/Sao_Paulo"})
    page = client.get("/").get_data(as_text=True)
    assert "Times are in your time zone, America/Sao_Paulo" in page
    refused = client.post("/account/time-zone", data={"timezone": "Mars/Base",
                                                      "organisation_timezone": "UTC"},
                          follow_redirects=True)
    assert "Choose one of the time zones offered." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, organisation_id).timezone == "America/Sao_Paulo"
