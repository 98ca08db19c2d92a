"""A published edition as Markdown, plain text, HTML, an embeddable fragment, CSV and a ZIP.

Pure Python (STYLE rule 3): the caller builds an :class:`EditionDocument` from its
rows and gets back ``str`` or ``bytes``. The body arrives twice: ``body_markdown``
as the lead wrote it (for the ``.md`` export) and ``body_html`` already sanitised by
``coalition.domain.rendering`` (for HTML, and parsed by :func:`html_blocks` for the
plain-text and DOCX exports, so no export hand-parses Markdown). Everything else the
lead or a partner typed (title, names, notes, the letter block) is escaped here.

PDF and DOCX live in ``documents.py``; they reuse :func:`article_html`,
:func:`html_blocks`, :func:`labels_for` and :func:`signatory_line`.
"""

from __future__ import annotations

import base64
import csv
import datetime
import functools
import hashlib
import html
import io
import json
import re
import textwrap
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime
from babel.lists import format_list

from coalition.domain.inert import inert_markdown

__all__ = [
    "CONTACT_COLUMNS",
    "PUBLIC_COLUMNS",
    "Block",
    "EditionDocument",
    "Letter",
    "Run",
    "Signatory",
    "Update",
    "article_html",
    "display_title",
    "escape_csv_cell",
    "unescape_csv_cell",
    "format_date",
    "has_affiliations",
    "withheld_lines",
    "html_blocks",
    "html_lang",
    "labels_for",
    "letter_lines",
    "note_lines",
    "press_kit_zip",
    "running_header",
    "signatories_csv",
    "signatory_groups",
    "signatory_line",
    "to_fragment",
    "to_frame",
    "embed_snippets",
    "FRAME_SCRIPT",
    "FRAME_SCRIPT_CSP",
    "to_html",
    "to_markdown",
    "to_text",
]


# --- the input -------------------------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    """One name on the published list, without contacts."""

    name: str
    kind: str = "organisation"  # or "individual"
    country: str | None = None
    # Individuals only; shown with a note that it is "for identification only".
    affiliation: str | None = None


@dataclass(frozen=True)
class Letter:
    """The addressee block and salutation of a joint letter."""

    addressee_name: str
    addressee_title: str = ""
    addressee_address: str = ""  # several lines, separated by "\n"
    salutation: str = ""


@dataclass(frozen=True)
class Update:
    """An earlier edition's "Updated on ..." line."""

    date: datetime.date
    note: str


@dataclass(frozen=True)
class EditionDocument:
    """Everything an export shows of one edition (or of a draft, for the lead)."""

    title: str
    body_markdown: str
    body_html: str  # sanitised already: the only markup that is not escaped
    date: datetime.date
    language: str = "en"
    lead_organisation: str = ""
    edition: int = 1
    note: str | None = None
    updates: tuple[Update, ...] = ()
    signatories: tuple[Signatory, ...] = ()  # in published order: never re-sorted here
    url: str = ""
    sha256: str = ""
    draft: bool = False
    # A preview under embargo: when it lifts, written in the document's language with its
    # zone ("3 December 2026, 10:00 CET"); every format then carries the embargo banner.
    embargo_until: str | None = None
    letter: Letter | None = None
    group_individuals: bool = False  # organisations, then individuals, under two headings
    # Signatories counted but not named publicly (docs/signing.md): how many, the line that
    # says so ("and 4 organisations that cannot be named for their safety") and the public
    # descriptions their signers wrote, collated. Nothing else of them reaches a document.
    withheld: int = 0
    withheld_line: str = ""
    withheld_descriptions: tuple[str, ...] = ()
    # The organisations that convened it when co-leads did with the lead (issue 17): the
    # lead first. Empty (or one name) means the lead alone.
    conveners: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """Every signatory the document counts, named or not."""
        return len(self.signatories) + self.withheld


# --- words and dates -------------------------------------------------------------------

# Fixed words of the exports, by primary language subtag. English is the fallback for
# any language (or any word) not listed; the dict is the seam for a gettext catalogue.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "signatories": "Signatories",
        "organisations": "Organisations",
        "individuals": "Individuals",
        "draft": "DRAFT",
        "draft_banner": "DRAFT — not for publication",
        "colon": ":",
        "embargo_banner": "Embargoed until {until} — not for publication",
        "note": "Note: {note}",
        "updated_on": "Updated on {date}: {note}",
        "edition": "Edition {number}",
        "coordinated_by": "Coordinated by {name}",
        "convened_by": "Convened by {names}",
        "published_at": "Published at",
        "sha256": "SHA-256 of the text",
        "identification": "Affiliations are given for identification only.",
        "page": "Page {page} of {pages}",
        "joint_statement": "Joint statement",
        "joint_letter": "Joint letter",
    },
    "fr": {
        "signatories": "Signataires",
        "organisations": "Organisations",
        "individuals": "Personnes",
        "draft": "PROJET",
        "draft_banner": "PROJET — ne pas diffuser",
        "embargo_banner": "Sous embargo jusqu’au {until} — ne pas publier",
        "note": "Note\u202f: {note}",
        "updated_on": "Mis à jour le {date}\u202f: {note}",
        # French sets a narrow no-break space before : ; ! ?
        "colon": "\u202f:",
        "edition": "Édition {number}",
        "coordinated_by": "Coordonné par {name}",
        "convened_by": "À l’initiative de {names}",
        "published_at": "Publié à l’adresse",
        "sha256": "SHA-256 du texte",
        "identification": "Les affiliations sont indiquées à titre d’identification seulement.",
        "page": "Page {page} sur {pages}",
        "joint_statement": "Déclaration commune",
        "joint_letter": "Lettre commune",
    },
    "ru": {
        "signatories": "Подписавшие",
        "organisations": "Организации",
        "individuals": "Частные лица",
        "draft": "ПРОЕКТ",
        "draft_banner": "ПРОЕКТ — не для публикации",
        "embargo_banner": "Под эмбарго до {until} — не для публикации",
        "note": "Примечание: {note}",
        "updated_on": "Обновлено {date}: {note}",
        "edition": "Редакция {number}",
        "coordinated_by": "Координатор: {name}",
        "convened_by": "Инициаторы: {names}",
        "published_at": "Опубликовано по адресу",
        "sha256": "SHA-256 текста",
        "identification": "Место работы указано только для идентификации.",
        "page": "Страница {page} из {pages}",
        "joint_statement": "Совместное заявление",
        "joint_letter": "Совместное письмо",
    },
    "be": {
        "signatories": "Падпісанты",
        "organisations": "Арганізацыі",
        "individuals": "Прыватныя асобы",
        "draft": "ПРАЕКТ",
        "draft_banner": "ПРАЕКТ — не для публікацыі",
        "embargo_banner": "Пад эмбарга да {until} — не для публікацыі",
        "note": "Заўвага: {note}",
        "updated_on": "Абноўлена {date}: {note}",
        "edition": "Рэдакцыя {number}",
        "coordinated_by": "Каардынатар: {name}",
        "convened_by": "Ініцыятары: {names}",
        "published_at": "Апублікавана па адрасе",
        "sha256": "SHA-256 тэксту",
        "identification": "Месца працы пазначана толькі для ідэнтыфікацыі.",
        "page": "Старонка {page} з {pages}",
        "joint_statement": "Сумесная заява",
        "joint_letter": "Сумесны ліст",
    },
}


def _primary_subtag(language: str) -> str:
    return (language or "").strip().replace("_", "-").split("-")[0].lower()


def labels_for(language: str) -> dict[str, str]:
    """The export's fixed words in ``language`` (BCP 47), English where missing."""
    return {**LABELS["en"], **LABELS.get(_primary_subtag(language), {})}


# Cached: building a Locale reads Babel's data files, and every signatory line needs one.
@functools.lru_cache(maxsize=64)
def _date_locale(language: str) -> Locale:
    tag = (language or "").strip().replace("-", "_")
    # Babel's "en" is American ("December 3, 2026"). A bare "en" statement is written
    # for an international press, which expects day-month-year ("3 December 2026"), so
    # it takes en_GB; an explicit region ("en-US") is respected.
    if tag.lower() in {"", "en"}:
        return Locale("en", "GB")
    try:
        return Locale.parse(tag)
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale("en", "GB")


def format_date(d: datetime.date, language: str) -> str:
    """``d`` in the long form of ``language``: "3 December 2026", "3 décembre 2026"."""
    return babel_format_date(d, format="long", locale=_date_locale(language))


@functools.lru_cache(maxsize=64)
def _territories(language: str) -> dict[str, str]:
    """Country names in ``language`` as a plain dict (Babel's lookups resolve aliases each time)."""
    return {str(code): str(name) for code, name in _date_locale(language).territories.items()}


_COUNTRY_CODE = re.compile(r"[A-Za-z]{2}")


def _country_name(country: str | None, language: str) -> str:
    """A two-letter code as the country's name in ``language``; anything else as given."""
    value = (country or "").strip()
    if _COUNTRY_CODE.fullmatch(value):
        name = _territories(language).get(value.upper())
        if name:
            return str(name)
    return value


def signatory_line(signatory: Signatory, language: str) -> tuple[str, str]:
    """The name and its details ("University of Oxford, United Kingdom"), unescaped."""
    details = [
        part
        for part in (
            (signatory.affiliation or "").strip() if signatory.kind == "individual" else "",
            _country_name(signatory.country, language),
        )
        if part
    ]
    return signatory.name.strip(), ", ".join(details)


def _signatory_text(signatory: Signatory, language: str) -> str:
    name, details = signatory_line(signatory, language)
    return f"{name} ({details})" if details else name


def signatory_groups(doc: EditionDocument) -> list[tuple[str | None, list[Signatory]]]:
    """The list as (heading, names): one untitled group, or organisations then individuals.

    The order inside each group is the published order: grouping is a stable partition.
    """
    if not doc.group_individuals:
        return [(None, list(doc.signatories))]
    words = labels_for(doc.language)
    groups: list[tuple[str | None, list[Signatory]]] = [
        (words["organisations"], [s for s in doc.signatories if s.kind != "individual"]),
        (words["individuals"], [s for s in doc.signatories if s.kind == "individual"]),
    ]
    return [(heading, members) for heading, members in groups if members]


def has_affiliations(doc: EditionDocument) -> bool:
    return any(s.kind == "individual" and (s.affiliation or "").strip() for s in doc.signatories)


def banners(doc: EditionDocument) -> list[str]:
    """The warnings every format shows first: DRAFT, and an embargo on a preview."""
    words = labels_for(doc.language)
    shown = [words["draft_banner"]] if doc.draft else []
    if doc.embargo_until:
        shown.append(words["embargo_banner"].format(until=doc.embargo_until))
    return shown


def format_moment(moment: datetime.datetime, language: str) -> str:
    """A moment, already in its zone, as ``language`` writes it, with the zone's name:
    "3 December 2026, 10:00 CET"."""
    written = format_datetime(moment, "d MMMM y, HH:mm", tzinfo=moment.tzinfo,
                              locale=_date_locale(language))
    return f"{written} {moment.tzname()}".strip()


def withheld_lines(doc: EditionDocument) -> tuple[str, list[str]]:
    """The line for signatories not named publicly ("" for none) and their descriptions."""
    if doc.withheld <= 0:
        return "", []
    line = " ".join(doc.withheld_line.split())
    return line, [" ".join(d.split()) for d in doc.withheld_descriptions if d.strip()]


def display_title(doc: EditionDocument) -> str:
    title = " ".join(doc.title.split())
    return f"{labels_for(doc.language)['draft']} — {title}" if doc.draft else title


def note_lines(doc: EditionDocument) -> list[str]:
    """This edition's note, then earlier editions' updates, as sentences."""
    words = labels_for(doc.language)
    lines = []
    if doc.note and doc.note.strip():
        note = " ".join(doc.note.split())
        if doc.edition > 1:
            lines.append(
                words["updated_on"].format(date=format_date(doc.date, doc.language), note=note)
            )
        else:
            lines.append(words["note"].format(note=note))
    for update in doc.updates:
        lines.append(
            words["updated_on"].format(
                date=format_date(update.date, doc.language), note=" ".join(update.note.split())
            )
        )
    return lines


def convener_names(doc: EditionDocument) -> list[str]:
    """Who convened the text: its co-leads with the lead, else the lead alone."""
    names = [" ".join(name.split()) for name in doc.conveners if name.strip()]
    if len(names) > 1:
        return names
    lead = " ".join(doc.lead_organisation.split())
    return [lead] if lead else []


def conveners_line(doc: EditionDocument) -> str:
    """"Coordinated by A" for a text its lead convened alone; "Convened by A and B" (the
    names joined as the language joins them) when co-leads convened it with the lead."""
    words = labels_for(doc.language)
    names = convener_names(doc)
    if len(names) > 1:
        return words["convened_by"].format(
            names=format_list(names, locale=_date_locale(doc.language))
        )
    return words["coordinated_by"].format(name=names[0]) if names else ""


def running_header(doc: EditionDocument) -> tuple[str, str]:
    """The page header of the PDF and DOCX: who convened it, and what kind of text it is."""
    words = labels_for(doc.language)
    kind = words["joint_letter"] if doc.letter is not None else words["joint_statement"]
    names = convener_names(doc)
    joined = format_list(names, locale=_date_locale(doc.language)) if len(names) > 1 else ""
    return joined or " ".join(doc.lead_organisation.split()), kind


def letter_lines(letter: Letter) -> list[str]:
    lines = [letter.addressee_name.strip(), letter.addressee_title.strip()]
    lines += [line.strip() for line in letter.addressee_address.splitlines()]
    return [line for line in lines if line]


# --- the body as blocks (for plain text and DOCX) ----------------------------------------


@dataclass
class Run:
    """A stretch of text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None


BlockKind = Literal["heading", "paragraph", "item", "code", "rule"]


@dataclass
class Block:
    """A paragraph-level piece of the body.

    ``level`` is the heading level for headings, and the list depth for items and for
    paragraphs that continue an item (0 outside lists). ``list_id`` tells separate
    lists apart so that numbering can restart; ``number`` is an ordered item's number;
    ``ordered`` says whether the (innermost) list is numbered.
    """

    kind: BlockKind
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    ordered: bool = False
    number: int = 0
    list_id: int = 0
    quote: int = 0  # blockquote depth

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


_SKIP_TAGS = {"script", "style", "template", "head", "title"}


@dataclass
class _ListState:
    ordered: bool
    next_number: int
    list_id: int


class _BlockParser(HTMLParser):
    """Sanitised body HTML -> blocks, with inline bold/italic/code/links as runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._current: Block | None = None
        self._lists: list[_ListState] = []
        self._list_count = 0
        self._quote = 0
        self._bold = 0
        self._italic = 0
        self._code = 0
        self._pre = 0
        self._links: list[str | None] = []
        self._skip = 0
        self._cells = 0
        self._item_open = False  # the current block is an item that has not ended yet

    # helpers
    def _flush(self) -> None:
        block = self._current
        self._current = None
        if block is None:
            return
        if block.kind == "code":
            if block.runs:
                block.runs[-1].text = block.runs[-1].text.rstrip("\n")
        else:
            _trim_runs(block.runs)
        if block.kind == "rule" or block.text.strip():
            self.blocks.append(block)

    def _start(self, kind: BlockKind, level: int = 0) -> Block:
        self._flush()
        self._item_open = False
        self._current = Block(kind=kind, level=level, quote=self._quote)
        return self._current

    def _depth(self) -> int:
        return len(self._lists)

    # tags
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        attributes = dict(attrs)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._start("heading", level=int(tag[1]))
        elif tag in {"ul", "ol"}:
            self._flush()
            self._list_count += 1
            start = 1
            if tag == "ol":
                try:
                    start = int(attributes.get("start") or 1)
                except ValueError:
                    start = 1
            self._lists.append(_ListState(tag == "ol", start, self._list_count))
        elif tag == "li":
            state = self._lists[-1] if self._lists else _ListState(False, 1, 0)
            block = self._start("item", level=max(self._depth(), 1))
            block.ordered = state.ordered
            block.number = state.next_number
            block.list_id = state.list_id
            state.next_number += 1
            self._item_open = True
        elif tag == "p" or tag in {"div", "dt", "dd", "figure", "section"}:
            if self._item_open and self._current is not None and not self._current.text.strip():
                return  # a loose list's <li><p>: the paragraph is the item
            block = self._start("paragraph", level=self._depth())
            block.ordered = bool(self._lists) and self._lists[-1].ordered
        elif tag == "pre":
            self._start("code", level=self._depth())
            self._pre += 1
        elif tag == "blockquote":
            self._flush()
            self._quote += 1
        elif tag == "hr":
            self._start("rule")
            self._flush()
        elif tag == "tr":
            self._start("paragraph", level=self._depth())
            self._cells = 0
        elif tag in {"td", "th"}:
            if self._cells:
                self._text(" | ")
            self._cells += 1
            if tag == "th":
                self._bold += 1
        elif tag == "br":
            self._text("\n", raw=True)
        elif tag in {"strong", "b"}:
            self._bold += 1
        elif tag in {"em", "i"}:
            self._italic += 1
        elif tag == "code":
            self._code += 1
        elif tag == "a":
            self._links.append(attributes.get("href"))
        elif tag == "img":
            alt = attributes.get("alt")
            if alt:
                self._text(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in {"br", "hr", "img"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(self._skip - 1, 0)
        elif tag in {"ul", "ol"}:
            self._flush()
            if self._lists:
                self._lists.pop()
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "div", "dt", "dd"}:
            self._flush()
        elif tag == "pre":
            self._flush()
            self._pre = max(self._pre - 1, 0)
        elif tag == "blockquote":
            self._flush()
            self._quote = max(self._quote - 1, 0)
        elif tag in {"strong", "b"}:
            self._bold = max(self._bold - 1, 0)
        elif tag in {"em", "i"}:
            self._italic = max(self._italic - 1, 0)
        elif tag == "th":
            self._bold = max(self._bold - 1, 0)
        elif tag == "code":
            self._code = max(self._code - 1, 0)
        elif tag == "a" and self._links:
            self._links.pop()

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            self._text(data, raw=True)
        else:
            self._text(re.sub(r"\s+", " ", data))

    def _text(self, text: str, raw: bool = False) -> None:
        if not text:
            return
        if self._current is None:
            if not raw and not text.strip():
                return  # whitespace between blocks
            self._current = Block(kind="paragraph", level=self._depth(), quote=self._quote)
        href = next((link for link in reversed(self._links) if link), None)
        runs = self._current.runs
        run = Run(text, self._bold > 0, self._italic > 0, self._code > 0 and not self._pre, href)
        if runs and (runs[-1].bold, runs[-1].italic, runs[-1].code, runs[-1].href) == (
            run.bold, run.italic, run.code, run.href
        ):
            runs[-1].text += text
        else:
            runs.append(run)

    def close(self) -> None:
        super().close()
        self._flush()


def _trim_runs(runs: list[Run]) -> None:
    """Collapse the spaces that HTML would collapse and trim the block's ends."""
    previous_space = True
    for run in runs:
        text = re.sub(r" *\n *", "\n", run.text)
        if previous_space:
            text = text.lstrip(" ")
        if text:
            previous_space = text[-1] in " \n"
        run.text = text
    for run in reversed(runs):
        run.text = run.text.rstrip(" \n")
        if run.text:
            break
    runs[:] = [run for run in runs if run.text]


def html_blocks(body_html: str) -> list[Block]:
    """The paragraphs, headings and list items of sanitised body HTML, in order."""
    parser = _BlockParser()
    parser.feed(body_html)
    parser.close()
    return parser.blocks


# --- Markdown ------------------------------------------------------------------------------

# Only escapes that CommonMark and Python-Markdown both honour; "<" and ">" become
# entities because Python-Markdown does not know "\<".
_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")
_MD_LINE_START = re.compile(r"^(\s*)([#+-])")
_MD_NUMBERED = re.compile(r"^(\s*\d+)([.)])")


def _md_escape(text: str) -> str:
    """User text as literal Markdown: no emphasis, links, raw HTML or block markers."""
    # Runs of ASCII white space become one space; no-break spaces are kept (French sets a
    # narrow one before a colon), which str.split() would have collapsed too.
    text = re.sub(r"[ \t\n\r\f\v]+", " ", text).strip()
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _MD_NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _md_url(url: str) -> str:
    return re.sub(r"[\s<>]", lambda m: f"%{ord(m.group()):02X}", url.strip())


def to_markdown(doc: EditionDocument) -> str:
    """The edition as Markdown: the body as written but inert (see inert_markdown), everything
    else escaped."""
    words = labels_for(doc.language)
    # An embargo is the first line, before the title: whoever opens the file sees it first.
    parts = []
    if doc.embargo_until:
        until = words["embargo_banner"].format(until=doc.embargo_until)
        parts.append(f"**{_md_escape(until)}**")
    parts.append(f"# {_md_escape(display_title(doc))}")
    if doc.draft:
        parts.append(f"**{_md_escape(words['draft_banner'])}**")
    parts.append(_md_escape(format_date(doc.date, doc.language)))
    if doc.letter is not None:
        # Two trailing spaces: the hard line break both CommonMark and Python-Markdown know.
        parts.append("  \n".join(_md_escape(line) for line in letter_lines(doc.letter)))
        if doc.letter.salutation.strip():
            parts.append(_md_escape(doc.letter.salutation))
    parts.append(inert_markdown(doc.body_markdown.replace("\r\n", "\n").strip()))
    # The edition's note stands between the text and the list in every format and on the page.
    parts.extend(f"*{_md_escape(line)}*" for line in note_lines(doc))

    parts.append(f"## {_md_escape(words['signatories'])} ({doc.total})")
    for heading, members in signatory_groups(doc):
        if heading:
            parts.append(f"### {_md_escape(heading)} ({len(members)})")
        lines = []
        for signatory in members:
            name, details = signatory_line(signatory, doc.language)
            line = f"- {_md_escape(name)}"
            lines.append(f"{line} ({_md_escape(details)})" if details else line)
        parts.append("\n".join(lines))
    unnamed, descriptions = withheld_lines(doc)
    if unnamed:
        parts.append(_md_escape(unnamed))
        parts.append("\n".join(f"- {_md_escape(d)}" for d in descriptions))
    if has_affiliations(doc):
        parts.append(f"*{_md_escape(words['identification'])}*")

    footer = []
    if conveners_line(doc):
        footer.append(_md_escape(conveners_line(doc)))
    if doc.url:
        footer.append(f"{_md_escape(words['published_at'])}{words['colon']} <{_md_url(doc.url)}>")
    if doc.sha256:
        footer.append(f"{_md_escape(words['sha256'])}{words['colon']} `{_md_code(doc.sha256)}`")
    if footer:
        parts.append("---")
        parts.append("  \n".join(footer))
    return "\n\n".join(part for part in parts if part) + "\n"


def _md_code(text: str) -> str:
    return text.replace("`", "")


# --- plain text ------------------------------------------------------------------------


def _wrapper(width: int, first: str = "", rest: str = "") -> textwrap.TextWrapper:
    # URLs and long names are never cut: a line may overrun rather than break a link.
    return textwrap.TextWrapper(
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _runs_text(runs: Iterable[Run]) -> str:
    parts = []
    for run in runs:
        text = run.text
        href = (run.href or "").strip()
        if href and not href.startswith("#") and href not in {text, f"mailto:{text}"}:
            text = f"{text} ({href})"
        parts.append(text)
    return "".join(parts)


def _wrap(text: str, width: int, first: str = "", rest: str | None = None) -> list[str]:
    rest = first if rest is None else rest
    lines: list[str] = []
    for index, segment in enumerate(text.split("\n")):
        wrapped = _wrapper(width, first if index == 0 else rest, rest).wrap(segment)
        lines.extend(wrapped or [(first if index == 0 else rest).rstrip()])
    return lines


def _underlined(text: str, width: int, char: str) -> list[str]:
    lines = _wrap(text, width)
    return [*lines, char * min(max(len(line) for line in lines), width)]


def _block_text(block: Block, width: int) -> list[str]:
    quote = "> " * block.quote
    text = _runs_text(block.runs)
    if block.kind == "heading":
        return [quote + line for line in _underlined(text, width - len(quote), "-")]
    if block.kind == "rule":
        return [quote + "* * *"]
    if block.kind == "code":
        return [(quote + "    " + line).rstrip() for line in block.text.split("\n")]
    if block.kind == "item":
        indent = quote + "  " * (block.level - 1)
        marker = f"{block.number}. " if block.ordered else "- "
        return _wrap(text, width, indent + marker, indent + " " * len(marker))
    indent = quote
    if block.level:  # a paragraph continuing a list item lines up with the item's text
        indent += "  " * (block.level - 1) + ("   " if block.ordered else "  ")
    return _wrap(text, width, indent)


def _body_text(body_html: str, width: int) -> list[str]:
    lines: list[str] = []
    previous_in_list = False
    for block in html_blocks(body_html):
        # A list stays together, its continuation paragraphs included; other blocks are
        # separated by a blank line.
        in_list = block.kind == "item" or (block.kind != "heading" and block.level > 0)
        if lines and not (previous_in_list and in_list):
            lines.append("")
        lines.extend(_block_text(block, width))
        previous_in_list = in_list
    return lines


# No wrapping: a paragraph is one line, as a CMS or a mail program expects when pasted into.
_UNWRAPPED = 1_000_000


def to_text(doc: EditionDocument, width: int | None = None) -> str:
    """The edition as plain text, each paragraph on one line; URLs are never broken.

    ``width`` hard-wraps the lines instead (72 for a plain-text e-mail); the .txt export
    does not, because a hard-wrapped text breaks mid-sentence when pasted into a CMS.
    """
    width = width or _UNWRAPPED
    words = labels_for(doc.language)
    sections: list[list[str]] = []
    sections.extend(_wrap(f"*** {line} ***", width) for line in banners(doc))
    sections.append(_underlined(display_title(doc), width, "="))
    sections.append(_wrap(format_date(doc.date, doc.language), width))
    if doc.letter is not None:
        sections.append([line for raw in letter_lines(doc.letter) for line in _wrap(raw, width)])
        if doc.letter.salutation.strip():
            sections.append(_wrap(" ".join(doc.letter.salutation.split()), width))
    body = _body_text(doc.body_html, width)
    if body:
        sections.append(body)
    notes = [line for note in note_lines(doc) for line in _wrap(note, width, "", "  ")]
    if notes:
        sections.append(notes)

    sections.append(_underlined(f"{words['signatories']} ({doc.total})", width, "-"))
    for heading, members in signatory_groups(doc):
        lines = [f"{heading} ({len(members)}):"] if heading else []
        for signatory in members:
            lines.extend(_wrap(_signatory_text(signatory, doc.language), width, "", "  "))
        sections.append(lines)
    unnamed, descriptions = withheld_lines(doc)
    if unnamed:
        sections.append(_wrap(unnamed, width))
        if descriptions:
            sections.append([ln for d in descriptions for ln in _wrap(d, width, "- ", "  ")])
    if has_affiliations(doc):
        sections.append(_wrap(words["identification"], width))

    footer = []
    if conveners_line(doc):
        footer += _wrap(conveners_line(doc), width)
    if doc.url:
        footer += _wrap(f"{words['published_at']}{words['colon']} {doc.url}", width, "", "  ")
    if doc.sha256:
        footer += _wrap(f"{words['sha256']}{words['colon']} {doc.sha256}", width, "", "  ")
    if footer:
        sections.append(["-" * min(width, 24), *footer])
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


# --- HTML --------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _safe_href(url: str) -> str | None:
    url = url.strip()
    return url if re.match(r"https?://", url, re.IGNORECASE) else None


def article_html(
    doc: EditionDocument, *, title_tag: str = "h1", heading_tag: str = "h2",
    subheading_tag: str = "h3", plain_list: bool = False,
) -> str:
    """The edition as HTML elements (no document wrapper), shared by HTML, embed and PDF.

    Only ``body_html`` is inserted as markup; every other string is escaped. With
    ``plain_list`` each signatory is one line of text with no inline elements: the PDF's
    layout engine spends most of its time on inline boxes, and a list of a thousand names
    lays out in about half the time (docs/performance.md).
    """
    words = labels_for(doc.language)
    out: list[str] = []
    out.extend(f'<p class="draft-banner">{_e(line)}</p>' for line in banners(doc))
    out.append('<header class="statement-header">')
    out.append(f'<{title_tag} class="statement-title">{_e(display_title(doc))}</{title_tag}>')
    out.append(
        f'<p class="statement-date"><time datetime="{doc.date.isoformat()}">'
        f"{_e(format_date(doc.date, doc.language))}</time></p>"
    )
    out.append("</header>")
    if doc.letter is not None:
        lines = "<br>\n".join(_e(line) for line in letter_lines(doc.letter))
        out.append(f'<address class="addressee">\n{lines}\n</address>')
        if doc.letter.salutation.strip():
            out.append(f'<p class="salutation">{_e(" ".join(doc.letter.salutation.split()))}</p>')
    out.append(f'<div class="statement-body">\n{doc.body_html.strip()}\n</div>')
    notes = note_lines(doc)
    if notes:
        out.append('<div class="edition-updates">')
        out.extend(f'<p class="edition-note">{_e(line)}</p>' for line in notes)
        out.append("</div>")

    out.append('<section class="signatories">')
    out.append(
        f"<{heading_tag}>{_e(words['signatories'])} ({doc.total})</{heading_tag}>"
    )
    for heading, members in signatory_groups(doc):
        if heading:
            out.append(f"<{subheading_tag}>{_e(heading)} ({len(members)})</{subheading_tag}>")
        out.append('<ul class="signatory-list">')
        for signatory in members:
            name, details = signatory_line(signatory, doc.language)
            if plain_list:
                item = _e(f"{name} ({details})" if details else name)
            else:
                item = f'<span class="signatory-name">{_e(name)}</span>'
                if details:
                    item += f' <span class="signatory-details">({_e(details)})</span>'
            out.append(f'<li class="signatory signatory-{_e(signatory.kind)}">{item}</li>')
        out.append("</ul>")
    unnamed, descriptions = withheld_lines(doc)
    if unnamed:
        out.append(f'<p class="withheld-line">{_e(unnamed)}</p>')
        if descriptions:
            out.append('<ul class="withheld-descriptions">')
            out.extend(f"<li>{_e(d)}</li>" for d in descriptions)
            out.append("</ul>")
    if has_affiliations(doc):
        out.append(f'<p class="identification">{_e(words["identification"])}</p>')
    out.append("</section>")

    footer: list[str] = []
    if conveners_line(doc):
        footer.append(f'<p class="coordinated-by">{_e(conveners_line(doc))}</p>')
    integrity = []
    if doc.url:
        href = _safe_href(doc.url)
        link = f'<a href="{_e(href)}">{_e(doc.url)}</a>' if href else _e(doc.url)
        integrity.append(f"{_e(words['published_at'])}{words['colon']} {link}")
    if doc.sha256:
        integrity.append(f"{_e(words['sha256'])}{words['colon']} <code>{_e(doc.sha256)}</code>")
    if integrity:
        footer.append(f'<p class="integrity">{"<br>".join(integrity)}</p>')
    if footer:
        out.append('<footer class="statement-footer">')
        out.extend(footer)
        out.append("</footer>")
    return "\n".join(out)


_HTML_STYLE = """
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1a1a1a;
  font: 1.0625rem/1.6 Georgia, "DejaVu Serif", "Liberation Serif", "Noto Serif", serif; }
main { max-width: 42rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1, h2, h3, h4, h5, h6 { font-family: "Helvetica Neue", Arial, "DejaVu Sans",
  "Liberation Sans", sans-serif; line-height: 1.25; }
.statement-title { font-size: 2rem; margin: 0 0 .5rem; }
.statement-date { color: #555; margin: 0 0 2rem; }
.draft-banner { border: 3px solid #b00020; color: #b00020; font-weight: bold;
  letter-spacing: .08em; text-align: center; padding: .5rem; margin: 0 0 1.5rem; }
.addressee { font-style: normal; margin: 0 0 1.5rem; }
.salutation { margin: 0 0 1rem; }
.statement-body a { color: #0645ad; }
.statement-body blockquote { border-left: 3px solid #ccc; margin-left: 0; padding-left: 1rem; }
.edition-updates { border-left: 3px solid #ccc; margin: 1.5rem 0; padding-left: 1rem;
  color: #555; font-size: .95rem; }
.edition-note { margin: 0 0 .35rem; }
.signatories { margin-top: 2.5rem; border-top: 1px solid #ccc; padding-top: 1rem; }
.signatory-list { list-style: none; padding: 0; margin: 0 0 1rem; columns: 2; column-gap: 2rem; }
.signatory { break-inside: avoid; margin: 0 0 .3rem; line-height: 1.35; }
.signatory-details, .identification, .statement-footer { color: #555; }
.identification { font-size: .9rem; font-style: italic; }
.statement-footer { margin-top: 2rem; font-size: .85rem; border-top: 1px solid #ccc; }
.integrity { overflow-wrap: anywhere; }
@media (max-width: 36rem) { .signatory-list { columns: 1; } }
@media print {
  @page { size: A4; margin: 20mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
}
"""


def to_html(doc: EditionDocument) -> str:
    """A standalone, printable page: inline style only, no script, no external resource."""
    lead = doc.lead_organisation.strip()
    author = f'<meta name="author" content="{_e(lead)}">\n' if lead else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{_e(html_lang(doc.language))}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{author}<title>{_e(display_title(doc))}</title>\n<style>{_HTML_STYLE}</style>\n</head>\n"
        f'<body>\n<main>\n<article class="statement">\n{article_html(doc)}\n'
        "</article>\n</main>\n</body>\n</html>\n"
    )


def html_lang(language: str) -> str:
    tag = (language or "").strip().replace("_", "-")
    return tag if re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", tag) else "en"


# The fragment's own look, every selector under .coalition-statement: pasted into a host
# page it styles itself and nothing else; framed, it is the whole page. No font, image or
# stylesheet is fetched (system fonts, as on the public page), so it makes no request.
_EMBED_STYLE = """
.coalition-statement { display: block; box-sizing: border-box; max-width: 100%; margin: 0;
  padding: 1.25rem 1.25rem 1.5rem; background: #fff; color: #1b2430; text-align: left;
  font: 400 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
  "Liberation Sans", Arial, sans-serif; overflow-wrap: break-word; }
.coalition-statement *, .coalition-statement *::before, .coalition-statement *::after {
  box-sizing: border-box; }
.coalition-statement p { margin: 0 0 1em; }
.coalition-statement a { color: #1f4e79; text-underline-offset: 2px; }
.coalition-statement .draft-banner { border: 3px solid #b00020; color: #b00020;
  font-weight: 700; letter-spacing: .08em; text-align: center; padding: .5rem; }
.coalition-statement .statement-header { border-bottom: 2px solid #1b2430;
  padding-bottom: .75rem; margin: 0 0 1.25rem; }
.coalition-statement .statement-title { font: 700 1.75rem/1.2 "Iowan Old Style",
  "Palatino Linotype", Palatino, "Noto Serif", "DejaVu Serif", Georgia, serif;
  color: #1b2430; margin: 0 0 .4rem; }
.coalition-statement .statement-date { color: #4a5563; font-weight: 500; margin: 0; }
.coalition-statement .addressee { font-style: normal; margin: 0 0 1.25rem; }
.coalition-statement h1, .coalition-statement h2, .coalition-statement h3,
.coalition-statement h4, .coalition-statement h5, .coalition-statement h6 {
  font-family: inherit; line-height: 1.25; color: #1b2430; margin: 1.5rem 0 .5rem; }
.coalition-statement .statement-body h1 { font-size: 1.35rem; }
.coalition-statement .statement-body h2 { font-size: 1.2rem; }
.coalition-statement .statement-body h3, .coalition-statement .statement-body h4,
.coalition-statement .statement-body h5, .coalition-statement .statement-body h6 {
  font-size: 1.05rem; }
.coalition-statement .statement-body ul, .coalition-statement .statement-body ol {
  margin: 0 0 1em; padding-left: 1.5rem; }
.coalition-statement .statement-body blockquote { margin: 0 0 1em; padding-left: 1rem;
  border-left: 3px solid #d8dee6; color: #4a5563; }
.coalition-statement .statement-body img { max-width: 100%; height: auto; }
.coalition-statement .statement-body pre { white-space: pre-wrap; }
.coalition-statement .statement-body table { display: block; overflow-x: auto;
  border-collapse: collapse; }
.coalition-statement .statement-body td, .coalition-statement .statement-body th {
  border: 1px solid #d8dee6; padding: .25rem .5rem; }
.coalition-statement .edition-updates { border-left: 3px solid #1f4e79;
  padding: .25rem 0 .25rem 1rem; margin: 1.5rem 0; color: #4a5563; font-size: .95rem; }
.coalition-statement .edition-note { margin: 0 0 .35rem; }
.coalition-statement .signatories { border-top: 1px solid #d8dee6; margin-top: 1.5rem;
  padding-top: .5rem; }
.coalition-statement .signatories h3 { font-size: 1.25rem; margin-top: .75rem; }
.coalition-statement .signatories h4 { font-size: 1rem; color: #4a5563; }
.coalition-statement .signatory-list { list-style: none; margin: 0 0 1rem; padding: 0;
  columns: 15rem 3; column-gap: 2rem; }
.coalition-statement .signatory { break-inside: avoid; margin: 0; padding: .3rem 0;
  border-bottom: 1px solid #eef1f4; line-height: 1.35; }
.coalition-statement .signatory-name { font-weight: 600; }
.coalition-statement .signatory-details { display: block; color: #5f6b7a; font-size: .875rem; }
.coalition-statement .identification { color: #5f6b7a; font-size: .875rem; font-style: italic; }
.coalition-statement .statement-footer { margin-top: 1.5rem; padding-top: .75rem;
  border-top: 1px solid #d8dee6; color: #5f6b7a; font-size: .85rem; }
.coalition-statement .statement-footer p { margin: 0 0 .35rem; }
.coalition-statement .integrity { overflow-wrap: anywhere; }
.coalition-statement .integrity code { font-size: .8rem; }
"""


def to_fragment(doc: EditionDocument) -> str:
    """An embeddable fragment: one <section class="coalition-statement">, with its own style.

    No script and no request: the <style> inside it is scoped to the section, so pasted
    into a host page it keeps its look without touching the page's; framed, it is styled
    too. The title is an <h2> so it sits under the host page's <h1>.
    """
    inner = article_html(doc, title_tag="h2", heading_tag="h3", subheading_tag="h4")
    return (
        f'<section class="coalition-statement" lang="{_e(html_lang(doc.language))}">\n'
        f"<style>{_EMBED_STYLE}</style>\n{inner}\n</section>\n"
    )


# The frame's one script: it tells the host page how tall the statement is, whenever that
# changes, so an optional listener on the host page can size the <iframe> to fit. It sends
# nothing but a number and reads nothing of the host's. The CSP allows this script alone.
FRAME_SCRIPT = """
(function () {
  "use strict";
  var sent = 0;
  function send() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height > 0 && height !== sent) {
      sent = height;
      parent.postMessage({type: "coalition-embed-height", height: height}, "*");
    }
  }
  if (window.ResizeObserver) { new ResizeObserver(send).observe(document.body); }
  window.addEventListener("resize", send);
  window.addEventListener("load", send);
  send();
})();
"""
FRAME_SCRIPT_CSP = (
    "'sha256-" + base64.b64encode(hashlib.sha256(FRAME_SCRIPT.encode()).digest()).decode() + "'"
)
FRAME_MESSAGE = "coalition-embed-height"


def to_frame(doc: EditionDocument) -> str:
    """The fragment as a page of its own for an <iframe>: links open outside the frame."""
    return (
        "<!doctype html>\n"
        f'<html lang="{_e(html_lang(doc.language))}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(display_title(doc))}</title>\n"
        '<base target="_blank">\n'
        "<style>html, body { margin: 0; padding: 0; background: #fff; } "
        "body { display: flow-root; }</style>\n</head>\n<body>\n"
        f"{to_fragment(doc)}<script>{FRAME_SCRIPT}</script>\n</body>\n</html>\n"
    )


def embed_snippets(frame_url: str, page_url: str, title: str) -> tuple[str, str]:
    """What a partner pastes: an <iframe> with its optional height listener, and a plain link.

    The listener accepts only messages from the frame's own origin and only sizes the
    frame that sent them; without it the frame keeps a fixed height and scrolls.
    """
    parts = urlsplit(frame_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    frame = (
        f'<iframe src="{_e(frame_url)}" title="{_e(title)}" data-coalition-embed '
        'style="display:block;width:100%;height:40rem;border:0" loading="lazy"></iframe>\n'
        "<script>/* Optional: lets the frame take the statement's height. */\n"
        'addEventListener("message", function (event) {\n'
        f"  if (event.origin !== {json.dumps(origin)} || !event.data\n"
        f"      || event.data.type !== {json.dumps(FRAME_MESSAGE)}) return;\n"
        '  document.querySelectorAll("iframe[data-coalition-embed]").forEach(function (f) {\n'
        '    if (f.contentWindow === event.source) f.style.height = event.data.height + "px";\n'
        "  });\n"
        "});\n</script>"
    )
    link = f'<a href="{_e(page_url)}">{_e(title)}</a>'
    return frame, link


# --- CSV -------------------------------------------------------------------------------

PUBLIC_COLUMNS = ("name", "kind", "country", "country_code", "affiliation")
# The lead's download only (DESIGN: contacts never appear in a public export).
CONTACT_COLUMNS = (
    "signer_name",
    "signer_role",
    "signer_email",
    "endorsed_revision",
    "signed_at",
    "named_publicly",  # "no": counted in public, never named (docs/signing.md)
    "public_description",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run: one starting = + - @ tab or CR gets a leading '."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def unescape_csv_cell(text: str) -> str:
    """A cell as it was typed, from one escape_csv_cell wrote: the leading ' before
    = + - @ tab or CR is taken off (an import reads the lead's own export back)."""
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def _country_code(country: str | None) -> str:
    value = (country or "").strip()
    return value.upper() if _COUNTRY_CODE.fullmatch(value) else ""


def signatories_csv(
    signatories: EditionDocument | Iterable[Signatory],
    contacts: Sequence[Mapping[str, object]] | None = None,
    *,
    language: str | None = None,
) -> str:
    """The signatory list as CSV (RFC 4180, CRLF, UTF-8 BOM), in published order, escaped.

    Without ``contacts`` it is the public list: name, kind, country (its name in the
    statement's language, as every other format writes it), country_code (ISO 3166, for
    scripts and mail merges) and affiliation. With ``contacts`` (the lead's download)
    ``contacts[i]`` belongs to the i-th signatory and adds :data:`CONTACT_COLUMNS`;
    missing keys give empty cells and other keys are ignored, so a public caller cannot
    leak a field by accident.

    The text starts with U+FEFF, always: Excel reads a CSV without it in its legacy code
    page (cp1252), which turns "“Viasna”" and "Libereco – …" into mojibake, and one set
    of bytes serves the public address, the press kit and the lead's page alike.
    """
    unnamed, descriptions = "", list[str]()
    if isinstance(signatories, EditionDocument):
        rows = list(signatories.signatories)
        language = language or signatories.language
        unnamed, descriptions = withheld_lines(signatories)
    else:
        rows = list(signatories)
    language = language or "en"
    if contacts is not None and len(contacts) != len(rows):
        raise ValueError("contacts must give one entry per signatory, in the same order")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = PUBLIC_COLUMNS + (CONTACT_COLUMNS if contacts is not None else ())
    if isinstance(signatories, EditionDocument):
        # A preview under embargo: a first line of one cell says so, before the columns.
        writer.writerows([line] for line in banners(signatories))
    writer.writerow(columns)
    for index, signatory in enumerate(rows):
        cells: list[object] = [
            signatory.name,
            signatory.kind,
            _country_name(signatory.country, language),
            _country_code(signatory.country),
            signatory.affiliation,
        ]
        if contacts is not None:
            cells += [contacts[index].get(column) for column in CONTACT_COLUMNS]
        writer.writerow([escape_csv_cell(cell) for cell in cells])
    # Signatories not named publicly: the line, then each description, of kind "withheld".
    for text in [unnamed, *descriptions] if unnamed else []:
        cells = [text, "withheld", "", "", ""]
        if contacts is not None:
            cells += [""] * len(CONTACT_COLUMNS)
        writer.writerow([escape_csv_cell(cell) for cell in cells])
    return "\ufeff" + buffer.getvalue()


# --- the press kit -----------------------------------------------------------------------

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def press_kit_zip(doc: EditionDocument, slug: str, pdf: bytes, docx: bytes) -> bytes:
    """A ZIP of every public export, named after ``slug``; the same edition gives the same bytes.

    The PDF and DOCX are passed in, rendered by ``documents.py``, so this module stays
    free of WeasyPrint and python-docx.
    """
    if not _SLUG.fullmatch(slug) or ".." in slug:
        raise ValueError(f"not a safe file name: {slug!r}")
    files: list[tuple[str, bytes]] = [
        (f"{slug}.md", to_markdown(doc).encode("utf-8")),
        (f"{slug}.txt", to_text(doc).encode("utf-8")),
        (f"{slug}.html", to_html(doc).encode("utf-8")),
        (f"{slug}-embed.html", to_fragment(doc).encode("utf-8")),
        (f"{slug}.pdf", pdf),
        (f"{slug}.docx", docx),
        (f"{slug}-signatories.csv", signatories_csv(doc).encode("utf-8")),
    ]
    # The edition's date, not "now", as the entries' time: rebuilding gives the same file.
    stamp = (max(doc.date.year, 1980), doc.date.month, doc.date.day, 12, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
