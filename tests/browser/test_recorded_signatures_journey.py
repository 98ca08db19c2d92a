"""Journey (issue 22): the lead records two signatures that came by e-mail, with their
evidence, then imports 50 from a CSV with 3 bad lines and 2 duplicates; nothing is
written before the lead confirms."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import Invitation, OutboxMessage, Signature
from tests.browser import scenario
from tests.browser.conftest import Live
from tests.browser.pages import Journey, log_in, tab

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _counts(live: Live) -> tuple[int, int, int]:
    with live.app.app_context():
        return (
            db.session.scalar(select(func.count(Signature.id))) or 0,
            db.session.scalar(select(func.count(Invitation.id))) or 0,
            db.session.scalar(select(func.count(OutboxMessage.id))) or 0,
        )


def _csv() -> str:
    """50 good lines, 3 bad ones and 2 duplicates of signatures already there."""
    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    lines = ["name,kind,country,signer_name,signer_role,signer_email,signed_at,named_publicly"]
    lines += [f"Coalition Member {n:02d},organisation,FR,Signer {n},Director,"
              f"member{n}@members.example.org,{day},yes" for n in range(1, 51)]
    lines += [
        "Broken Address Group,organisation,FR,Ana,,not-an-address,,yes",
        "Robots Inc,robot,FR,Bo,,bo@robots.example.org,,yes",
        ",organisation,FR,Cy,,cy@nameless.example.org,,yes",
        "Amnesty Network,organisation,NO,Dee,,dee@amnesty.example.org,,yes",
        "CRD Again,organisation,SE,Eve,,crd@crd.example.org,,yes",
    ]
    return "\r\n".join(lines) + "\r\n"


@pytest.mark.browser
def test_the_lead_records_two_signatures_and_imports_fifty(journey: Journey) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="open")
    scenario.signed(live, setup, "Amnesty Network", signer_email="anna@amnesty.example.org")
    scenario.signed(live, setup, "Civil Rights Defenders", signer_email="crd@crd.example.org")
    scenario.invite(live, setup, "Libereco", "press@libereco.example.org")
    yesterday = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name=scenario.TITLE).click()
    tab(lead, "Signatories")

    # 1. Libereco answered the invitation by e-mail: recorded on its invitation.
    lead.get_by_role("link", name="Record a signature").click()
    expect(lead.get_by_role("heading", name="Record a signature given by e-mail or by phone")
           ).to_be_visible()
    lead.get_by_label("Partner", exact=True).select_option(
        label="Libereco <press@libereco.example.org>")
    lead.get_by_label("When the partner approved").fill(yesterday)
    lead.get_by_label("Name as it should appear").fill("Libereco – Partnership for Human Rights")
    lead.get_by_label("Signer's name").fill("Marie Müller")
    lead.get_by_label("Signer's role (optional)").fill("Geschäftsführerin")
    lead.get_by_label("Signer's e-mail address").fill("mueller@libereco.example.org")
    journey.check(lead, "record-form")
    # Without the evidence: refused, the mistake named at the top and beside its field.
    lead.get_by_role("button", name="Record the signature").click()
    summary = lead.locator(".error-summary")
    expect(summary).to_contain_text("Paste the partner's message")
    expect(lead.get_by_label("Name as it should appear")).to_have_value(
        "Libereco – Partnership for Human Rights")
    journey.check(lead, "record-form-refused")
    summary.get_by_role("link").first.click()  # the summary's link leads to the field
    expect(lead.get_by_label("The partner's message")).to_be_focused()
    lead.keyboard.type("From: mueller@libereco.example.org\nDate: yesterday\n\nYes, we sign.")
    lead.get_by_label("When the partner approved").fill(yesterday)
    lead.get_by_role("button", name="Record the signature").focus()
    lead.keyboard.press("Enter")
    journey.flash(lead, "Libereco – Partnership for Human Rights's signature of revision 1 is "
                        "recorded")
    row = lead.locator(".sig-table tbody tr", has_text="Libereco")
    expect(row).to_contain_text("Recorded by Amina Diallo")
    row.locator("summary", has_text="evidence").click()
    expect(row.locator(".evidence-text")).to_contain_text("Yes, we sign.")
    journey.check(lead, "recorded-libereco")

    # 2. Viasna, not invited, wrote from Vilnius: a new partner, not named publicly, a PDF.
    evidence = journey.tmp / "viasna-mail.pdf"
    evidence.write_bytes(PDF)
    lead.get_by_role("link", name="Record a signature").click()
    lead.get_by_label("When the partner approved").fill(yesterday)
    lead.get_by_label("Name as it should appear").fill("Viasna")
    lead.get_by_label("Not named publicly: counted in the total only").check()
    lead.get_by_label("Signer's name").fill("Алесь Бяляцкі")
    lead.get_by_label("Signer's e-mail address").fill("office@viasna.example.org")
    lead.get_by_label("Or attach it (optional)").set_input_files(str(evidence))
    lead.get_by_role("button", name="Record the signature").click()
    journey.flash(lead, "Viasna's signature of revision 1 is recorded")
    row = lead.locator(".sig-table tbody tr", has_text="Viasna")
    expect(row).to_contain_text("Not named publicly")
    expect(row).to_contain_text("Recorded by Amina Diallo")
    row.locator("summary", has_text="evidence").click()
    with lead.expect_download() as download:
        row.get_by_role("link", name="Download viasna-mail.pdf").click()
    assert download.value.suggested_filename == "viasna-mail.pdf"

    receipts = live.mails(kind="signature_receipt")
    to = {m.to_address: m for m in receipts}
    assert "Recorded by Amina Diallo" not in to["office@viasna.example.org"].body_text
    assert "recorded by Amina Diallo" in to["office@viasna.example.org"].body_text
    assert live.link_in(to["mueller@libereco.example.org"])
    assert not live.mails(to="office@viasna.example.org", kind="invitation")

    # 3. The import: a preview that writes nothing, then the confirmation.
    upload = journey.tmp / "meeting-sheet.csv"
    upload.write_text(_csv(), encoding="utf-8")
    lead.get_by_role("link", name="Import from CSV").click()
    journey.check(lead, "import-upload")
    lead.get_by_label("CSV file").set_input_files(str(upload))
    lead.get_by_label("Where the list comes from").fill("Sign-up sheet of the Vilnius meeting")
    before = _counts(live)
    lead.get_by_role("button", name="Preview the import").click()
    expect(lead.locator(".import-preview")).to_contain_text("Nothing has been written yet")
    counts = lead.locator(".import-counts")
    expect(counts).to_contain_text("50 signatures will be recorded")
    expect(counts).to_contain_text("2 duplicates, not imported")
    expect(counts).to_contain_text("3 lines refused")
    refused = lead.locator(".import-refused tbody tr")
    expect(refused).to_have_count(3)
    expect(refused.nth(0)).to_contain_text("52")
    expect(refused.nth(0)).to_contain_text("not-an-address")
    expect(refused.nth(1)).to_contain_text("kind must be organisation or individual")
    expect(lead.locator(".import-lines tr.import-duplicate")).to_have_count(2)
    expect(lead.locator("#line-55")).to_contain_text("Amnesty Network has already signed")
    journey.check(lead, "import-preview")
    assert _counts(live) == before  # nothing written before confirming
    lead.get_by_role("button", name="Import 50 signatures").click()
    journey.flash(lead, "50 signatures are imported")
    expect(lead.get_by_role("navigation", name="Show").get_by_role(
        "link", name="Everyone who signed")).to_contain_text("54")
    after = _counts(live)
    assert after[0] == before[0] + 50 and after[1] == before[1] + 50
    journey.check(lead, "imported")

    # The public list does not tell recorded signatures apart; the activity log names the lead.
    tab(lead, "Activity")
    expect(lead.locator("main")).to_contain_text("Signatures imported")
    expect(lead.locator("main")).to_contain_text("recorded for")
    journey.check(lead, "activity")
