"""The sender's commands deliver webhooks: send-mail (beside the outbox) and send-webhooks."""

from __future__ import annotations

import time

from coalition.mail import sender as mail_sender
from coalition.webhooks import sender, services
from tests import factories
from tests.webhooks.conftest import Receiver


def _queue_one(app, url):
    with app.app_context():
        owner = factories.user()
        services.create_endpoint(owner, url=url, events=["signature.created"])
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Partner Org")


def test_send_mail_delivers_webhooks_too(app, runner, receiver: Receiver):
    _queue_one(app, receiver.url)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "Webhooks: delivered 1, failed tries 0. 0 waiting." in result.output
    assert [r.json["type"] for r in receiver.received] == ["signature.created"]


def test_send_webhooks(app, runner, receiver: Receiver):
    _queue_one(app, receiver.url)
    result = runner.invoke(args=["send-webhooks"])
    assert result.exit_code == 0, result.output
    assert "delivered 1" in result.output and "outbox" not in result.output
    assert len(receiver.received) == 1


def test_the_mail_senders_watch_loop_delivers_webhooks(app, receiver: Receiver):
    _queue_one(app, receiver.url)
    lines: list[str] = []
    deadline = time.monotonic() + 20

    def webhook_pass() -> str:
        done = sender.deliver_due()
        return done.report() if done.busy else ""

    with app.app_context():
        mail_sender.watch(0.1, lines.append, also=[webhook_pass],
                          stopping=lambda: bool(receiver.received) or time.monotonic() > deadline)
    assert len(receiver.received) == 1
    assert "Webhooks: delivered 1, failed tries 0." in lines
