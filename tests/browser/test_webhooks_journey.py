"""Journey: the lead registers a webhook in the browser; a local receiver that is down at
first gets the sign-on, the withdrawal and the publication later, signed, once per event
id; the delivery log shows every try and a delivery is re-sent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from coalition.extensions import db
from coalition.models import Statement, utcnow
from coalition.publishing import services as publishing
from coalition.webhooks import sender
from tests.browser import scenario
from tests.browser.pages import Journey, log_in
from tests.webhooks.conftest import Receiver, free_port
from tests.webhooks.test_delivery import documented_verify

PARTNER = "Norwegian Helsinki Committee"
PARTNER_MAIL = "office@nhc.example.org"


@pytest.mark.browser
def test_a_receiver_gets_signed_deliveries_even_after_being_down(journey: Journey) -> None:
    live = journey.live
    live.app.config["WEBHOOK_ALLOW_LOOPBACK"] = True  # the receiver is on this machine
    live.app.config["WEBHOOK_TIMEOUT"] = 3
    receiver = Receiver(free_port())  # not started: nothing listens yet
    try:
        _journey(journey, receiver)
    finally:
        receiver.stop()


def _journey(journey: Journey, receiver: Receiver) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="open")
    scenario.invite(live, setup, PARTNER, PARTNER_MAIL)

    # The lead adds an endpoint from the account page.
    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name="Account").click()
    lead.get_by_role("link", name="manage webhooks").click()
    expect(lead.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    journey.check(lead, "webhooks-empty")
    lead.get_by_label("Address (https://...)").fill(receiver.url)
    lead.get_by_label("Description (optional)").fill("Campaign CRM")
    for event in ("Signature created", "Signature withdrawn", "Edition published"):
        expect(lead.get_by_label(event, exact=True)).to_be_checked()
    lead.get_by_role("button", name="Save").click()
    journey.flash(lead, "Copy its secret now")
    secret = lead.get_by_role("textbox", name="Secret").input_value()
    assert secret.startswith("whsec_")
    journey.check(lead, "webhook-added")
    lead.get_by_role("link", name="All webhook endpoints").click()
    lead.get_by_role("link", name=receiver.url).click()
    expect(lead.get_by_role("heading", name="Webhook endpoint", level=1)).to_be_visible()
    endpoint_url = lead.url

    # The partner signs and withdraws in its browser; then the lead publishes.
    (mail,) = live.mails(to=PARTNER_MAIL, kind="invitation")
    partner = journey.page(phone=True)
    partner.goto(live.link_in(mail))
    panel = partner.locator("#sign-panel")
    panel.get_by_label("Name as it should appear").fill(PARTNER)
    panel.get_by_label("Signer's name").fill("Ingrid Berg")
    panel.get_by_label("Signer's e-mail address").fill("ingrid@nhc.example.org")
    panel.get_by_role("button", name="Sign the statement").click()
    journey.flash(partner, f"Thank you: {PARTNER} has signed revision 1")
    partner.once("dialog", lambda dialog: dialog.accept())
    partner.get_by_role("button", name="Withdraw our signature").click()
    journey.flash(partner, f"The signature of {PARTNER} is withdrawn")
    scenario.signed(live, setup, "Amnesty Network")
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        publishing.publish(statement.organisation.users[0], statement)
        db.session.commit()
    assert receiver.received == []  # nothing is sent by a request

    # The receiver is down: the first try fails and is logged.
    start = utcnow()
    with live.app.app_context():
        sender.send_due(now=start)
    lead.goto(endpoint_url)
    log = lead.locator("#log")
    expect(log).to_contain_text("no answer")
    expect(log).to_contain_text("ConnectionRefusedError")
    journey.check(lead, "webhook-log-down")

    # It comes back: everything arrives, signed, each event once.
    receiver.start()
    with live.app.app_context():
        sender.send_due(now=start + dt.timedelta(hours=1))
        sender.send_due(now=start + dt.timedelta(days=1))
    types = [r.json["type"] for r in receiver.received]
    assert types == ["signature.created", "signature.withdrawn", "signature.created",
                     "edition.published"]
    verify = documented_verify()
    assert all(verify(secret, r.headers, r.body) for r in receiver.received)
    ids = [r.json["id"] for r in receiver.received]
    assert len(set(ids)) == 4
    lead.reload()
    expect(log.get_by_text(re.compile("answer 200"))).to_have_count(4)
    journey.check(lead, "webhook-log-delivered")

    # A re-send carries the same event id.
    log.get_by_role("button", name=f"Re-send {ids[0]}").click()
    journey.flash(lead, "The delivery will be sent again in a moment")
    with live.app.app_context():
        sender.send_due()
    assert receiver.received[-1].json["id"] == ids[0]
    assert verify(secret, receiver.received[-1].headers, receiver.received[-1].body)
