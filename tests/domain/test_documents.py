"""PDF and DOCX exports, read back with pypdf and python-docx."""

from __future__ import annotations

import datetime
import io
import threading
from dataclasses import replace
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import docx
import markdown
import nh3
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from coalition.domain.documents import pdf_html, to_docx, to_pdf
from coalition.domain.exports import EditionDocument, Letter, Signatory, Update
from tests import docx_text

DATE = datetime.date(2026, 12, 3)

BODY = """We call on the **Home Secretary** to withdraw the *Public Assemblies Bill*.

## What the bill would do

- require ten days' notice for any gathering;
- make organisers liable, see [the draft](https://example.gov/bill).

## What we ask

1. Withdraw the bill.
2. Consult civil society.

And then:

1. Publish the legal advice.
"""

SIGNATORIES = (
    Signatory("Zeta Foundation", country="GB"),
    Signatory("Amnesty International UK", country="GB"),
    Signatory("Московская Хельсинкская группа", country="RU"),
    Signatory("Анна Петрова", kind="individual", affiliation="Высшая школа экономики"),
    Signatory("Défenseur des libertés", country="FR"),
    Signatory("<script>alert(1)</script> Trust"),
    Signatory("Beta Network"),
)


def make_doc(**changes: object) -> EditionDocument:
    doc = EditionDocument(
        title="Withdraw the Public Assemblies Bill",
        body_markdown=BODY,
        body_html=nh3.clean(markdown.markdown(BODY)),
        date=DATE,
        lead_organisation="Liberty",
        edition=2,
        note="Two signatories added.",
        updates=(Update(datetime.date(2026, 11, 20), "First published."),),
        signatories=SIGNATORIES,
        url="https://coalition.example.org/s/assemblies",
        sha256="cd" * 32,
        letter=Letter("Rt Hon Jane Doe MP", "Home Secretary", "Home Office\nLondon SW1P 4DF",
                      "Dear Home Secretary,"),
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_in_order(text: str, items: list[str]) -> None:
    positions = [text.index(item) for item in items]
    assert positions == sorted(positions), items


# --- PDF -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf() -> PdfReader:
    return PdfReader(io.BytesIO(to_pdf(make_doc())))


def pdf_text(reader: PdfReader) -> str:
    return flat(" ".join(page.extract_text() for page in reader.pages))


def test_pdf_is_a4_with_everything_in_order(pdf: PdfReader) -> None:
    for page in pdf.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=1)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=1)
    text = pdf_text(pdf)
    assert "Withdraw the Public Assemblies Bill" in text
    assert "3 December 2026" in text
    assert "Withdraw the bill." in text
    assert "Updated on 3 December 2026: Two signatories added." in text
    assert "Updated on 20 November 2026: First published." in text
    assert "cd" * 32 in text
    assert f"Page 1 of {len(pdf.pages)}" in text
    assert_in_order(text, ["Rt Hon Jane Doe MP", "Home Secretary,", "We call on"])
    # Cyrillic survives (real glyphs with a ToUnicode map, not boxes) and order is kept.
    assert_in_order(text, [s.name for s in SIGNATORIES])
    assert pdf.metadata is not None and pdf.metadata.title == "Withdraw the Public Assemblies Bill"


def test_pdf_signatories_sit_in_two_columns(pdf: PdfReader) -> None:
    positions: dict[str, float] = {}

    def visit(text: str, cm: object, tm: list[float], font: object, size: object) -> None:
        for signatory in ("Zeta Foundation", "Beta Network"):
            if text.startswith(signatory):
                positions[signatory] = tm[4]

    for page in pdf.pages:
        page.extract_text(visitor_text=visit)
    assert positions["Beta Network"] - positions["Zeta Foundation"] > 150  # points


def test_pdf_html_escapes_names() -> None:
    source = pdf_html(make_doc())
    found: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            found.append(tag)

    Tags().feed(source)
    assert "script" not in found
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Trust" in source


def test_long_pdf_has_numbered_pages() -> None:
    names = tuple(Signatory(f"Organisation number {i:03d}", country="GB") for i in range(300))
    reader = PdfReader(io.BytesIO(to_pdf(make_doc(signatories=names, letter=None))))
    pages = len(reader.pages)
    assert pages > 1
    text = pdf_text(reader)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert_in_order(text, [name.name for name in names[::37]] + [names[-1].name])


def test_draft_pdf_is_marked_on_every_page() -> None:
    names = tuple(Signatory(f"Signatory {i}") for i in range(150))
    reader = PdfReader(io.BytesIO(to_pdf(make_doc(draft=True, signatories=names))))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert "DRAFT — not for publication" in flat(page.extract_text())
    assert "DRAFT — Withdraw the Public Assemblies Bill" in pdf_text(reader)


def test_pdf_in_russian_uses_its_words() -> None:
    text = pdf_text(PdfReader(io.BytesIO(to_pdf(make_doc(language="ru", letter=None)))))
    assert "3 декабря 2026 г." in text
    assert "Подписавшие (7)" in text
    assert "Страница 1 из" in text


def test_pdf_fetches_nothing() -> None:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        body = (f'<p>Image <img src="{base}/tracker.png" alt="pic"></p>'
                f'<p style="background: url({base}/bg.png)">Styled</p>'
                '<p><img src="file:///etc/passwd" alt="file"></p>')
        reader = PdfReader(io.BytesIO(to_pdf(make_doc(body_html=body))))
        assert "Styled" in pdf_text(reader)
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []


# --- DOCX ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def document() -> docx.document.Document:
    return docx.Document(io.BytesIO(to_docx(make_doc())))


def styled(document: docx.document.Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in docx_text.paragraphs(document) if p.text.strip()]


def test_docx_uses_real_styles(document: docx.document.Document) -> None:
    paragraphs = styled(document)
    assert paragraphs[0] == ("Title", "Withdraw the Public Assemblies Bill")
    assert ("Normal", "3 December 2026") in paragraphs
    assert ("Heading 1", "What the bill would do") in paragraphs
    assert ("Heading 1", "Signatories (7)") in paragraphs
    assert ("List Bullet", "require ten days' notice for any gathering;") in paragraphs
    assert ("List Number", "Withdraw the bill.") in paragraphs
    assert ("List Bullet", "make organisers liable, see the draft.") in paragraphs
    bold = [run.text for p in docx_text.paragraphs(document) for run in p.runs if run.bold]
    italic = [run.text for p in docx_text.paragraphs(document) for run in p.runs if run.italic]
    assert "Home Secretary" in bold and "Public Assemblies Bill" in italic
    assert document.core_properties.title == "Withdraw the Public Assemblies Bill"


def test_docx_restarts_numbering_for_each_list(document: docx.document.Document) -> None:
    numbers = {}
    for paragraph in docx_text.paragraphs(document):
        if paragraph.style.name == "List Number":
            num_pr = paragraph._p.pPr.numPr
            numbers[paragraph.text] = num_pr.numId.val
    assert numbers["Withdraw the bill."] == numbers["Consult civil society."]
    assert numbers["Publish the legal advice."] != numbers["Withdraw the bill."]


def test_docx_holds_everything_in_order(document: docx.document.Document) -> None:
    text = "\n".join(text for _, text in styled(document))
    assert_in_order(text, ["Withdraw the Public Assemblies Bill", "3 December 2026",
                           "Rt Hon Jane Doe MP", "Dear Home Secretary,", "We call on",
                           "Signatories (7)"])
    assert_in_order(text, [s.name for s in SIGNATORIES])
    assert "Updated on 3 December 2026: Two signatories added." in text
    assert "<script>alert(1)</script> Trust" in text
    assert "cd" * 32 in text


def test_docx_is_a4_with_names_in_two_columns(document: docx.document.Document) -> None:
    section = document.sections[0]
    assert abs(section.page_width.mm - 210) < 1 and abs(section.page_height.mm - 297) < 1
    # A short list is one unsplittable table row of two columns, filled down the first
    # (issue 20: it moves whole to the next page with its heading, as in the PDF).
    (table,) = document.tables
    assert table.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
    left, _, right = (cell.text.split("\n") for cell in table.rows[0].cells)
    assert len(left) - len(right) in (0, 1)
    longer = docx.Document(io.BytesIO(to_docx(make_doc(signatories=SIGNATORIES * 20))))
    columns = [s._sectPr.find(qn("w:cols")) for s in longer.sections]
    assert "2" in [c.get(qn("w:num")) for c in columns if c is not None]
    footer = document.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_draft_docx_is_marked() -> None:
    drafted = docx.Document(io.BytesIO(to_docx(make_doc(draft=True, letter=None))))
    paragraphs = styled(drafted)
    assert paragraphs[0][1] == "DRAFT — not for publication"
    assert ("Title", "DRAFT — Withdraw the Public Assemblies Bill") in paragraphs
    assert "DRAFT" in drafted.sections[0].header.paragraphs[0].text


def test_docx_groups_individuals() -> None:
    grouped = docx.Document(io.BytesIO(to_docx(make_doc(group_individuals=True))))
    text = "\n".join(text for _, text in styled(grouped))
    assert ("Heading 2", "Individuals (1)") in styled(grouped)
    assert_in_order(text, ["Organisations (6)", "Zeta", "Beta Network", "Individuals (1)",
                           "Анна Петрова"])
