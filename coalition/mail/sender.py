"""Send what waits in the outbox by SMTP: claimed, retried with backoff, never lost.

Request workers never talk to SMTP: a request only writes its mail to the outbox, in its
own transaction. A sender (``flask --app coalition send-mail``, from cron, or
``send-mail --watch`` beside gunicorn) delivers it. Several senders may run at once, on
several machines: each claims a batch (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
conditional UPDATE that SQLite serialises) by pushing its next try out by a lease, commits
that claim, then talks to SMTP. A sender killed between sending and recording can send a
message twice (after the lease), never lose it: delivery is at-least-once, and the
Message-ID is stable so receivers can tell a duplicate.

Signing on to the server has a short timeout (``MAIL_CONNECT_TIMEOUT``), and a failure to
sign on pauses the sender (a circuit breaker, ``MAIL_PAUSE_AFTER_FAILURE``, doubling while
the server stays down) instead of paying the timeout again for every batch.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from flask import current_app
from sqlalchemy import ColumnElement, and_, select, update

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
    """Sign on to the SMTP server, waiting at most MAIL_CONNECT_TIMEOUT for each answer."""
    config = current_app.config
    host, port = config["MAIL_HOST"], int(config["MAIL_PORT"])
    connect_timeout = float(config.get("MAIL_CONNECT_TIMEOUT") or 5)
    security = str(config.get("MAIL_SECURITY") or "starttls").lower()
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if security == "tls":
        smtp = smtplib.SMTP_SSL(timeout=connect_timeout, context=context)
    else:
        smtp = smtplib.SMTP(timeout=connect_timeout)
    try:
        # A server that accepts the connection and never answers costs this long, once.
        smtp.connect(host, port)
        if security == "starttls":
            smtp.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    if smtp.sock is not None:
        smtp.sock.settimeout(float(config.get("MAIL_TIMEOUT") or 10))
    return smtp


@dataclass
class Breaker:
    """After a failure to sign on, no new try until `closed_at`; the pause doubles while
    failures go on, up to 16 times MAIL_PAUSE_AFTER_FAILURE, and ends at the first success."""

    failures: int = 0
    closed_at: dt.datetime | None = None

    def allows(self, now: dt.datetime) -> bool:
        return self.closed_at is None or now >= self.closed_at

    def failed(self, now: dt.datetime, pause: float) -> None:
        self.failures += 1
        seconds = pause * 2 ** min(self.failures - 1, 4)
        self.closed_at = now + dt.timedelta(seconds=seconds)

    def succeeded(self) -> None:
        self.failures, self.closed_at = 0, None


def breaker() -> Breaker:
    """This application's (so this process's) breaker."""
    found = current_app.extensions.get("coalition.mail_breaker")
    if not isinstance(found, Breaker):
        found = current_app.extensions["coalition.mail_breaker"] = Breaker()
    return found


def _due(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.failed_at.is_(None),
        OutboxMessage.next_attempt_at <= now,
    )


def _claim(now: dt.datetime, limit: int | None = None) -> list[int]:
    """Take up to `limit` due messages for this sender and commit the claim (a lease).

    On PostgreSQL the rows are read FOR UPDATE SKIP LOCKED: senders running at once take
    different batches without waiting for each other. On SQLite, which has one writer at a
    time, the UPDATE checks again that each row is still due, so a row another sender
    claimed meanwhile is left out.
    """
    query = (select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id)
             .limit(limit or BATCH))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = db.session.scalars(query).all()
    claimed: list[int] = []
    if ids:
        claimed = list(db.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), _due(now))
            .values(next_attempt_at=now + LEASE)
            .returning(OutboxMessage.id)
        ).all())
    db.session.commit()
    return sorted(claimed)


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


def _send_claimed(claimed: Sequence[int], now: dt.datetime) -> tuple[int, int]:
    """Send the messages this sender claimed; returns (sent, failed tries)."""
    sent = failures = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        # Server down, silent or refusing us: every claimed message waits for its next try,
        # and the breaker keeps this sender from signing on again for a while.
        breaker().failed(now, float(current_app.config.get("MAIL_PAUSE_AFTER_FAILURE") or 60))
        for message_id in claimed:
            message = db.session.get(OutboxMessage, message_id)
            if message is not None:
                _failed(message, error, now)
                failures += 1
        db.session.commit()
        log.warning("SMTP server unreachable (%s); %d message(s) kept for later.", error,
                    failures)
        return 0, failures
    breaker().succeeded()
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


@dataclass(frozen=True)
class Delivery:
    """What one pass of the sender did."""

    sent: int = 0
    failures: int = 0
    logged: int = 0
    paused_until: dt.datetime | None = None

    @property
    def busy(self) -> bool:
        return bool(self.sent or self.failures or self.logged)


def deliver_due(now: dt.datetime | None = None) -> Delivery:
    """Send every due message (or, with no MAIL_HOST, log it once), batch by batch."""
    now = now or utcnow()
    if not current_app.config.get("MAIL_HOST"):
        return Delivery(logged=_log_unsent(now))
    sent = failures = 0
    while breaker().allows(now):
        claimed = _claim(now)
        if not claimed:
            break
        batch_sent, batch_failed = _send_claimed(claimed, now)
        sent += batch_sent
        failures += batch_failed
        if batch_sent == 0:
            break  # nothing went through: leave the rest to the next pass
    paused = None if breaker().allows(now) else breaker().closed_at
    return Delivery(sent=sent, failures=failures, paused_until=paused)


def _waiting() -> int:
    return db.session.query(OutboxMessage).filter(
        OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
    ).count()


def report(delivery: Delivery) -> str:
    """A line saying what a pass did and what waits."""
    if not current_app.config.get("MAIL_HOST"):
        return (
            f"No MAIL_HOST configured: printed {delivery.logged} new message(s) to the log; "
            f"{_waiting()} wait in the outbox."
        )
    gave_up = db.session.query(OutboxMessage).filter(OutboxMessage.failed_at.is_not(None)).count()
    line = (f"Sent {delivery.sent}, failed tries {delivery.failures}; {_waiting()} waiting, "
            f"{gave_up} given up.")
    if delivery.paused_until is not None:
        line += f" SMTP paused until {delivery.paused_until.isoformat(timespec='seconds')}."
    return line


def send_due(now: dt.datetime | None = None) -> str:
    """Send every due message (or, with no MAIL_HOST, log it once); returns a report line."""
    return report(deliver_due(now))


def watch(interval: float, echo: Callable[[str], None],
          stopping: Callable[[], bool] = lambda: False,
          also: Sequence[Callable[[], str]] = ()) -> None:
    """Deliver the outbox every `interval` seconds until `stopping()` says so; each of
    `also` (another queue's pass, e.g. webhooks) runs after it and returns a line or ""."""

    def mail_pass() -> str:
        delivery = deliver_due()
        return report(delivery) if delivery.busy else ""

    repeat(interval, echo, mail_pass, *also, stopping=stopping)


def repeat(interval: float, echo: Callable[[str], None], *passes: Callable[[], str],
               stopping: Callable[[], bool] = lambda: False) -> None:
    """Run each pass every `interval` seconds until `stopping()` says so; a pass returns
    a line to show or ""; one that fails is logged and tried again next time."""
    while not stopping():
        for work in passes:
            try:
                line = work()
                if line:
                    echo(line)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the sender
                log.exception("A pass of the sender failed; trying again in %s s.", interval)
                db.session.rollback()
            finally:
                db.session.remove()  # no transaction or connection held while waiting
        slept = 0.0
        while slept < interval and not stopping():
            time.sleep(min(0.2, interval))
            slept += min(0.2, interval)
