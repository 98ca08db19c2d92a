"""Journey 1, the lead: sign up, draft, revise, compare, survive an edit conflict, invite, open."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import PASSWORD, Journey, log_in, tab

EMAIL = "amina@rightswatch.example.org"
FIRST = (
    "We, the undersigned organisations, call on the government to release every "
    "human rights defender held for their work.\n\n"
    "Their detention breaks the country's obligations under international law.\n\n"
    "We ask the authorities to drop all charges."
)


def save_revision(page: Page, body: str, note: str, *, substantive: bool = True) -> int:
    """Edit the text in the editor and save it; returns the new revision number."""
    tab(page, "Edit")
    page.get_by_label("Text", exact=True).fill(body)
    page.get_by_label("Note about this change (optional)").fill(note)
    page.get_by_label("Substantive change").set_checked(substantive)
    page.get_by_role("button", name="Save a new revision").click()
    message = page.locator(".flash", has_text=re.compile(r"Saved as revision \d+"))
    expect(message).to_be_visible()
    return int(re.search(r"\d+", message.inner_text()).group(0))  # type: ignore[union-attr]


@pytest.mark.browser
def test_lead_journey(journey: Journey) -> None:
    page = journey.page()

    # Sign up: the organisation and its first lead user.
    page.goto("/signup")
    expect(page).to_have_title(re.compile("Create an account"))
    journey.check(page, "signup")
    page.get_by_label("Organisation").fill("Rights Watch")
    page.get_by_label("Your name").fill("Amina Diallo")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    journey.flash(page, "Welcome to Coalition")
    expect(page.get_by_role("heading", name="No statements yet")).to_be_visible()
    journey.check(page, "dashboard-empty")

    # Create the statement: a form error keeps the typed text, then it is saved.
    page.get_by_role("link", name="Draft your first statement").click()
    page.get_by_label("Text", exact=True).fill(FIRST)
    page.get_by_role("button", name="Create the statement").click()
    expect(page.locator("#title-error")).to_be_visible()
    expect(page.get_by_label("Text", exact=True)).to_have_value(FIRST)
    journey.check(page, "new-statement-error")
    page.get_by_label("Title").fill("Free the defenders")
    page.get_by_role("button", name="Create the statement").click()
    journey.flash(page, "saved as revision 1")
    expect(page.get_by_role("heading", name="Free the defenders", level=1)).to_be_visible()
    journey.check(page, "statement-overview")

    # Three more revisions, one of them a typo fix.
    second = FIRST.replace("every human rights defender", "every human rights defender and lawyer")
    third = second.replace("drop all charges.", "drop all charges and end the travel bans.")
    fourth = third.replace("the country's", "the State's")
    assert save_revision(page, second, "Lawyers too") == 2
    assert save_revision(page, third, "Travel bans") == 3
    assert save_revision(page, fourth, "Wording", substantive=False) == 4

    # History, then compare revisions 2 and 4.
    tab(page, "History")
    expect(page.get_by_role("row")).to_have_count(5)
    journey.check(page, "history")
    page.get_by_label("From").select_option("2")
    page.get_by_label("To").select_option("4")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare\?from=2&to=4"))
    redline = page.locator("article.redline")
    expect(redline.locator("ins", has_text="travel bans")).to_be_visible()
    expect(redline.locator("del", has_text="country's")).to_be_visible()
    journey.check(page, "compare-2-4")

    # An edit conflict: a colleague's session saves while this one is typing.
    tab(page, "Edit")
    expect(page.get_by_text("Editing on top of revision 4")).to_be_visible()
    other = journey.page()
    log_in(other, EMAIL)
    other.goto(page.url)
    other.get_by_label("Text", exact=True).fill(fourth + "\n\nA paragraph added by a colleague.")
    other.get_by_role("button", name="Save a new revision").click()
    journey.flash(other, "Saved as revision 5")

    mine = fourth + "\n\nWe will keep watching every hearing."
    page.get_by_label("Text", exact=True).fill(mine)
    page.get_by_label("Note about this change (optional)").fill("Monitoring")
    page.get_by_role("button", name="Save a new revision").click()
    conflict = page.get_by_role("alert").filter(has_text="Someone saved a newer revision")
    expect(conflict).to_be_visible()
    expect(conflict.locator("ins", has_text="A paragraph added by a colleague.")).to_be_visible()
    expect(page.get_by_label("Text", exact=True)).to_have_value(mine)
    expect(page.get_by_label("Note about this change (optional)")).to_have_value("Monitoring")
    journey.check(page, "edit-conflict")
    # Bring the colleague's paragraph in, then save on top of revision 5.
    page.get_by_label("Text", exact=True).fill(
        fourth + "\n\nA paragraph added by a colleague.\n\nWe will keep watching every hearing."
    )
    page.get_by_role("button", name="Save a new revision").click()
    journey.flash(page, "Saved as revision 6")

    # Invite three partners in one go.
    tab(page, "Partners")
    expect(page.get_by_text("No partners invited yet.")).to_be_visible()
    journey.check(page, "partners-empty")
    page.get_by_label("Partners, one per line").fill(
        "Human Rights House <press@humanrightshouse.example.org>\n"
        "Lawyers for Lawyers <info@lawyersforlawyers.example.org>\n"
        "Front Line Defenders <office@frontline.example.org>"
    )
    page.get_by_role("button", name="Invite everyone listed").click()
    expect(page.locator("#bulk-result")).to_contain_text("3 invited")
    rows = page.locator(".invitations-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Invited")
    journey.check(page, "partners-invited")
    invitations = journey.live.mails(kind="invitation")
    assert sorted(m.to_address for m in invitations) == [
        "info@lawyersforlawyers.example.org",
        "office@frontline.example.org",
        "press@humanrightshouse.example.org",
    ]

    # Open signing from the overview: the deadline is asked for at that moment.
    tab(page, "Overview")
    journey.check(page, "before-opening")
    page.get_by_label("Sign-on deadline (optional)").fill("2036-12-10T18:00")  # always ahead
    page.get_by_role("button", name="Open for signing").click()
    journey.flash(page, "open for signing")
    expect(page.locator(".statement-head .badge")).to_have_text("Open for signing")
    expect(page.locator(".side .facts")).to_contain_text("10 Dec 2036, 18:00")
    journey.check(page, "signing-open")

    # The deadline changed in the settings; the activity log and the outbox show what happened.
    tab(page, "Settings")
    page.get_by_label("Sign-on deadline").fill("2036-12-15T18:00")  # always ahead
    journey.check(page, "settings")
    page.get_by_role("button", name="Save the settings").click()
    journey.flash(page, "Settings saved")
    expect(page.locator(".side .facts")).to_contain_text("15 Dec 2036, 18:00")
    tab(page, "Activity")
    expect(page.locator("tbody tr").first).to_be_visible()
    journey.check(page, "activity")
    tab(page, "Partners")
    page.get_by_role("link", name="Outbox").click()
    expect(page.locator(".outbox-table tbody tr")).to_have_count(3)
    journey.check(page, "outbox")
    page.locator(".outbox-table tbody tr").first.get_by_role("link").click()
    expect(page.locator(".mail-text")).to_contain_text("/i/")
    journey.check(page, "outbox-message")
    tab(page, "History")
    page.get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_role("button", name="Restore as a new revision")).to_be_visible()
    journey.check(page, "revision-1")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    journey.check(page, "account")
    page.goto("/statements/999")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    journey.check(page, "not-found")
    page.get_by_role("button", name="Log out").click()
    journey.flash(page, "You are logged out")
    journey.check(page, "login")

    # The dashboard now lists the statement, and a phone shows it without sideways scrolling.
    phone = journey.page(phone=True)
    log_in(phone, EMAIL)
    expect(phone.get_by_role("link", name="Free the defenders")).to_be_visible()
    journey.check(phone, "phone-dashboard")
    phone.get_by_role("link", name="Free the defenders").click()
    journey.check(phone, "phone-overview")
    tab(phone, "Partners")
    journey.check(phone, "phone-partners")
