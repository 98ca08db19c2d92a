"""Delivering a published joint letter to its addressee by e-mail, and logging the response.

Every operation takes the acting user, checks that the statement is theirs and published,
writes an audit event and queues mail in the outbox; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coalition import audit
from coalition.domain.errors import Conflict, NotFound, ValidationError
from coalition.domain.exports import format_date
from coalition.domain.followup import (
    MESSAGE_MAX,
    RESPONSE_TEXT_MAX,
    ResponseFile,
    parse_recipients,
)
from coalition.domain.limits import blank, clean_text
from coalition.extensions import db
from coalition.mail import outbox
from coalition.models import Delivery, Edition, LetterResponse, Statement, User, utcnow
from coalition.publishing import files
from coalition.publishing import services as publishing
from coalition.security import require_manage

KIND = "letter_delivery"


def newest_public_edition(statement: Statement) -> Edition:
    """The edition the public reads now; Conflict while nothing is public."""
    visible = publishing.public_editions(statement)
    if not visible:
        raise Conflict(
            "The statement has no public edition yet: publish it first.",
            fields={"state": "not published"},
        )
    return visible[-1]


def saved_recipients(statement: Statement) -> list[str]:
    """The letter's delivery addresses as saved on the statement."""
    try:
        return parse_recipients(statement.letter_recipients)
    except ValidationError:
        return []


def _message(text: str | None) -> str:
    cleaned = clean_text("message", text or "")
    if len(cleaned) > MESSAGE_MAX:
        raise ValidationError(
            f"message is too long ({len(cleaned)} characters, at most {MESSAGE_MAX}).",
            fields={"message": f"at most {MESSAGE_MAX} characters"},
        )
    return cleaned


@dataclass
class DeliveryPlan:
    """What "Deliver" would send: the edition, to whom, and the cover message as rendered."""

    edition: Edition
    recipients: list[str]
    already: list[str]  # delivered this edition before: never sent twice
    subject: str
    body_text: str
    attachment_name: str
    message: str
    to_send: list[str] = field(default_factory=list)


def _context(statement: Statement, edition: Edition, message: str) -> dict[str, object]:
    letter = edition.letter or {}
    return {
        "title": edition.title,
        "addressee": (letter.get("name") or statement.letter_addressee_name or "").strip(),
        "salutation": (letter.get("salutation") or statement.letter_salutation or "").strip(),
        "date": format_date(edition.date, edition.language),
        "count": edition.signatory_count,
        "edition": edition.number,
        "url": publishing.public_url(statement),
        "permalink": publishing.permalink(statement, edition.number),
        "lead": statement.organisation.name,
        "message": message,
    }


def plan(
    actor: User,
    statement: Statement,
    *,
    recipients: str | list[str] | None = None,
    message: str | None = None,
) -> DeliveryPlan:
    """Preview a delivery of the newest public edition; nothing is written."""
    require_manage(actor, statement)
    if not statement.is_letter:
        raise Conflict(
            "Only a joint letter (with an addressee) is delivered.",
            fields={"letter": "no addressee"},
        )
    edition = newest_public_edition(statement)
    if recipients is None:
        addresses = saved_recipients(statement)
    elif isinstance(recipients, str):
        addresses = parse_recipients(recipients)
    else:
        addresses = parse_recipients("\n".join(recipients))
    if not addresses:
        raise ValidationError(
            "Give at least one e-mail address to deliver the letter to.",
            fields={"recipients": "at least one address"},
        )
    cover = _message(message)
    delivered = set(
        db.session.scalars(
            select(Delivery.recipient).where(
                Delivery.edition_id == edition.id, Delivery.recipient.in_(addresses)
            )
        )
    )
    rendered = outbox.compose(
        KIND,
        to=addresses[0],
        subject=_subject(edition),
        context=_context(statement, edition, cover),
        statement=statement,
    )
    return DeliveryPlan(
        edition=edition,
        recipients=addresses,
        already=[a for a in addresses if a in delivered],
        to_send=[a for a in addresses if a not in delivered],
        subject=rendered.subject,
        body_text=rendered.body_text,
        attachment_name=files.file_name(statement, edition.number, "pdf"),
        message=cover,
    )


def _subject(edition: Edition) -> object:
    return lazy_gettext("Joint letter: %(title)s", title=edition.title)


def save_recipients(actor: User, statement: Statement, recipients: str) -> list[str]:
    """Keep the letter's delivery addresses on the statement (one a line); the lead only."""
    require_manage(actor, statement)
    addresses = parse_recipients(recipients)
    text = "\n".join(addresses)
    if text != statement.letter_recipients:
        statement.letter_recipients = text
        audit.record("letter.recipients_saved", actor=actor, statement=statement,
                     recipients=addresses)
    return addresses


def deliver(
    actor: User,
    statement: Statement,
    *,
    recipients: str | list[str] | None = None,
    message: str | None = None,
) -> tuple[DeliveryPlan, list[Delivery]]:
    """Send the newest public edition, PDF attached, to each recipient not yet sent it.

    Idempotent per edition and recipient: an address that already has this edition is
    skipped, and Conflict is raised when every one has it. The lead only.
    """
    prepared = plan(actor, statement, recipients=recipients, message=message)
    if not prepared.to_send:
        raise Conflict(
            f"Edition {prepared.edition.number} was already delivered to every recipient.",
            fields={"recipients": "already delivered"},
            already=prepared.already,
        )
    if recipients is not None:
        save_recipients(actor, statement, "\n".join(prepared.recipients))
    edition = prepared.edition
    pdf = files.cached_export(edition, "pdf")
    attachment = outbox.Attachment(prepared.attachment_name, "application/pdf", pdf.content)
    context = _context(statement, edition, prepared.message)
    made: list[Delivery] = []
    try:
        with db.session.begin_nested():
            for address in prepared.to_send:
                message_id = outbox.queue(
                    KIND, to=address, subject=_subject(edition), context=context,
                    statement=statement, attachments=[attachment],
                )
                row = Delivery(
                    statement_id=statement.id, edition_id=edition.id, recipient=address,
                    message=prepared.message, outbox_message_id=message_id,
                    delivered_by_id=actor.id, created_at=utcnow(),
                )
                db.session.add(row)
                made.append(row)
            db.session.flush()
    except IntegrityError as error:
        # Another request delivered the same edition to one of them meanwhile.
        raise Conflict(
            "The letter was being delivered by someone else at the same moment; reload.",
            fields={"recipients": "already delivered"},
        ) from error
    audit.record(
        "letter.delivered", actor=actor, statement=statement, edition=edition.number,
        recipients=prepared.to_send, skipped=prepared.already,
    )
    return prepared, made


def deliveries(statement: Statement) -> list[Delivery]:
    """Every delivery of the statement, newest first."""
    return list(
        db.session.scalars(
            select(Delivery)
            .where(Delivery.statement_id == statement.id)
            .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        )
    )


def delivery_status(row: Delivery) -> str:
    """queued, sent or failed: what the outbox says of the delivery's mail."""
    message = row.outbox_message
    if message is None:
        return "queued"
    if message.sent_at is not None:
        return "sent"
    if message.failed_at is not None:
        return "failed"
    return "queued"


# --- the addressee's response -------------------------------------------------------------------


def log_response(
    actor: User,
    statement: Statement,
    *,
    text: str | None,
    received_on: dt.date,
    public: bool = False,
    file: ResponseFile | None = None,
) -> LetterResponse:
    """Record the addressee's reply (text, date, optional file); public only if chosen."""
    require_manage(actor, statement)
    if not publishing.editions(statement):
        raise Conflict(
            "The statement is not published: there is nothing to respond to yet.",
            fields={"state": "not published"},
        )
    body = clean_text("text", text or "")
    if blank(body):
        body = ""
    if not body and file is None:
        raise ValidationError(
            "Give the response's text, a file, or both.", fields={"text": "is required"}
        )
    if len(body) > RESPONSE_TEXT_MAX:
        raise ValidationError(
            f"text is too long ({len(body)} characters, at most {RESPONSE_TEXT_MAX}).",
            fields={"text": f"at most {RESPONSE_TEXT_MAX} characters"},
        )
    if received_on > publishing.today(statement):
        # 409, not 422: a well-formed date that is still to come, a fact of the moment.
        raise Conflict(
            "The date the response was received cannot be in the future.",
            fields={"received_on": "in the future"},
        )
    response = LetterResponse(
        statement_id=statement.id,
        received_on=received_on,
        text=body,
        file_name=file.name if file else None,
        file_type=file.content_type if file else None,
        file_content=file.content if file else None,
        public=public,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(response)
    db.session.flush()
    statement.updated_at = utcnow()  # the public page's validator changes with it
    audit.record(
        "letter.response_logged", actor=actor, statement=statement, response=response.id,
        received_on=received_on.isoformat(), public=public, file=response.file_name,
    )
    return response


def get_response(statement: Statement, response_id: int) -> LetterResponse:
    response = db.session.get(LetterResponse, response_id)
    if response is None or response.statement_id != statement.id:
        raise NotFound("No such response.", fields={"response": "not found"})
    return response


def show_response(
    actor: User, statement: Statement, response_id: int, public: bool
) -> LetterResponse:
    """Show a logged response on the public page, or take it off; the lead only."""
    require_manage(actor, statement)
    response = get_response(statement, response_id)
    if response.public != public:
        response.public = public
        statement.updated_at = utcnow()
        audit.record(
            "letter.response_shown" if public else "letter.response_hidden",
            actor=actor, statement=statement, response=response.id,
        )
    return response


def responses(statement: Statement, *, public_only: bool = False) -> list[LetterResponse]:
    """The statement's logged responses, newest received first."""
    query = select(LetterResponse).where(LetterResponse.statement_id == statement.id)
    if public_only:
        query = query.where(LetterResponse.public.is_(True))
    return list(
        db.session.scalars(
            query.order_by(LetterResponse.received_on.desc(), LetterResponse.id.desc())
        )
    )
