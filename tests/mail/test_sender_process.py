"""The sender as its own process (issue 21, part 2): requests never talk to SMTP, a silent
server costs one short sign-on timeout and then a pause, senders side by side never send a
message twice, and ``send-mail --watch`` runs until SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select, text

from coalition.extensions import db
from coalition.mail import outbox, sender
from coalition.models import OutboxMessage, utcnow
from tests import factories
from tests.conftest import PG_URL, base_config
from tests.mail.test_sender import Recorder, free_port


class SilentServer:
    """A socket on 127.0.0.1 that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.1)
        self.port = int(self.listener.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(connection)  # held open, never answered

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self.accepted:
            connection.close()
        self.listener.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def app_config(tmp_path, silent) -> dict[str, Any]:
    return {
        **base_config(tmp_path),
        "MAIL_HOST": "127.0.0.1",
        "MAIL_PORT": silent.port,
        "MAIL_SECURITY": "none",
        "MAIL_TIMEOUT": 10,  # the default: what each request paid before issue 21
        "MAIL_CONNECT_TIMEOUT": 1,
        "MAIL_PAUSE_AFTER_FAILURE": 60,
    }


def _invitations(app: Flask, count: int) -> list[str]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        return [factories.partner_invitation(statement, f"Partner {n}")[1]
                for n in range(count)]


def _queue_mail(app: Flask, count: int) -> None:
    with app.app_context():
        owner = factories.user()
        for n in range(count):
            outbox.queue("colleague_invitation", to=f"person{n}@example.org",
                         subject=f"Hi {n}", context={
                             "inviter": owner, "organisation": owner.organisation,
                             "url": f"http://x/{n}"})
        db.session.commit()


def _sign_on_seconds(app: Flask, tokens: list[str]) -> list[float]:
    """How long each sign-on holds its worker: the answer and what runs after it."""
    client = app.test_client()
    seconds = []
    for n, token in enumerate(tokens):
        started = time.perf_counter()
        response = client.post(f"/api/v1/invitations/{token}/signature", json={
            "name": f"Partner {n}", "signer_name": "Signer",
            "signer_email": f"signer{n}@partner.example.org"})
        response.close()  # what a worker runs after the answer (call_on_close) runs here
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 201
    return seconds


@pytest.mark.slow
def test_a_silent_smtp_server_leaves_sign_on_latency_unchanged(app: Flask, silent):
    """Issue 21: each sign-on waited MAIL_TIMEOUT (10 s) for a server that never answers."""
    tokens = _invitations(app, 12)
    app.config["MAIL_HOST"] = None  # the baseline: no mail server at all
    without = _sign_on_seconds(app, tokens[:6])
    app.config["MAIL_HOST"] = "127.0.0.1"
    with_silent = _sign_on_seconds(app, tokens[6:])
    assert statistics.median(with_silent) < statistics.median(without) + 0.5, (
        without, with_silent)
    assert max(with_silent) < 3, with_silent
    assert silent.accepted == []  # no request even connected
    with app.app_context():
        receipts = db.session.scalar(select(func.count(OutboxMessage.id)))
        assert receipts and receipts >= 12  # the mail is queued, not lost


@pytest.mark.slow
def test_the_sender_pays_the_short_timeout_once_then_pauses(app: Flask, silent):
    _queue_mail(app, 3)
    now = utcnow()
    with app.app_context():
        started = time.perf_counter()
        report = sender.send_due(now=now)
        first = time.perf_counter() - started
        assert first < 5, first  # MAIL_CONNECT_TIMEOUT (1 s), not MAIL_TIMEOUT (10 s)
        assert "Sent 0, failed tries 3" in report and "SMTP paused until" in report
        assert len(silent.accepted) == 1  # one sign-on try for the whole batch
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert all(m.sent_at is None and m.failed_at is None for m in messages)
        assert all("timed out" in m.last_error for m in messages)
        # The breaker is open: the next pass, even for messages due now, does not connect.
        for message in messages:
            message.next_attempt_at = now
        db.session.commit()
        started = time.perf_counter()
        report = sender.send_due(now=now + dt.timedelta(seconds=30))
        assert time.perf_counter() - started < 1
        assert "Sent 0, failed tries 0" in report and "SMTP paused until" in report
        assert len(silent.accepted) == 1


def test_the_breaker_pauses_longer_while_failures_go_on():
    breaker = sender.Breaker()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert breaker.allows(now)
    pauses = []
    for _ in range(7):
        breaker.failed(now, 60)
        assert breaker.closed_at is not None and not breaker.allows(now)
        pauses.append((breaker.closed_at - now).total_seconds())
    assert pauses == [60, 120, 240, 480, 960, 960, 960]
    assert breaker.allows(now + dt.timedelta(seconds=960))
    breaker.succeeded()
    assert breaker.allows(now) and breaker.failures == 0


class TestSendersSideBySide:
    @pytest.fixture
    def port(self) -> int:
        return free_port()

    @pytest.fixture
    def app_config(self, tmp_path, port) -> dict[str, Any]:
        return {**base_config(tmp_path), "MAIL_HOST": "127.0.0.1", "MAIL_PORT": port,
                "MAIL_SECURITY": "none", "MAIL_CONNECT_TIMEOUT": 5}

    @pytest.fixture
    def recorder(self, port) -> Iterator[Recorder]:
        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            yield recorder
        finally:
            controller.stop()

    @pytest.mark.slow
    def test_senders_at_once_send_each_message_once(self, app: Flask, recorder, monkeypatch):
        _queue_mail(app, 40)
        monkeypatch.setattr(sender, "BATCH", 3)  # many small claims, so the senders interleave
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with app.app_context():
                    sender.deliver_due()
                    db.session.remove()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                errors.append(error)

        threads = [threading.Thread(target=run) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        ids = [m["Message-ID"] for m in recorder.messages]
        assert len(ids) == 40 and len(set(ids)) == 40
        with app.app_context():
            assert db.session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))
            ) == 0

    @pytest.mark.skipif(not PG_URL, reason="FOR UPDATE SKIP LOCKED is PostgreSQL's")
    def test_a_claim_skips_rows_another_sender_holds(self, app: Flask):
        _queue_mail(app, 6)
        with app.app_context():
            connection = db.engine.connect()
            try:
                transaction = connection.begin()
                held = connection.execute(text(
                    "SELECT id FROM outbox_message ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED"
                )).scalars().all()
                started = time.perf_counter()
                claimed = sender._claim(utcnow())  # noqa: SLF001 - the claim itself
                assert time.perf_counter() - started < 2  # did not wait for the lock
                assert set(claimed).isdisjoint(held) and len(claimed) == 4
                transaction.rollback()
            finally:
                connection.close()


@pytest.mark.slow
def test_send_mail_watch_delivers_until_sigterm(tmp_path, app: Flask):
    """`flask --app coalition send-mail --watch` beside the app: mail queued after it
    started goes out; SIGTERM ends it cleanly."""
    port = free_port()
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    environment = {
        **os.environ,
        "COALITION_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "COALITION_SECRET_KEY": secrets.token_hex(32),
        "COALITION_MAIL_HOST": "127.0.0.1",
        "COALITION_MAIL_PORT": str(port),
        "COALITION_MAIL_SECURITY": "none",
    }
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "flask", "--app", "coalition", "send-mail", "--watch",
         "--interval", "0.2"],
        env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _queue_mail(app, 2)
        deadline = time.monotonic() + 30
        while len(recorder.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(recorder.messages) == 2
        process.terminate()
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        controller.stop()
    assert process.returncode == 0, output
    assert "Sent 2" in output and "Stopped." in output
