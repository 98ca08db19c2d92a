"""Issue 24, points 1 and 2: every file from a preview link says it is under embargo, and
the same edition's public files, after the lift, do not; the preview has its own CSV,
embed and source.txt, and links to them rather than to addresses that answer 404."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from coalition.extensions import db
from coalition.models import Edition, Statement, User
from coalition.publishing import services
from tests.publishing.conftest import ORDER, make_world
from tests.publishing.test_public import parse

# Now, to the minute, so that no date in the test is ever in the past for long.
START = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
LIFT = START + dt.timedelta(days=2)
MARK = "— not for publication"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, dt.datetime]:
    current = {"now": START}
    monkeypatch.setattr(services, "now", lambda: current["now"])
    return current


@pytest.fixture
def preview(app: Flask, clock: dict[str, dt.datetime]) -> dict[str, str]:
    """An edition under embargo until LIFT (Paris time) and its preview link."""
    with app.app_context():
        world = make_world()
        world.statement.timezone = "Europe/Paris"
        edition = services.publish(world.lead, world.statement, public_from=LIFT)
        db.session.commit()
        lead = db.session.get(User, world.lead.id)
        statement = db.session.get(Statement, world.id)
        edition = db.session.scalar(db.select(Edition))
        token = services.create_preview_link(lead, statement, edition)
        db.session.commit()
        return {"slug": statement.slug, "base": f"/s/{statement.slug}/preview/{token}"}


def _until() -> str:
    local = LIFT.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"


def _pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _docx(data: bytes) -> tuple[list[str], str]:
    """The DOCX's page-header text of each section, and its body text."""
    document = Document(io.BytesIO(data))
    headers = [" ".join(p.text for p in s.header.paragraphs) for s in document.sections]
    return headers, "\n".join(p.text for p in document.paragraphs)


def _files(client: FlaskClient, base: str) -> dict[str, bytes]:
    answers = {
        fmt: client.get(f"{base}.{fmt}") for fmt in ("md", "txt", "html", "pdf", "docx", "zip")
    }
    answers["csv"] = client.get(f"{base}/signatories.csv")
    answers["embed"] = client.get(f"{base}/embed")
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert response.headers["Cache-Control"] == "private, no-store", name
        assert "noindex" in response.headers["X-Robots-Tag"], name
    return {name: response.data for name, response in answers.items()}


def _assert_marked(files: dict[str, bytes], banner: str) -> None:
    for fmt in ("md", "txt"):
        assert files[fmt].decode("utf-8").splitlines()[0].strip("* ") == banner, fmt
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == [banner] and rows[1][0] == "name"
    for fmt in ("html", "embed"):
        assert banner in files[fmt].decode("utf-8"), fmt
    pages = _pdf_pages(files["pdf"])
    assert pages and all(banner in " ".join(page.split()) for page in pages)
    headers, body = _docx(files["docx"])
    assert headers and all(banner in header for header in headers)
    assert body.splitlines()[0] == banner
    with zipfile.ZipFile(io.BytesIO(files["zip"])) as kit:
        for name in kit.namelist():
            content = kit.read(name)
            if name.endswith((".md", ".txt", ".html", ".csv")):
                assert banner in content.decode("utf-8"), name
            elif name.endswith(".pdf"):
                assert all(banner in " ".join(p.split()) for p in _pdf_pages(content)), name
            else:
                assert all(banner in h for h in _docx(content)[0]), name


def test_every_preview_file_is_marked_and_the_public_files_after_the_lift_are_not(
    client: FlaskClient, preview: dict[str, str], clock: dict[str, dt.datetime]
) -> None:
    banner = f"Embargoed until {_until()} {MARK}"
    _assert_marked(_files(client, preview["base"]), banner)

    clock["now"] = LIFT + dt.timedelta(minutes=1)
    slug = preview["slug"]
    public = {fmt: client.get(f"/s/{slug}.{fmt}").data
              for fmt in ("md", "txt", "html", "pdf", "docx", "zip")}
    public["csv"] = client.get(f"/s/{slug}/signatories.csv").data
    public["embed"] = client.get(f"/s/{slug}/embed").data
    for fmt, data in public.items():
        if fmt == "pdf":
            text = " ".join(_pdf_pages(data))
        elif fmt == "docx":
            headers, body = _docx(data)
            text = " ".join(headers) + body
        elif fmt == "zip":
            with zipfile.ZipFile(io.BytesIO(data)) as kit:
                text = " ".join(kit.read(n).decode("utf-8") for n in kit.namelist()
                                if not n.endswith((".pdf", ".docx")))
        else:
            text = data.decode("utf-8")
        assert "Embargoed" not in text and MARK not in text, fmt
    assert ORDER[0] in public["csv"].decode("utf-8")
    # The preview link, after the lift, serves the public file.
    assert b"Embargoed" not in client.get(f"{preview['base']}.md").data


def test_the_preview_page_links_only_to_addresses_that_answer(
    client: FlaskClient, preview: dict[str, str]
) -> None:
    page = parse(client.get(preview["base"]).get_data(as_text=True))
    base = preview["base"]
    for link in (f"{base}/signatories.csv", f"{base}/embed"):
        assert link in page.links
    local = [link.removeprefix("http://coalition.test") for link in page.links]
    for link in local:
        if link.startswith(f"/s/{preview['slug']}"):
            assert client.get(link).status_code == 200, link
    assert f"http://coalition.test{base}/source.txt" in page.text  # the curl line
    source = client.get(f"{base}/source.txt")
    assert source.status_code == 200 and b"Embargoed" not in source.data
    assert source.headers["Cache-Control"] == "private, no-store"


def test_a_french_preview_is_marked_in_french(
    app: Flask, client: FlaskClient, clock: dict[str, dt.datetime]
) -> None:
    with app.app_context():
        world = make_world()
        world.statement.language = "fr"
        edition = services.publish(world.lead, world.statement, public_from=LIFT)
        token = services.create_preview_link(world.lead, world.statement, edition)
        db.session.commit()
        base = f"/s/{world.statement.slug}/preview/{token}"
    first = client.get(f"{base}.txt").get_data(as_text=True).splitlines()[0]
    assert first.startswith("*** Sous embargo jusqu’au ") and "ne pas publier" in first
