"""Journey 6, the details a lead tripped over (issue 20): what each page says agrees with
the others, and reads well on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
