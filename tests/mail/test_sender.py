"""The outbox sender against a real SMTP server on 127.0.0.1 (aiosmtpd), and without one."""

from __future__ import annotations

import datetime as dt
import email
import logging
import socket
from collections.abc import Iterator
from email import policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask
from sqlalchemy import select

from coalition.extensions import db
from coalition.mail import outbox
from coalition.mail.sender import LOGGED_MARKER, send_due
from coalition.models import OutboxMessage, Statement, User
from tests import factories
from tests.conftest import base_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Recorder:
    """An aiosmtpd handler that keeps what it receives, or refuses recipients with 550."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def app_config(tmp_path, port) -> dict[str, Any]:
    return {
        **base_config(tmp_path),
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SECURITY": "none",
        "MAIL_TIMEOUT": 5,
        "MAIL_MAX_ATTEMPTS": 3,
    }


@pytest.fixture
def smtp_server(port) -> Iterator[Recorder]:
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


def _queue(app: Flask, to: str = "partner@example.org") -> int:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner)
        invitation, _ = factories.invite(owner, statement, "Partner", to)
        return db.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.invitation_id == invitation.id)
        )


def _message(app: Flask, message_id: int) -> OutboxMessage:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


@pytest.mark.slow
def test_delivery_sends_text_and_html_and_marks_sent(app, smtp_server):
    message_id = _queue(app)
    with app.app_context():
        report = send_due()
    assert "Sent 1" in report
    [received] = smtp_server.messages
    assert received["To"] == "partner@example.org"
    assert "Free the defenders" in received["Subject"]
    assert received["Message-ID"].strip().startswith(f"<coalition.outbox.{message_id}.")
    types = [part.get_content_type() for part in received.walk()]
    assert "text/plain" in types and "text/html" in types
    message = _message(app, message_id)
    assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""
    with app.app_context():
        assert "Sent 0" in send_due()  # nothing is sent twice
    assert len(smtp_server.messages) == 1


@pytest.mark.slow
def test_server_down_keeps_the_message_and_sends_it_later(app, port):
    message_id = _queue(app)
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        report = send_due(now=now)
    assert "Sent 0" in report and "1 waiting" in report
    message = _message(app, message_id)
    assert message.sent_at is None and message.failed_at is None
    assert message.attempts == 1 and "Connection" in message.last_error
    assert message.next_attempt_at > now  # backoff: not retried at once
    with app.app_context():
        assert "Sent 0, failed tries 0" in send_due(now=now)  # not due yet

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with app.app_context():
            report = send_due(now=now + dt.timedelta(hours=1))
    finally:
        controller.stop()
    assert "Sent 1" in report
    assert len(recorder.messages) == 1
    message = _message(app, message_id)
    assert message.sent_at is not None and message.attempts == 2


@pytest.mark.slow
def test_retry_limit_gives_up_and_the_lead_sees_it(app, make_lead_client):
    message_id = _queue(app)
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        for n in range(5):
            send_due(now=now + dt.timedelta(days=n))
    message = _message(app, message_id)
    assert message.attempts == 3  # MAIL_MAX_ATTEMPTS
    assert message.failed_at is not None and message.sent_at is None
    client, statement_id = make_lead_client(message.statement_id)
    page = client.get(f"/statements/{statement_id}/invitations").get_data(as_text=True)
    assert "Mail failed" in page
    page = client.get(f"/statements/{statement_id}/outbox").get_data(as_text=True)
    assert "Failed" in page and "after 3 tries" in page


@pytest.mark.slow
def test_refused_recipient_fails_for_good_without_stopping_the_others(app, smtp_server):
    smtp_server.refuse.add("gone@example.org")
    refused = _queue(app, "gone@example.org")
    with app.app_context():
        owner = db.session.scalar(select(User))
        statement = db.session.scalar(select(Statement))
        factories.invite(owner, statement, "Other", "ok@example.org")
        report = send_due()
    assert "Sent 1" in report
    assert [m["To"] for m in smtp_server.messages] == ["ok@example.org"]
    message = _message(app, refused)
    assert message.failed_at is not None and message.attempts == 1
    assert "mailbox unavailable" in message.last_error


@pytest.mark.slow
def test_a_request_only_queues_and_the_sender_delivers(app, smtp_server, make_lead_client):
    """Issue 21: request workers never talk to SMTP; the sender sends what they committed."""
    with app.app_context():
        owner = factories.user()
        statement_id = factories.statement(owner, state="review").id
    client, _ = make_lead_client(statement_id)
    response = client.post(f"/statements/{statement_id}/invitations",
                           data={"organisation": "Now", "email": "now@example.org"})
    assert response.status_code == 302
    response.close()
    assert smtp_server.messages == []  # the request did not send it
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.sent_at is None and message.attempts == 0
        assert "Sent 1" in send_due()
    assert [m["To"] for m in smtp_server.messages] == ["now@example.org"]
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.sent_at)) is not None


@pytest.mark.slow
def test_a_request_never_tries_smtp_even_when_it_is_down(app, make_lead_client):
    # MAIL_HOST points at a closed port: the request succeeds and makes no try at all.
    with app.app_context():
        owner = factories.user()
        statement_id = factories.statement(owner, state="review").id
    client, _ = make_lead_client(statement_id)
    response = client.post(f"/statements/{statement_id}/invitations",
                           data={"organisation": "Later", "email": "later@example.org"})
    assert response.status_code == 302
    response.close()
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.sent_at is None and message.failed_at is None and message.attempts == 0
        assert message.last_error == ""


@pytest.fixture
def make_lead_client(app):
    def build(statement_id: int):
        client = app.test_client()
        with app.app_context():
            statement = db.session.get(Statement, statement_id)
            owner = db.session.scalar(
                select(User).where(User.organisation_id == statement.organisation_id))
            factories.login(client, owner)
        return client, statement_id

    return build


class TestWithoutSmtp:
    @pytest.fixture
    def app_config(self, tmp_path) -> dict[str, Any]:
        return base_config(tmp_path)

    def test_messages_are_logged_once_and_stay_readable(self, app, caplog):
        message_id = _queue(app)
        caplog.set_level(logging.INFO, logger="coalition.mail")
        with app.app_context():
            report = send_due()
        assert "printed 1 new message(s)" in report and "1 wait" in report
        assert "partner@example.org" in caplog.text and "/i/" in caplog.text
        caplog.clear()
        with app.app_context():
            assert "printed 0 new message(s)" in send_due()
        assert "partner@example.org" not in caplog.text
        message = _message(app, message_id)
        assert message.sent_at is None and message.failed_at is None
        assert message.last_error == LOGGED_MARKER

    def test_a_message_due_later_is_not_logged_before_its_time(self, app, caplog):
        """Issue 24, point 4: an embargoed notice was printed (and marked) at once."""
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
        with app.app_context():
            message_id = outbox.queue(
                "colleague_invitation", to="embargoed@example.org", subject="Later",
                context={"inviter": factories.user(), "organisation": db.session.scalar(
                    select(User)).organisation, "url": "http://x/embargoed-link"},
                not_before=later,
            )
            db.session.commit()
        caplog.set_level(logging.INFO, logger="coalition.mail")
        with app.app_context():
            report = send_due()
        assert "printed 0 new message(s)" in report and "1 wait" in report
        assert "embargoed@example.org" not in caplog.text
        assert "embargoed-link" not in caplog.text
        assert _message(app, message_id).last_error == ""
        with app.app_context():
            assert "printed 1 new message(s)" in send_due(now=later + dt.timedelta(seconds=1))
        assert "embargoed-link" in caplog.text
        assert _message(app, message_id).last_error == LOGGED_MARKER

    def test_send_mail_command(self, app, runner):
        _queue(app)
        with app.app_context():
            result = runner.invoke(args=["send-mail"])
        assert result.exit_code == 0, result.output
        assert "printed 1 new message(s)" in result.output

    def test_queue_renders_text_and_optional_html(self, app):
        with app.app_context():
            message_id = outbox.queue(
                "colleague_invitation", to="x@example.org", subject="Hi",
                context={"inviter": factories.user(), "organisation": db.session.scalar(
                    select(User)).organisation, "url": "http://x/y"},
            )
            message = db.session.get(OutboxMessage, message_id)
            assert "http://x/y" in message.body_text and message.body_html == ""


def test_only_what_a_request_commits_reaches_the_sender(app, caplog):
    # A rolled-back request (or savepoint) leaves no mail; a committed one leaves its mail
    # in the outbox, where the sender (here: printing to the log, no MAIL_HOST) finds it.
    def queue(to: str) -> int:
        return outbox.queue(
            "colleague_invitation", to=to, subject="Hi",
            context={"inviter": owner, "organisation": owner.organisation, "url": "http://x/y"},
        )

    app.config["MAIL_HOST"] = None
    with app.app_context():
        owner = factories.user()
        db.session.commit()
    with app.test_request_context("/", method="POST"):
        owner = db.session.merge(owner)
        queue("rolled-back@example.org")
        db.session.rollback()
        queue("kept@example.org")
        savepoint = db.session.begin_nested()
        queue("savepoint@example.org")
        savepoint.rollback()
        db.session.commit()
        addresses = db.session.scalars(select(OutboxMessage.to_address)).all()
        assert addresses == ["kept@example.org"]
    caplog.set_level(logging.INFO, logger="coalition.mail")
    with app.app_context():
        assert "printed 1 new message(s)" in send_due()
    assert "kept@example.org" in caplog.text and "rolled-back@" not in caplog.text
