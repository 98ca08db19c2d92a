"""The publish row of DESIGN.md's API table, exactly as written."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition import roster
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Edition, Signature, Statement
from coalition.publishing import services
from tests import factories
from tests.publishing.conftest import ORDER, make_world


@pytest.fixture
def setup(app: Flask) -> dict[str, object]:
    """An open statement with seven signatures, and its lead's bearer header."""
    with app.app_context():
        world = make_world()
        return {"id": world.id, "slug": world.statement.slug,
                "auth": factories.bearer(factories.token(world.lead)),
                "today": services.today(world.statement).isoformat()}


def publish(client: FlaskClient, setup: dict, **body: object):
    return client.post(f"/api/v1/statements/{setup['id']}/publish", json=body,
                       headers=setup["auth"])


def _outdate_all_but_first(app: Flask, statement_id: int) -> None:
    """A substantive revision, then every signer but the alphabetically first re-confirms."""
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        lead = statement.organisation.users[0]
        drafting.save_revision(lead, statement, body="Revised.", base_revision=1)
        db.session.commit()
        signatures = roster.published(statement)
        for old in signatures[1:]:
            old.status = "superseded"
            db.session.flush()
            factories.signature_row(statement, old.name, invitation=old.invitation,
                                    kind=old.kind)


def test_publish_answers_200_with_contract_fields(client: FlaskClient, setup: dict) -> None:
    response = publish(client, setup, date="2026-12-03", note="First edition")
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert set(data) == {"edition", "published_at", "url", "sha256", "signatories", "withheld"}
    assert data["edition"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", data["published_at"])
    assert data["url"] == f"http://coalition.test/s/{setup['slug']}"
    assert re.fullmatch(r"[0-9a-f]{64}", data["sha256"])
    assert data["signatories"] == ORDER
    statement = client.get(f"/api/v1/statements/{setup['id']}", headers=setup["auth"]).get_json()
    assert statement["state"] == "published" and statement["date"] == "2026-12-03"
    assert statement["published_at"] == data["published_at"]
    assert client.get(f"/s/{setup['slug']}").status_code == 200


def test_the_date_defaults_to_today(client: FlaskClient, setup: dict) -> None:
    assert publish(client, setup).status_code == 200
    statement = client.get(f"/api/v1/statements/{setup['id']}", headers=setup["auth"]).get_json()
    assert statement["date"] == setup["today"]


def test_outstanding_signatures_answer_409_with_their_names(
    app: Flask, client: FlaskClient, setup: dict
) -> None:
    _outdate_all_but_first(app, setup["id"])
    response = publish(client, setup)
    assert response.status_code == 409
    data = response.get_json()
    assert data["outstanding"] == [ORDER[0]] and data["error"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Edition.id))) == 0

    response = publish(client, setup, exclude_outstanding=True)
    assert response.status_code == 200
    assert response.get_json()["signatories"] == ORDER[1:]
    with app.app_context():
        left_out = db.session.scalar(select(Signature).where(Signature.name == ORDER[0],
                                                             Signature.status == "live"))
        assert left_out is not None and left_out.revision_number == 1  # still outstanding


@pytest.mark.parametrize("state", ["draft", "review"])
def test_publication_outside_open_or_closed_answers_409(app: Flask, client: FlaskClient,
                                                        state: str) -> None:
    with app.app_context():
        lead = factories.user()
        statement = factories.statement(lead, state=state)
        auth = factories.bearer(factories.token(lead))
        statement_id = statement.id
    response = client.post(f"/api/v1/statements/{statement_id}/publish", json={}, headers=auth)
    assert response.status_code == 409
    assert "state" in response.get_json()["fields"]


def test_publishing_twice_without_reopening_answers_409(client: FlaskClient, setup: dict) -> None:
    assert publish(client, setup).status_code == 200
    assert publish(client, setup).status_code == 409


@pytest.mark.parametrize("date", ["2026-13-01", "03/12/2026", "20261203", "", "2026-12-03T10:00"])
def test_a_bad_date_is_refused_naming_the_field(client: FlaskClient, setup: dict,
                                                date: str) -> None:
    response = publish(client, setup, date=date)
    assert response.status_code == 422
    assert "date" in response.get_json()["fields"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"date": 20261203}, "date"), ({"exclude_outstanding": "yes"}, "exclude_outstanding"),
     ({"note": ["x"]}, "note"), ({"public": True}, "public"), ({"note": "x" * 501}, "note")],
)
def test_wrong_fields_are_named(client: FlaskClient, setup: dict, body: dict, field: str) -> None:
    response = publish(client, setup, **body)
    assert 400 <= response.status_code < 500
    assert field in response.get_json()["fields"]


def test_a_date_before_the_previous_edition_is_refused(
    app: Flask, client: FlaskClient, setup: dict
) -> None:
    assert publish(client, setup, date="2026-12-03").status_code == 200
    client.post(f"/api/v1/statements/{setup['id']}/state", json={"state": "open"},
                headers=setup["auth"])
    response = publish(client, setup, date="2026-12-01")
    assert response.status_code == 409 and "date" in response.get_json()["fields"]
    second = publish(client, setup, date="2026-12-04").get_json()
    assert second["edition"] == 2


def test_other_organisations_and_anonymous_callers_are_refused(
    app: Flask, client: FlaskClient, setup: dict
) -> None:
    with app.app_context():
        other = factories.bearer(factories.token(factories.user(organisation="Other")))
    assert client.post(f"/api/v1/statements/{setup['id']}/publish", json={},
                       headers=other).status_code == 404
    assert client.post(f"/api/v1/statements/{setup['id']}/publish",
                       json={}).status_code == 401
    assert client.post("/api/v1/statements/9999/publish", json={},
                       headers=setup["auth"]).status_code == 404


def test_the_openapi_document_describes_publish(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/statements/{id}/publish"]["post"]
    assert {"200", "409"} <= set(operation["responses"])
    schema = spec["components"]["schemas"]["PublishIn"]
    assert set(schema["properties"]) == {"date", "note", "exclude_outstanding"}


def test_an_embargoed_statement_says_so_and_when_it_becomes_public(
    app: Flask, client: FlaskClient, setup: dict
) -> None:
    """Issue 24, point 3: during an embargo the answer had `published_at` = the click and no
    embargo field; the partner page said "The statement has been published"."""
    lift = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)
    with app.app_context():
        statement = db.session.get(Statement, setup["id"])
        lead = statement.organisation.users[0]
        services.publish(lead, statement, public_from=lift, exclude_outstanding=True)
        invitation, token = factories.partner_invitation(statement, "Late Reader")
        db.session.commit()
    answer = client.get(f"/api/v1/statements/{setup['id']}", headers=setup["auth"]).get_json()
    assert answer["state"] == "published"
    assert answer["embargo_until"] == lift.isoformat().replace("+00:00", "Z")
    assert answer["published_at"] == answer["embargo_until"]
    document = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert "embargo_until" in document
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "has been published" not in page
    assert "to be published on" in page and "(under embargo)" in page

    with app.app_context():  # after the lift: public since the embargo time, no embargo left
        edition = db.session.scalar(select(Edition).where(Edition.statement_id == setup["id"]))
        edition_public_from = edition.public_from
    with mock.patch("coalition.api.common.utcnow",
                    return_value=edition_public_from + dt.timedelta(seconds=1)):
        later = client.get(f"/api/v1/statements/{setup['id']}", headers=setup["auth"])
    assert later.get_json()["embargo_until"] is None
    assert later.get_json()["published_at"] == answer["published_at"]
