"""A published edition as PDF (WeasyPrint) and as an editable DOCX (python-docx).

Pure Python like the rest of the domain: an :class:`EditionDocument` in, bytes out.
The PDF is the standalone HTML article with print CSS; the DOCX is built from the
same blocks the plain-text export uses (:func:`html_blocks` over the sanitised body
HTML), so Markdown is parsed once, by the sanitiser, for every format.
"""

from __future__ import annotations

import datetime
import functools
import html
import io
import re
import shutil
import subprocess  # noqa: S404 - fc-list, to know whether an emoji font is installed
from types import ModuleType
from typing import Any

import docx
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from coalition.domain.exports import (
    Block,
    EditionDocument,
    Run,
    Signatory,
    article_html,
    banners,
    conveners_line,
    display_title,
    format_date,
    has_affiliations,
    html_blocks,
    html_lang,
    labels_for,
    letter_lines,
    note_lines,
    running_header,
    signatory_groups,
    signatory_line,
    withheld_lines,
)

__all__ = ["emoji_font", "pdf_html", "to_docx", "to_pdf", "without_emoji"]


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


# --- PDF -------------------------------------------------------------------------------

# Generic families first so that whatever the server has is used; DejaVu and Liberation
# (packaged everywhere WeasyPrint runs) cover Latin, Greek and Cyrillic.
_SERIF = '"DejaVu Serif", "Liberation Serif", "Noto Serif", serif'
_SANS = '"DejaVu Sans", "Liberation Sans", "Noto Sans", sans-serif'

_PDF_STYLE = """
@page {
  size: A4;
  margin: 22mm 22mm 24mm 22mm;
  @top-left { content: %(convened)s; font: 7.5pt %(sans)s; color: #666; vertical-align: bottom;
    padding-bottom: 4mm; }
  @top-right { content: %(kind)s; font: 7.5pt %(sans)s; color: #666; vertical-align: bottom;
    padding-bottom: 4mm; }
  @bottom-center { content: %(page)s; font: 7.5pt %(sans)s; color: #666; }
  %(draft_margin)s
}
html { font-family: %(serif)s; font-size: 10pt; line-height: 1.5; color: #1a1a1a; }
body { margin: 0; }
h1, h2, h3, h4, h5, h6 { font-family: %(sans)s; line-height: 1.25; color: #111;
  break-after: avoid; }
.statement-header { border-bottom: 1.5pt solid #1a1a1a; padding-bottom: 3mm; margin-bottom: 7mm; }
.statement-title { font-size: 19pt; font-weight: bold; margin: 0 0 2mm; hyphens: manual; }
.statement-date { font-family: %(sans)s; font-size: 9.5pt; color: #444; margin: 0; }
.draft-banner { font-family: %(sans)s; font-weight: bold; color: #b00020; text-align: center;
  letter-spacing: 1pt; border: 1.5pt solid #b00020; padding: 2mm; margin: 0 0 6mm; }
.watermark { position: fixed; top: 105mm; left: -22mm; width: 210mm; text-align: center;
  font: bold 90pt %(sans)s; color: rgba(176, 0, 32, 0.10); transform: rotate(-40deg);
  z-index: -1; }
.addressee { font-style: normal; margin: 0 0 7mm; line-height: 1.4; }
.salutation { margin: 0 0 4mm; }
.statement-body { text-align: left; orphans: 3; widows: 3; }
.statement-body p { margin: 0 0 3.5mm; }
.statement-body h1 { font-size: 14pt; margin: 6mm 0 2mm; }
.statement-body h2 { font-size: 12.5pt; margin: 5mm 0 2mm; }
.statement-body h3, .statement-body h4, .statement-body h5, .statement-body h6 {
  font-size: 10.5pt; margin: 4mm 0 1.5mm; }
.statement-body ul, .statement-body ol { margin: 0 0 3.5mm; padding-left: 6mm; }
.statement-body li { margin-bottom: 1mm; }
.statement-body blockquote { margin: 0 0 3.5mm 4mm; padding-left: 4mm;
  border-left: 1.5pt solid #bbb; color: #333; }
.statement-body a { color: #1a1a1a; }
.statement-body pre, .statement-body code { font-family: "DejaVu Sans Mono", monospace;
  font-size: 8.5pt; }
.statement-body img { max-width: 100%%; }
.statement-body table { border-collapse: collapse; margin: 0 0 3.5mm; }
.statement-body td, .statement-body th { border: 0.5pt solid #999; padding: 1mm 2mm; }
/* A list that fits on a page moves whole to the next page rather than leave its heading
   and two rows at a page's foot; a longer one starts on a fresh page, never an orphan. */
.signatories { margin-top: 8mm; break-inside: avoid; }
.signatories h2 { font-size: 12.5pt; margin: 0 0 3mm; padding-bottom: 1.5mm;
  border-bottom: 0.75pt solid #999; }
.signatories h3 { font-size: 10.5pt; margin: 4mm 0 2mm; }
.signatory-list { list-style: none; margin: 0; padding: 0; columns: 2; column-gap: 9mm;
  font-size: 9.5pt; line-height: 1.3; }
.signatory { break-inside: avoid; margin: 0 0 1.6mm; padding-left: 3mm; text-indent: -3mm; }
.signatory-name { font-weight: bold; }
.signatory-details { color: #555; }
.identification { font-size: 8.5pt; font-style: italic; color: #555; margin: 3mm 0 0; }
.statement-footer { margin-top: 8mm; padding-top: 2mm; border-top: 0.5pt solid #bbb;
  font-family: %(sans)s; font-size: 7.5pt; color: #555; line-height: 1.4; }
.statement-footer p { margin: 0 0 1mm; }
.edition-updates { margin: 5mm 0 0; padding-left: 3mm; border-left: 1.5pt solid #bbb;
  font-family: %(sans)s; font-size: 8.5pt; color: #333; }
.edition-note { margin: 0 0 1mm; }
.integrity code { font-family: "DejaVu Sans Mono", monospace; font-size: 7pt;
  overflow-wrap: anywhere; }
.integrity a { color: #555; text-decoration: none; }
"""


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ") + '"'


def _css_page_content(template: str) -> str:
    """ "Page {page} of {pages}" as CSS content: strings around page counters."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def pdf_html(doc: EditionDocument) -> str:
    """The HTML that :func:`to_pdf` lays out (public so that tests and previews can see it)."""
    words = labels_for(doc.language)
    draft_margin = ""
    watermark = ""
    warnings = banners(doc)
    if warnings:  # on every page: a forwarded page still says it is a draft or embargoed
        draft_margin = (
            f"@top-center {{ content: {_css_string(' · '.join(warnings))}; "
            f"font: bold 8pt {_SANS}; color: #b00020; letter-spacing: 1pt; }}"
        )
    if doc.draft:
        watermark = f'<div class="watermark" aria-hidden="true">{_escape(words["draft"])}</div>\n'
    convened, kind = running_header(doc)
    style = _PDF_STYLE % {
        "convened": _css_string(convened),
        "kind": _css_string(kind),
        "page": _css_page_content(words["page"]),
        "sans": _SANS,
        "serif": _SERIF,
        "draft_margin": draft_margin,
    }
    lead = doc.lead_organisation.strip()
    meta = f'<meta name="author" content="{_escape(lead)}">\n' if lead else ""
    letter = " letter" if doc.letter is not None else ""
    markup = (
        f'<!doctype html>\n<html lang="{_escape(html_lang(doc.language))}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{_escape(display_title(doc))}</title>\n{meta}'
        f'<meta name="dcterms.created" content="{doc.date.isoformat()}">\n'
        f"<style>{style}</style>\n</head>\n<body>\n{watermark}"
        f'<article class="statement{letter}">\n{article_html(doc, plain_list=True)}\n</article>\n'
        "</body>\n</html>\n"
    )
    # Without an emoji font Pango draws a box for each emoji: leave the glyph out instead.
    return markup if emoji_font() is not None else without_emoji(markup)


# Emoji and what joins them into one picture: variation selector 16, skin tones, tags,
# regional indicators; a zero-width joiner counts only between two of them (Arabic and
# Indic scripts use it inside words, and it is kept there).
_EMOJI = (
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
    "\U000E0020-\U000E007F]\uFE0F?"
)
_EMOJI_RUN = re.compile(f"(?:{_EMOJI})(?:\u200D?(?:{_EMOJI})|\uFE0F)*")


def without_emoji(text: str) -> str:
    """``text`` with every emoji sequence left out, and the space before it."""
    return _EMOJI_RUN.sub("", re.sub(f" +(?={_EMOJI})", "", text))


@functools.lru_cache(maxsize=1)
def emoji_font() -> str | None:
    """The family of an installed colour-emoji font (fontconfig), or None.

    Read once per process: fonts are installed with the system (fonts-noto-color-emoji on
    Debian), not while the app runs.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listing = subprocess.run(  # noqa: S603 - a fixed command, no input of anyone's
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = (family.strip() for line in listing.splitlines() for family in line.split(","))
    return next((family for family in families if "emoji" in family.lower()), None)


def _weasyprint() -> ModuleType:
    """WeasyPrint, loaded on the first PDF and not at start-up.

    The one import inside a function outside the factory and the CLI (tests/
    test_architecture.py allows it by name): loading WeasyPrint (Pango, fontconfig) costs
    about 0.5 s of CPU, a third more than the whole app's start (1.6 s), in every process,
    command and test run, though few of them render a PDF.
    """
    import weasyprint
    import weasyprint.urls

    return weasyprint


def _offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses everything but data: URIs.

    The body is user content: an <img src="http://..."> must not make the server fetch
    anything (SSRF), nor may a file: URL read the disk. Refused resources are skipped
    with a logged warning.
    """
    urls = _weasyprint().urls
    fetcher_class = getattr(urls, "URLFetcher", None)
    if fetcher_class is not None:  # WeasyPrint >= 66
        return fetcher_class(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(url: str, *args: object, **kwargs: object) -> Any:  # WeasyPrint < 66
        if not url.lower().startswith("data:"):
            raise ValueError(f"external resources are not fetched: {url[:80]}")
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def to_pdf(doc: EditionDocument) -> bytes:
    """The edition as an A4 PDF: page numbers, signatories in two columns, no network."""
    html_document = _weasyprint().HTML(
        string=pdf_html(doc), base_url=None, url_fetcher=_offline_fetcher()
    )
    pdf = html_document.write_pdf()
    assert pdf is not None  # with no target, write_pdf returns the bytes
    return bytes(pdf)


# --- DOCX ------------------------------------------------------------------------------

# The PDF's faces, sizes and colours (_PDF_STYLE), set on Word's styles so that the DOCX
# looks like the PDF and a press officer's edits keep the look. Word without DejaVu
# substitutes a font of its own; LibreOffice and the PDF on the server use these.
_SERIF_FACE = "DejaVu Serif"
_SANS_FACE = "DejaVu Sans"
_TYPOGRAPHY: dict[str, tuple[str, float, str, bool | None]] = {
    # style: (face, size in points, colour, bold)
    "Normal": (_SERIF_FACE, 10, "1A1A1A", None),
    "Title": (_SANS_FACE, 19, "111111", True),
    "Heading 1": (_SANS_FACE, 12.5, "111111", True),
    "Heading 2": (_SANS_FACE, 10.5, "111111", True),
    "Heading 3": (_SANS_FACE, 10.5, "111111", True),
    "Header": (_SANS_FACE, 7.5, "666666", None),
    "Footer": (_SANS_FACE, 7.5, "666666", None),
    "Quote": (_SERIF_FACE, 10, "333333", None),
}
_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_face(run_properties: Any, face: str) -> None:
    """One face for every script (Latin, Cyrillic, Arabic, CJK), never the theme's."""
    fonts = run_properties.get_or_add_rFonts()
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), face)


def _set_color(run_properties: Any, color: str) -> None:
    element = run_properties.get_or_add_color()
    for attribute in ("w:themeColor", "w:themeShade", "w:themeTint"):
        element.attrib.pop(qn(attribute), None)
    element.set(qn("w:val"), color)


def _set_size(run_properties: Any, points: float) -> None:
    half_points = str(round(points * 2))
    run_properties.get_or_add_sz().set(qn("w:val"), half_points)
    complex_size = run_properties.find(qn("w:szCs"))
    if complex_size is None:
        complex_size = OxmlElement("w:szCs")
        run_properties.get_or_add_sz().addnext(complex_size)
    complex_size.set(qn("w:val"), half_points)


def _typography(document: Any) -> None:
    """Word's default template restyled as the PDF: faces, sizes, colours, no theme blue."""
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    if defaults is not None and defaults.find(qn("w:rPr")) is not None:
        _set_face(defaults.find(qn("w:rPr")), _SERIF_FACE)
    for name, (face, size, color, bold) in _TYPOGRAPHY.items():
        style = document.styles[name]
        properties = style.element.get_or_add_rPr()
        _set_face(properties, face)
        _set_size(properties, size)
        _set_color(properties, color)
        if bold is not None:
            style.font.bold = bold
            style.font.cs_bold = bold
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Mm(3.5)
    normal.line_spacing = 1.3  # CSS line-height 1.5 over the face's own line height
    title = document.styles["Title"].element
    if title.pPr is not None:
        for border in title.pPr.findall(qn("w:pBdr")):
            title.pPr.remove(border)
    document.styles["Title"].paragraph_format.space_after = Mm(2)
    for name, before, after in (("Heading 1", 5, 2), ("Heading 2", 4, 1.5), ("Heading 3", 4, 1.5)):
        heading = document.styles[name].paragraph_format
        heading.space_before, heading.space_after = Mm(before), Mm(after)
        heading.keep_with_next = True


def _bottom_border(paragraph: Paragraph, eighths: int, color: str) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", "4"),
                       ("w:color", color)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


_GREY = RGBColor(0x55, 0x55, 0x55)
_RED = RGBColor(0xB0, 0x00, 0x20)
_LINK = RGBColor(0x05, 0x63, 0xC1)


def _set_language(document: Any, language: str) -> None:
    """Mark every run's language so Word checks spelling in the statement's language."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_properties = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if run_properties is None:
        return
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    lang.set(qn("w:val"), html_lang(language))


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _add_page_footer(document: Any, template: str) -> None:
    """ "Page n of m", numbers and words alike: the Footer style sets them all (7.5 pt grey)."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            _add_field(paragraph, "PAGE", "1")
        elif piece == "{pages}":
            _add_field(paragraph, "NUMPAGES", "1")
        elif piece:
            paragraph.add_run(piece)


def _add_running_header(document: Any, doc: EditionDocument) -> None:
    """The convening organisation on the left, "Joint statement" on the right, as the PDF."""
    section = document.sections[0]
    paragraph = section.header.paragraphs[-1]
    if paragraph.text:  # a DRAFT or embargo warning holds the first line
        paragraph = section.header.add_paragraph()
    paragraph.style = document.styles["Header"]
    width = section.page_width - section.left_margin - section.right_margin
    document.styles["Header"].paragraph_format.tab_stops.clear_all()  # Word's centre stop
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    convened, kind = running_header(doc)
    paragraph.add_run(f"{convened}\t{kind}")


def _add_hyperlink(paragraph: Paragraph, text: str, url: str, run: Run) -> None:
    """A real, clickable link (python-docx has no API for one)."""
    relation = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relation)
    element = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    # In the schema's order: bold and italic (complex scripts too), colour, underline. The
    # colour is the text's, underlined, as links are in the PDF.
    for flag, tags in ((run.bold, ("w:b", "w:bCs")), (run.italic, ("w:i", "w:iCs"))):
        if flag:
            for tag in tags:
                properties.append(OxmlElement(tag))
    for tag, value in (("w:color", "1A1A1A"), ("w:u", "single")):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        properties.append(child)
    element.append(properties)
    text_element = OxmlElement("w:t")
    text_element.text = text
    text_element.set(qn("xml:space"), "preserve")
    element.append(text_element)
    link.append(element)
    paragraph._p.append(link)


def _add_runs(paragraph: Paragraph, runs: list[Run], monospace: bool = False) -> None:
    for run in runs:
        href = (run.href or "").strip()
        if re.match(r"(https?://|mailto:)", href, re.IGNORECASE):
            _add_hyperlink(paragraph, run.text, href, run)
            continue
        for index, line in enumerate(run.text.split("\n")):
            if index:
                paragraph.add_run().add_break()
            if not line:
                continue
            added = paragraph.add_run(line)
            # Arabic, Hebrew and other complex scripts take their own bold and italic.
            added.bold = added.font.cs_bold = run.bold or None
            added.italic = added.font.cs_italic = run.italic or None
            if run.code or monospace:
                added.font.name = "Courier New"


class _Numbering:
    """Restarts "List Number" at 1 for each ordered list (python-docx continues it)."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._by_list: dict[int, int] = {}

    def apply(self, paragraph: Paragraph, style_name: str, block: Block) -> None:
        num_id = self._by_list.get(block.list_id)
        if num_id is None:
            style = self._document.styles[style_name].element
            if style.pPr is None or style.pPr.numPr is None or style.pPr.numPr.numId is None:
                return
            numbering = self._document.part.numbering_part.element
            base = numbering.num_having_numId(style.pPr.numPr.numId.val)
            num = numbering.add_num(base.abstractNumId.val)
            num.add_lvlOverride(ilvl=0).add_startOverride(block.number)
            num_id = self._by_list[block.list_id] = num.numId
        properties = paragraph._p.get_or_add_pPr()
        properties.get_or_add_numPr().get_or_add_numId().val = num_id


def _add_block(document: Any, block: Block, numbering: _Numbering) -> None:
    if block.kind == "heading":
        # The title is Word's "Title", standing where HTML has <h1>, so the body's <h2>
        # sections become "Heading 1" like the signatories' heading, as in the HTML.
        level = min(max(block.level - 1, 1), 9)
        paragraph = document.add_paragraph(style=f"Heading {level}")
        _add_runs(paragraph, block.runs)
        return
    if block.kind == "rule":
        paragraph = document.add_paragraph("* * *")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return
    if block.kind == "item":
        depth = min(block.level, 3)
        base = "List Number" if block.ordered else "List Bullet"
        style_name = base if depth == 1 else f"{base} {depth}"
        paragraph = document.add_paragraph(style=style_name)
        if block.ordered:
            numbering.apply(paragraph, style_name, block)
        _add_runs(paragraph, block.runs)
        return
    paragraph = document.add_paragraph(style="Quote" if block.quote else None)
    if block.level:
        paragraph.paragraph_format.left_indent = Mm(6.35 * block.level)
    _add_runs(paragraph, block.runs, monospace=block.kind == "code")


def _columns_from_here(document: Any, count: int) -> None:
    """What follows is set in ``count`` columns (a continuous section break).

    python-docx puts the break in a new empty paragraph; it moves into the paragraph before,
    so no blank line stands between the text and the list.
    """
    _set_columns(document.add_section(WD_SECTION.CONTINUOUS), count)
    body = document.element.body
    holder = body[-2]  # add_section's paragraph, before the document's last sectPr
    previous = holder.getprevious()
    properties = holder.find(qn("w:pPr"))
    section = properties.find(qn("w:sectPr")) if properties is not None else None
    if (section is None or previous is None or previous.tag != qn("w:p")
            or previous.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
            or "".join(holder.itertext()).strip()):
        return
    previous.get_or_add_pPr().append(section)
    body.remove(holder)


def _add_name(paragraph: Paragraph, signatory: Signatory, language: str) -> None:
    """As the PDF sets a name: "Name (details)" in one run, 9.5 pt, a hanging indent."""
    name, details = signatory_line(signatory, language)
    layout = paragraph.paragraph_format
    layout.space_after, layout.line_spacing = Mm(1.6), 1.1
    layout.left_indent, layout.first_line_indent = Mm(3), Mm(-3)
    layout.keep_together = True
    run = paragraph.add_run(f"{name} ({details})" if details else name)
    _set_size(run._r.get_or_add_rPr(), 9.5)


def _names_table(document: Any, members: list[Signatory], language: str) -> None:
    """A short list in two balanced columns, down the first then the second, on one page.

    One table row that may not split: it moves whole to the next page rather than leave
    the heading and a few names at the foot of this one, and the heading keeps with it.
    """
    table = document.add_table(rows=1, cols=3)
    table.autofit = False
    row = table.rows[0]
    cant_split = OxmlElement("w:cantSplit")
    row._tr.get_or_add_trPr().append(cant_split)
    width = (Mm(210) - 2 * Mm(22) - Mm(9)) // 2
    half = (len(members) + 1) // 2
    for column, column_width in zip(table.columns, (width, Mm(9), width), strict=True):
        column.width = column_width  # the grid, which LibreOffice follows
    for cell, cell_width, names in ((row.cells[0], width, members[:half]),
                                    (row.cells[1], Mm(9), []),
                                    (row.cells[2], width, members[half:])):
        cell.width = cell_width
        margins = OxmlElement("w:tcMar")
        for side in ("left", "right"):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), "0")
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        cell._tc.get_or_add_tcPr().append(margins)
        paragraph = cell.paragraphs[0]
        for index, signatory in enumerate(names):
            _add_name(paragraph if index == 0 else cell.add_paragraph(), signatory, language)
    document.add_paragraph().paragraph_format.space_after = Mm(0)


# About how many one-line names two columns of 9.5 pt hold on an A4 page.
_NAMES_ON_A_PAGE = 60


def _set_columns(section: Any, count: int) -> None:
    properties = section._sectPr
    columns = properties.find(qn("w:cols"))
    if columns is None:
        columns = OxmlElement("w:cols")
        properties.append(columns)
    columns.set(qn("w:num"), str(count))
    columns.set(qn("w:space"), "510")  # 9 mm as in the PDF, in twentieths of a point


def _sans(run: Any, points: float, color: str) -> None:
    properties = run._r.get_or_add_rPr()
    _set_face(properties, _SANS_FACE)
    _set_size(properties, points)
    _set_color(properties, color)


def _small(paragraph: Paragraph, text: str, italic: bool = False, *, points: float = 7.5,
           color: str = "555555") -> None:
    """The PDF's small print: the edition's note (8.5 pt) and the closing lines (7.5 pt)."""
    paragraph.paragraph_format.space_after = Mm(1)
    run = paragraph.add_run(text)
    _sans(run, points, color)
    run.italic = run.font.cs_italic = italic or None


def _docx_properties(document: Any, doc: EditionDocument) -> None:
    """The file's metadata: title, author, language, revision, dated at noon UTC."""
    _set_language(document, doc.language)
    properties = document.core_properties
    properties.title = display_title(doc)
    properties.author = doc.lead_organisation.strip()
    properties.last_modified_by = doc.lead_organisation.strip()
    properties.language = html_lang(doc.language)
    properties.revision = max(doc.edition, 1)
    stamp = datetime.datetime.combine(doc.date, datetime.time(12), tzinfo=datetime.UTC)
    properties.created = properties.modified = stamp
    properties.comments = ""


def _docx_page(document: Any, doc: EditionDocument, words: dict[str, str]) -> None:
    """A4 with the PDF's margins, styles, page numbers, running header and warnings."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin"):
        setattr(section, side, Mm(22))
    section.bottom_margin = Mm(24)
    _typography(document)
    _add_page_footer(document, words["page"])
    warnings = banners(doc)
    if warnings:  # the page header repeats on every page, the warning first
        header = section.header.paragraphs[0]
        header.style = document.styles["Header"]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(" · ".join(warnings))
        run.bold = True
        run.font.color.rgb = _RED
    _add_running_header(document, doc)
    for warning in warnings:
        banner = document.add_paragraph()
        banner.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = banner.add_run(warning)
        run.bold = True
        run.font.size = Pt(14)
        run.font.color.rgb = _RED


def _docx_text(document: Any, doc: EditionDocument) -> None:
    """Title, date, the letter block, the body and the edition's note."""
    document.add_paragraph(display_title(doc), style="Title")
    date = document.add_paragraph()
    date_run = date.add_run(format_date(doc.date, doc.language))
    _sans(date_run, 9.5, "444444")
    date.paragraph_format.space_after = Mm(7)
    _bottom_border(date, 12, "1A1A1A")  # the PDF's rule under the title block

    if doc.letter is not None:
        addressee = document.add_paragraph()
        for index, line in enumerate(letter_lines(doc.letter)):
            if index:
                addressee.add_run().add_break()
            addressee.add_run(line)
        if doc.letter.salutation.strip():
            document.add_paragraph(" ".join(doc.letter.salutation.split()))

    numbering = _Numbering(document)
    for block in html_blocks(doc.body_html):
        _add_block(document, block, numbering)
    # The edition's note between the text and the list, as in every other format.
    for line in note_lines(doc):
        _small(document.add_paragraph(), line, points=8.5, color="333333")


def _docx_signatories(document: Any, doc: EditionDocument, words: dict[str, str]) -> None:
    """The list under its heading, then those not named and the identification note.

    As in the PDF: a list that fits on a page stays whole with its heading (a table row
    that may not split, two balanced columns); a longer one starts on a new page and flows
    in two columns (a continuous section).
    """
    short = len(doc.signatories) <= _NAMES_ON_A_PAGE
    heading = document.add_paragraph(f"{words['signatories']} ({doc.total})",
                                      style="Heading 1")
    heading.paragraph_format.page_break_before = not short
    _bottom_border(heading, 6, "999999")  # the PDF's rule under "Signatories (n)"
    if not short:
        _columns_from_here(document, 2)
    for group, members in signatory_groups(doc):
        if group:
            document.add_paragraph(f"{group} ({len(members)})", style="Heading 2")
        if short:
            _names_table(document, members, doc.language)
        else:
            for signatory in members:
                _add_name(document.add_paragraph(), signatory, doc.language)
    if not short:
        _columns_from_here(document, 1)
    unnamed, descriptions = withheld_lines(doc)
    if unnamed:
        document.add_paragraph(unnamed)
        for description in descriptions:
            document.add_paragraph(description, style="List Bullet")
    if has_affiliations(doc):
        _small(document.add_paragraph(), words["identification"], italic=True, points=8.5)


def _docx_closing(document: Any, doc: EditionDocument, words: dict[str, str]) -> None:
    """The small print: who convened it, where it is published, the text's SHA-256."""
    convened = conveners_line(doc)  # "Coordinated by A", or "Convened by A and B"
    footer_lines = [convened] if convened else []
    if doc.url:
        footer_lines.append(f"{words['published_at']}{words['colon']} {doc.url}")
    if doc.sha256:
        footer_lines.append(f"{words['sha256']}{words['colon']} {doc.sha256}")
    for line in footer_lines:
        _small(document.add_paragraph(), line)


def to_docx(doc: EditionDocument) -> bytes:
    """The edition as a Word document a press officer can edit: real styles, real lists."""
    words = labels_for(doc.language)
    document = docx.Document()
    _docx_properties(document, doc)
    _docx_page(document, doc, words)
    _docx_text(document, doc)
    _docx_signatories(document, doc, words)
    _docx_closing(document, doc, words)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
