"""The embed on a partner's site (issue 20): a host page at 360 and 1280 px shows it all.

The snippet is copied from the public page, as a press officer copies it, into a page on
another origin (served by Playwright). The frame must take the statement's height through
the optional listener, so the whole text and list show with no scrollbar inside the frame,
in the statement's own style rather than the browser's default Times.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Frame, Page, expect

from coalition.extensions import db
from coalition.models import Statement
from coalition.publishing import services as publishing
from tests.browser.conftest import Live
from tests.browser.pages import Journey
from tests.browser.scenario import lead_and_statement, signed

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Our news</title>
<style>
  body { margin: 0; font: 17px/1.5 "Times New Roman", serif; background: #f3efe6; }
  main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
</style></head>
<body><main>
<h1>We joined a coalition</h1>
<p>Today we signed the statement below with other organisations.</p>
%(snippet)s
<p id="after">More news from us.</p>
</main></body></html>"""

ORGANISATIONS = [
    "Amnesty Network", "Article Nineteen", "Belarusian Association of Journalists",
    "Civil Rights Defenders", "Front Line", "Human Rights House", "Index on Censorship",
    "Libereco – Partnership for Human Rights", "Norwegian Helsinki Committee", "PEN",
    "People in Need", "Protection International", "Reporters Sans Frontières",
    "Right Livelihood", "Rights Watch", "“Viasna” Human Rights Centre",
    "World Organisation Against Torture", "Zeta Foundation", "Östra Rights", "Юристы за права",
]


def _published(live: Live) -> tuple[str, str]:
    setup = lead_and_statement(live)
    for name in ORGANISATIONS:
        signed(live, setup, name, country="BY")
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        publishing.publish(statement.organisation.users[0], statement, date=dt.date.today(),
                           note="Published with 20 organisations")
        db.session.commit()
    return setup.slug, ORGANISATIONS[-1]


@contextmanager
def _partner_site(snippet: str) -> Iterator[str]:
    """The partner's page, served on another origin (localhost, another port) than the app.

    A real server on the loopback, not a Playwright route: Chromium refuses to let a page
    of unknown address space frame a local address.
    """
    body = (HOST_PAGE % {"snippet": snippet}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}/news"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _frame(page: Page) -> Frame:
    handle = page.locator("iframe[data-coalition-embed]").element_handle()
    assert handle is not None
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


def _wait_until_sized(host: Page, frame: Frame) -> None:
    content, outer = 0.0, -1.0
    for _ in range(100):
        content = frame.evaluate("() => Math.ceil(document.body.getBoundingClientRect().height)")
        outer = host.evaluate(
            "() => document.querySelector('iframe[data-coalition-embed]')"
            ".getBoundingClientRect().height"
        )
        if content > 600 and abs(content - outer) <= 1:
            return
        host.wait_for_timeout(100)
    raise AssertionError(f"the frame ({frame.url}) is {outer}px tall for {content}px of statement")


def test_embed_fits_a_host_page_on_a_phone(journey: Journey, live: Live) -> None:
    """360 px: one column of names, the frame as tall as the statement."""
    _embed_on_a_host_page(journey, live, phone=True)


def test_embed_fits_a_host_page_on_a_desktop(journey: Journey, live: Live) -> None:
    """1280 px, in a host column of 46rem."""
    _embed_on_a_host_page(journey, live, phone=False)


def _embed_on_a_host_page(journey: Journey, live: Live, *, phone: bool) -> None:
    slug, last = _published(live)
    public = journey.page(phone=phone)
    public.goto(f"/s/{slug}")
    snippet = public.locator("#embed-snippet").input_value()
    assert 'data-coalition-embed' in snippet and "addEventListener" in snippet
    link = public.locator("#embed-link").input_value()
    assert link.startswith(f'<a href="{live.url}/s/{slug}">')

    host = journey.page(phone=phone)
    with _partner_site(snippet) as address:
        host.goto(address)
        _check_host_page(journey, host, last, phone)
    # The frame page alone through the usual checks; its CSP allows its one script only, so
    # axe is let in by bypassing CSP for this context.
    own = journey.page(phone=phone, bypass_csp=True)
    own.goto(f"/s/{slug}/frame")
    journey.check(own, "frame-360" if phone else "frame-1280")


def _check_host_page(journey: Journey, host: Page, last: str, phone: bool) -> None:
    iframe = host.locator("iframe[data-coalition-embed]")
    iframe.scroll_into_view_if_needed()
    frame = _frame(host)
    # The listener sizes the frame to the statement: no scrollbar inside, nothing cut off.
    _wait_until_sized(host, frame)
    inner = frame.evaluate(
        """() => ({
          scrollHeight: document.documentElement.scrollHeight,
          clientHeight: document.documentElement.clientHeight,
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          font: getComputedStyle(document.querySelector('.coalition-statement')).fontFamily,
        })"""
    )
    assert inner["scrollHeight"] <= inner["clientHeight"] + 1, inner
    assert inner["scrollWidth"] <= inner["clientWidth"] + 1, inner
    assert "system-ui" in inner["font"] and "Times" not in inner["font"]
    # The frame is as wide as the host's column.
    widths = host.evaluate(
        """() => {
          const main = document.querySelector('main'), style = getComputedStyle(main);
          const frame = document.querySelector('iframe[data-coalition-embed]');
          return [frame.getBoundingClientRect().width, main.clientWidth
                  - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)];
        }"""
    )
    assert abs(widths[0] - widths[1]) < 1, widths
    expect(frame.get_by_role("heading", name="Free the defenders")).to_be_visible()
    expect(frame.get_by_text(last, exact=True)).to_be_visible()
    expect(frame.get_by_text("Published with 20 organisations")).to_be_visible()
    journey.folder.mkdir(parents=True, exist_ok=True)
    size = "360" if phone else "1280"
    # A viewport as tall as the page rather than full_page=True: Chromium's full-page
    # capture draws a cross-origin frame only where the viewport was.
    width = host.viewport_size["width"] if host.viewport_size else 1280
    height = host.evaluate("() => document.documentElement.scrollHeight")
    host.set_viewport_size({"width": width, "height": height})
    _wait_until_sized(host, frame)
    host.wait_for_timeout(300)
    host.screenshot(path=journey.folder / f"host-page-{size}.png")
