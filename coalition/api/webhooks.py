"""API routes for the organisation's webhook endpoints and their delivery log (lead only)."""

from __future__ import annotations

from typing import Annotated, Any

from flask import jsonify
from pydantic import Field
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import Schema, api_user, parse
from coalition.api.openapi import operation
from coalition.api.schemas import (
    WebhookDeliveryAnswer,
    WebhookDeliveryList,
    WebhookEndpointAnswer,
    WebhookEndpointList,
    WebhookEndpointMade,
    WebhookEvent,
    WebhookSecret,
    documented,
    line,
)
from coalition.domain.webhooks import DESCRIPTION_MAX, URL_MAX
from coalition.extensions import db
from coalition.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from coalition.security import api_route
from coalition.web import iso
from coalition.webhooks import services

Url = Annotated[str, documented(
    maxLength=URL_MAX, pattern="^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+([/?][^\\s#]*)?$",
    examples=["https://crm.example.org/hooks/coalition"],
)]
Description = Annotated[str, line(DESCRIPTION_MAX, required=False, example="Our CRM")]
Events = Annotated[list[WebhookEvent], Field(min_length=1)]


class WebhookIn(Schema):
    url: Url
    events: Events
    description: Description = ""
    withheld_names: bool = False


class WebhookChangeIn(Schema):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    withheld_names: bool | None = None


def _endpoint_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "withheld_names": endpoint.withheld_names,
        "created_at": iso(endpoint.created_at),
        "deleted_at": iso(endpoint.deleted_at),
    }


def _try_json(attempt: WebhookAttempt) -> dict[str, Any]:
    return {"at": iso(attempt.attempted_at), "status_code": attempt.status_code,
            "error": attempt.error, "duration_ms": attempt.duration_ms}


def _delivery_json(delivery: WebhookDelivery, tries: list[WebhookAttempt]) -> dict[str, Any]:
    status = services.delivery_status(delivery)
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event": delivery.event,
        "statement_id": delivery.statement_id,
        "created_at": iso(delivery.created_at),
        "status": status,
        "attempts": delivery.attempts,
        "next_attempt_at": iso(delivery.next_attempt_at) if status == "waiting" else None,
        "delivered_at": iso(delivery.delivered_at),
        "last_status": delivery.last_status,
        "last_error": delivery.last_error,
        "tries": [_try_json(attempt) for attempt in tries],
    }


_REFUSED = ("The address is refused: not https, a host that does not resolve, or one that "
            "resolves to a private, loopback or link-local address; or no event")


@bp.get("/webhooks")
@operation("The organisation's webhook endpoints", responses={200: WebhookEndpointList},
           description="Every endpoint not deleted, oldest first. The secret is not shown.")
@api_route
def list_webhooks() -> Response:
    """The organisation's webhook endpoints, oldest first."""
    return jsonify({"endpoints": [_endpoint_json(e) for e in services.endpoints(api_user())]})


@bp.post("/webhooks")
@operation(
    "Register a webhook endpoint",
    description="An https:// address whose host resolves only to globally routable addresses "
    "(docs/api.md, \"Webhooks\") and the events it hears of. The answer carries the signing "
    "secret, shown only here and on rotation.",
    request=WebhookIn,
    responses={201: WebhookEndpointMade, 422: None},
    notes={422: _REFUSED},
)
@api_route
def create_webhook() -> tuple[Response, int]:
    """Register an endpoint; its secret is in the answer, once."""
    data = parse(WebhookIn)
    endpoint, secret = services.create_endpoint(
        api_user(), url=data.url, events=data.events, description=data.description,
        withheld_names=data.withheld_names,
    )
    answer = {**_endpoint_json(endpoint), "secret": secret}
    db.session.commit()
    return jsonify(answer), 201


@bp.get("/webhooks/<int:endpoint_id>")
@operation("A webhook endpoint", responses={200: WebhookEndpointAnswer},
           description="Deleted endpoints stay readable, with deleted_at.")
@api_route
def get_webhook(endpoint_id: int) -> Response:
    """One endpoint of the organisation (deleted ones too)."""
    return jsonify(_endpoint_json(services.get_endpoint(api_user(), endpoint_id)))


@bp.patch("/webhooks/<int:endpoint_id>")
@operation(
    "Change a webhook endpoint's address, events, description or withheld_names",
    request=WebhookChangeIn,
    responses={200: WebhookEndpointAnswer, 409: None, 422: None},
    notes={409: "The endpoint is deleted", 422: _REFUSED},
)
@api_route
def change_webhook(endpoint_id: int) -> Response:
    """Change what is given; what is left out stays."""
    endpoint = services.get_endpoint(api_user(), endpoint_id)
    data = parse(WebhookChangeIn)
    services.update_endpoint(api_user(), endpoint, services.Change(
        url=data.url, events=data.events, description=data.description,
        withheld_names=data.withheld_names,
    ))
    answer = _endpoint_json(endpoint)
    db.session.commit()
    return jsonify(answer)


@bp.delete("/webhooks/<int:endpoint_id>")
@operation(
    "Delete a webhook endpoint",
    description="Nothing more is sent to it, deliveries still waiting included; it stays "
    "readable, with its log.",
    responses={200: WebhookEndpointAnswer, 409: None},
    notes={409: "Already deleted"},
)
@api_route
def delete_webhook(endpoint_id: int) -> Response:
    """Delete an endpoint (kept, with its log; nothing more is sent)."""
    endpoint = services.get_endpoint(api_user(), endpoint_id)
    services.delete_endpoint(api_user(), endpoint)
    answer = _endpoint_json(endpoint)
    db.session.commit()
    return jsonify(answer)


@bp.post("/webhooks/<int:endpoint_id>/secret")
@operation(
    "Rotate a webhook endpoint's secret",
    description="The new secret signs every try from now on, retries of older events "
    "included; it is shown only in this answer.",
    responses={200: WebhookSecret, 409: None},
    notes={409: "The endpoint is deleted"},
)
@api_route
def rotate_webhook_secret(endpoint_id: int) -> Response:
    """Give the endpoint a new secret."""
    endpoint = services.get_endpoint(api_user(), endpoint_id)
    secret = services.rotate_secret(api_user(), endpoint)
    db.session.commit()
    return jsonify({"secret": secret})


@bp.get("/webhooks/<int:endpoint_id>/deliveries")
@operation(
    "A webhook endpoint's delivery log",
    description="Its deliveries, newest first (up to 200), each with every try: when, the "
    "answer's status code or the error, how long it took.",
    responses={200: WebhookDeliveryList},
)
@api_route
def list_webhook_deliveries(endpoint_id: int) -> Response:
    """The endpoint's deliveries and their tries."""
    endpoint = services.get_endpoint(api_user(), endpoint_id)
    tries = services.attempts_by_delivery(endpoint)
    return jsonify({"deliveries": [
        _delivery_json(row, tries.get(row.id, [])) for row in services.deliveries(endpoint)
    ]})


@bp.post("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
@operation(
    "Send a delivery again",
    description="Same event id and body, at the sender's next pass; its tries count from the "
    "first again (the log keeps the earlier ones).",
    responses={200: WebhookDeliveryAnswer, 409: None},
    notes={409: "The endpoint is deleted, or the delivery was never tried yet"},
)
@api_route
def resend_webhook_delivery(endpoint_id: int, delivery_id: int) -> Response:
    """Queue a delivery again."""
    endpoint = services.get_endpoint(api_user(), endpoint_id)
    delivery = services.get_delivery(api_user(), endpoint, delivery_id)
    services.resend(api_user(), delivery)
    answer = _delivery_json(delivery, services.attempts_by_delivery(endpoint).get(delivery.id,
                                                                                   []))
    db.session.commit()
    return jsonify(answer)
