"""Webhook endpoints: register, change, delete, rotate the secret, re-send; the lead only.

An endpoint belongs to the lead organisation: every lead user of it manages its
endpoints, and a user of another organisation gets 404. Each service takes its actor,
writes an audit event and leaves the commit to the caller.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update

from coalition import audit
from coalition.domain.errors import Conflict, NotFound, PermissionDenied
from coalition.domain.limits import clean_line
from coalition.domain.webhooks import DESCRIPTION_MAX, clean_events, parse_url
from coalition.extensions import db
from coalition.models import (
    WEBHOOK_EVENTS,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from coalition.webhooks.network import checked_addresses

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
LOG_LIMIT = 200
DELETED_ERROR = "The endpoint was deleted: not sent."


def new_secret() -> str:
    """A signing secret: whsec_ and 256 random bits."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def endpoints(actor: User) -> list[WebhookEndpoint]:
    """The organisation's endpoints, oldest first (deleted ones left out)."""
    return list(db.session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.organisation_id == actor.organisation_id,
               WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.id)
    ))


def get_endpoint(actor: User, endpoint_id: int) -> WebhookEndpoint:
    """One of the organisation's endpoints, deleted or not (its log stays readable), or
    NotFound (another organisation's is not revealed)."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.organisation_id != actor.organisation_id:
        raise NotFound("No such webhook endpoint.", fields={"id": "not found"})
    return endpoint


def _may_change(actor: User) -> None:
    """A viewer reads the organisation's endpoints and changes none (403)."""
    if actor.role == "viewer":
        raise PermissionDenied("A viewer may read but not change webhooks.")


def _live(actor: User, endpoint_id: int) -> WebhookEndpoint:
    """An endpoint that may still change: not deleted (Conflict), the actor's (NotFound)."""
    endpoint = get_endpoint(actor, endpoint_id)
    _may_change(actor)
    if endpoint.deleted_at is not None:
        raise Conflict("This endpoint is deleted.", fields={"endpoint": "deleted"})
    return endpoint


def clean_url(value: object) -> str:
    """An endpoint URL whose host resolves only to addresses webhooks may call (422 else)."""
    target = parse_url(value)
    checked_addresses(target)
    return target.url


def _description(value: object) -> str:
    return clean_line("description", value, limit=DESCRIPTION_MAX, required=False)


def create_endpoint(
    actor: User,
    *,
    url: object,
    events: Iterable[object],
    description: object = "",
    withheld_names: bool = False,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for the actor's organisation; its secret is returned to show."""
    _may_change(actor)
    endpoint = WebhookEndpoint(
        organisation_id=actor.organisation_id,
        url=clean_url(url),
        events=clean_events(events, WEBHOOK_EVENTS),
        description=_description(description),
        secret=new_secret(),
        withheld_names=bool(withheld_names),
        created_by_id=actor.id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.created", actor=actor, endpoint=endpoint.id, url=endpoint.url,
                 events=endpoint.events, withheld_names=endpoint.withheld_names)
    return endpoint, endpoint.secret


@dataclass(frozen=True)
class Change:
    """What an edit gives; None leaves a value as it is."""

    url: object = None
    events: Iterable[object] | None = None
    description: object = None
    withheld_names: bool | None = None


def update_endpoint(actor: User, endpoint: WebhookEndpoint, change: Change) -> WebhookEndpoint:
    """Change an endpoint's address, events, description or withheld-names setting."""
    _live(actor, endpoint.id)
    if change.url is not None:
        endpoint.url = clean_url(change.url)
    if change.events is not None:
        endpoint.events = clean_events(change.events, WEBHOOK_EVENTS)
    if change.description is not None:
        endpoint.description = _description(change.description)
    if change.withheld_names is not None:
        endpoint.withheld_names = bool(change.withheld_names)
    endpoint.updated_at = utcnow()
    audit.record("webhook.changed", actor=actor, endpoint=endpoint.id, url=endpoint.url,
                 events=list(endpoint.events), withheld_names=endpoint.withheld_names)
    return endpoint


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Stop an endpoint (kept with its log): what waits for it is not sent."""
    _live(actor, endpoint.id)
    now = utcnow()
    endpoint.deleted_at = now
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id,
               WebhookDelivery.delivered_at.is_(None), WebhookDelivery.failed_at.is_(None))
        .values(failed_at=now, last_error=DELETED_ERROR)
    )
    audit.record("webhook.deleted", actor=actor, endpoint=endpoint.id, url=endpoint.url)


def rotate_secret(actor: User, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret (returned to show); tries from now on are signed with it."""
    _live(actor, endpoint.id)
    endpoint.secret = new_secret()
    endpoint.updated_at = utcnow()
    audit.record("webhook.secret_rotated", actor=actor, endpoint=endpoint.id)
    return endpoint.secret


def get_delivery(actor: User, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    """One delivery of the endpoint, or NotFound."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != get_endpoint(actor, endpoint.id).id:
        raise NotFound("No such delivery.", fields={"delivery": "not found"})
    return delivery


def resend(actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again, with the same event id and body, at the sender's next pass.

    Its tries start again from the first (the log keeps the earlier ones); a delivery still
    waiting for its first try is not sent twice.
    """
    endpoint = _live(actor, delivery.endpoint_id)
    if delivery.delivered_at is None and delivery.failed_at is None and delivery.attempts == 0:
        raise Conflict("This delivery has not been tried yet: it goes out at the next pass.",
                       fields={"delivery": "not tried yet"})
    delivery.delivered_at = None
    delivery.failed_at = None
    delivery.attempts = 0
    delivery.next_attempt_at = utcnow()
    audit.record("webhook.resent", actor=actor, endpoint=endpoint.id, delivery=delivery.id,
                 event_id=delivery.event_id)
    return delivery


def deliveries(endpoint: WebhookEndpoint, limit: int = LOG_LIMIT) -> list[WebhookDelivery]:
    """The endpoint's deliveries, newest first."""
    return list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc()).limit(limit)
    ))


def attempts(endpoint: WebhookEndpoint, limit: int = LOG_LIMIT) -> list[WebhookAttempt]:
    """The endpoint's delivery log: each try, newest first."""
    return list(db.session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint.id)
        .order_by(WebhookAttempt.id.desc()).limit(limit)
    ))


def attempts_by_delivery(endpoint: WebhookEndpoint,
                         limit: int = LOG_LIMIT) -> dict[int, list[WebhookAttempt]]:
    """The endpoint's tries grouped by delivery, oldest try first in each."""
    grouped: dict[int, list[WebhookAttempt]] = {}
    for attempt in reversed(attempts(endpoint, limit)):
        grouped.setdefault(attempt.delivery_id, []).append(attempt)
    return grouped


def delivery_status(delivery: WebhookDelivery) -> str:
    """delivered, failed (given up) or waiting."""
    if delivery.delivered_at is not None:
        return "delivered"
    if delivery.failed_at is not None:
        return "failed"
    return "waiting"
