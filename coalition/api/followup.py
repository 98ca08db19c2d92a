"""API routes after publication: deliver the letter, log the response, post updates."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import Schema, api_user, lead_statement, parse
from coalition.api.openapi import document
from coalition.api.publishing import parse_date
from coalition.domain.errors import ValidationError
from coalition.domain.followup import ResponseFile, check_response_file
from coalition.extensions import db
from coalition.followup import delivery, updates
from coalition.models import Delivery, LetterResponse, StatementUpdate
from coalition.publishing import services as publishing
from coalition.security import api_route
from coalition.web import iso


class DeliveryIn(Schema):
    recipients: list[str] | None = None
    message: str | None = None
    preview: bool = False


class ResponseFileIn(Schema):
    name: str
    content_base64: str


class ResponseIn(Schema):
    received_on: str
    text: str | None = None
    public: bool = False
    file: ResponseFileIn | None = None


class ResponseShownIn(Schema):
    public: bool


class UpdateIn(Schema):
    title: str
    body: str


def _delivery_json(row: Delivery) -> dict[str, Any]:
    return {
        "edition": row.edition.number,
        "recipient": row.recipient,
        "delivered_at": iso(row.created_at),
        "status": delivery.delivery_status(row),
    }


def _response_json(row: LetterResponse) -> dict[str, Any]:
    return {
        "id": row.id,
        "received_on": row.received_on.isoformat(),
        "text": row.text,
        "public": row.public,
        "file": row.file_name,
        "logged_at": iso(row.created_at),
    }


def _update_json(row: StatementUpdate) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "created_at": iso(row.created_at),
        "mailed": row.mailed_count,
        "url": f"{publishing.public_url(row.statement)}#update-{row.id}",
    }


@bp.get("/statements/<int:statement_id>/deliveries")
@api_route
def list_deliveries(statement_id: int) -> Response:
    """The letter's saved recipients and every delivery, newest first."""
    statement = lead_statement(statement_id)
    return jsonify(
        {
            "recipients": delivery.saved_recipients(statement),
            "deliveries": [_delivery_json(row) for row in delivery.deliveries(statement)],
        }
    )


@bp.post("/statements/<int:statement_id>/deliveries")
@api_route
def deliver(statement_id: int) -> tuple[Response, int]:
    """Preview, or send, the newest public edition to the letter's recipients."""
    statement = lead_statement(statement_id)  # 404 for another organisation, whatever the body
    data = parse(DeliveryIn)
    if data.preview:
        plan = delivery.plan(
            api_user(), statement, recipients=data.recipients, message=data.message
        )
        return jsonify(
            {
                "edition": plan.edition.number,
                "to_send": plan.to_send,
                "already": plan.already,
                "subject": plan.subject,
                "body_text": plan.body_text,
                "attachment": plan.attachment_name,
            }
        ), 200
    plan, made = delivery.deliver(
        api_user(), statement, recipients=data.recipients, message=data.message
    )
    answer = {
        "edition": plan.edition.number,
        "delivered": [row.recipient for row in made],
        "already": plan.already,
    }
    db.session.commit()
    return jsonify(answer), 201


def _file(data: ResponseFileIn | None) -> ResponseFile | None:
    if data is None:
        return None
    try:
        content = base64.b64decode(data.content_base64, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ValidationError(
            "file.content_base64 is not valid base64.",
            fields={"file.content_base64": "not base64"},
        ) from error
    return check_response_file(data.name, content, field="file")


@bp.get("/statements/<int:statement_id>/responses")
@api_route
def list_responses(statement_id: int) -> Response:
    """The responses logged for the statement, newest received first."""
    statement = lead_statement(statement_id)
    return jsonify({"responses": [_response_json(r) for r in delivery.responses(statement)]})


@bp.post("/statements/<int:statement_id>/responses")
@api_route
def log_response(statement_id: int) -> tuple[Response, int]:
    """Log the addressee's response (text, date, optional file); public only if asked."""
    statement = lead_statement(statement_id)  # 404 for another organisation, whatever the body
    data = parse(ResponseIn)
    received_on = parse_date(data.received_on, "received_on")
    assert received_on is not None
    row = delivery.log_response(
        api_user(), statement, text=data.text, received_on=received_on,
        public=data.public, file=_file(data.file),
    )
    answer = _response_json(row)
    db.session.commit()
    return jsonify(answer), 201


@bp.patch("/statements/<int:statement_id>/responses/<int:response_id>")
@api_route
def show_response(statement_id: int, response_id: int) -> Response:
    """Show a response on the public page, or take it off."""
    statement = lead_statement(statement_id)  # 404 for another organisation, whatever the body
    data = parse(ResponseShownIn)
    row = delivery.show_response(api_user(), statement, response_id, data.public)
    answer = _response_json(row)
    db.session.commit()
    return jsonify(answer)


@bp.get("/statements/<int:statement_id>/updates")
@api_route
def list_updates(statement_id: int) -> Response:
    """The statement's updates, newest first."""
    statement = lead_statement(statement_id)
    return jsonify({"updates": [_update_json(row) for row in updates.updates(statement)]})


@bp.post("/statements/<int:statement_id>/updates")
@api_route
def post_update(statement_id: int) -> tuple[Response, int]:
    """Post an update (Markdown) under the published statement and mail it."""
    statement = lead_statement(statement_id)  # 404 for another organisation, whatever the body
    data = parse(UpdateIn)
    row = updates.post_update(api_user(), statement, title=data.title, body=data.body)
    answer = _update_json(row)
    db.session.commit()
    return jsonify(answer), 201


document(
    "GET", "/statements/{id}/deliveries",
    "The joint letter's saved e-mail recipients and its deliveries (edition, recipient, "
    "delivered_at, status: queued, sent or failed), newest first.",
    responses={200: "{recipients: [e-mail], deliveries: [...]}", 404: "No such statement"},
)
document(
    "POST", "/statements/{id}/deliveries",
    "Deliver the newest public edition of a joint letter by e-mail: a cover message in the "
    "statement's language, the PDF attached, the public link and the count. recipients "
    "(saved for next time) defaults to the saved ones; with preview true nothing is sent "
    "and the answer is the rendered message. An address already sent this edition is "
    "skipped; 409 when every one was.",
    request=DeliveryIn,
    responses={
        200: "Preview: {edition, to_send, already, subject, body_text, attachment}",
        201: "Queued: {edition, delivered: [e-mail], already: [e-mail]}",
        404: "No such statement",
        409: "Not a letter, nothing public yet, or already delivered to every recipient",
        422: "An address is invalid, or none was given",
    },
)
document(
    "GET", "/statements/{id}/responses",
    "The responses logged for the statement, newest received first.",
    responses={200: "{responses: [{id, received_on, text, public, file, logged_at}]}"},
)
document(
    "POST", "/statements/{id}/responses",
    "Log the addressee's response: received_on (YYYY-MM-DD, not in the future), text and/or "
    "a file (PDF, PNG or JPEG up to 10 MB, base64); public shows it on the public page as "
    "\"Response received on ...\".",
    request=ResponseIn,
    responses={201: "The response", 409: "Not published", 422: "A field is invalid"},
)
document(
    "PATCH", "/statements/{id}/responses/{response_id}",
    "Show a logged response on the public page, or take it off.",
    request=ResponseShownIn,
    responses={200: "The response", 404: "No such statement or response"},
)
document(
    "GET", "/statements/{id}/updates",
    "The statement's updates, newest first.",
    responses={200: "{updates: [{id, title, body, created_at, mailed, url}]}"},
)
document(
    "POST", "/statements/{id}/updates",
    "Post an update (title, Markdown body) under the published statement and in the Atom "
    "feed; it is mailed to the signers who asked to be kept informed and to the partners' "
    "contacts, each with a one-click unsubscribe.",
    request=UpdateIn,
    responses={201: "{id, title, body, created_at, mailed, url}", 409: "Nothing public yet"},
)
