"""What every journey does on every page: accessibility check, layout check, screenshot.

A `Journey` opens browser contexts (a desktop, or a 360 px phone) on the live app. Each
call to `Journey.check(page, name)` runs axe-core (failing on serious or critical
violations), checks that nothing sticks out sideways, and saves a full-page screenshot to
tests/browser/screenshots/<journey>/. Server errors (5xx), page errors and console errors
(a CSP violation, for instance) seen by any page fail the journey when it ends.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, expect

if TYPE_CHECKING:
    from tests.browser.conftest import Live

HERE = Path(__file__).resolve().parent
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = HERE / "screenshots"
# axe is served from the app's own origin (by Playwright, never by the app), so the pages'
# Content-Security-Policy stays on while the tests run: a CSP violation of the app's own
# scripts still shows up as a console error.
AXE_PATH = "/__browser_tests__/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")

PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}

PASSWORD = "a long and memorable passphrase"

expect.set_options(timeout=10_000)

_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1) {
      let scrolls = false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden'].includes(style.overflowX)) { scrolls = true; break; }
      }
      if (scrolls) continue;
      const classes = String(el.className || '').trim().replace(/\\s+/g, '.');
      out.push(el.tagName.toLowerCase() + (classes ? '.' + classes : '')
               + ' right=' + Math.round(box.right));
    }
  }
  const page = 'page scrollWidth=' + document.documentElement.scrollWidth;
  return out.length ? out.slice(0, 8) : [page];
}"""

# Issue 24, point 11: an id repeated on a page points a label, a help text or an aria
# reference at the wrong element. axe's duplicate-id rules are minor or deprecated in
# recent axe-core, so the page's ids are also counted here, and any repeat fails.
_DUPLICATE_IDS_JS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""

# Issue 24, point 9: the statement's tabs wrap or scroll visibly, never cut. Every tab
# must lie inside the tab bar and the window, with nothing hidden to scroll to.
_TABS_CUT_JS = """() => {
  const bar = document.querySelector('nav.tabs');
  if (!bar) return [];
  const box = bar.getBoundingClientRect();
  const width = document.documentElement.clientWidth;
  const cut = [];
  if (bar.scrollWidth > bar.clientWidth + 1) cut.push('the tab bar scrolls sideways');
  for (const a of bar.querySelectorAll('a')) {
    const r = a.getBoundingClientRect();
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.right > width + 1)
      cut.push(a.textContent.trim() + ' right=' + Math.round(r.right));
  }
  return cut;
}"""

_AXE_JS = """async (tags) => {
  const result = await axe.run(
    document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 6).map(
      n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
  }));
}"""


class Journey:
    """Browser contexts on the live app, and the checks every visited page goes through."""

    def __init__(self, browser: Browser, live: Live, folder: Path, tmp: Path) -> None:
        self.browser = browser
        self.live = live
        self.folder = folder
        self.tmp = tmp
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []
        self.report: list[dict[str, Any]] = []
        self.count = 0

    # -- contexts and pages ------------------------------------------------------------

    def page(self, *, phone: bool = False, **options: Any) -> Page:
        """A new page in a new context (its own cookies): a different person or device."""
        context = self.browser.new_context(
            base_url=self.live.url,
            locale="en-GB",
            timezone_id="Europe/London",
            accept_downloads=True,
            **(PHONE if phone else DESKTOP),
            **options,
        )
        context.set_default_timeout(15_000)
        context.route(
            f"{self.live.url}{AXE_PATH}",
            lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript"),
        )
        self.contexts.append(context)
        page = context.new_page()
        self.watch(page)
        return page

    def watch(self, page: Page) -> None:
        """Record server errors, script errors and console errors seen by `page`."""

        def on_response(response: Response) -> None:
            if response.status >= 500:
                self.problems.append(f"{response.status} from {response.url}")

        def on_console(message: ConsoleMessage) -> None:
            # A 404/409 page logs "Failed to load resource"; answers are checked by status.
            if message.type == "error" and "Failed to load resource" not in message.text:
                self.problems.append(f"console error on {page.url}: {message.text}")

        page.on("response", on_response)
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    # -- checks ------------------------------------------------------------------------

    def check(self, page: Page, name: str, *, full_page: bool = True,
              overflow_checked: bool = True) -> None:
        """axe-core, no sideways overflow, then a screenshot called `name`."""
        page.wait_for_load_state("load")
        page.add_script_tag(url=AXE_PATH)
        violations = page.evaluate(_AXE_JS, AXE_TAGS)
        self.report.append({"page": name, "url": page.url, "violations": violations})
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        overflow = page.evaluate(_OVERFLOW_JS)
        duplicates = page.evaluate(_DUPLICATE_IDS_JS)
        axe_duplicates = [v for v in violations if v["id"].startswith("duplicate-id")]
        tabs_cut = page.evaluate(_TABS_CUT_JS)
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=full_page)
        assert not failing, f"axe on {name} ({page.url}):\n" + json.dumps(failing, indent=1)
        assert not overflow or not overflow_checked, (
            f"{name} is wider than the screen ({page.url}): {overflow}"
        )
        assert not duplicates and not axe_duplicates, (
            f"{name} repeats ids ({page.url}): {duplicates} {axe_duplicates}"
        )
        assert not tabs_cut, f"{name}: tabs cut ({page.url}): {tabs_cut}"

    def flash(self, page: Page, text: str) -> None:
        """A status message is shown and announced (it sits in a live region)."""
        message = page.locator(".flashes[role=status][aria-live=polite] .flash", has_text=text)
        expect(message).to_be_visible()

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        if self.report:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / "axe.json").write_text(json.dumps(self.report, indent=1))
        assert not self.problems, "\n".join(self.problems)


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log a lead in through the login form."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Statements", level=1)).to_be_visible()


def tab(page: Page, name: str) -> None:
    """Open one of the lead's statement tabs."""
    page.get_by_role("navigation", name="Statement").get_by_role(
        "link", name=name, exact=True
    ).click()
    expect(page.get_by_role("navigation", name="Statement").locator("[aria-current=page]")
           ).to_have_text(name)
