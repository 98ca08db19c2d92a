"""Deliver what waits in the webhook queue: claimed, signed, retried with backoff, logged.

Run by the mail sender's loop (``flask --app coalition send-mail [--watch]``) and by its
sibling ``send-webhooks``. Like the outbox, several senders may run at once: each claims a
batch by pushing its next try out by a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)
and commits that claim before any request goes out.

Each try resolves the endpoint's host again, refuses it when any address is not allowed
(docs/security.md, "Webhooks"), and connects to the address it checked. An answer in the
2xx range delivers; anything else (an error, a timeout, a 3xx, 4xx or 5xx) is written to
the delivery log and tried again later: 1, 2, 4... times WEBHOOK_RETRY_SECONDS, up to
WEBHOOK_MAX_ATTEMPTS tries. Once an endpoint fails in a pass, its other deliveries wait
for the next pass instead of paying the timeout again.

Delivery is at least once: a sender stopped between the answer and its record sends again
after the lease, with the same event id, which receivers use to drop a duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, and_, insert, select, update

from coalition.domain.errors import DomainError
from coalition.domain.invitations import backoff
from coalition.domain.webhooks import (
    EVENT_HEADER,
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    parse_url,
    signature,
)
from coalition.extensions import db
from coalition.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, utcnow
from coalition.webhooks import network
from coalition.webhooks.services import DELETED_ERROR

log = logging.getLogger("coalition.webhooks")

LEASE = dt.timedelta(minutes=5)
BATCH = 100
_INSERT_ATTEMPT = insert(WebhookAttempt)


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        WebhookDelivery.delivered_at.is_(None),
        WebhookDelivery.failed_at.is_(None),
        WebhookDelivery.next_attempt_at <= now,
    )


def _claim(now: dt.datetime) -> list[int]:
    """Take up to BATCH due deliveries for this sender and commit the claim (a lease)."""
    query = (select(WebhookDelivery.id).where(_due(now)).order_by(WebhookDelivery.id)
             .limit(BATCH))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = db.session.scalars(query).all()
    claimed: list[int] = []
    if ids:
        claimed = list(db.session.scalars(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), _due(now))
            .values(next_attempt_at=now + LEASE)
            .returning(WebhookDelivery.id)
        ).all())
    db.session.commit()
    return sorted(claimed)


def headers(delivery: WebhookDelivery, secret: str, body: bytes,
            timestamp: int | None = None) -> dict[str, str]:
    """The headers of one try: the event id and type, the time, and the HMAC signature."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        ID_HEADER: delivery.event_id,
        EVENT_HEADER: delivery.event,
        TIMESTAMP_HEADER: str(stamp),
        SIGNATURE_HEADER: signature(secret, stamp, body),
    }


def _try(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> network.Answer:
    """One try: resolve and check the host, then POST to a checked address."""
    started = time.monotonic()
    try:
        target = parse_url(endpoint.url)
        addresses = network.checked_addresses(target)
    except DomainError as error:
        # Refused before any connection: the name now points somewhere not allowed.
        return network.Answer(None, f"Refused: {error.message}",
                              int((time.monotonic() - started) * 1000))
    body = delivery.body.encode("utf-8")
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT") or 5)
    return network.post(target, addresses, body, headers(delivery, endpoint.secret, body),
                        timeout)


def _record(delivery: WebhookDelivery, answer: network.Answer, now: dt.datetime) -> None:
    db.session.connection().execute(_INSERT_ATTEMPT, {
        "delivery_id": delivery.id, "endpoint_id": delivery.endpoint_id,
        "attempted_at": utcnow(), "status_code": answer.status,
        "error": answer.error, "duration_ms": answer.duration_ms,
    })
    delivery.attempts += 1
    delivery.last_status = answer.status
    delivery.last_error = answer.error or ("" if answer.ok else f"HTTP {answer.status}")
    if answer.ok:
        delivery.delivered_at = utcnow()
        return
    config = current_app.config
    if delivery.attempts >= int(config.get("WEBHOOK_MAX_ATTEMPTS") or 12):
        delivery.failed_at = now
        log.warning("Gave up on webhook delivery %s (%s) to endpoint %s: %s", delivery.id,
                    delivery.event_id, delivery.endpoint_id, delivery.last_error)
    else:
        delivery.next_attempt_at = now + backoff(
            delivery.attempts, base_seconds=int(config.get("WEBHOOK_RETRY_SECONDS") or 30)
        )


@dataclass(frozen=True)
class Pass:
    """What one pass of the webhook sender did."""

    delivered: int = 0
    failures: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.delivered or self.failures)

    def report(self) -> str:
        return f"Webhooks: delivered {self.delivered}, failed tries {self.failures}."


def _send_claimed(claimed: list[int], now: dt.datetime) -> Pass:
    delivered = failures = 0
    failing: dict[int, dt.datetime] = {}  # endpoint -> when its failed delivery is due again
    for delivery_id in claimed:
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            continue
        endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
        if endpoint is None or endpoint.deleted_at is not None:
            delivery.failed_at, delivery.last_error = now, DELETED_ERROR
        elif endpoint.id in failing:
            delivery.next_attempt_at = failing[endpoint.id]  # no try: it would fail too
        else:
            answer = _try(delivery, endpoint)
            _record(delivery, answer, now)
            if answer.ok:
                delivered += 1
            else:
                failures += 1
                failing[endpoint.id] = delivery.next_attempt_at
        # Each outcome at once: a crash later must not send again what was delivered.
        db.session.commit()
    return Pass(delivered, failures)


def deliver_due(now: dt.datetime | None = None) -> Pass:
    """Try every due delivery once, batch by batch."""
    now = now or utcnow()
    delivered = failures = 0
    while True:
        claimed = _claim(now)
        if not claimed:
            break
        done = _send_claimed(claimed, now)
        delivered += done.delivered
        failures += done.failures
        if done.delivered == 0:
            break  # nothing went through: leave the rest to the next pass
    return Pass(delivered, failures)


def send_due(now: dt.datetime | None = None) -> str:
    """One pass; a line saying what it did and what waits."""
    done = deliver_due(now)
    waiting = db.session.query(WebhookDelivery).filter(
        WebhookDelivery.delivered_at.is_(None), WebhookDelivery.failed_at.is_(None)
    ).count()
    return f"{done.report()} {waiting} waiting."
