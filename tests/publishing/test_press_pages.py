"""The public page as a press officer meets it (issue 20): verification tucked away, the embed."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

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
