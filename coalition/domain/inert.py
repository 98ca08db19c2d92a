"""A statement body as Markdown that other renderers cannot turn into live script.

Coalition never passes raw HTML through (``rendering.py``), but the ``.md`` export is
rendered elsewhere: a press office's CMS, a static site, a mail tool. CommonMark
renderers with HTML on (markdown-it-py, mistune without escaping) and Python-Markdown
with its defaults pass raw HTML and any link scheme through, so :func:`inert_markdown`
makes the body inert for all of them while keeping its words:

* Where code is, is decided by a CommonMark parser (markdown-it-py's token stream), not
  by pattern. A code span on one line is kept as written: every renderer shows its text
  as it is. A code block is kept as written when its lines would be harmless even as
  prose. A top-level code block that holds tags or unsafe links is re-indented as an
  indented code block (which every renderer reads as code, where Python-Markdown's
  defaults do not know fences); one inside a list or a quote, where renderers disagree
  on indentation, is escaped like prose.
* Everything else is prose: each ``<`` that could open a tag, a comment or a
  declaration becomes ``&lt;`` (shown as "<" by every renderer), safe autolinks
  (``<https://...>``, ``<mailto:...>``) excepted; link and reference targets other than
  http(s), mailto and relative ones become ``#``.
* The result is checked by parsing it again, with markdown-it-py (HTML on, every link
  scheme let through) and with Python-Markdown's defaults. If either still finds raw HTML
  or an unsafe target (the escaping changed how the text parses), the body is escaped
  everywhere, code spans included; and if even that fails, it is exported as one
  indented code block, which no renderer interprets.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import markdown
from markdown_it import MarkdownIt
from markdown_it.rules_inline.backticks import backtick
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

__all__ = ["SAFE_SCHEMES", "inert_markdown", "link_scheme", "unsafe_markdown"]

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_SAFE_AUTOLINK = re.compile(r"<(?:https?|mailto):[^\s<>]*>", re.IGNORECASE)
# A link "](target" or a reference definition "]: target": the target follows.
_TARGET_START = re.compile(r"\](?:\(|:)")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_ASCII_PUNCTUATION_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_CODE_SPANS = "coalition_code_spans"


def link_scheme(url: str) -> str:
    """The scheme a browser would follow, whatever the Markdown around it decoded.

    Entities and backslash escapes are decoded, and every space and control character is
    dropped (browsers drop tabs and newlines anywhere and trim the rest; dropping them all
    can only find a scheme where there is none, which makes a target "#", never live).
    """
    plain = _ASCII_PUNCTUATION_ESCAPE.sub("", html.unescape(url))
    plain = re.sub(r"[\x00-\x20\x7f-\x9f]", "", plain).lower()
    found = _SCHEME.match(plain)
    return found.group(1) if found else ""


def _safe_url(url: str) -> bool:
    scheme = link_scheme(url)
    return not scheme or scheme in SAFE_SCHEMES


# --- prose -----------------------------------------------------------------------------


def _target_end(text: str, start: int, in_parentheses: bool) -> tuple[int, int]:
    """Where the target after "](" or "]:" starts and ends (start == end: none)."""
    position = start
    while position < len(text) and text[position] in " \t\n":
        position += 1
    if position < len(text) and text[position] == "<":
        close = text.find(">", position)
        newline = text.find("\n", position)
        end = len(text) if close < 0 else close + 1
        return position, end if newline < 0 else min(end, newline)
    depth = 0
    end = position
    while end < len(text) and not text[end].isspace():
        if text[end] == "(":
            depth += 1
        elif text[end] == ")":
            if depth == 0 and in_parentheses:
                break
            depth -= 1
        end += 1
    return position, end


def _neutralise_targets(text: str) -> str:
    pieces: list[str] = []
    last = 0
    for opening in _TARGET_START.finditer(text):
        if opening.start() < last:
            continue
        start, end = _target_end(text, opening.end(), opening.group() == "](")
        target = text[start:end]
        if start < end and not (_safe_url(target) and _safe_url(target.strip("<>"))):
            pieces.append(text[last:start])
            pieces.append("#")
            last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _escape_prose(text: str) -> str:
    """Prose with raw HTML shown as text and unsafe link targets replaced by "#"."""
    text = _neutralise_targets(text)
    kept: list[str] = []
    last = 0
    for link in _SAFE_AUTOLINK.finditer(text):
        kept.append(_TAG_OPEN.sub("&lt;", text[last : link.start()]))
        kept.append(link.group())
        last = link.end()
    kept.append(_TAG_OPEN.sub("&lt;", text[last:]))
    return "".join(kept)


# --- where the code is (CommonMark) --------------------------------------------------------


def _recording_backtick(state: StateInline, silent: bool) -> bool:
    """markdown-it-py's code-span rule, noting where each code span lies in its block."""
    start = state.pos
    found = backtick(state, silent)
    if found and not silent and state.tokens and state.tokens[-1].type == "code_inline":
        spans = state.env.setdefault(_CODE_SPANS, {})
        spans.setdefault(state.src, set()).add((start, state.pos))
    return found


@functools.cache
def _parser() -> MarkdownIt:
    """CommonMark with raw HTML recognised and every link scheme let through (to be seen)."""
    parser = MarkdownIt("commonmark", {"html": True})
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    parser.inline.ruler.at("backticks", _recording_backtick)
    return parser


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _content_offset(line: str, content: str, heading: bool) -> int | None:
    """Where an inline token's line of content starts in its source line (None: unknown)."""
    if heading:
        marker = re.match(r" {0,3}#{1,6}[ \t]+", line)
        if marker and line.startswith(content, marker.end()):
            return marker.end()
        return None
    for candidate in (line, line.rstrip()):
        if candidate.endswith(content):
            return len(candidate) - len(content)
    return None


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    return starts


def _kept_spans(text: str, tokens: list[Token], env: dict[str, Any]) -> list[tuple[int, int]]:
    """Absolute ranges of the code spans that lie on one line, as CommonMark reads them."""
    spans: dict[str, set[tuple[int, int]]] = env.get(_CODE_SPANS, {})
    lines = text.split("\n")
    starts = _line_starts(text)
    kept: list[tuple[int, int]] = []
    atx = False
    for token in tokens:
        if token.type != "inline":
            atx = token.type == "heading_open" and token.markup.startswith("#")
            continue
        if token.map is None or token.content not in spans:
            continue
        content_starts = _line_starts(token.content)
        content_lines = token.content.split("\n")
        for start, end in spans[token.content]:
            index = max(i for i, begin in enumerate(content_starts) if begin <= start)
            if end > content_starts[index] + len(content_lines[index]):
                continue  # a span over several lines is escaped like prose
            number = token.map[0] + index
            offset = _content_offset(lines[number], content_lines[index], atx)
            if offset is not None:
                shift = starts[number] + offset - content_starts[index]
                kept.append((shift + start, shift + end))
    return sorted(kept)


def _code_blocks(tokens: list[Token]) -> Iterator[tuple[Token, bool]]:
    """Each code block, and whether it may be re-indented (top level, not after a list)."""
    previous = ""
    for token in tokens:
        if token.type in ("fence", "code_block"):
            yield token, token.level == 0 and previous not in ("bullet_list", "ordered_list")
        if token.level == 0 and token.nesting <= 0:
            previous = token.type.removesuffix("_close")


# --- the export ------------------------------------------------------------------------------


def _escape_except(text: str, kept: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    last = 0
    for start, end in kept:
        pieces.append(_escape_prose(text[last:start]))
        pieces.append(text[start:end])
        last = end
    pieces.append(_escape_prose(text[last:]))
    return "".join(pieces)


def _indented(code: str) -> list[str]:
    return [f"    {line}" if line.strip() else "" for line in code.rstrip("\n").split("\n")]


def _careful(text: str) -> str:
    """Code spans kept, hazardous top-level code blocks re-indented, the rest escaped."""
    env: dict[str, Any] = {}
    tokens = _parser().parse(text, env)
    lines = text.split("\n")
    starts = [*_line_starts(text), len(text) + 1]
    kept = _kept_spans(text, tokens, env)
    out: list[str] = []
    done = 0  # source lines written so far

    def escape_until(line: int) -> None:
        if line > done:
            begin, end = starts[done], starts[line] - 1
            spans = [(s - begin, e - begin) for s, e in kept if begin <= s < end]
            out.append(_escape_except(text[begin:end], spans))

    for block, movable in _code_blocks(tokens):
        assert block.map is not None
        first, last = block.map
        source = "\n".join(lines[first:last])
        if _escape_prose(source) == source or not movable:
            continue  # harmless even as prose, or escaped like prose below
        escape_until(first)
        if out and out[-1].rsplit("\n", 1)[-1].strip():
            out.append("")  # an indented code block cannot interrupt a paragraph
        out.extend(lines[first:last] if block.type == "code_block" else _indented(block.content))
        if last < len(lines) and lines[last].strip():
            out.append("")
        done = last
    escape_until(len(lines))
    return "\n".join(out)


class _Leak(HTMLParser):
    """Finds, in Python-Markdown's output, what Markdown itself would never write."""

    _MARKDOWN_TAGS = frozenset({
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
        "pre", "code", "em", "strong", "a", "img",
    })
    _MARKDOWN_ATTRIBUTES = frozenset({"href", "src", "alt", "title", "start"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._MARKDOWN_TAGS:
            self.found = True
        for name, value in attrs:
            if name not in self._MARKDOWN_ATTRIBUTES or (
                name in ("href", "src") and not _safe_url(value or "")
            ):
                self.found = True

    def handle_comment(self, data: str) -> None:
        self.found = True


def unsafe_markdown(text: str) -> bool:
    """Whether CommonMark (HTML on) or Python-Markdown's defaults would emit raw HTML or an
    unsafe link from ``text``."""
    for token in _walk(_parser().parse(text, {})):
        if token.type in ("html_block", "html_inline") and _TAG_OPEN.search(token.content):
            return True
        for attribute in ("href", "src"):
            value = token.attrGet(attribute)
            if isinstance(value, str) and not _safe_url(value):
                return True
    leak = _Leak()
    leak.feed(markdown.markdown(text))
    leak.close()
    return leak.found


def inert_markdown(body: str) -> str:
    """The body for other Markdown renderers: raw HTML shown as text, as Coalition shows it,
    and no link to a script; its words unchanged (see the module's docstring)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    attempts: tuple[Callable[[str], str], ...] = (
        _careful,
        _escape_prose,
        lambda whole: "\n".join(_indented(whole)),
    )
    for attempt in attempts[:-1]:
        candidate = attempt(text)
        if not unsafe_markdown(candidate):
            return candidate
    return attempts[-1](text)
