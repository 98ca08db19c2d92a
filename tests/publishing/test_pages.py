"""The lead's publishing pages, through the test client: resolve, review, confirm, editions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Edition, Signature
from coalition.publishing import services
from tests import factories
from tests.publishing.conftest import ORDER, make_world


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert match, name
    return match.group(1)


@dataclass(frozen=True)
class Ids:
    """Plain values of a world, usable after its session has ended."""

    id: int
    slug: str
    lead_id: int
    today: dt.date


def _setup(app: Flask, client: FlaskClient, outstanding: bool = False) -> Ids:
    with app.app_context():
        world = make_world()
        if outstanding:
            drafting.save_revision(world.lead, world.statement,
                                   body="New demands: {{signatories}}.",
                                   base_revision=1, substantive=True)
            for old in world.signatures[1:]:  # all but Zeta Foundation re-confirm
                old.status = "superseded"
                db.session.flush()
                factories.signature_row(world.statement, old.name, invitation=old.invitation,
                                        kind=old.kind, country=old.country)
            db.session.commit()
        factories.login(client, world.lead)
        return Ids(world.id, world.statement.slug, world.lead.id,
                   services.today(world.statement))


def _editions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Edition.id))) or 0


def test_the_publish_tab_shows_the_form_with_todays_date(app: Flask, client: FlaskClient) -> None:
    world = _setup(app, client)
    page = client.get(f"/statements/{world.id}/publish").get_data(as_text=True)
    assert 'aria-current="page">Publish</a>' in page
    assert "Publish edition 1" in page and "7 signatories" in page
    today = world.today.isoformat()
    assert re.search(rf'<input[^>]*name="date"[^>]*value="{today}"', page)
    assert "{{signatories}}" in page  # the placeholder is explained


def test_review_then_confirm_publishes_exactly_what_was_shown(
    app: Flask, client: FlaskClient
) -> None:
    world = _setup(app, client)
    review = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "2026-12-03", "note": "First edition", "review": "Review"},
    )
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    assert "Check exactly what will be published" in page
    assert "We, the 7 undersigned organisations" in page  # the filled-in text
    assert "{{signatories}}" not in page
    assert "3 December 2026" in page and "Signatories <span" in page
    positions = [page.index(name.replace("'", "&#39;").replace('"', "&#34;")) for name in ORDER]
    assert positions == sorted(positions)
    # The review page is the confirmation: its button publishes, no browser dialog asks again.
    assert "data-confirm" not in page
    assert "is never edited" in page
    assert _editions(app) == 0  # reviewing publishes nothing

    fingerprint = _hidden(page, "fingerprint")
    done = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "2026-12-03", "note": "First edition", "fingerprint": fingerprint,
              "confirm": "Publish"},
    )
    assert done.status_code == 302
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Edition 1 is published with 7 signatories" in after
    with app.app_context():
        edition = db.session.scalar(select(Edition))
        assert edition.date == dt.date(2026, 12, 3) and edition.note == "First edition"
        assert edition.sha256 in page


def test_outstanding_signatures_must_be_resolved(app: Flask, client: FlaskClient) -> None:
    world = _setup(app, client, outstanding=True)
    page = client.get(f"/statements/{world.id}/publish").get_data(as_text=True)
    assert "Decide on 1 outstanding signature" in page and "Zeta Foundation" in page

    refused = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "2026-12-03", "note": "Kept note", "review": "Review"},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "must re-confirm before being listed: Zeta Foundation" in text
    assert 'value="Kept note"' in text  # typed text survives
    with app.app_context():
        zeta = db.session.scalar(select(Signature).where(Signature.name == "Zeta Foundation",
                                                         Signature.status == "live"))
        zeta_id = zeta.id
    review = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "2026-12-03", "leave_out": str(zeta_id), "review": "Review"},
    )
    page = review.get_data(as_text=True)
    assert review.status_code == 200 and "We, the 6 undersigned" not in page
    assert "New demands: 6." in page
    assert "Left out" in page and "Zeta Foundation" in page
    assert f'name="leave_out" value="{zeta_id}"' in page
    done = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "2026-12-03", "leave_out": str(zeta_id), "confirm": "Publish",
              "fingerprint": _hidden(page, "fingerprint")},
    )
    assert done.status_code == 302
    with app.app_context():
        edition = db.session.scalar(select(Edition))
        assert "Zeta Foundation" not in [row.name for row in edition.signatories]
        assert db.session.get(Signature, zeta_id).status == "live"


def test_a_change_after_review_shows_the_confirmation_again(
    app: Flask, client: FlaskClient
) -> None:
    world = _setup(app, client)
    page = client.post(f"/statements/{world.id}/publish",
                       data={"date": "2026-12-03", "review": "Review"}).get_data(as_text=True)
    with app.app_context():
        from coalition.models import Statement

        statement = db.session.get(Statement, world.id)
        factories.signature_row(statement, "Arrived Meanwhile")
    again = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "2026-12-03", "confirm": "Publish",
              "fingerprint": _hidden(page, "fingerprint")},
    )
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert "Something changed since you reviewed this edition" in text
    assert "Arrived Meanwhile" in text and "We, the 8 undersigned" in text
    assert _editions(app) == 0


def test_the_back_button_keeps_what_was_typed(app: Flask, client: FlaskClient) -> None:
    world = _setup(app, client)
    page = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "2026-12-03", "note": "My note", "back": "Change"},
    ).get_data(as_text=True)
    assert "Publish edition 1" in page
    assert 'value="My note"' in page and 'value="2026-12-03"' in page


def test_a_bad_date_is_shown_on_its_field(app: Flask, client: FlaskClient) -> None:
    world = _setup(app, client)
    response = client.post(
        f"/statements/{world.id}/publish",
        data={"date": "not a date", "note": "Typed", "review": "Review"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="date-error"' in page and 'value="Typed"' in page
    assert _editions(app) == 0


def test_an_embargo_is_typed_in_the_statements_time_zone(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "now", lambda: dt.datetime(2026, 11, 22, 9, tzinfo=dt.UTC))
    with app.app_context():
        world = make_world()
        world.statement.timezone = "Europe/Paris"
        db.session.commit()
        factories.login(client, world.lead)
        world = Ids(world.id, world.statement.slug, world.lead.id, dt.date(2026, 11, 22))
    data = {"date": "2026-12-03", "public_from": "2026-12-03T10:00", "review": "Review"}
    page = client.post(f"/statements/{world.id}/publish", data=data).get_data(as_text=True)
    assert "under embargo until 3 Dec 2026, 10:00 CET" in page
    data.update(confirm="Publish", fingerprint=_hidden(page, "fingerprint"))
    data.pop("review")
    assert client.post(f"/statements/{world.id}/publish", data=data).status_code == 302
    with app.app_context():
        edition = db.session.scalar(select(Edition))
        assert edition.public_from == dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    listing = client.get(f"/statements/{world.id}/publish").get_data(as_text=True)
    assert "Embargoed until 3 Dec 2026, 10:00 CET" in listing
    # The lead sees the embargoed edition; the public does not.
    assert client.get(f"/statements/{world.id}/editions/1").status_code == 200
    assert client.get(f"/s/{world.slug}").status_code == 404

    made = client.post(f"/statements/{world.id}/editions/1/preview-link")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "private, no-store"
    assert made.mimetype == "text/html"
    link = re.search(r'id="preview-link" class="token" value="([^"]+)"',
                     made.get_data(as_text=True))
    assert link and "/preview/" in link.group(1)
    preview_path = link.group(1).replace("http://coalition.test", "")
    assert client.get(preview_path).status_code == 200
    client.post(f"/statements/{world.id}/editions/1/preview-link/revoke")
    assert client.get(preview_path).status_code == 404


def test_a_published_statement_offers_to_reopen(app: Flask, client: FlaskClient) -> None:
    world = _setup(app, client)
    with app.app_context():
        from coalition.models import Statement, User

        services.publish(db.session.get(User, world.lead_id), db.session.get(Statement, world.id))
        db.session.commit()
    page = client.get(f"/statements/{world.id}/publish").get_data(as_text=True)
    assert "Reopen for late signatories or a correction" in page
    assert "Publish edition 2" not in page
    assert client.post(f"/statements/{world.id}/state", data={"state": "open"}).status_code == 302
    page = client.get(f"/statements/{world.id}/publish").get_data(as_text=True)
    assert "Publish edition 2" in page
    assert 'value="Published again without changes."' in page  # the suggested note


def test_after_publication_the_editions_files_come_before_the_draft(
    app: Flask, client: FlaskClient
) -> None:
    world = _setup(app, client)
    with app.app_context():
        from coalition.models import Statement, User

        services.publish(db.session.get(User, world.lead_id), db.session.get(Statement, world.id))
        db.session.commit()
    page = client.get(f"/statements/{world.id}/publish").get_data(as_text=True)
    assert "Files of edition 1" in page
    assert page.index("Files of edition 1") < page.index("Export the draft")
    links = re.findall(rf'href="(/statements/{world.id}/editions/1/export\.[a-z]+)"', page)
    assert len(links) == 8 and links[0].endswith(".pdf")
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        if link.endswith((".md", ".txt")):
            assert b"DRAFT" not in response.data, link


def test_a_draft_statement_cannot_be_published(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lead = factories.user()
        statement = factories.statement(lead)
        factories.login(client, lead)
        statement_id = statement.id
    page = client.get(f"/statements/{statement_id}/publish").get_data(as_text=True)
    assert "Not ready to publish" in page and "Review what will be published" not in page
    response = client.post(f"/statements/{statement_id}/publish",
                           data={"date": "2026-12-03", "confirm": "Publish"})
    assert response.status_code == 200 and _editions(app) == 0


def test_other_organisations_and_visitors_cannot_reach_the_page(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        world = make_world()
        statement_id = world.id
        assert client.get(f"/statements/{statement_id}/publish").status_code == 302
        factories.login(client, factories.user(organisation="Other"))
    assert client.get(f"/statements/{statement_id}/publish").status_code == 404
    assert client.post(f"/statements/{statement_id}/publish",
                       data={"date": "2026-12-03", "confirm": "Publish"}).status_code == 404
    assert client.get(f"/statements/{statement_id}/publish/draft.pdf").status_code == 404
