"""A local receiver gets HMAC-signed deliveries for a sign-on, a withdrawal and a
publication; a receiver that is down gets them later, once per event id, every try logged."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coalition.extensions import db
from coalition.models import WebhookAttempt, WebhookDelivery, utcnow
from coalition.webhooks import sender, services
from tests import factories
from tests.webhooks.conftest import Receiver

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
EVENTS = ["signature.created", "signature.withdrawn", "edition.published"]


def documented_verify() -> Any:
    """The verification snippet of docs/api.md, run as written."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(r"<!-- webhook-verify -->\s*```python\n(.*?)```", text, re.DOTALL)
    assert found, "docs/api.md has no webhook verification snippet"
    scope: dict[str, Any] = {}
    exec(compile(found.group(1), str(DOCS), "exec"), scope)  # noqa: S102 - our own docs
    return scope["verify"]


def _setup(app: Any, url: str, events: list[str] = EVENTS) -> dict[str, Any]:
    with app.app_context():
        owner = factories.user()
        endpoint, secret = services.create_endpoint(owner, url=url, events=events)
        statement = factories.statement(owner, state="open")
        invitation, token = factories.partner_invitation(statement, "Partner Org")
        bearer = factories.token(owner)
        db.session.commit()
        return {"secret": secret, "endpoint_id": endpoint.id, "statement_id": statement.id,
                "token": token, "bearer": bearer}


def _sign_withdraw_publish(client: Any, world: dict[str, Any]) -> None:
    answer = client.post(f"/api/v1/invitations/{world['token']}/signature", json={
        "name": "Partner Org", "signer_name": "Ana Signer", "signer_email": "ana@partner.example",
    })
    assert answer.status_code == 201, answer.json
    assert client.delete(f"/api/v1/invitations/{world['token']}/signature").status_code == 200
    answer = client.post(f"/api/v1/invitations/{world['token']}/signature", json={
        "name": "Partner Org", "signer_name": "Ana Signer", "signer_email": "ana@partner.example",
    })
    assert answer.status_code == 201, answer.json
    answer = client.post(f"/api/v1/statements/{world['statement_id']}/publish", json={},
                         headers=factories.bearer(world["bearer"]))
    assert answer.status_code == 200, answer.json


def test_receiver_gets_signed_deliveries(app, client, receiver: Receiver):
    world = _setup(app, receiver.url)
    _sign_withdraw_publish(client, world)
    assert receiver.received == []  # requests only queue: nothing is sent by them
    with app.app_context():
        assert "delivered 4" in sender.send_due()
    verify = documented_verify()
    types = [r.json["type"] for r in receiver.received]
    assert types == ["signature.created", "signature.withdrawn", "signature.created",
                     "edition.published"]
    for received in receiver.received:
        assert verify(world["secret"], received.headers, received.body)
        assert not verify("whsec_wrong", received.headers, received.body)
        assert received.headers["Coalition-Webhook-Id"] == received.json["id"]
        assert received.headers["Coalition-Webhook-Event"] == received.json["type"]
        assert received.headers["Content-Type"] == "application/json"
        assert received.json["statement"]["id"] == world["statement_id"]
        # Contacts never travel in a webhook.
        assert b"ana@partner.example" not in received.body
        assert b"Ana Signer" not in received.body
    assert len({r.json["id"] for r in receiver.received}) == 4
    signature = receiver.received[0].json["data"]["signature"]
    assert signature["name"] == "Partner Org" and signature["status"] == "live"
    assert receiver.received[1].json["data"]["signature"]["status"] == "withdrawn"
    edition = receiver.received[3].json["data"]
    assert edition["edition"] == 1 and edition["signatories"] == ["Partner Org"]
    # Nothing is sent twice.
    with app.app_context():
        assert "delivered 0" in sender.send_due(now=utcnow() + dt.timedelta(days=1))
    assert len(receiver.received) == 4


def test_a_receiver_that_is_down_gets_them_later_once(app, client, down_receiver: Receiver):
    world = _setup(app, down_receiver.url)
    _sign_withdraw_publish(client, world)
    start = utcnow()
    with app.app_context():
        sender.send_due(now=start)
        rows = db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        # The first try failed; the endpoint's other deliveries waited (no timeout each).
        assert [row.attempts for row in rows] == [1, 0, 0, 0]
        assert all(row.delivered_at is None for row in rows)
        assert "ConnectionRefused" in rows[0].last_error
        # Not due again before the backoff.
        sender.send_due(now=start + dt.timedelta(seconds=5))
        assert db.session.scalar(select(WebhookDelivery.attempts).where(
            WebhookDelivery.id == rows[0].id)) == 1
        # Still down at the second try.
        sender.send_due(now=start + dt.timedelta(minutes=1))
        db.session.expire_all()
        assert rows[0].attempts == 2
    down_receiver.start()
    with app.app_context():
        assert "delivered 4" in sender.send_due(now=start + dt.timedelta(hours=1))
        # Again later: nothing more.
        sender.send_due(now=start + dt.timedelta(days=2))
        attempts = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
        first = rows[0].id
        log = [(a.delivery_id == first, a.status_code, bool(a.error)) for a in attempts]
        assert log[:3] == [(True, None, True), (True, None, True), (True, 200, False)]
        assert len(attempts) == 6
        endpoint = services.get_endpoint(factories_owner(app), world["endpoint_id"])
        assert len(services.attempts(endpoint)) == 6
    ids = [r.json["id"] for r in down_receiver.received]
    assert len(ids) == 4 and len(set(ids)) == 4
    verify = documented_verify()
    assert all(verify(world["secret"], r.headers, r.body) for r in down_receiver.received)


def factories_owner(app: Any) -> Any:
    from coalition.models import User

    return db.session.scalars(select(User).order_by(User.id)).first()


def test_an_error_answer_is_retried_and_logged_with_its_code(app, client, receiver: Receiver):
    world = _setup(app, receiver.url, ["signature.created"])
    receiver.status = 500
    client.post(f"/api/v1/invitations/{world['token']}/signature", json={
        "name": "Partner Org", "signer_name": "Ana", "signer_email": "ana@partner.example",
    })
    start = utcnow()
    with app.app_context():
        sender.send_due(now=start)
        receiver.status = 204
        sender.send_due(now=start + dt.timedelta(minutes=5))
        codes = db.session.scalars(select(WebhookAttempt.status_code)
                                   .order_by(WebhookAttempt.id)).all()
        assert codes == [500, 204]
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert delivery.delivered_at is not None and delivery.attempts == 2
    # Both tries carried the same event id and body.
    assert receiver.received[0].body == receiver.received[1].body
    assert (receiver.received[0].headers["Coalition-Webhook-Id"]
            == receiver.received[1].headers["Coalition-Webhook-Id"])


def test_gives_up_after_the_limit_and_the_lead_can_resend(app, client, receiver: Receiver):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 2
    world = _setup(app, receiver.url, ["signature.created"])
    receiver.status = 410
    client.post(f"/api/v1/invitations/{world['token']}/signature", json={
        "name": "Partner Org", "signer_name": "Ana", "signer_email": "ana@partner.example",
    })
    start = utcnow()
    with app.app_context():
        sender.send_due(now=start)
        sender.send_due(now=start + dt.timedelta(hours=1))
        delivery = db.session.scalars(select(WebhookDelivery)).one()
        assert delivery.failed_at is not None and delivery.attempts == 2
        sender.send_due(now=start + dt.timedelta(days=1))
        assert len(receiver.received) == 2
        receiver.status = 200
        services.resend(factories_owner(app), delivery)
        db.session.commit()
        sender.send_due()
        db.session.expire_all()
        assert delivery.delivered_at is not None
    assert len(receiver.received) == 3
    assert len({r.headers["Coalition-Webhook-Id"] for r in receiver.received}) == 1
