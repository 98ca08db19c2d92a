"""Journey 6, the details a lead tripped over (issue 20): what each page says agrees with
the others, and reads well on a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from coalition.extensions import db
from coalition.models import Statement
from tests.browser import scenario
from tests.browser.pages import Journey, log_in, tab

SIGNED = ("Amnesty International", "Bridge Collective", "Civic Voice")


@pytest.mark.browser
def test_lead_details_journey(journey: Journey) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="open", comments_when_open=True)
    for name in SIGNED:
        scenario.signed(live, setup, name)

    # On a phone each signatory is a card numbered "1. Amnesty International", with a space.
    phone = journey.page(phone=True)
    log_in(phone, scenario.LEAD_EMAIL)
    phone.get_by_role("link", name=scenario.TITLE).click()
    tab(phone, "Signatories")
    first = phone.locator(".sig-table tbody tr").first
    expect(first.locator("strong")).to_have_text(SIGNED[0])
    number = first.locator("td.num").bounding_box()
    name = first.locator("strong").bounding_box()
    assert number and name
    gap = name["x"] - (number["x"] + number["width"]) + first.locator("td.num").evaluate(
        "el => parseFloat(getComputedStyle(el).paddingRight)"
    )
    assert gap >= 4, f"the number touches the name ({gap:.1f} px)"
    journey.check(phone, "phone-signatories")

    # A partner sends a blank comment on the last paragraph, far down the page on a phone:
    # the mistake is listed at the top, its link opens the box and puts the cursor in it.
    partner = journey.page(phone=True)
    partner.goto(f"/i/{setup.tokens[SIGNED[0]]}")
    last = partner.locator(".partner-para").last
    last.locator("summary").click()
    last.get_by_label("Your comment on this paragraph").fill("   ")
    last.get_by_role("button", name="Send").click()
    summary = partner.get_by_role("alert").filter(has_text="Please correct one thing")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    journey.check(partner, "phone-comment-refused", full_page=False)
    summary.get_by_role("link").click()
    box = partner.locator(".partner-para").last.get_by_label("Your comment on this paragraph")
    expect(box).to_be_focused()
    expect(box).to_be_in_viewport()
    journey.check(partner, "phone-comment-field", full_page=False)

    # A partner fills in the sign form; the deadline passes before it presses the button.
    scenario.invite(live, setup, "Late Collective", "office@late.example.org")
    (mail,) = live.mails(to="office@late.example.org", kind="invitation")
    late = journey.page(phone=True)
    late.goto(live.link_in(mail))
    late.get_by_role("link", name="Go to the sign form").click()
    late.get_by_label("Signer's name").fill("Lena Late")
    late.get_by_label("Signer's e-mail address").fill("lena@late.example.org")
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        statement.sign_deadline = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
    late.get_by_role("button", name="Sign the statement").click()
    # What was typed is kept, and can go to the lead as a late signature request; the top of
    # the page says so, the request form is further down.
    expect(late.get_by_role("alert").filter(has_text="Signing closed before your signature")
           ).to_be_in_viewport()
    late.get_by_role("link", name="Go to the late signature request").click()
    expect(late.get_by_text("What you typed is kept below, not sent yet.")).to_be_in_viewport()
    expect(late.get_by_label("Signer's e-mail address")).to_have_value("lena@late.example.org")
    journey.check(late, "phone-late-kept")
    late.get_by_role("button", name="Send as a late signature request").click()
    journey.flash(late, "Your late signature request is sent to Rights Watch")
    expect(late.get_by_text("Late request sent")).to_be_visible()
    expect(late.get_by_text("so they stop reminding you")).to_have_count(0)
    journey.check(late, "phone-late-sent")

    # The lead sees the request, and approves it: it joins the list.
    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name=scenario.TITLE).click()
    tab(lead, "Signatories")
    lead.get_by_role("link", name="1 request to sign").click()
    expect(lead.get_by_text("Late: sent after signing closed")).to_be_visible()
    journey.check(lead, "late-request")
    lead.get_by_role("button", name="Approve Late Collective").click()
    journey.flash(lead, "Late Collective is approved and listed")
    lead.get_by_role("link", name="Everyone who signed").click()
    expect(lead.locator(".sig-table strong", has_text="Late Collective")).to_be_visible()

    # The time-zone menu: current zones by region and city, found by typing a city.
    tab(lead, "Settings")
    lead.get_by_label("Find a time zone").fill("kyiv")
    expect(lead.get_by_label("Time zone", exact=True)).to_have_value("Europe/Kyiv")
    journey.check(lead, "settings-time-zone")
    lead.get_by_role("button", name="Save the settings").click()
    journey.flash(lead, "Settings saved")
    expect(lead.locator(".side .facts")).to_contain_text(re.compile(r"EES?T"))  # Kyiv time
