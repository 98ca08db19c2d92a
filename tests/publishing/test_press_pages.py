"""The public page as a press officer meets it (issue 20): verification tucked away, the embed."""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from coalition.domain import exports
from coalition.extensions import db
from coalition.publishing import services
from tests.publishing.conftest import make_world

DATE = dt.date(2026, 12, 3)


@pytest.fixture
def published(app: Flask) -> dict[str, object]:
    with app.app_context():
        world = make_world()
        edition = services.publish(world.lead, world.statement, date=DATE, note="Launched")
        db.session.commit()
        return {"slug": world.statement.slug, "sha256": edition.sha256}


class Sections(HTMLParser):
    """The text inside and outside <details class="verify">, and its summary."""

    def __init__(self) -> None:
        super().__init__()
        self.inside: list[str] = []
        self.outside: list[str] = []
        self.summary: list[str] = []
        self._depth = 0  # <details> nesting inside the verify section
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "details" and (self._depth or "verify" in classes):
            self._depth += 1
        if tag == "summary" and self._depth:
            self._in_summary = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self._depth:
            self._depth -= 1
        if tag == "summary":
            self._in_summary = False

    def handle_data(self, data: str) -> None:
        if self._in_summary:
            self.summary.append(data)
        (self.inside if self._depth else self.outside).append(data)


def sections(page: str) -> Sections:
    parser = Sections()
    parser.feed(page)
    parser.close()
    return parser


def test_verification_sits_in_a_verify_this_text_section(
    client: FlaskClient, published: dict
) -> None:
    page = client.get(f"/s/{published['slug']}").get_data(as_text=True)
    parts = sections(page)
    assert " ".join("".join(parts.summary).split()) == "Verify this text"
    inside, outside = " ".join("".join(parts.inside).split()), "".join(parts.outside)
    # The hash and the command are inside; outside, the hash is only in the print foot.
    assert published["sha256"] in inside and "sha256sum" in inside
    assert outside.count(published["sha256"]) == 1
    assert "curl" not in outside and "sha256sum" not in outside
    # Plain words first: what the check is for comes before the hash.
    assert inside.index("exact text") < inside.index(published["sha256"])


def test_verify_this_text_is_in_french(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        world = make_world(language="fr")
        services.publish(world.lead, world.statement, date=DATE)
        db.session.commit()
        slug = world.statement.slug
    parts = sections(client.get(f"/s/{slug}").get_data(as_text=True))
    assert " ".join("".join(parts.summary).split()) == "Vérifier ce texte"


# --- 1. the embed ------------------------------------------------------------------------


def test_embed_fragment_may_use_its_own_style_in_a_frame(
    client: FlaskClient, published: dict
) -> None:
    response = client.get(f"/s/{published['slug']}/embed")
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "frame-ancestors *" in policy
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "<style>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/frame", "/editions/1/frame"])
def test_frame_page_runs_only_its_own_script(
    client: FlaskClient, published: dict, path: str
) -> None:
    response = client.get(f"/s/{published['slug']}{path}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert f"script-src {exports.FRAME_SCRIPT_CSP}" in policy
    assert "default-src 'none'" in policy and "frame-ancestors *" in policy
    assert "X-Frame-Options" not in response.headers
    page = response.get_data(as_text=True)
    assert page.startswith("<!doctype html>") and exports.FRAME_SCRIPT in page
    assert "The Amnesty Network" in page
    assert client.get("/s/no-such-statement/frame").status_code == 404


def test_public_page_offers_a_self_sizing_frame_and_a_plain_link(
    client: FlaskClient, published: dict
) -> None:
    slug = published["slug"]
    page = html.unescape(client.get(f"/s/{slug}").get_data(as_text=True))
    frame = re.search(r'<iframe src="([^"]+)"[^>]*data-coalition-embed', page)
    assert frame is not None and frame.group(1).endswith(f"/s/{slug}/frame")
    origin = re.match(r"https?://[^/]+", frame.group(1))
    assert origin is not None
    assert f'event.origin !== "{origin.group(0)}"' in page  # the listener trusts the frame only
    assert re.search(rf'<a href="https?://[^"]+/s/{slug}">Withdraw the Public', page)
