"""Open sign-on: the lead shares a link, an uninvited organisation asks to sign, is approved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import scenario
from tests.browser.pages import Journey, log_in, tab

ASKING = "Collectif Justice Maintenant"
SIGNER = "claire@justice-maintenant.fr"


@pytest.mark.browser
def test_open_signon_journey(journey: Journey) -> None:
    live = journey.live
    scenario.lead_and_statement(live, state="open")

    # The lead has no signatures yet, and turns on open sign-on.
    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name=scenario.TITLE).click()
    tab(lead, "Signatories")
    expect(lead.get_by_text("No signatures yet.")).to_be_visible()
    journey.check(lead, "signatories-empty")
    lead.get_by_label("Open sign-on: organisations without an invitation may ask to sign").check()
    lead.get_by_role("button", name="Save the options").click()
    journey.flash(lead, "Signing options saved")
    link = lead.get_by_label("Open sign-on link to share").input_value()
    assert link.startswith(f"{live.url}/open/")

    # An organisation nobody invited asks to sign, on a phone; a mistake keeps its typing.
    phone = journey.page(phone=True)
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Ask to sign")).to_be_visible()
    journey.check(phone, "open-signon")
    phone.get_by_label("Name as it should appear").fill(ASKING)
    phone.get_by_label("Country (optional)").select_option(label="France")
    phone.get_by_label("Signer's name").fill("Claire Martin")
    phone.get_by_role("button", name="Ask to sign").click()
    # The mistakes are listed at the top (focused, so a screen reader reads them first), and
    # each links to its field.
    summary = phone.get_by_role("alert").filter(has_text="Please correct")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Signer's e-mail address")).click()
    expect(phone.get_by_label("Signer's e-mail address")).to_be_focused()
    expect(phone.get_by_label("Name as it should appear")).to_have_value(ASKING)
    journey.check(phone, "open-signon-error")
    phone.get_by_label("Signer's e-mail address").fill(SIGNER)
    phone.get_by_label("Website").fill("https://justice-maintenant.fr")
    phone.get_by_role("button", name="Ask to sign").click()
    expect(phone.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    journey.check(phone, "open-signon-requested")

    # The mail's link shows a button; only pressing it confirms.
    (mail,) = live.mails(to=SIGNER, kind="open_signon_confirm")
    phone.goto(live.link_in(mail, "/open/confirm/"))
    journey.check(phone, "open-signon-confirm")
    phone.get_by_role("button", name="Yes, confirm our request").click()
    expect(phone.get_by_role("heading", name="Request confirmed")).to_be_visible()

    # The lead reviews the request and approves it; it joins the list.
    lead.get_by_role("link", name="Requests to sign").click()
    row = lead.locator(".sig-table tbody tr", has_text=ASKING)
    expect(row).to_contain_text("E-mail matches website")
    journey.check(lead, "open-signon-requests")
    row.get_by_role("button", name=f"Approve {ASKING}").click()
    journey.flash(lead, ASKING)
    lead.get_by_role("link", name="As it will be published").click()
    expect(lead.locator(".sig-table tbody tr")).to_contain_text(ASKING)
    journey.check(lead, "signatories-approved")
    (approved,) = live.mails(to=SIGNER, kind="open_signon_approved")
    assert ASKING in approved.body_text
