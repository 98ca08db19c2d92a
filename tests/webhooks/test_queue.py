"""Events are queued per endpoint in the causing transaction, with what each may carry."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.followup import updates
from coalition.models import WEBHOOK_EVENTS, WebhookDelivery, utcnow
from coalition.publishing import services as publishing
from coalition.signing import services as signing
from coalition.signing.services import SignatureInput
from coalition.webhooks import services
from tests import factories

URL = "http://127.0.0.1:5250/hook"


def _bodies(event: str | None = None) -> list[dict[str, Any]]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if event:
        query = query.where(WebhookDelivery.event == event)
    return [json.loads(row.body) for row in db.session.scalars(query)]


def test_every_event_is_queued(app):
    with app.app_context():
        owner = factories.user()
        services.create_endpoint(owner, url=URL, events=list(WEBHOOK_EVENTS))
        statement = factories.statement(owner, state="open")
        invitation, token = factories.partner_invitation(statement, "Partner Org")
        data = SignatureInput(name="Partner Org", signer_name="S", signer_email="s@p.example")
        signing.sign(invitation, data, token=token)
        signing.sign(invitation, SignatureInput(name="Partner Org (Paris)"), token=token)
        drafting.save_revision(owner, statement, body="A new text.",
                               base_revision=statement.current_revision)
        signing.reconfirm(invitation, token=token)
        signing.withdraw(invitation)
        db.session.commit()  # one request each, as on the pages
        signing.sign(invitation, data, token=token)
        publishing.publish(owner, statement)
        updates.post_update(owner, statement, title="News", body="We met the minister.")
        db.session.commit()
        kinds = [body["type"] for body in _bodies()]
        assert kinds == [
            "statement.state_changed",  # draft -> open by the factory
            "signature.created", "signature.replaced", "signature.reconfirmed",
            "signature.withdrawn", "signature.created",
            "edition.published", "statement.state_changed", "update.posted",
        ]
        changes = _bodies("statement.state_changed")
        assert [(c["data"]["from"], c["data"]["to"]) for c in changes] == [
            ("draft", "open"), ("open", "published")]
        assert _bodies("edition.published")[0]["statement"]["state"] == "published"
        update = _bodies("update.posted")[0]["data"]
        assert update["title"] == "News" and update["url"].endswith(f"#update-{update['id']}")


def test_only_chosen_events_and_own_organisation(app):
    with app.app_context():
        owner = factories.user()
        other = factories.user("Other Org")
        services.create_endpoint(owner, url=URL, events=["signature.withdrawn"])
        services.create_endpoint(other, url=URL, events=list(WEBHOOK_EVENTS))
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Partner Org")
        assert _bodies() == []


def test_a_rolled_back_request_queues_nothing(app):
    with app.app_context():
        owner = factories.user()
        services.create_endpoint(owner, url=URL, events=["signature.created"])
        statement = factories.statement(owner, state="open")
        invitation, token = factories.partner_invitation(statement, "Partner Org")
        signing.sign(invitation, SignatureInput(
            name="Partner Org", signer_name="S", signer_email="s@p.example"), token=token)
        db.session.rollback()
        assert _bodies() == []


def test_deleted_endpoint_gets_nothing_and_its_waiting_deliveries_stop(app):
    with app.app_context():
        owner = factories.user()
        endpoint, _ = services.create_endpoint(owner, url=URL, events=["signature.created"])
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "First Org")
        services.delete_endpoint(owner, endpoint)
        db.session.commit()
        factories.signed(statement, "Second Org")
        rows = db.session.scalars(select(WebhookDelivery)).all()
        assert len(rows) == 1 and rows[0].failed_at is not None


def test_withheld_signatures_carry_no_name_unless_the_endpoint_allows(app):
    with app.app_context():
        owner = factories.user()
        services.create_endpoint(owner, url=URL, events=["signature.created"])
        services.create_endpoint(owner, url=URL.replace("5250", "5251"),
                                 events=["signature.created"], withheld_names=True)
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Secret Group Minsk", public=False, country="BY",
                         public_description="a human rights group in Belarus")
        plain, named = (body["data"]["signature"] for body in _bodies())
        assert plain["name"] is None and plain["country"] is None
        assert plain["public"] is False
        assert plain["public_description"] == "a human rights group in Belarus"
        raw = db.session.scalars(select(WebhookDelivery.body).order_by(WebhookDelivery.id))
        assert "Secret Group Minsk" not in next(iter(raw))
        assert named["name"] == "Secret Group Minsk" and named["country"] == "BY"
        # One event, one id, shared by both endpoints' deliveries.
        assert len({body["id"] for body in _bodies()}) == 1


def test_withheld_names_stay_out_of_the_published_list_event(app):
    with app.app_context():
        owner = factories.user()
        services.create_endpoint(owner, url=URL, events=["edition.published"],
                                 withheld_names=True)
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Named Org")
        factories.signed(statement, "Secret Group Minsk", public=False)
        publishing.publish(owner, statement)
        data = _bodies("edition.published")[0]["data"]
        assert data["signatories"] == ["Named Org"]
        assert data["signatory_count"] == 2 and data["withheld_count"] == 1


def test_an_embargoed_edition_is_announced_when_it_becomes_public(app):
    with app.app_context():
        owner = factories.user()
        services.create_endpoint(owner, url=URL, events=["edition.published"])
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Named Org")
        public_from = utcnow() + dt.timedelta(days=2)
        publishing.publish(owner, statement, public_from=public_from)
        row = db.session.scalars(select(WebhookDelivery)).one()
        assert abs(row.next_attempt_at - public_from) < dt.timedelta(seconds=1)
