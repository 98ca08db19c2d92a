"""A DOCX's paragraphs in reading order, those in table cells included (a short signatory
list is a two-column table: coalition/domain/documents.py)."""

from __future__ import annotations

from typing import Any

from docx.table import Table
from docx.text.paragraph import Paragraph


def paragraphs(document: Any) -> list[Paragraph]:
    """Every paragraph of the body, a table's cell by cell (down a column, then the next)."""
    found: list[Paragraph] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for column in range(len(item.columns)):
                for row in item.rows:
                    found += paragraphs(row.cells[column])
        else:
            found.append(item)
    return found


def text(document: Any) -> str:
    return "\n".join(paragraph.text for paragraph in paragraphs(document))
