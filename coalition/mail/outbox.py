"""Queue mail in the outbox, in the same transaction as the change that causes it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask import render_template
from flask_babel import LazyString, force_locale
from jinja2 import TemplateNotFound
from sqlalchemy import insert

from coalition.extensions import db
from coalition.i18n import mail_language
from coalition.models import Invitation, OutboxAttachment, OutboxMessage, Statement, utcnow
from coalition.web import base_url

log = logging.getLogger(__name__)

# Built once: one Core INSERT on the session's connection (see audit.py for why).
_INSERT = insert(OutboxMessage).returning(OutboxMessage.id)
_INSERT_ATTACHMENT = insert(OutboxAttachment)
# Kinds with no HTML template, found once per process: a miss searches every template
# folder and raises, on every message (the receipt of every signature).
_TEXT_ONLY: set[str] = set()


def _render_html(kind: str, context: dict[str, Any]) -> str:
    if kind in _TEXT_ONLY:
        return ""
    try:
        return render_template(f"mail/{kind}.html", **context)
    except TemplateNotFound as error:
        if error.name != f"mail/{kind}.html":
            raise  # a template it includes is missing: a defect, not plain text
        _TEXT_ONLY.add(kind)
        return ""


@dataclass(frozen=True)
class Attachment:
    """A file to send with a message; stored with the outbox row so every try sends it."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Message:
    """A rendered mail, ready to be written to the outbox."""

    kind: str
    to: str
    subject: str
    body_text: str
    body_html: str
    statement_id: int | None
    invitation_id: int | None
    organisation_id: int | None
    # One-click unsubscribe (RFC 8058): sent as List-Unsubscribe and List-Unsubscribe-Post.
    unsubscribe_url: str = ""
    attachments: tuple[Attachment, ...] = ()


def compose(
    kind: str,
    *,
    to: str,
    subject: str | LazyString,
    context: dict[str, Any],
    statement: Statement | None = None,
    invitation: Invitation | None = None,
    organisation_id: int | None = None,
    unsubscribe_url: str = "",
    attachments: Sequence[Attachment] = (),
) -> Message:
    """Render templates/mail/<kind>.txt (and .html when present); nothing is written.

    A lazy subject (``lazy_gettext``) is translated here, in the mail's language, with
    the bodies; subjects are cut to the column's 300 characters.
    """
    with force_locale(mail_language(statement)):
        subject = str(subject)[:300]
        context = {"subject": subject, "base_url": base_url(), **context}
        body_text = render_template(f"mail/{kind}.txt", **context)
        body_html = _render_html(kind, context)
    if organisation_id is None and statement is not None:
        organisation_id = statement.organisation_id
    if any(row is not None and row.id is None for row in (statement, invitation)):
        db.session.flush()  # a row made in this transaction gets its id
    return Message(
        kind=kind,
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        statement_id=statement.id if statement is not None else None,
        invitation_id=invitation.id if invitation is not None else None,
        organisation_id=organisation_id,
        unsubscribe_url=unsubscribe_url,
        attachments=tuple(attachments),
    )


def write(message: Message, *, not_before: dt.datetime | None = None) -> int:
    """Write a composed message to the outbox in the session's transaction; its id.

    The row is inserted at once, not at the next flush. It is sent from `not_before`
    (default: now) by the sender (`flask --app coalition send-mail`), never by the request.
    """
    now = utcnow()
    message_id: int = db.session.connection().execute(
        _INSERT,
        {
            "organisation_id": message.organisation_id,
            "statement_id": message.statement_id,
            "invitation_id": message.invitation_id,
            "kind": message.kind,
            "to_address": message.to,
            "subject": message.subject,
            "body_text": message.body_text,
            "body_html": message.body_html,
            "created_at": now,
            "attempts": 0,
            "next_attempt_at": not_before or now,
            "sent_at": None,
            "failed_at": None,
            "last_error": "",
            "unsubscribe_url": message.unsubscribe_url,
        },
    ).scalar_one()
    for attachment in message.attachments:
        db.session.connection().execute(
            _INSERT_ATTACHMENT,
            {
                "message_id": message_id,
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "content": attachment.content,
            },
        )
    return message_id


def queue(
    kind: str,
    *,
    to: str,
    subject: str | LazyString,
    context: dict[str, Any],
    statement: Statement | None = None,
    invitation: Invitation | None = None,
    organisation_id: int | None = None,
    not_before: dt.datetime | None = None,
    unsubscribe_url: str = "",
    attachments: Sequence[Attachment] = (),
) -> int:
    """Render a mail and write it to the outbox (compose, then write); its id."""
    message = compose(
        kind, to=to, subject=subject, context=context, statement=statement,
        invitation=invitation, organisation_id=organisation_id,
        unsubscribe_url=unsubscribe_url, attachments=attachments,
    )
    return write(message, not_before=not_before)


def dress(email: EmailMessage, message: OutboxMessage) -> EmailMessage:
    """Add what a row carries beyond its text: the one-click unsubscribe headers and the
    stored attachments. Every sender builds its mail through this."""
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return email
