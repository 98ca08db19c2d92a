"""Issue 24, point 6: the French interface says nothing in English. Every French page the
browser journeys visit is read, leaving out text marked as another language (the statement
itself) and code, and fails on any English sentence of the catalogue's source strings."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from coalition.catalogues import LOCALE_DIR
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.publishing import services as publishing
from tests import factories

_SKIPPED = {"code", "script", "style", "textarea", "pre", "title"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class FrenchText(HTMLParser):
    """The text of a page outside elements in another language, code and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[bool] = []  # per open element: is its text left out?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        lang = dict(attrs).get("lang")
        out = (bool(self.stack) and self.stack[-1]) or tag in _SKIPPED or (
            lang is not None and not lang.startswith("fr"))
        self.stack.append(out)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def english_sentences() -> set[str]:
    """Pieces of four words or more of every catalogue string French says otherwise."""
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="fr")
    pieces: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in strings:
                continue
            for piece in re.split(r"%\(\w+\)[sd]|<[^>]+>|[.:;!?()“”\"]", english):
                piece = " ".join(piece.split())
                if len(piece.split()) >= 4:
                    pieces.add(piece)
    return pieces


def _pages(app: Flask, lead: FlaskClient) -> dict[str, str]:
    with app.app_context():
        owner = factories.user()
        owner.language = "fr"
        statement = factories.statement(owner, state="open")
        factories.signed(statement, "Amnesty Network", country="GB")
        invitation, token = factories.partner_invitation(statement, "Viasna")
        drafting.save_revision(owner, statement, body=factories.BODY + "\n\nMore.",
                               base_revision=1, substantive=False)
        db.session.commit()
        factories.login(lead, owner)
        sid = statement.id
        done = factories.statement(owner, title="Published one", state="open")
        factories.signed(done, "Écoute Solidaire", country="FR")
        publishing.publish(owner, done, public_from=publishing.now() + dt.timedelta(days=2))
        db.session.commit()
        done_id = done.id
    tabs = ["", "/edit", "/revisions", "/translations", "/invitations", "/comments",
            "/signatories", "/publish", "/activity", "/settings", "/signatories/record",
            "/signatories/import"]
    pages = {f"/statements/{sid}{tab}": "" for tab in tabs}
    pages.update({"/": "", "/account": "", f"/statements/{done_id}/publish": "",
                  f"/statements/{done_id}/editions/1": "", f"/i/{token}": "",
                  f"/i/{token}/sign": ""})
    return pages


def test_no_english_sentence_on_french_pages(app: Flask, client: FlaskClient) -> None:
    pages = _pages(app, client)
    sentences = english_sentences()
    found: dict[str, list[str]] = {}
    for url in pages:
        response = client.get(url, headers={"Accept-Language": "fr"})
        assert response.status_code == 200, url
        parser = FrenchText()
        parser.feed(response.get_data(as_text=True))
        text = parser.text
        english = sorted(piece for piece in sentences if piece in text)
        if english:
            found[url] = english
        assert "United Kingdom" not in text, url  # country names in French: Royaume-Uni
        pages[url] = text
    assert found == {}
    activity = next(text for url, text in pages.items() if url.endswith("/activity"))
    for english in ("state changed", "revision saved", "substantive", "True", "old:"):
        assert english not in activity
    assert "État modifié" in activity and "Révision enregistrée" in activity
    edition = next(text for url, text in pages.items() if url.endswith("/editions/1"))
    assert "Sous embargo : le public ne voit rien de cette édition" in edition
