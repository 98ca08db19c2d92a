"""Queue a webhook delivery for each event, in the transaction that caused it.

The features send their events (coalition/events.py); this module listens, finds the lead
organisation's endpoints that chose the event and writes one delivery row per endpoint,
with the exact body every try will send. Nothing here talks to the network: the sender
(coalition/webhooks/sender.py) delivers later, so a request is never slowed down or failed
by a receiver. An event id is made once per event and shared by every endpoint's delivery.

Signatures not named publicly (coalition/withheld.py) carry neither name nor country
unless the endpoint's `withheld_names` setting, the lead's choice, allows them. No delivery
carries contacts (signer names, e-mail addresses).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from sqlalchemy import Integer, String, Text, case, cast, insert, literal, select

from coalition import events
from coalition.domain.lifecycle import State
from coalition.extensions import db
from coalition.models import (
    Edition,
    Signature,
    Statement,
    StatementUpdate,
    UTCDateTime,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from coalition.publishing import services as publishing
from coalition.web import iso

log = logging.getLogger("coalition.webhooks")


def new_event_id() -> str:
    """A unique event id: evt_ and 32 hex digits of a random UUID."""
    return f"evt_{uuid.uuid4().hex}"


def _statement(statement: Statement, event: str) -> dict[str, Any]:
    state = statement.state
    if event == "edition.published":
        # Sent once the edition is frozen, a moment before the statement's state moves.
        state = State.PUBLISHED.value
    return {
        "id": statement.id,
        "slug": statement.slug,
        "title": statement.title,
        "language": statement.language,
        "state": state,
        "revision": statement.current_revision,
    }


def signature_json(signature: Signature, *, withheld_names: bool) -> dict[str, Any]:
    """A signature as a delivery shows it: its public details only, and for one not named
    publicly, no name or country unless the endpoint allows withheld names."""
    named = signature.public or withheld_names
    return {
        "id": signature.id,
        "status": signature.status,
        "name": signature.name if named else None,
        "kind": signature.kind,
        "country": (signature.country or None) if named else None,
        "affiliation": (signature.affiliation or None) if named else None,
        "public": signature.public,
        "public_description": signature.public_description or None,
        "revision": signature.revision_number,
        "replaces": signature.replaces_id,
        "created_at": iso(signature.created_at),
        "ended_at": iso(signature.ended_at),
    }


def _body(event_id: str, event: str, moment: dt.datetime, statement: Statement,
          data: dict[str, Any]) -> str:
    envelope = {"id": event_id, "type": event, "created_at": iso(moment),
                "statement": _statement(statement, event), "data": data}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))


def enqueue(
    event: str,
    statement: Statement,
    data: dict[str, Any],
    *,
    named: dict[str, Any] | None = None,
    not_before: dt.datetime | None = None,
) -> None:
    """Write a delivery of `event` for each endpoint of the statement's organisation that
    chose it, in one INSERT ... SELECT (nothing is read first, and it writes no row when no
    endpoint chose the event). `named` is the data for endpoints that allow the names of
    signatories not named publicly, when it differs.
    """
    event_id, moment = new_event_id(), utcnow()
    try:
        plain = _body(event_id, event, moment, statement, data)
        body: Any = literal(plain, Text())
        if named is not None:
            body = case((WebhookEndpoint.withheld_names,
                         literal(_body(event_id, event, moment, statement, named), Text())),
                        else_=body)
    except Exception:  # noqa: BLE001 - a payload bug must never fail the change that caused it
        log.exception("Webhook %s of statement %s not queued", event, statement.id)
        return
    chosen = (
        select(
            WebhookEndpoint.id, literal(event_id, String()), literal(event, String()),
            literal(statement.id, Integer()), body, literal(moment, UTCDateTime()),
            literal(0, Integer()), literal(max(moment, not_before or moment), UTCDateTime()),
            literal("", Text()),
        )
        .where(
            WebhookEndpoint.organisation_id == statement.organisation_id,
            WebhookEndpoint.deleted_at.is_(None),
            # The chosen events are a JSON list of names: '["signature.created", ...]'.
            cast(WebhookEndpoint.events, Text()).like(f'%"{event}"%'),
        )
    )
    db.session.connection().execute(insert(WebhookDelivery).from_select(_COLUMNS, chosen))


_COLUMNS = ["endpoint_id", "event_id", "event", "statement_id", "body", "created_at",
            "attempts", "next_attempt_at", "last_error"]


# --- the events ----------------------------------------------------------------------------


def _on_signature_changed(statement: Statement, **kwargs: Any) -> None:
    signature = kwargs.get("signature")
    change = str(kwargs.get("change") or "")
    if not isinstance(signature, Signature) or not change:
        return
    data = {"change": change, "signature": signature_json(signature, withheld_names=False)}
    named = None
    if not signature.public:
        named = {"change": change, "signature": signature_json(signature, withheld_names=True)}
    enqueue(f"signature.{change}", statement, data, named=named)


def _on_state_changed(statement: Statement, **kwargs: Any) -> None:
    enqueue("statement.state_changed", statement, {
        "from": kwargs.get("old"), "to": kwargs.get("new"),
        "reason": kwargs.get("reason") or None,
    })


def _on_edition_published(edition: Edition, **kwargs: Any) -> None:
    statement = edition.statement
    data = {
        "edition": edition.number,
        "revision": edition.revision_number,
        "date": edition.date.isoformat(),
        "published_at": iso(edition.published_at),
        "public_from": iso(edition.public_from),
        "url": publishing.permalink(statement, edition.number),
        "sha256": edition.sha256,
        "note": edition.note,
        "signatories": [row.name for row in edition.signatories],
        "signatory_count": edition.signatory_count,
        "withheld_count": edition.withheld_count,
    }
    # Under embargo, not before the edition is public: a campaign site would show it early.
    enqueue("edition.published", statement, data, not_before=edition.public_from)


def _on_update_posted(statement: Statement, **kwargs: Any) -> None:
    update = kwargs.get("update")
    if not isinstance(update, StatementUpdate):
        return
    enqueue("update.posted", statement, {
        "id": update.id,
        "title": update.title,
        "body": update.body,
        "created_at": iso(update.created_at),
        "url": f"{publishing.public_url(statement)}#update-{update.id}",
    })


def connect() -> None:
    """Listen for the events webhooks carry (idempotent: blinker keeps one connection each)."""
    events.signature_changed.connect(_on_signature_changed)
    events.state_changed.connect(_on_state_changed)
    events.edition_published.connect(_on_edition_published)
    events.update_posted.connect(_on_update_posted)
