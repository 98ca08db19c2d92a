"""Every public export of a published edition, opened by a real reader, and the export cache."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from html.parser import HTMLParser

import docx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from coalition.domain import documents
from coalition.extensions import db
from coalition.models import ExportFile
from coalition.publishing import services
from tests import docx_text, factories
from tests.publishing.conftest import ORDER, make_world

DATE = dt.date(2026, 12, 3)
DATE_TEXT = "3 December 2026"
TITLE = "Withdraw the Public Assemblies Bill"


class TextOf(HTMLParser):
    """The visible text of an HTML document, and the tags it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def html_text(markup: str) -> TextOf:
    parser = TextOf()
    parser.feed(markup)
    parser.close()
    return parser


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_in_order(text: str, items: list[str]) -> None:
    positions = [text.index(item) for item in items]
    assert positions == sorted(positions), items


@pytest.fixture
def published(app: Flask) -> dict[str, object]:
    """A published edition (with a letter block) and the contacts that must never leak."""
    with app.app_context():
        world = make_world()
        world.statement.letter_addressee_name = "Rt Hon Jane Doe MP"
        world.statement.letter_salutation = "Dear Home Secretary,"
        db.session.commit()
        edition = services.publish(world.lead, world.statement, date=DATE, note="First edition")
        db.session.commit()
        return {
            "slug": world.statement.slug,
            "statement_id": world.id,
            "sha256": edition.sha256,
            "contacts": [s.signer_email for s in world.signatures]
            + [s.signer_name for s in world.signatures],
            "lead": world.lead.email,
        }


def test_pdf_holds_title_date_and_every_signatory_in_order(client: FlaskClient,
                                                            published: dict) -> None:
    response = client.get(f"/s/{published['slug']}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 1
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert_in_order(text, [TITLE, DATE_TEXT, "Rt Hon Jane Doe MP", "Dear Home Secretary,",
                           "We, the 7 undersigned", "Note: First edition", *ORDER])
    assert published["sha256"] in text.replace(" ", "")
    assert f"Page 1 of {len(reader.pages)}" in text


def test_docx_holds_title_date_and_every_signatory_in_order(client: FlaskClient,
                                                             published: dict) -> None:
    response = client.get(f"/s/{published['slug']}.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    paragraphs = [p for p in docx_text.paragraphs(document) if p.text.strip()]
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == TITLE
    text = "\n".join(p.text for p in paragraphs)
    assert_in_order(text, [TITLE, DATE_TEXT, "Dear Home Secretary,", "We, the 7 undersigned",
                           "Note: First edition", *ORDER])
    headings = [p.text for p in paragraphs if p.style.name.startswith("Heading")]
    assert "What we ask" in headings and "Signatories (7)" in headings
    items = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert items == ["Withdraw the bill.", "Consult civil society."]


def test_csv_is_public_columns_in_order_and_escaped(client: FlaskClient,
                                                     published: dict) -> None:
    response = client.get(f"/s/{published['slug']}/signatories.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())  # so Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    assert list(rows[0].keys()) == ["name", "kind", "country", "country_code", "affiliation"]
    names = [row["name"] for row in rows]
    # The formula-looking name is defused with a leading apostrophe, in its place.
    assert names == [("'" + n if n.startswith("=") else n) for n in ORDER]
    assert rows[-1] == {"name": "Анна Петрова", "kind": "individual", "country": "",
                        "country_code": "", "affiliation": "Высшая школа экономики"}


def test_standalone_html_parses_and_holds_everything(client: FlaskClient,
                                                      published: dict) -> None:
    response = client.get(f"/s/{published['slug']}.html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    parsed = html_text(response.get_data(as_text=True))
    assert {"html", "head", "body", "article"} <= set(parsed.tags)
    assert "script" not in parsed.tags
    assert_in_order(parsed.text, [TITLE, DATE_TEXT, "Rt Hon Jane Doe MP", "We, the 7",
                                  *ORDER])
    # Its own inline style is allowed, nothing else.
    assert "style-src 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_markdown_and_text_hold_everything_in_order(client: FlaskClient,
                                                     published: dict) -> None:
    markdown_text = client.get(f"/s/{published['slug']}.md").get_data(as_text=True)
    assert markdown_text.startswith(f"# {TITLE}\n")
    assert "*Public Assemblies Bill*" in markdown_text  # the body as written
    assert_in_order(markdown_text, [DATE_TEXT, "## Signatories (7)", "- The Amnesty Network",
                                    "- Beta Network", "- Zeta Foundation", "- Анна Петрова"])
    plain = client.get(f"/s/{published['slug']}.txt")
    assert plain.mimetype == "text/plain"
    text = plain.get_data(as_text=True)
    # Each paragraph on one line (issue 20): pasted into a CMS, it does not break mid-sentence.
    assert ("We, the 7 undersigned organisations, call on the Minister to withdraw the Public "
            "Assemblies Bill.") in text.splitlines()
    assert_in_order(text, [TITLE, DATE_TEXT, "Signatories (7)", *ORDER])


def test_embed_is_a_frameable_fragment_without_script_html_or_body(
    client: FlaskClient, published: dict
) -> None:
    response = client.get(f"/s/{published['slug']}/embed")
    assert response.status_code == 200
    parsed = html_text(response.get_data(as_text=True))
    assert not {"html", "head", "body", "script"} & set(parsed.tags)
    assert parsed.tags[:2] == ["section", "style"]  # its own scoped style (issue 20)
    assert_in_order(parsed.text, [TITLE, DATE_TEXT, *ORDER])
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    for other in ("", ".pdf", ".html", "/signatories.csv"):
        framed = client.get(f"/s/{published['slug']}{other}")
        assert framed.headers["X-Frame-Options"] == "DENY", other


def test_press_kit_zip_holds_every_format(client: FlaskClient, published: dict) -> None:
    response = client.get(f"/s/{published['slug']}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    slug = published["slug"]
    assert sorted(archive.namelist()) == sorted(
        [f"{slug}.md", f"{slug}.txt", f"{slug}.html", f"{slug}-embed.html", f"{slug}.pdf",
         f"{slug}.docx", f"{slug}-signatories.csv"]
    )
    # The ZIP's PDF is the very file served on its own (both from the cache).
    assert archive.read(f"{slug}.pdf") == client.get(f"/s/{slug}.pdf").data
    pdf = PdfReader(io.BytesIO(archive.read(f"{slug}.pdf")))
    assert TITLE in flat(pdf.pages[0].extract_text())


def test_no_public_export_holds_a_contact(client: FlaskClient, published: dict) -> None:
    slug = published["slug"]
    paths = [f"/s/{slug}", f"/s/{slug}/embed", f"/s/{slug}/signatories.csv",
             f"/s/{slug}/editions/1/source.txt", "/feed.atom"]
    paths += [f"/s/{slug}.{ext}" for ext in ("md", "txt", "html")]
    for path in paths:
        body = client.get(path).get_data(as_text=True)
        for contact in published["contacts"]:
            assert contact not in body, (path, contact)
    for ext in ("pdf", "docx", "zip"):
        data = client.get(f"/s/{slug}.{ext}").data
        if ext == "pdf":
            text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        elif ext == "docx":
            text = docx_text.text(docx.Document(io.BytesIO(data))).replace("\n", " ")
        else:
            archive = zipfile.ZipFile(io.BytesIO(data))
            text = " ".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                if not name.endswith((".pdf", ".docx"))
            )
        for contact in published["contacts"]:
            assert contact not in text, (ext, contact)


def test_exports_are_rendered_once_then_served_from_the_cache(
    app: Flask, client: FlaskClient, published: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = documents.to_pdf

    def counting(document: object) -> bytes:
        calls.append("pdf")
        return real(document)  # type: ignore[arg-type]

    monkeypatch.setattr(documents, "to_pdf", counting)
    first = client.get(f"/s/{published['slug']}.pdf")
    second = client.get(f"/s/{published['slug']}/editions/1.pdf")
    assert calls == ["pdf"]  # the permalink and the newest address share one cached file
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=600"
    assert second.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = client.get(
        f"/s/{published['slug']}.pdf", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and calls == ["pdf"]
    with app.app_context():
        assert db.session.scalar(
            select(func.count(ExportFile.id)).where(ExportFile.format == "pdf")
        ) == 1


def test_a_cache_race_keeps_one_row(
    app: Flask, published: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coalition.models import Edition
    from coalition.publishing import files

    with app.app_context():
        edition = db.session.scalar(select(Edition))
        # Another worker stored the export between our look-up and our insert.
        db.session.add(ExportFile(edition_id=edition.id, format="md", content=b"theirs"))
        db.session.commit()
        real_scalar = db.session.scalar
        looked = []

        def first_look_misses(*args: object, **kwargs: object) -> object:
            looked.append(1)
            return None if len(looked) == 1 else real_scalar(*args, **kwargs)

        monkeypatch.setattr(db.session, "scalar", first_look_misses)
        row = files.cached_export(edition, "md")
        monkeypatch.undo()
        assert row.content == b"theirs"
        db.session.commit()
        assert db.session.scalar(select(func.count(ExportFile.id))) == 1


def test_draft_exports_are_marked_draft_and_never_cached(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        world = make_world()
        factories.login(client, world.lead)
        statement_id = world.id
    base = f"/statements/{statement_id}/publish/draft"
    pdf = client.get(f"{base}.pdf")
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert "DRAFT" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    document = docx.Document(io.BytesIO(client.get(f"{base}.docx").data))
    assert "DRAFT" in document.paragraphs[0].text + document.sections[0].header.paragraphs[0].text
    for ext in ("md", "txt", "html", "embed"):
        text = client.get(f"{base}.{ext}").get_data(as_text=True)
        assert "DRAFT" in text, ext
        assert "We, the 7 undersigned" in html_text(text).text or "the 7 undersigned" in text
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}.zip").data))
    assert any(name.endswith(".pdf") for name in archive.namelist())
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportFile.id))) == 0


def test_the_leads_csv_adds_contacts_and_needs_a_login(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        world = make_world()
        statement_id = world.id
        emails = [s.signer_email for s in world.signatures]
        path = f"/statements/{statement_id}/publish/signatories.csv"
        assert client.get(path).status_code == 302  # to the login page
        factories.login(client, factories.user(organisation="Someone Else"))
        assert client.get(path).status_code == 404
        client.post("/logout")
        factories.login(client, world.lead)
        response = client.get(path)
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["name"] for row in rows] == [("'" + n if n[0] == "=" else n) for n in ORDER]
    assert sorted(row["signer_email"] for row in rows) == sorted(emails)
    assert {row["endorsed_revision"] for row in rows} == {"1"}
