"""Journey: two organisations steer one statement, each with its own login (issue 17).

Rights Watch drafts and invites Centre for Human Rights as co-lead; the centre's director
makes her account from the mail, edits the text and invites a partner; the lead requires
sign-off, is refused publication until the centre approves the exact revision, then
publishes; the public page and the exports name both conveners; the lead removes the
co-lead, who then sees nothing.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import scenario
from tests.browser.conftest import Live
from tests.browser.pages import PASSWORD, Journey, log_in, tab

CO_LEAD_EMAIL = "director@centre.example.org"
CO_LEAD = "Centre for Human Rights"


@pytest.mark.browser
def test_co_lead_journey(journey: Journey, live: Live) -> None:
    setup = scenario.lead_and_statement(live, state="draft")
    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name=scenario.TITLE).click()

    # The lead invites the co-lead by one of its staff's address, and requires sign-off.
    tab(lead, "Co-leads")
    expect(lead.get_by_text("No co-lead yet.")).to_be_visible()
    journey.check(lead, "co-leads-empty")
    lead.get_by_label("E-mail of someone at the co-lead organisation").fill(CO_LEAD_EMAIL)
    lead.get_by_role("button", name="Invite as co-lead").click()
    journey.flash(lead, "is invited to co-lead")
    lead.get_by_label("Each co-lead must approve the exact revision").check()
    lead.get_by_role("button", name="Save", exact=True).click()
    journey.flash(lead, "Saved.")
    journey.check(lead, "co-leads-invited")

    # The director opens the mail's link and makes her account: no shared login.
    mail = live.mails(to=CO_LEAD_EMAIL, kind="co_lead_invitation")[-1]
    co = journey.page()
    co.goto(live.link_in(mail, "/co-lead/"))
    journey.check(co, "accept")
    co.get_by_label("Your organisation").fill(CO_LEAD)
    co.get_by_label("Your name").fill("Nadia Karim")
    co.get_by_label("Password", exact=True).fill(PASSWORD)
    co.get_by_label("Repeat the password").fill(PASSWORD)
    co.get_by_role("button", name="Create the account and accept").click()
    journey.flash(co, "You now co-lead")
    expect(co.get_by_role("heading", name=scenario.TITLE, level=1)).to_be_visible()
    journey.check(co, "co-lead-overview")

    # The co-lead edits the text and invites a partner, like the lead would.
    tab(co, "Edit")
    co.get_by_label("Text", exact=True).fill(scenario.BODY + "\n\nWe stand together.")
    co.get_by_label("Note about this change (optional)").fill("A closing line")
    co.get_by_role("button", name="Save a new revision").click()
    journey.flash(co, "Saved as revision 2")
    tab(co, "Partners")
    co.get_by_label("Organisation", exact=True).fill("Lawyers for Lawyers")
    co.get_by_label("E-mail address", exact=True).fill("info@lawyers.example.org")
    co.get_by_role("button", name="Invite", exact=True).click()
    journey.flash(co, "Lawyers for Lawyers is invited")
    journey.check(co, "co-lead-partners")
    # The lead's other statements never show; publishing is the lead's.
    co.goto("/")
    expect(co.get_by_role("link", name=scenario.TITLE)).to_be_visible()

    # The lead opens signing; the partner signs.
    lead.reload()
    tab(lead, "Overview")
    lead.get_by_role("button", name="Open for signing").click()
    journey.flash(lead, "open for signing")
    scenario.signed(live, setup, "Human Rights House")

    # Publication waits for the co-lead's approval of the latest revision.
    tab(lead, "Publish")
    expect(lead.get_by_text(f"Waiting for the sign-off of {CO_LEAD}")).to_be_visible()
    lead.get_by_role("button", name="Review what will be published").click()
    expect(lead.locator(".flash", has_text="waits for the co-leads' sign-off")).to_be_visible()
    journey.check(lead, "publish-awaiting")

    co.get_by_role("link", name=scenario.TITLE).click()
    tab(co, "Co-leads")
    co.get_by_role("button", name="Approve revision 2 for publication").click()
    journey.flash(co, "You approved revision 2")
    expect(co.locator(".sign-off-row")).to_contain_text("holds")
    journey.check(co, "co-lead-signed-off")

    tab(lead, "Publish")
    expect(lead.locator(".sign-offs")).to_contain_text(CO_LEAD)
    lead.get_by_role("button", name="Review what will be published").click()
    lead.get_by_role("button", name="Publish edition 1").click()
    journey.flash(lead, "Edition 1 is published")

    # Both conveners on the public page and in the exports.
    press = journey.page()
    press.goto(f"/s/{setup.slug}")
    convened = f"Convened by Rights Watch and {CO_LEAD}"
    expect(press.locator(".coordinated-by")).to_have_text(convened)
    journey.check(press, "public-page")
    for suffix in (".txt", ".md", ".html"):
        text = press.request.get(f"/s/{setup.slug}{suffix}").text()
        assert convened in text, suffix

    # The lead removes the co-lead: its director sees the statement no more.
    tab(lead, "Co-leads")
    lead.once("dialog", lambda dialog: dialog.accept())
    lead.get_by_role("button", name="Remove").click()
    journey.flash(lead, "The co-lead is removed")
    response = co.goto(f"/statements/{setup.statement_id}")
    assert response is not None and response.status == 404
    co.goto("/")
    expect(co.get_by_role("link", name=re.compile(scenario.TITLE))).to_have_count(0)
