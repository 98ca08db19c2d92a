"""Journey 2, a partner on a phone: read, comment, propose, sign, withdraw, sign, re-confirm."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import scenario
from tests.browser.pages import Journey, log_in, tab

PARTNER = "Human Rights House"
PARTNER_MAIL = "press@humanrightshouse.example.org"
SIGNER_MAIL = "director@humanrightshouse.example.org"


def sign(page: Page) -> None:
    """Fill the sign form at the end of the invitation page and send it."""
    panel = page.locator("#sign-panel")
    panel.get_by_label("Name as it should appear").fill(PARTNER)
    panel.get_by_label("An organisation").check()
    panel.get_by_label("Country (optional)").select_option(label="Norway")
    panel.get_by_label("Signer's name").fill("Maria Dahle")
    panel.get_by_label("Signer's e-mail address").fill(SIGNER_MAIL)
    panel.get_by_role("button", name="Sign the statement").click()


@pytest.mark.browser
def test_partner_journey(journey: Journey) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="open", comments_when_open=True)
    scenario.invite(live, setup, PARTNER, PARTNER_MAIL)

    # The partner reads the invitation mail and opens its link on a phone.
    (mail,) = live.mails(to=PARTNER_MAIL, kind="invitation")
    assert "read and sign" in mail.body_text
    link = live.link_in(mail)
    phone = journey.page(phone=True)
    phone.goto(link)
    expect(phone.get_by_role("heading", name=scenario.TITLE, level=1)).to_be_visible()
    expect(phone.get_by_text("Invitation from")).to_contain_text("Rights Watch")
    journey.check(phone, "invitation-page")

    # A comment on the second paragraph.
    second = phone.locator("#p-1")
    second.get_by_text("Comment or suggest a change").click()
    second.get_by_label("Your comment on this paragraph").fill(
        "Could we name the treaty? The ICCPR would make this concrete."
    )
    journey.check(phone, "comment-form", full_page=False)
    second.get_by_role("button", name="Send").click()
    journey.flash(phone, "Your comment is sent to Rights Watch")
    expect(phone.locator("#p-1 .comment")).to_contain_text("Could we name the treaty?")

    # A proposed edit of the third paragraph, shared with the other partners.
    third = phone.locator("#p-2")
    third.get_by_text("Comment or suggest a change").click()
    third.get_by_label("Your comment on this paragraph").fill("Stronger wording.")
    third.get_by_label("Suggested text for this paragraph (optional)").fill(
        "We call on the authorities to drop all charges at once and to lift the travel bans."
    )
    third.get_by_label("Rights Watch and all invited partners").check()
    third.get_by_role("button", name="Send").click()
    journey.flash(phone, "shared with the other partners")
    expect(phone.locator("#p-2 .suggestion-text")).to_contain_text("drop all charges at once")
    journey.check(phone, "commented")

    # Sign, withdraw, sign again.
    sign(phone)
    journey.flash(phone, f"Thank you: {PARTNER} has signed revision 1")
    expect(phone.get_by_role("heading", name="You have signed")).to_be_visible()
    journey.check(phone, "signed")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Withdraw our signature").click()
    journey.flash(phone, f"The signature of {PARTNER} is withdrawn")
    expect(phone.get_by_text("You withdrew your signature")).to_be_visible()
    journey.check(phone, "withdrawn")
    sign(phone)
    journey.flash(phone, f"Thank you: {PARTNER} has signed revision 1")

    # The lead reads the comments, then changes the text substantively.
    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name=scenario.TITLE).click()
    tab(lead, "Comments")
    expect(lead.get_by_text("Could we name the treaty?")).to_be_visible()
    journey.check(lead, "lead-comments")
    tab(lead, "Edit")
    text = lead.get_by_label("Text", exact=True)
    text.fill(text.input_value().replace(
        "under international law", "under the International Covenant on Civil and Political "
        "Rights"))
    lead.get_by_label("Note about this change (optional)").fill("Name the treaty")
    # One organisation has signed: the lead confirms it will be asked to re-confirm.
    expect(lead.get_by_text("1 organisation has signed.")).to_be_visible()
    lead.get_by_label("Ask the signers to re-confirm").check()
    lead.get_by_role("button", name="Save a new revision").click()
    journey.flash(lead, "Saved as revision 2")

    # The signer is asked to re-confirm, and does so through its same link.
    (request,) = live.mails(to=SIGNER_MAIL, kind="reconfirm")
    assert "Name the treaty" in request.body_text
    assert "Civil and Political Rights+}" in request.body_text
    assert "same link as in earlier e-mails" in request.body_text
    (invitation_mail,) = live.mails(to=PARTNER_MAIL, kind="invitation")
    assert live.link_in(request) == live.link_in(invitation_mail)
    phone.goto(live.link_in(request))
    expect(phone.get_by_role("heading", name="The text has changed since you signed")
           ).to_be_visible()
    expect(phone.locator(".changes .redline ins").first).to_contain_text("International Covenant")
    journey.check(phone, "asked-to-reconfirm")
    phone.get_by_role("button", name="Re-confirm: sign revision 2").click()
    journey.flash(phone, "Thank you: you now endorse revision 2")
    expect(phone.get_by_text(re.compile(r"You endorsed revision 2"))).to_be_visible()
    journey.check(phone, "reconfirmed")

    # The lead sees one signatory, endorsing the current text.
    tab(lead, "Signatories")
    row = lead.locator(".sig-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(PARTNER)
    expect(row).to_contain_text("Revision 2 · current")
    journey.check(lead, "lead-signatories")
