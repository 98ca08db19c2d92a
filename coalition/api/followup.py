"""API routes after publication: deliver the letter, log the response, post updates."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from flask import jsonify
from pydantic import ConfigDict
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import Schema, api_user, lead_statement, parse
from coalition.api.openapi import operation
from coalition.api.publishing import parse_date
from coalition.api.schemas import (
    FILE_BASE64,
    DateText,
    DeliveryList,
    DeliveryMade,
    DeliveryPreview,
    Email,
    LetterResponseAnswer,
    LetterResponseList,
    Text,
    Title,
    UpdateAnswer,
    UpdateBody,
    UpdateList,
    documented,
    text_pattern,
)
from coalition.domain.errors import ValidationError
from coalition.domain.followup import (
    MESSAGE_MAX,
    RECIPIENTS_MAX,
    RESPONSE_TEXT_MAX,
    ResponseFile,
    check_response_file,
)
from coalition.extensions import db
from coalition.followup import delivery, updates
from coalition.models import Delivery, LetterResponse, StatementUpdate
from coalition.publishing import services as publishing
from coalition.security import api_route
from coalition.web import iso


class DeliveryIn(Schema):
    # Left out: the saved recipients; given, they are saved for next time.
    recipients: Annotated[list[Email], documented(maxItems=RECIPIENTS_MAX)] | None = None
    message: Annotated[str, Text(MESSAGE_MAX, "Please find our letter attached.")] | None = None
    preview: bool = False


class ResponseFileIn(Schema):
    name: Annotated[str, documented(minLength=1, examples=["reply.pdf"])]
    content_base64: Annotated[str, documented(contentEncoding="base64", pattern=FILE_BASE64)]


def _text_or_file(schema: dict[str, Any]) -> None:
    shows = {"type": "string", "pattern": text_pattern(required=True)}
    schema["if"] = {"required": ["text"], "properties": {"text": shows}}
    schema["else"] = {"required": ["file"], "properties": {"file": {"type": "object"}}}


class ResponseIn(Schema):
    """The addressee's response: its text, a file, or both."""

    model_config = ConfigDict(json_schema_extra=_text_or_file)

    received_on: DateText
    text: Annotated[str, Text(RESPONSE_TEXT_MAX, "The minister replied that...")] | None = None
    public: bool = False
    file: ResponseFileIn | None = None


class ResponseShownIn(Schema):
    public: bool


class UpdateIn(Schema):
    title: Title
    body: UpdateBody


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
@operation(
    "The joint letter's recipients and deliveries",
    description="The saved e-mail recipients and every delivery (edition, recipient, "
    "delivered_at, status: queued, sent or failed), newest first.",
    responses={200: DeliveryList},
)
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
@operation(
    "Deliver the newest public edition of a joint letter by e-mail",
    description="A cover message in the statement's language, the PDF attached, the public "
    "link and the count. recipients (saved for next time) defaults to the saved ones; with "
    "preview true nothing is sent and the answer is the rendered message. An address "
    "already sent this edition is skipped; 409 when every one was.",
    request=DeliveryIn,
    responses={200: DeliveryPreview, 201: DeliveryMade, 409: None, 422: None},
    notes={200: "Preview", 201: "Queued",
           409: "Not a letter, nothing public yet, or already delivered to every recipient",
           422: "An address is invalid, or none was given"},
)
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
@operation("The responses logged, newest received first",
           responses={200: LetterResponseList})
@api_route
def list_responses(statement_id: int) -> Response:
    """The responses logged for the statement, newest received first."""
    statement = lead_statement(statement_id)
    return jsonify({"responses": [_response_json(r) for r in delivery.responses(statement)]})


@bp.post("/statements/<int:statement_id>/responses")
@operation(
    "Log the addressee's response",
    description="received_on (not in the future: 409), text and/or a file (PDF, PNG or JPEG "
    "up to 10 MB, base64); public shows it on the public page as \"Response received on "
    "...\".",
    request=ResponseIn,
    responses={201: LetterResponseAnswer, 409: None, 422: None},
    notes={409: "Not published, or a date still to come"},
)
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
@operation("Show a logged response on the public page, or take it off",
           request=ResponseShownIn, responses={200: LetterResponseAnswer},
           notes={404: "No such statement or response"})
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
@operation("The statement's updates, newest first", responses={200: UpdateList})
@api_route
def list_updates(statement_id: int) -> Response:
    """The statement's updates, newest first."""
    statement = lead_statement(statement_id)
    return jsonify({"updates": [_update_json(row) for row in updates.updates(statement)]})


@bp.post("/statements/<int:statement_id>/updates")
@operation(
    "Post an update under the published statement",
    description="Title and Markdown body, shown under the published statement and in the "
    "Atom feed; mailed to the signers who asked to be kept informed and to the partners' "
    "contacts, each with a one-click unsubscribe.",
    request=UpdateIn,
    responses={201: UpdateAnswer, 409: None, 422: None},
    notes={409: "Nothing public yet"},
)
@api_route
def post_update(statement_id: int) -> tuple[Response, int]:
    """Post an update (Markdown) under the published statement and mail it."""
    statement = lead_statement(statement_id)  # 404 for another organisation, whatever the body
    data = parse(UpdateIn)
    row = updates.post_update(api_user(), statement, title=data.title, body=data.body)
    answer = _update_json(row)
    db.session.commit()
    return jsonify(answer), 201
