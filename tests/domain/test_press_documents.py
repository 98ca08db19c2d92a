"""The PDF and the DOCX as a press officer opens them (issue 20): layout, header, emoji, type."""

from __future__ import annotations

import datetime
import html
import io
import re
import shutil
import subprocess  # noqa: S404 - poppler's pdftotext and pdftoppm on test files
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from coalition.domain import documents
from coalition.domain.exports import EditionDocument, Signatory
from coalition.domain.rendering import render_markdown
from tests import docx_text
from tests.domain.test_exports import LETTER
from tests.soffice import convert

SCREENSHOTS = Path(__file__).resolve().parents[1] / "browser" / "screenshots"

EMOJI_NAME = "Rainbow Rights 🏳️‍🌈"
ARABIC_NAME = "مركز الخليج لحقوق الإنسان"
PARAGRAPH = (
    "We, the undersigned organisations, call on the authorities to release every human "
    "rights defender held for their work, to drop all charges, and to end the travel bans "
    "imposed on their families and lawyers."
)


def press_doc(signatories: int = 20, paragraphs: int = 22, **changes: object) -> EditionDocument:
    """A statement whose list, before the fix, began at the foot of page 2 with four names."""
    body = "\n\n".join(f"Paragraph {i}: {PARAGRAPH}" for i in range(paragraphs))
    first = [EMOJI_NAME, ARABIC_NAME, "“Viasna” Human Rights Centre",
             "Libereco – Partnership for Human Rights", "Юристы за права"]
    names = [first[i] if i < len(first) else f"Organisation {i:04d} for Human Rights"
             for i in range(signatories)]
    doc = EditionDocument(
        title="Free the defenders", body_markdown=body, body_html=render_markdown(body),
        date=datetime.date(2026, 12, 3), lead_organisation="Rights Watch",
        note="Two signatories added.",
        signatories=tuple(Signatory(name, country="BY" if i % 3 else None)
                          for i, name in enumerate(names)),
        url="https://coalition.example.org/s/free", sha256="ab" * 32,
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


# --- 3. PDF --------------------------------------------------------------------------------


def test_pdf_keeps_the_heading_with_the_whole_short_list() -> None:
    text = pages(documents.to_pdf(press_doc()))
    with_heading = [page for page in text if "Signatories (20)" in page]
    assert len(with_heading) == 1
    # Every name on the heading's page: no four names at a page's foot, no page restarted.
    assert all(f"Organisation {i:04d}" in with_heading[0] for i in range(5, 20))
    assert "Юристы за права" in with_heading[0]


def test_pdf_pages_name_the_convening_organisation_and_the_kind_of_text() -> None:
    text = pages(documents.to_pdf(press_doc()))
    assert len(text) >= 2
    for page in text:
        assert "Rights Watch" in page and "Joint statement" in page, page[:200]
    letter = pages(documents.to_pdf(press_doc(paragraphs=1, letter=LETTER)))
    assert "Joint letter" in letter[0]
    french = pages(documents.to_pdf(press_doc(paragraphs=1, language="fr")))
    assert "Déclaration commune" in french[0]


def _font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font") or {}
        for font in fonts.get_object().values():
            names.add(str(font.get_object().get("/BaseFont")))
    return names


def test_pdf_draws_emoji_with_an_emoji_font() -> None:
    if documents.emoji_font() is None:
        pytest.skip("no emoji font installed (Debian: fonts-noto-color-emoji)")
    pdf = documents.to_pdf(press_doc(signatories=3, paragraphs=1))
    assert any("emoji" in name.lower() for name in _font_names(pdf)), _font_names(pdf)


def test_pdf_without_an_emoji_font_leaves_the_glyph_out_rather_than_a_box(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(documents, "emoji_font", lambda: None)
    markup = documents.pdf_html(press_doc(signatories=3, paragraphs=1))
    assert "Rainbow Rights" in markup and "🏳" not in markup and "🌈" not in markup
    assert "\u200d" not in markup.split("Rainbow Rights", 1)[1][:5]
    assert ARABIC_NAME in markup  # other scripts untouched
    kept = "Zwnj\u200cjoin, Rights Now"
    assert documents.without_emoji("Zwnj\u200cjoin, Rights ✊🏽 Now") == kept


# --- 4. DOCX: the PDF's typography ----------------------------------------------------------


def _docx(doc: EditionDocument) -> Any:
    return docx.Document(io.BytesIO(documents.to_docx(doc)))


def _run_properties(element: Any) -> Any:
    return element.find(qn("w:rPr"))


def _style(document: Any, name: str) -> dict[str, str | None]:
    """A style's font, size (half-points), colour and bold, as Word reads them."""
    rpr = _run_properties(document.styles[name].element)
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    color = rpr.find(qn("w:color")) if rpr is not None else None
    size = rpr.find(qn("w:sz")) if rpr is not None else None
    return {
        "font": fonts.get(qn("w:ascii")) if fonts is not None else None,
        "theme font": (fonts.get(qn("w:asciiTheme")) or fonts.get(qn("w:hAnsiTheme")))
        if fonts is not None else None,
        "size": size.get(qn("w:val")) if size is not None else None,
        "color": color.get(qn("w:val")) if color is not None else None,
        "theme color": color.get(qn("w:themeColor")) if color is not None else None,
    }


def test_docx_styles_carry_the_pdfs_fonts_sizes_and_colours() -> None:
    document = _docx(press_doc(paragraphs=2))
    expected = {
        "Normal": ("DejaVu Serif", "20", "1A1A1A"),
        "Title": ("DejaVu Sans", "38", "111111"),
        "Heading 1": ("DejaVu Sans", "25", "111111"),
        "Heading 2": ("DejaVu Sans", "21", "111111"),
        "Header": ("DejaVu Sans", "15", "666666"),
        "Footer": ("DejaVu Sans", "15", "666666"),
    }
    for name, (font, size, color) in expected.items():
        style = _style(document, name)
        assert (style["font"], style["size"], style["color"]) == (font, size, color), name
        assert style["theme font"] is None and style["theme color"] is None, name  # no blue


def test_docx_footer_page_numbers_look_like_the_words_around_them() -> None:
    footer = _docx(press_doc(paragraphs=2)).sections[0].footer
    paragraph = footer.paragraphs[0]
    assert paragraph.style.name == "Footer"
    # No run carries its own size or colour: the number and "Page … of" share the style's.
    for run in paragraph._p.iter(qn("w:r")):
        rpr = _run_properties(run)
        assert rpr is None or (rpr.find(qn("w:sz")) is None and rpr.find(qn("w:color")) is None)
    assert "PAGE" in paragraph._p.xml and "NUMPAGES" in paragraph._p.xml


def test_docx_header_names_the_convening_organisation_and_the_kind() -> None:
    header = _docx(press_doc(paragraphs=2)).sections[0].header
    assert [p.text for p in header.paragraphs] == ["Rights Watch\tJoint statement"]
    drafted = _docx(press_doc(paragraphs=2, draft=True)).sections[0].header
    assert [p.text for p in drafted.paragraphs][1] == "Rights Watch\tJoint statement"


def test_docx_bold_and_italic_reach_arabic_and_emoji_stay() -> None:
    body = f"**{ARABIC_NAME}** and *{ARABIC_NAME}*"
    document = _docx(press_doc(paragraphs=0, body_markdown=body, body_html=render_markdown(body)))
    xml = document.element.xml
    assert EMOJI_NAME in docx_text.text(document)  # emoji kept
    runs = [run for run in document.element.body.iter(qn("w:r"))
            if ARABIC_NAME in "".join(t.text or "" for t in run.iter(qn("w:t")))]
    bold = [run for run in runs if run.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None]
    italic = [run for run in runs if run.find(f"{qn('w:rPr')}/{qn('w:i')}") is not None]
    assert bold and all(run.find(f"{qn('w:rPr')}/{qn('w:bCs')}") is not None for run in bold)
    assert italic and all(run.find(f"{qn('w:rPr')}/{qn('w:iCs')}") is not None for run in italic)
    # Names are set like the PDF's: one run each, as every other name.
    names = [p for p in docx_text.paragraphs(document)
             if p.text in (f"{ARABIC_NAME} (Belarus)", "Юристы за права (Belarus)")]
    assert len(names) == 2
    assert {bool(run.bold) for p in names for run in p.runs} == {False}
    assert "w:cs" in xml  # complex-script font named too (Arabic takes the same face)


# --- 4. checked by converting with LibreOffice, as a reader's word processor would --------


def _libreoffice_pdf(doc: EditionDocument, folder: Path) -> bytes:
    source = folder / "statement.docx"
    source.write_bytes(documents.to_docx(doc))
    return convert(source, "pdf").read_bytes()


def _words(pdf: Path, page: int) -> list[tuple[str, float]]:
    """The words of one page and their heights (pdftotext -bbox), to compare type sizes."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    xhtml = subprocess.run(  # noqa: S603
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],  # noqa: S607
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    return [
        (html.unescape(word), float(y_max) - float(y_min))
        for y_min, y_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
            xhtml)
    ]


def test_docx_opened_in_libreoffice_looks_like_the_pdf(tmp_path: Path) -> None:
    doc = press_doc(paragraphs=8)
    converted = _libreoffice_pdf(doc, tmp_path)
    fonts = {name.split("+")[-1] for name in _font_names(converted)}
    assert {"DejaVuSerif", "DejaVuSans"} <= fonts, fonts  # the PDF's faces, not a theme's
    assert not {name for name in fonts if re.match(r"(Carlito|Caladea|Calibri|Cambria)", name)}
    if documents.emoji_font() is not None:
        assert any("emoji" in name.lower() for name in fonts), fonts  # the emoji is drawn
    text = pages(converted)
    assert all("Rights Watch" in page and "Joint statement" in page for page in text)
    assert f"Page 1 of {len(text)}" in text[0]
    assert EMOJI_NAME.split()[0] in " ".join(text) and ARABIC_NAME.split()[0] in " ".join(text)
    # The footer's numbers are the size of the words around them.
    (tmp_path / "converted.pdf").write_bytes(converted)
    words = _words(tmp_path / "converted.pdf", 1)
    footer = words[words.index(("Page", dict(words)["Page"])):][:4]
    assert [word for word, _ in footer] == ["Page", "1", "of", str(len(text))]
    assert max(h for _, h in footer) - min(h for _, h in footer) < 1.0, footer


@pytest.mark.slow
def test_a_thousand_signatories_look_alike_in_the_pdf_and_the_docx(tmp_path: Path) -> None:
    """Both rendered to images (kept in tests/browser/screenshots/pdf-and-docx/ to look at)."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    doc = press_doc(signatories=1000, paragraphs=6)
    made = {"pdf": documents.to_pdf(doc), "docx": _libreoffice_pdf(doc, tmp_path)}
    counts = {}
    folder = SCREENSHOTS / "pdf-and-docx"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for kind, pdf in made.items():
        text = pages(pdf)
        counts[kind] = len(text)
        assert all("Rights Watch" in page and "Joint statement" in page for page in text), kind
        assert all(f"of {len(text)}" in page for page in text), kind
        assert "Organisation 0999" in text[-1] and "Signatories (1000)" in " ".join(text)
        (tmp_path / f"{kind}.pdf").write_bytes(pdf)
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3",  # noqa: S607
             str(tmp_path / f"{kind}.pdf"), str(folder / kind)],
            check=True, timeout=120,
        )
    # The same list takes about as many pages either way (same faces, sizes and columns).
    assert abs(counts["pdf"] - counts["docx"]) <= max(2, counts["pdf"] // 5), counts
    assert len(list(folder.glob("*.png"))) == 6
