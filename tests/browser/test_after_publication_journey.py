"""Journey 5, after publication: the lead delivers the letter to two recipients (received
by a local SMTP server with the PDF attached), logs the response and shows it, posts an
update that reaches only the signers who asked for it, the one-click unsubscribe works
from the mail, and the daily digest reaches the lead who turned it on."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from coalition.extensions import db
from coalition.followup.digest import send_digests
from coalition.mail.sender import send_due
from coalition.models import Statement, UpdateOptOut
from coalition.publishing import services as publishing
from tests.browser import scenario
from tests.browser.conftest import Live
from tests.browser.pages import Journey, log_in, tab
from tests.mail.test_sender import Recorder, free_port

pytestmark = pytest.mark.browser

INFORMED = "informed@alpha.example.org"
QUIET = "quiet@beta.example.org"


@pytest.fixture
def smtp(live: Live) -> Iterator[Recorder]:
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    live.app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none")
    try:
        yield recorder
    finally:
        controller.stop()


def _published_letter(live: Live) -> scenario.Setup:
    setup = scenario.lead_and_statement(live)
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        statement.letter_addressee_name = "Rt Hon Jane Doe MP"
        statement.letter_salutation = "Dear Home Secretary,"
        db.session.commit()
    scenario.signed(live, setup, "Alpha Rights", signer_email=INFORMED, wants_updates=True)
    scenario.signed(live, setup, "Beta Watch", signer_email=QUIET)
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        publishing.publish(statement.organisation.users[0], statement)
        db.session.commit()
    return setup


def _flush(live: Live) -> None:
    """What the sender (`flask --app coalition send-mail`) does: requests only queue mail."""
    with live.app.app_context():
        send_due()


def _received(smtp: Recorder, subject_start: str) -> list[Message]:
    return [m for m in smtp.messages if str(m["Subject"]).startswith(subject_start)]


def test_after_publication(journey: Journey, live: Live, smtp: Recorder) -> None:
    setup = _published_letter(live)
    page = journey.page()
    log_in(page, scenario.LEAD_EMAIL)
    page.goto(f"/statements/{setup.statement_id}")
    tab(page, "After publication")
    journey.check(page, "after-publication")

    # Deliver: preview first, then send to two recipients.
    page.get_by_label("E-mail recipients").fill("jane.doe@gov.example\noffice@gov.example")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".delivery-preview")
    expect(preview).to_contain_text("Dear Home Secretary,")
    expect(preview).to_contain_text(f"{setup.slug}.pdf")
    journey.check(page, "delivery-preview")
    page.get_by_role("button", name="Deliver the letter").click()
    journey.flash(page, "Edition 1 is on its way to 2 recipients.")
    expect(page.locator("table.deliveries tbody tr")).to_have_count(2)
    _flush(live)
    letters = _received(smtp, "Joint letter")
    assert sorted(m["To"] for m in letters) == ["jane.doe@gov.example", "office@gov.example"]
    for letter in letters:
        (pdf,) = list(letter.iter_attachments())
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_content().startswith(b"%PDF-")

    # The response, shown on the public page.
    page.get_by_role("textbox", name="The response").fill("The Minister will *meet* the coalition.")
    page.get_by_label("Show it on the public page").check()
    page.get_by_role("button", name="Log the response").click()
    journey.flash(page, "The response is logged.")
    public = journey.page()
    public.goto(f"/s/{setup.slug}")
    expect(public.get_by_role("heading", name="Response received on")).to_be_visible()
    expect(public.locator(".letter-response em")).to_have_text("meet")

    # An update: on the public page, and mailed only to the signer who asked.
    page.get_by_role("textbox", name="Title").fill("We met the Minister")
    page.get_by_role("textbox", name="The update").fill("The meeting took place on **Monday**.")
    page.get_by_role("button", name="Post and send the update").click()
    journey.flash(page, "The update is posted and sent to")
    journey.check(page, "after-publication-done")
    public.reload()
    expect(public.locator(".statement-update h3")).to_have_text("We met the Minister")
    journey.check(public, "public-page-with-update")
    _flush(live)
    updates = _received(smtp, "Update:")
    addressees = {m["To"] for m in updates}
    assert INFORMED in addressees and QUIET not in addressees

    # One-click unsubscribe from the mail: opening the link changes nothing; the button does.
    (mail,) = [m for m in updates if m["To"] == INFORMED]
    link = str(mail["List-Unsubscribe"]).strip().strip("<>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    reader = journey.page()
    reader.goto(link)
    journey.check(reader, "unsubscribe")
    with live.app.app_context():
        assert db.session.scalar(db.select(UpdateOptOut)) is None
    reader.get_by_role("button", name="Unsubscribe").click()
    expect(reader.get_by_role("status")).to_contain_text("no more updates")
    with live.app.app_context():
        assert db.session.scalar(db.select(UpdateOptOut)) is not None

    # The digest, for the lead who turned it on in the account page.
    page.goto("/account")
    page.get_by_label("E-mail me a daily digest of our statements").check()
    page.locator(".digest-form").get_by_role("button", name="Save").click()
    journey.flash(page, "The daily digest is on.")
    with live.app.app_context():
        assert send_digests() == (1, 0)
        db.session.commit()
    _flush(live)
    (digest,) = _received(smtp, "Coalition daily digest")
    assert digest["To"] == scenario.LEAD_EMAIL
    assert scenario.TITLE in digest.get_body(("plain",)).get_content()
