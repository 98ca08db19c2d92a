"""The three-language journey in headless Chromium (Debian's, never downloaded).

Opt-in (`-m browser`, run by .ci/run): a live app with CSRF on, a lead who updates a stale
translation beside its redline, a partner translator who updates the other through its
invitation link, a publication in three languages, and the public page's language switcher
on a phone. Screenshots go to $COALITION_SCREENSHOTS (default: the test's tmp folder).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, Playwright
from werkzeug.serving import make_server

from coalition import create_app, roster
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.signing import services as signing
from coalition.translations import services
from tests import factories
from tests.translations.conftest import BODY, ORDER, make_world, sign_all

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("COALITION_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    app = create_app(
        {
            "SECRET_KEY": "translations-browser-secret-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite'}",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_translate_revise_update_publish_and_switch_language(
    live, tmp_path: Path, playwright: Playwright
):
    app, url = live
    shots = Path(os.environ.get("COALITION_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        world = make_world()
        invitation, token = factories.partner_invitation(world.statement, "Viasna")
        services.set_translator(world.lead, world.be, invitation)
        db.session.commit()
        sign_all(world)
        # Revised substantively before anyone re-signs: the translations go stale.
        drafting.save_revision(
            world.lead, world.statement, base_revision=1, note="Stronger demand",
            body=BODY.replace("end the persecution of", "free every detained"),
        )
        db.session.commit()
        # Every signer re-confirms, so only the translations hold publication back.
        for signature in roster.plan(world.statement).outstanding:
            signing.reconfirm(signature.invitation)
        db.session.commit()
        statement_id, slug, email = world.id, world.statement.slug, world.lead.email

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    # pytest-playwright's session driver: a second sync_playwright() in the same run (the
    # tests in tests/browser start one) refuses to start inside its event loop.
    with contextlib.nullcontext():
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        lead: Page = browser.new_page(viewport={"width": 1280, "height": 900})
        lead.on("dialog", lambda dialog: dialog.accept())
        lead.goto(f"{url}/login")
        lead.fill("#email", email)
        lead.fill("#password", factories.PASSWORD)
        lead.click("#submit")
        lead.goto(f"{url}/statements/{statement_id}/translations")
        assert lead.locator(".badge", has_text="Out of date").count() == 2
        lead.screenshot(path=str(shots / "translations-tab.png"), full_page=True)

        # The lead updates the Russian translation beside the redline of the source.
        lead.click("a.button:has-text('Update it') >> nth=1")
        assert lead.locator(".source-changes ins").first.is_visible()
        assert "free every detained" in lead.locator(".source-changes").inner_text()
        lead.screenshot(path=str(shots / "translation-editor.png"), full_page=True)
        lead.fill("#body", "Мы, {{signatories}} организации, требуем освободить всех "
                           "задержанных правозащитников.")
        lead.click("#submit")
        assert "Saved as revision 2 of the Russian translation" in lead.inner_text(".flashes")

        # The partner named for Belarusian updates it through its invitation link.
        partner = browser.new_page(viewport={"width": 360, "height": 740})
        partner.goto(f"{url}/i/{token}")
        partner.click("a[href$='/translate/be']")
        assert partner.locator(".source-changes").is_visible()
        partner.fill("#body", "Мы, {{signatories}} арганізацыі, патрабуем вызваліць усіх.")
        partner.click("#submit")
        assert "Saved as revision 2 of the Belarusian translation" in partner.inner_text(
            ".flashes"
        )

        # Published in three languages, through the review and confirmation step.
        lead.goto(f"{url}/statements/{statement_id}/publish")
        assert lead.locator(".translation-choices .badge-ok").count() == 2
        lead.fill("#date", "2026-12-03")
        lead.click("#review")
        lead.click("button[name=confirm]")
        assert "Edition 1 is published" in lead.inner_text(".flashes")

        # A reader on a phone switches to Belarusian.
        reader = browser.new_page(viewport={"width": 360, "height": 740})
        reader.goto(f"{url}/s/{slug}")
        assert reader.locator("link[rel=alternate][hreflang]").count() == 4
        reader.click(".language-switcher a[hreflang=be]")
        assert reader.url.endswith("?lang=be")
        assert reader.locator("article.public-statement").get_attribute("lang") == "be"
        names = reader.locator(".signatory-name").all_inner_texts()
        assert names == ORDER["be"]
        assert "3 снежня 2026" in reader.inner_text(".public-date")
        reader.screenshot(path=str(shots / "public-be-phone.png"), full_page=True)
        width = reader.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, "the page must not scroll sideways on a phone"
        browser.close()
