"""Send what waits in the outbox by SMTP: claimed, retried with backoff, never lost.

A message is claimed (its next try pushed out by a lease) and that claim committed before
the SMTP conversation, so the cron command and the after-request sender never send the
same message at once. A crash between sending and recording can only send a message twice,
never lose it.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from flask import Flask, current_app, g, has_request_context
from flask import Response as FlaskResponse
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from coalition.domain.invitations import backoff
from coalition.extensions import db
from coalition.mail import outbox
from coalition.models import OutboxMessage, utcnow

log = logging.getLogger("coalition.mail")

# What last_error says of a message printed to the log because no SMTP server is set;
# it stays due, so it goes out once MAIL_HOST is configured.
LOGGED_MARKER = "Not sent: no MAIL_HOST is configured; printed to the log."
# How long a claimed message is left alone by other senders.
LEASE = dt.timedelta(minutes=5)
BATCH = 200


class _Permanent(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


def _build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    _, address = parseaddr(config["MAIL_FROM"])
    domain = address.rpartition("@")[2] or "localhost"
    # A stable Message-ID per row lets receiving servers drop a duplicate after a crash.
    stamp = int(message.created_at.timestamp())
    email["Message-ID"] = f"<coalition.outbox.{message.id}.{stamp}@{domain}>"
    email["Auto-Submitted"] = "auto-generated"
    if config.get("MAIL_REPLY_TO"):
        email["Reply-To"] = formataddr(parseaddr(config["MAIL_REPLY_TO"]))
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return outbox.dress(email, message)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["MAIL_HOST"], int(config["MAIL_PORT"])
    timeout = float(config.get("MAIL_TIMEOUT") or 10)
    security = str(config.get("MAIL_SECURITY") or "starttls").lower()
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            smtp.starttls(context=context)
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def _claim(ids: Iterable[int], now: dt.datetime) -> list[int]:
    """Take the due messages among `ids` for this sender; commits the claim."""
    claimed = []
    for message_id in ids:
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(message_id)
    db.session.commit()
    return claimed


def _failed(message: OutboxMessage, error: BaseException, now: dt.datetime,
            permanent: bool = False) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    limit = int(current_app.config["MAIL_MAX_ATTEMPTS"])
    if permanent or message.attempts >= limit:
        message.failed_at = now
        log.warning("Gave up on message %s to %s: %s", message.id, message.to_address,
                    message.last_error)
    else:
        message.next_attempt_at = now + backoff(message.attempts)


def _refused_for_good(error: smtplib.SMTPException) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError)
    return False


def _log_unsent(now: dt.datetime) -> int:
    """With no SMTP server: print each due message to the log once; it stays due.

    A message due later (a publication notice under embargo) is not printed before its
    time: the log is a way out of the outbox too.
    """
    messages = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.last_error != LOGGED_MARKER,
        )
        .order_by(OutboxMessage.id)
        .limit(BATCH)
    ).all()
    for message in messages:
        # WARNING, so it shows with no logging set up (a local trial, the CLI).
        log.warning(
            "Outbox message %s (no MAIL_HOST, not sent)\nTo: %s\nSubject: %s\n\n%s",
            message.id, message.to_address, message.subject, message.body_text,
        )
        message.last_error = LOGGED_MARKER
    db.session.commit()
    return len(messages)


def send_messages(ids: Iterable[int], now: dt.datetime | None = None) -> tuple[int, int]:
    """Send these outbox messages if they are due; returns (sent, failed tries)."""
    now = now or utcnow()
    claimed = _claim(ids, now)
    if not claimed:
        return 0, 0
    sent = failures = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        # Server down or refusing us: every claimed message waits for its next try.
        for message_id in claimed:
            message = db.session.get(OutboxMessage, message_id)
            if message is not None:
                _failed(message, error, now)
                failures += 1
        db.session.commit()
        log.warning("SMTP server unreachable (%s); %d message(s) kept for later.", error,
                    failures)
        return 0, failures
    try:
        for message_id in claimed:
            message = db.session.get(OutboxMessage, message_id)
            if message is None:
                continue
            try:
                smtp.send_message(_build(message))
            except smtplib.SMTPServerDisconnected as error:
                _failed(message, error, now)
                failures += 1
                db.session.commit()
                # The rest of the batch keeps its claim and is retried after the lease.
                break
            except smtplib.SMTPException as error:
                _failed(message, error, now, permanent=_refused_for_good(error))
                failures += 1
            except (OSError, ValueError) as error:
                _failed(message, error, now)
                failures += 1
            else:
                message.sent_at = utcnow()
                message.attempts += 1
                message.last_error = ""
                sent += 1
            # Record each outcome at once: a crash later must not resend what went out.
            db.session.commit()
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return sent, failures


def send_due(now: dt.datetime | None = None) -> str:
    """Send every due message (or, with no MAIL_HOST, log it once); returns a report line."""
    now = now or utcnow()
    if not current_app.config.get("MAIL_HOST"):
        logged = _log_unsent(now)
        waiting = db.session.query(OutboxMessage).filter(
            OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
        ).count()
        return (
            f"No MAIL_HOST configured: printed {logged} new message(s) to the log; "
            f"{waiting} wait in the outbox."
        )
    sent = failures = 0
    while True:
        due = db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(BATCH)
        ).all()
        if not due:
            break
        batch_sent, batch_failed = send_messages(due, now)
        sent += batch_sent
        failures += batch_failed
        if batch_sent == 0:
            break  # nothing went through: leave the rest to the next run
    gave_up = db.session.query(OutboxMessage).filter(OutboxMessage.failed_at.is_not(None)).count()
    waiting = db.session.query(OutboxMessage).filter(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
    ).count()
    return f"Sent {sent}, failed tries {failures}; {waiting} waiting, {gave_up} given up."


# --- send right after the request's commit --------------------------------------------------


_PENDING = "coalition.outbox_pending"


def remember(message_id: int) -> None:
    """Note a message queued in this request, to send it once the request has committed."""
    if has_request_context():
        # With the (innermost) transaction that wrote it: a savepoint may roll back alone.
        session = db.session()
        written_in = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_PENDING, []).append((written_in, message_id))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    # What the rolled-back transaction (or savepoint) wrote is gone: never send it.
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [
            (written_in, message_id)
            for written_in, message_id in pending
            if not _within(written_in, previous_transaction)
        ]


def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    # The root transaction committed: what it queued is in the database for good.
    pending = session.info.pop(_PENDING, None)
    if pending and has_request_context():
        g.setdefault("_outbox_queued", []).extend(message_id for _, message_id in pending)


def _after_request(response: FlaskResponse) -> FlaskResponse:
    ids: list[int] = g.pop("_outbox_queued", [])
    if not ids or not current_app.config.get("MAIL_HOST"):
        return response
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def send_after_response() -> None:
        with app.app_context():
            try:
                send_messages(ids)
            except Exception:  # noqa: BLE001 - mail must never fail a request; rows keep state
                log.exception("Sending after the request failed; the outbox keeps the mail.")
                db.session.rollback()
            finally:
                db.session.remove()

    response.call_on_close(send_after_response)
    return response


def init_app(app: Flask) -> None:
    """Send the mail a request queued once its response is done."""
    app.after_request(_after_request)
    if not event.contains(db.session, "after_commit", _committed):
        event.listen(db.session, "after_commit", _committed)
        event.listen(db.session, "after_soft_rollback", _rolled_back)
