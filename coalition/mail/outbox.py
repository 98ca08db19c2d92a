"""Queue mail in the outbox, in the same transaction as the change that causes it."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, render_template
from flask_babel import LazyString, force_locale

from coalition.extensions import db
from coalition.i18n import mail_language
from coalition.models import Invitation, OutboxMessage, Statement

log = logging.getLogger(__name__)


def queue(
    kind: str,
    *,
    to: str,
    subject: str | LazyString,
    context: dict[str, Any],
    statement: Statement | None = None,
    invitation: Invitation | None = None,
    organisation_id: int | None = None,
) -> OutboxMessage:
    """Render templates/mail/<kind>.txt (and .html when present) into an outbox row.

    A lazy subject (``lazy_gettext``) is translated here, in the mail's language, with
    the bodies; subjects are cut to the column's 300 characters.
    """
    with force_locale(mail_language(statement)):
        subject = str(subject)[:300]
        context = {"subject": subject, "base_url": current_app.config["BASE_URL"], **context}
        body_text = render_template(f"mail/{kind}.txt", **context)
        try:
            body_html = render_template(f"mail/{kind}.html", **context)
        except Exception as exc:  # TemplateNotFound: plain text only
            if exc.__class__.__name__ != "TemplateNotFound":
                raise
            body_html = ""
    if organisation_id is None and statement is not None:
        organisation_id = statement.organisation_id
    message = OutboxMessage(
        kind=kind,
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        statement_id=statement.id if statement is not None else None,
        invitation_id=invitation.id if invitation is not None else None,
        organisation_id=organisation_id,
    )
    db.session.add(message)
    # With SMTP configured, the message goes out right after this request's commit.
    from coalition.mail.sender import remember

    remember(message)
    return message
