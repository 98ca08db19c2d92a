"""The PDF and the DOCX as a press officer opens them (issue 20): layout, header, emoji, type."""

from __future__ import annotations

import datetime
import io
from dataclasses import replace

import pytest
from pypdf import PdfReader

from coalition.domain import documents
from coalition.domain.exports import EditionDocument, Signatory
from coalition.domain.rendering import render_markdown
from tests.domain.test_exports import LETTER

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
