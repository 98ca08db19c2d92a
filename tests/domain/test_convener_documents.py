"""Co-leads in the press files: the PDF and the DOCX say who convened the text, as the
page, md, txt and html do ("Convened by A and B"; issue 17)."""

from __future__ import annotations

import io

import docx
from pypdf import PdfReader

from coalition.domain.documents import to_docx, to_pdf
from tests import docx_text
from tests.domain.test_documents import flat, make_doc, pdf_text

CONVENERS = ("Liberty", "Centre for Rights")


def _docx_text(data: bytes) -> str:
    return flat(docx_text.text(docx.Document(io.BytesIO(data))))


def test_docx_small_print_names_every_convener() -> None:
    text = _docx_text(to_docx(make_doc(conveners=CONVENERS)))
    assert "Convened by Liberty and Centre for Rights" in text
    assert "Coordinated by Liberty" not in text


def test_docx_in_french_uses_its_words() -> None:
    text = _docx_text(to_docx(make_doc(conveners=CONVENERS, language="fr")))
    assert "À l’initiative de Liberty et Centre for Rights" in text


def test_docx_of_a_lead_alone_still_says_coordinated_by() -> None:
    text = _docx_text(to_docx(make_doc()))
    assert "Coordinated by Liberty" in text
    assert "Convened by" not in text


def test_pdf_names_every_convener() -> None:
    text = pdf_text(PdfReader(io.BytesIO(to_pdf(make_doc(conveners=CONVENERS)))))
    assert "Convened by Liberty and Centre for Rights" in text
