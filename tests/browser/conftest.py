"""Browser tests: the app on a live server at 127.0.0.1, driven by Debian's Chromium.

Nothing here downloads a browser: Playwright is pointed at /usr/bin/chromium. The app runs
with CSRF on and HTTPS off (plain http on the loopback), on a fresh SQLite file per test,
so every form in a journey goes through the same checks as in production. axe-core comes
from npm (`npm ci --prefix tests/browser`) and is injected into every page a journey visits.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from coalition import create_app
from coalition.extensions import db
from coalition.models import OutboxMessage
from tests.browser.pages import AXE_SCRIPT, SCREENSHOTS, Journey

CHROMIUM = os.environ.get("COALITION_CHROMIUM", "/usr/bin/chromium")

@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig: pytest.Config) -> dict[str, Any]:
    """Debian's Chromium, headless, with nothing reaching out to the network on its own."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (no browser is downloaded)")
    if not AXE_SCRIPT.exists():
        pytest.fail("axe-core is missing: run `npm ci --prefix tests/browser`")
    return {
        "executable_path": CHROMIUM,
        "headless": not pytestconfig.getoption("--headed", default=False),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _screenshot_folder() -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)


class QuietHandler(WSGIRequestHandler):
    """No access log: a failing test prints the app's own errors, not every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class Live:
    """The running app: its address, and the application for reading the database."""

    def __init__(self, app: Flask, url: str) -> None:
        self.app = app
        self.url = url

    def mails(self, to: str | None = None, kind: str | None = None) -> list[OutboxMessage]:
        """Messages in the outbox, oldest first (detached copies of the rows)."""
        with self.app.app_context():
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            if to is not None:
                query = query.where(OutboxMessage.to_address == to)
            if kind is not None:
                query = query.where(OutboxMessage.kind == kind)
            rows = list(db.session.scalars(query))
            db.session.expunge_all()
            return rows

    def link_in(self, message: OutboxMessage, path: str = "/i/") -> str:
        """The first link to this server under `path` in a mail's text, as a partner reads it."""
        match = re.search(re.escape(self.url + path) + r"[A-Za-z0-9_\-]+", message.body_text)
        assert match, f"no {path} link in the mail:\n{message.body_text}"
        return match.group(0)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """A fresh app on a fresh SQLite file, served by a threaded werkzeug server."""
    app = create_app(
        {
            "TESTING": False,  # production error handling: a crash is a 500 page, not a raise
            "SECRET_KEY": "browser-tests-secret-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite'}",
            "WTF_CSRF_ENABLED": True,
            "HTTPS": False,
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        }
    )
    with app.app_context():
        db.create_all()
    httpd = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    url = f"http://127.0.0.1:{httpd.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Live(app, url)
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, browser: Browser, live: Live, tmp_path: Path
) -> Iterator[Journey]:
    """Opens browser contexts on the live app; checks and photographs every page it visits."""
    name = request.node.originalname.removeprefix("test_")
    folder = SCREENSHOTS / name
    shutil.rmtree(folder, ignore_errors=True)
    made = Journey(browser, live, folder, tmp_path)
    try:
        yield made
    finally:
        made.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Chromium drops connections mid-response (a favicon, a cancelled navigation); the
    live server's thread then leaves a file unclosed, which is the server's business, not a
    failure of the journey."""
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(
                pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
            )
