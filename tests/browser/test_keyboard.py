"""Keyboard only: the skip link, a visible focus on every stop, and signing with Tab and Enter."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser import scenario
from tests.browser.pages import Journey

FOCUSED_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '',
    text: (el.innerText || '').trim().slice(0, 60),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0,
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(FOCUSED_JS)


@pytest.mark.browser
def test_skip_link_then_sign_with_the_keyboard(journey: Journey) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="open", comments_when_open=True)
    scenario.invite(live, setup, "Lawyers for Lawyers", "info@l4l.example.org")
    (mail,) = live.mails(kind="invitation")
    page = journey.page()
    page.goto(live.link_in(mail))

    # The first Tab shows the skip link; Enter moves focus to the main content.
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["text"] == "Skip to content" and first["visible"] and first["outline"], first
    journey.check(page, "skip-link", full_page=False)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live.link_in(mail)}#main")
    assert focused(page)["id"] == "main"

    # Tab through the page to the sign form, in reading order, every stop visibly focused.
    stops: list[dict[str, Any]] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        stop = focused(page)
        stops.append(stop)
        assert stop["visible"] and stop["outline"], f"focus not visible on {stop}"
        if stop["id"] == "signer_name":
            page.keyboard.type("Marie Dupont")
        elif stop["id"] == "signer_email":
            page.keyboard.type("marie@l4l.example.org")
            break
    else:
        pytest.fail(f"the sign form was not reached by Tab: {stops}")
    order = [s["id"] for s in stops if s["id"] in (
        "name", "kind-0", "affiliation", "country", "sort_as", "signer_name", "signer_role",
        "signer_email")]
    assert order == ["name", "kind-0", "affiliation", "country", "sort_as", "signer_name",
                     "signer_role", "signer_email"], order
    journey.check(page, "sign-form-by-keyboard", full_page=False)

    # Enter in a field sends the form; the outcome is announced in the live region.
    page.keyboard.press("Enter")
    journey.flash(page, "Lawyers for Lawyers has signed revision 1")
    expect(page.get_by_role("heading", name="You have signed")).to_be_visible()


@pytest.mark.browser
def test_comment_box_opens_from_the_keyboard(journey: Journey) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="review")
    scenario.invite(live, setup, "Front Line Defenders", "office@fld.example.org")
    (mail,) = live.mails(kind="invitation")
    page = journey.page(phone=True)
    page.goto(live.link_in(mail))
    summary = page.locator("#p-0 summary")
    summary.focus()
    page.keyboard.press("Enter")
    box = page.locator("#p-0").get_by_label("Your comment on this paragraph")
    expect(box).to_be_visible()
    page.keyboard.press("Tab")
    expect(box).to_be_focused()
    page.keyboard.type("Please add the date of the arrests.")
    # From the comment box to the send button: the suggestion, two radios, the button.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#p-0").get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Enter")
    journey.flash(page, "Your comment is sent to Rights Watch")
    expect(page.locator("#p-0 .comment")).to_contain_text("Please add the date of the arrests.")
