"""Journey: a partner at risk signs on a phone without being named; counted, never named."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coalition.extensions import db
from coalition.models import Statement
from coalition.publishing import services as publishing
from tests.browser import scenario
from tests.browser.pages import Journey, log_in, tab

PARTNER = "Minsk Lawyers Underground"
PARTNER_MAIL = "office@minsk-lawyers.example.org"
SIGNER_MAIL = "head@minsk-lawyers.example.org"
DESCRIPTION = "a lawyers' collective inside the country"


@pytest.mark.browser
def test_a_partner_signs_without_being_named_on_a_phone(journey: Journey) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="open")
    scenario.signed(live, setup, "Amnesty Network", country="NO")
    scenario.signed(live, setup, "Civil Rights Defenders")
    scenario.invite(live, setup, PARTNER, PARTNER_MAIL)

    (mail,) = live.mails(to=PARTNER_MAIL, kind="invitation")
    phone = journey.page(phone=True)
    phone.goto(live.link_in(mail))
    panel = phone.locator("#sign-panel")
    panel.get_by_label("Name as it should appear").fill(PARTNER)
    panel.get_by_label("Not named publicly: counted in the total only").check()
    # The form says plainly who will see what.
    expect(panel.locator(".who-sees")).to_contain_text("the public and the other partners see "
                                                       "only the number")
    expect(panel.locator(".who-sees")).to_contain_text("The lead organisation's staff see your "
                                                       "details, marked as not public")
    panel.get_by_label("Public description (optional)").fill(DESCRIPTION)
    panel.get_by_label("Signer's name").fill("Hanna S.")
    panel.get_by_label("Signer's e-mail address").fill(SIGNER_MAIL)
    journey.check(phone, "sign-not-named")
    panel.get_by_role("button", name="Sign the statement").click()
    journey.flash(phone, f"Thank you: {PARTNER} has signed revision 1")
    expect(phone.locator(".withheld-note")).to_contain_text("Not named publicly")
    journey.check(phone, "signed-not-named")
    (receipt,) = live.mails(to=SIGNER_MAIL, kind="signature_receipt")
    assert "Not named publicly" in receipt.body_text

    # The lead sees it, marked.
    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name=scenario.TITLE).click()
    tab(lead, "Signatories")
    row = lead.locator(".sig-table tbody tr", has_text=PARTNER)
    expect(row).to_contain_text("Not named publicly")
    expect(row).to_contain_text(DESCRIPTION)
    journey.check(lead, "lead-signatories-not-named")

    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        publishing.publish(statement.organisation.users[0], statement)
        db.session.commit()

    # The public page on a phone: three counted, two named, one line, the description.
    phone.goto(f"/s/{setup.slug}")
    signatories = phone.locator(".public-signatories")
    expect(signatories.locator(".signatory-count")).to_have_text("(3)")
    expect(signatories.locator(".withheld-line")).to_have_text(
        "and 1 organisation that cannot be named for its safety"
    )
    expect(signatories.locator(".withheld-descriptions")).to_contain_text(DESCRIPTION)
    expect(signatories).to_contain_text("Amnesty Network")
    assert PARTNER.lower() not in phone.content().lower()
    journey.check(phone, "public-not-named")
