"""Journey 3, the lead and the press officer: resolve endorsements, publish, download it all."""

from __future__ import annotations

import csv
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests import docx_text
from tests.browser import scenario
from tests.browser.pages import Journey, log_in, tab

# The published order: a leading article and quotation marks are ignored, accents do not
# decide before letters do, and a space sorts before any letter ("New Women" < "Newcastle").
LISTED = [
    "Amnesty Network",
    "The Bridge Collective",
    "Écoute Solidaire",
    "New Women Initiative",
    "“Zeal” for Rights",
]
LEFT_OUT = "Newcastle Law Centre"
SIGNED_IN_THIS_ORDER = [
    "“Zeal” for Rights", "Newcastle Law Centre", "Écoute Solidaire", "The Bridge Collective",
    "New Women Initiative", "Amnesty Network",
]
CHANGED = scenario.BODY.replace("under international law", "under the ICCPR")


class TextOf(HTMLParser):
    """The visible text of an HTML document or fragment, and the tags it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: set[str] = set()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> TextOf:
        parser = cls()
        parser.feed(html)
        return parser

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def flat(text: str) -> str:
    """Whitespace made single spaces, so line breaks in a PDF or DOCX do not matter."""
    return re.sub(r"\s+", " ", text)


def check_document(fmt: str, text: str, date: str) -> None:
    """The title, the date, and every listed signatory in order; nobody left out appears."""
    text = flat(text)
    assert scenario.TITLE in text, fmt
    assert date in text, f"{fmt}: no {date!r}"
    positions = [text.find(name) for name in LISTED]
    missing = [name for name in LISTED if name not in text]
    assert not missing, f"{fmt}: missing {missing}"
    assert positions == sorted(positions), f"{fmt}: signatories out of order"
    assert LEFT_OUT not in text, f"{fmt}: lists a signatory left out"
    assert "example.org" not in text, f"{fmt}: shows a contact address"


def download(page: Page, link_name: str, folder: Path) -> Path:
    """Click a download link like a press officer and keep the file."""
    with page.expect_download() as info:
        page.locator(".download-list").get_by_role("link", name=link_name, exact=True).click()
    made = info.value
    path = folder / made.suggested_filename
    made.save_as(path)
    return path


@pytest.mark.browser
def test_press_journey(journey: Journey) -> None:
    live = journey.live
    setup = scenario.lead_and_statement(live, state="open")
    for name in SIGNED_IN_THIS_ORDER:
        scenario.signed(live, setup, name)
    scenario.substantive_change(live, setup, CHANGED, "Name the treaty")
    for name in ("“Zeal” for Rights", "The Bridge Collective", "New Women Initiative",
                 "Amnesty Network"):
        scenario.reconfirm(live, setup, name)

    # The lead sees who has not re-confirmed the changed text.
    lead = journey.page()
    log_in(lead, scenario.LEAD_EMAIL)
    lead.get_by_role("link", name=scenario.TITLE).click()
    tab(lead, "Signatories")
    expect(lead.get_by_role("heading", name="2 signatories have not re-confirmed")).to_be_visible()
    journey.check(lead, "signatories-outstanding")

    # Publish: leave one out, wait for the other, who has not re-confirmed yet.
    tab(lead, "Publish")
    decide = lead.get_by_role("group", name="Decide on 2 outstanding signatures")
    expect(decide).to_be_visible()
    journey.check(lead, "publish-form")
    decide.get_by_label(LEFT_OUT).check()
    lead.get_by_label("Publication date").fill("2026-12-01")
    lead.get_by_label("Note for this edition (optional)").fill("First edition")
    lead.get_by_role("button", name="Review what will be published").click()
    expect(decide.get_by_role("alert")).to_contain_text("Écoute Solidaire")
    expect(decide.get_by_label(LEFT_OUT)).to_be_checked()
    journey.check(lead, "publish-blocked")

    # Écoute Solidaire re-confirms; now the edition can be reviewed and confirmed.
    scenario.reconfirm(live, setup, "Écoute Solidaire")
    lead.get_by_role("button", name="Review what will be published").click()
    preview = lead.get_by_label("What will be published")
    expect(preview.locator(".signatory-name")).to_have_text(LISTED)
    expect(lead.locator(".facts")).to_contain_text(LEFT_OUT)
    journey.check(lead, "publish-confirm")
    # The review page is the confirmation: its button publishes, no browser dialog asks again.
    questions: list[str] = []

    def refuse(dialog) -> None:  # type: ignore[no-untyped-def]
        questions.append(dialog.message)
        dialog.dismiss()

    lead.on("dialog", refuse)
    lead.get_by_role("button", name="Publish edition 1").click()
    journey.flash(lead, "Edition 1 is published with 5 signatories")
    assert not questions, questions
    lead.remove_listener("dialog", refuse)
    # The Publish tab now offers the published edition's files before the draft's.
    expect(lead.get_by_role("heading", name="Files of edition 1")).to_be_visible()
    journey.check(lead, "published")

    # The press officer (no account) opens the public page.
    press = journey.page()
    press.goto(f"/s/{setup.slug}")
    expect(press.get_by_role("heading", name=scenario.TITLE, level=1)).to_be_visible()
    date = press.locator(".public-date").inner_text()
    assert date == "1 December 2026"
    expect(press.locator(".signatory-name")).to_have_text(LISTED)
    expect(press.locator(".signatory-count")).to_have_text("(5)")
    journey.check(press, "public-page")

    # Every export, checked in its own format.
    folder = journey.tmp / "downloads"
    folder.mkdir()
    pdf = PdfReader(download(press, "PDF", folder))
    check_document("pdf", "\n".join(p.extract_text() for p in pdf.pages), date)
    docx = Document(str(download(press, "Word", folder)))
    check_document("docx", docx_text.text(docx), date)
    with open(download(press, "Signatories", folder), newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [row["name"] for row in rows] == LISTED
    assert not any("@" in value for row in rows for value in row.values())
    kit = zipfile.ZipFile(download(press, "Press kit", folder))
    members = {Path(name).suffix: kit.read(name) for name in kit.namelist()}
    assert {".md", ".txt", ".html", ".pdf", ".docx", ".csv"} <= set(members)

    inline = {}
    for name, fmt in (("Markdown", "md"), ("Plain text", "txt"), ("HTML page", "html")):
        href = press.locator(".download-list").get_by_role("link", name=name, exact=True)
        response = press.request.get(href.get_attribute("href") or "")
        assert response.ok, (fmt, response.status)
        inline[fmt] = response.text()
    check_document("md", inline["md"], date)
    check_document("txt", inline["txt"], date)
    page_html = TextOf.of(inline["html"])
    assert page_html.lang == "en" and "script" not in page_html.tags
    check_document("html", page_html.text, date)
    assert members[".md"].decode() == inline["md"]

    embed_link = press.get_by_role("link", name="HTML fragment to paste instead")
    response = press.request.get(embed_link.get_attribute("href") or "")
    fragment = TextOf.of(response.text())
    # Its own scoped <style> (issue 20), but no document and no script.
    assert not fragment.tags & {"html", "body", "script"}
    check_document("embed", fragment.text, date)

    # The page prints cleanly: no downloads column, no site header; its address at the foot.
    press.emulate_media(media="print")
    expect(press.locator(".public-aside")).to_be_hidden()
    expect(press.locator(".public-print-foot")).to_contain_text(f"/s/{setup.slug}/editions/1")
    press.screenshot(path=journey.folder / "public-page-print.png", full_page=True)
    press.emulate_media(media="screen")

    # And reads well on a phone.
    phone = journey.page(phone=True)
    phone.goto(f"/s/{setup.slug}")
    expect(phone.locator(".signatory-name")).to_have_text(LISTED)
    journey.check(phone, "public-page-phone")
