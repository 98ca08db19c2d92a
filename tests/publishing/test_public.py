"""The public pages: the statement, permalinks, embargoes, preview links and the Atom feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import xml.etree.ElementTree as ET  # noqa: S405 - parses the app's own feed, not input
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.publishing import services
from tests import factories
from tests.publishing.conftest import ORDER, make_world

START = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


class Meta(HTMLParser):
    """<meta> properties and names of a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key:
                self.meta[key] = values.get("content") or ""
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def parse(page: str) -> Meta:
    parser = Meta()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.datetime]:
    """A clock the tests move: services.now reads it."""
    current = {"now": START}
    monkeypatch.setattr(services, "now", lambda: current["now"])
    return current


def _published(app: Flask, **publish: object) -> dict[str, object]:
    with app.app_context():
        world = make_world()
        edition = services.publish(world.lead, world.statement, **publish)  # type: ignore[arg-type]
        db.session.commit()
        return {"slug": world.statement.slug, "id": world.id, "sha256": edition.sha256,
                "lead_id": world.lead.id}


def test_the_public_page_shows_the_published_edition(app: Flask, client: FlaskClient) -> None:
    info = _published(app, date=dt.date(2026, 12, 3), note="Launch")
    response = client.get(f"/s/{info['slug']}")
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    text = page.text
    for earlier, later in zip(
        ["Withdraw the Public Assemblies Bill", "3 December 2026", "We, the 7 undersigned",
         "Note: Launch", "Signatories (7)", *ORDER],
        ["3 December 2026", "We, the 7 undersigned", "Note: Launch", "Signatories (7)",
         *ORDER, "SHA-256"], strict=True,
    ):
        assert text.index(earlier) < text.index(later), (earlier, later)
    assert info["sha256"] in text
    assert page.meta["og:title"] == "Withdraw the Public Assemblies Bill"
    assert page.meta["og:description"].startswith("We, the 7 undersigned organisations")
    assert page.meta["og:url"] == f"http://coalition.test/s/{info['slug']}/editions/1"
    assert page.meta["twitter:card"] == "summary"
    assert page.meta["twitter:title"] == page.meta["og:title"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"
    again = client.get(f"/s/{info['slug']}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_source_text_is_what_the_sha256_covers(app: Flask, client: FlaskClient) -> None:
    info = _published(app)
    source = client.get(f"/s/{info['slug']}/editions/1/source.txt").data
    assert hashlib.sha256(source).hexdigest() == info["sha256"]


def test_a_letter_is_laid_out_as_a_letter(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        world = make_world()
        world.statement.letter_addressee_name = "Rt Hon Jane Doe MP"
        world.statement.letter_addressee_title = "Home Secretary"
        world.statement.letter_addressee_address = "2 Marsham Street\nLondon SW1P 4DF"
        world.statement.letter_salutation = "Dear Home Secretary,"
        services.publish(world.lead, world.statement)
        db.session.commit()
        slug = world.statement.slug
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert '<address class="addressee">' in page
    text = parse(page).text
    order = ["Joint letter", "Rt Hon Jane Doe MP", "Home Secretary", "2 Marsham Street",
             "London SW1P 4DF", "Dear Home Secretary,", "We, the 7 undersigned"]
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)


def test_grouped_individuals_come_after_organisations(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        world = make_world()
        world.statement.group_individuals = True
        services.publish(world.lead, world.statement)
        db.session.commit()
        slug = world.statement.slug
    text = parse(client.get(f"/s/{slug}").get_data(as_text=True)).text
    assert text.index("Organisations (6)") < text.index("Zeta Foundation")
    assert text.index("Zeta Foundation") < text.index("Individuals (1)")
    assert text.index("Individuals (1)") < text.index("Анна Петрова")


def test_unpublished_statements_are_not_found(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        world = make_world()
        slug = world.statement.slug
    for path in (f"/s/{slug}", f"/s/{slug}.pdf", f"/s/{slug}/embed", f"/s/{slug}/signatories.csv",
                 f"/s/{slug}/editions/1", f"/s/{slug}/editions/1.md", "/s/no-such-thing",
                 f"/s/{slug}/editions/1/source.txt", f"/s/{slug}/preview/anything"):
        assert client.get(path).status_code == 404, path


def test_an_embargoed_statement_is_invisible_until_its_time(
    app: Flask, client: FlaskClient, clock: dict[str, dt.datetime]
) -> None:
    lift = START + dt.timedelta(hours=3)
    info = _published(app, public_from=lift)
    slug = info["slug"]
    paths = [f"/s/{slug}", f"/s/{slug}.pdf", f"/s/{slug}.zip", f"/s/{slug}/embed",
             f"/s/{slug}/signatories.csv", f"/s/{slug}/editions/1", f"/s/{slug}/editions/1.docx"]
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert slug not in client.get("/feed.atom").get_data(as_text=True)

    clock["now"] = lift - dt.timedelta(seconds=1)
    assert client.get(f"/s/{slug}").status_code == 404
    clock["now"] = lift
    for path in paths:
        assert client.get(path).status_code == 200, path
    assert f"/s/{slug}" in client.get("/feed.atom").get_data(as_text=True)


def test_a_preview_link_opens_the_embargoed_edition(
    app: Flask, client: FlaskClient, clock: dict[str, dt.datetime]
) -> None:
    info = _published(app, public_from=START + dt.timedelta(days=1))
    with app.app_context():
        from coalition.models import Edition, Statement, User

        statement = db.session.get(Statement, info["id"])
        edition = db.session.scalar(db.select(Edition))
        lead = db.session.get(User, info["lead_id"])
        token = services.create_preview_link(lead, statement, edition)
        db.session.commit()
    slug = info["slug"]
    response = client.get(f"/s/{slug}/preview/{token}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    page = parse(response.get_data(as_text=True))
    assert "under embargo until 23 Nov 2026, 09:00 UTC" in page.text
    assert page.meta["robots"] == "noindex, nofollow"
    assert f"/s/{slug}/preview/{token}.pdf" in page.links
    pdf = client.get(f"/s/{slug}/preview/{token}.pdf")
    assert pdf.status_code == 200
    assert "Withdraw" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert client.get(f"/s/{slug}").status_code == 404  # still embargoed for everyone else
    assert client.get(f"/s/{slug}/preview/{token[:-1]}").status_code == 404


def test_a_second_edition_keeps_the_first_readable(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        world = make_world()
        services.publish(world.lead, world.statement, date=dt.date(2026, 11, 22))
        db.session.commit()
        drafting.change_state(world.lead, world.statement, "open")
        factories.signature_row(world.statement, "Aardvark Alliance")
        services.publish(world.lead, world.statement, date=dt.date(2026, 12, 3))
        db.session.commit()
        slug = world.statement.slug
    newest = parse(client.get(f"/s/{slug}").get_data(as_text=True))
    assert "Edition 2" in newest.text and "Signatories (8)" in newest.text
    assert "Updated on 3 December 2026: 1 signatory added." in newest.text
    assert f"/s/{slug}/editions/1" in newest.links

    first = parse(client.get(f"/s/{slug}/editions/1").get_data(as_text=True))
    assert "Signatories (7)" in first.text and "Aardvark Alliance" not in first.text
    assert "22 November 2026" in first.text and "This is edition 1." in first.text
    assert f"/s/{slug}/editions/2" in first.links
    old_pdf = PdfReader(io.BytesIO(client.get(f"/s/{slug}/editions/1.pdf").data))
    assert "Aardvark" not in " ".join(p.extract_text() for p in old_pdf.pages)
    new_pdf = PdfReader(io.BytesIO(client.get(f"/s/{slug}.pdf").data))
    new_text = " ".join(" ".join(p.extract_text() for p in new_pdf.pages).split())
    assert "Aardvark Alliance" in new_text and "Updated on 3 December 2026" in new_text
    assert client.get(f"/s/{slug}/editions/3").status_code == 404


def test_the_last_edition_stays_public_while_the_statement_is_reopened(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        world = make_world()
        services.publish(world.lead, world.statement)
        drafting.change_state(world.lead, world.statement, "open")
        drafting.save_revision(world.lead, world.statement, body="A draft correction.",
                               base_revision=1)
        db.session.commit()
        slug = world.statement.slug
    text = parse(client.get(f"/s/{slug}").get_data(as_text=True)).text
    assert "We, the 7 undersigned" in text and "draft correction" not in text


def test_the_atom_feed_lists_published_statements(app: Flask, client: FlaskClient) -> None:
    info = _published(app, date=dt.date(2026, 12, 3))
    response = client.get("/feed.atom")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - the app's own output
    ns = {"atom": "http://www.w3.org/2005/Atom"}
    entries = root.findall("atom:entry", ns)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext("atom:title", namespaces=ns) == "Withdraw the Public Assemblies Bill"
    assert entry.find("atom:link", ns).get("href") == f"http://coalition.test/s/{info['slug']}"
    assert entry.findtext("atom:updated", namespaces=ns).endswith("Z")
    assert "7 signatories" in entry.findtext("atom:summary", namespaces=ns)


def test_dates_and_fixed_words_follow_the_statements_language(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        world = make_world(language="fr", body="Nous, les {{signatories}} signataires.")
        services.publish(world.lead, world.statement, date=dt.date(2026, 12, 3))
        db.session.commit()
        slug = world.statement.slug
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    text = parse(page).text
    assert "3 décembre 2026" in text and "Signataires (7)" in text
    assert "Nous, les 7 signataires." in text
    assert '<article class="public-statement" lang="fr"' in page
    plain = client.get(f"/s/{slug}.txt").get_data(as_text=True)
    assert "3 décembre 2026" in plain and "Signataires (7)" in plain
