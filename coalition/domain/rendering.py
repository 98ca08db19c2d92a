"""Markdown -> sanitised HTML: the one Markdown path of the application (STYLE rule 9).

Statement text is Markdown written by lead staff and read by partners and the
public. Two layers keep it safe:

1. Raw HTML in the Markdown source is not passed through: Python-Markdown's
   raw-HTML block preprocessor and inline pattern are removed, so ``<b>`` or
   ``<script>`` typed in a statement shows as text. This also means every
   character of the signed (hashed) text stays visible: an HTML comment or a
   hidden element cannot hide words from the people who sign.
2. Everything that comes out of Markdown then goes through nh3 (ammonia) with
   an explicit allow-list, so even a bug in Markdown or in an extension cannot
   emit a script, an event handler, a ``style`` attribute or a
   ``javascript:``/``data:`` URL.

Images are not allowed in statement text (``img`` is not on the allow-list):
a joint statement is words that organisations sign, an image could change
what is shown without changing what is hashed in any readable way, and remote
images would let a third party track who reads a draft.
"""

from __future__ import annotations

import re
import threading

import markdown
import nh3

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_CLASSES",
    "ALLOWED_TAGS",
    "LINK_REL",
    "URL_SCHEMES",
    "normalise_text",
    "paragraphs",
    "render_markdown",
    "sanitise_html",
]

_TEXT_TAGS = ("p", "br", "blockquote", "em", "strong", "a", "code", "pre", "hr", "abbr")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_LIST_TAGS = ("ul", "ol", "li", "dl", "dt", "dd")  # dl/dt/dd: Markdown's def_list
_TABLE_TAGS = ("table", "thead", "tbody", "tr", "th", "td")
_EDIT_TAGS = ("sup", "sub", "del", "ins")
_CONTAINER_TAGS = ("div", "span")  # for HTML the application builds (the redline)
ALLOWED_TAGS: frozenset[str] = frozenset(
    _TEXT_TAGS + _HEADING_TAGS + _LIST_TAGS + _TABLE_TAGS + _EDIT_TAGS + _CONTAINER_TAGS
)

# Tags removed together with their content; the rest of what is not allowed
# is unwrapped and keeps its text. Must be disjoint from ALLOWED_TAGS.
_CLEAN_CONTENT_TAGS: frozenset[str] = frozenset(
    {"script", "style", "template", "noscript", "iframe", "frame", "frameset", "object"}
    | {"embed", "applet", "svg", "math", "title", "textarea", "select"}
)

# "class", "rel" and "id" are deliberately not listed as free attributes:
# classes go through ALLOWED_CLASSES, rel is set by LINK_REL, and ids are
# checked against known shapes by _filter_attribute.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "th": frozenset({"align"}),
    "td": frozenset({"align"}),
    "p": frozenset({"id"}),
    "sup": frozenset({"id"}),
    "li": frozenset({"id"}),
}

ALLOWED_CLASSES: dict[str, frozenset[str]] = {
    "p": frozenset({"diff-para", "changed"}),
    "div": frozenset({"diff", "footnote"}),
    "span": frozenset({"diff-break"}),
    "ins": frozenset({"diff-break"}),
    "del": frozenset({"diff-break"}),
    "a": frozenset({"footnote-ref", "footnote-backref"}),
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# Ids we emit ourselves: redline anchors on paragraphs, footnote anchors from
# Markdown's footnotes extension. Anything else is dropped, so user text
# cannot clobber ids the page relies on.
_ALLOWED_IDS: dict[str, re.Pattern[str]] = {
    "p": re.compile(r"(?:[a-z]{1,12}-)?change-[0-9]{1,7}"),
    "sup": re.compile(r"fnref[0-9]*:[\w.-]{1,64}"),
    "li": re.compile(r"fn:[\w.-]{1,64}"),
}

_MARKDOWN_EXTENSIONS: tuple[str, ...] = (
    # The parts of "extra" we want. Left out: attr_list (lets authors set
    # arbitrary ids and classes, e.g. spoof the redline's "changed") and
    # md_in_html (raw HTML is not passed through at all).
    "abbr",
    "def_list",
    "fenced_code",
    "footnotes",
    "tables",
    "sane_lists",
)
_MARKDOWN_CONFIG: dict[str, dict[str, object]] = {
    # Markdown's default is style="text-align: ...", which the sanitiser drops.
    "tables": {"use_align_attribute": True},
}

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")

# markdown.Markdown instances keep parse state and are not thread-safe, so
# each thread builds and reuses its own.
_local = threading.local()


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Keep an attribute value, or drop it (None) when it is an id of an unknown shape."""
    if attribute == "id":
        pattern = _ALLOWED_IDS.get(tag)
        return value if pattern is not None and pattern.fullmatch(value) else None
    return value


def _markdown() -> markdown.Markdown:
    """This thread's Markdown converter, built on first use without raw HTML or images."""
    converter: markdown.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=list(_MARKDOWN_EXTENSIONS),
            extension_configs=_MARKDOWN_CONFIG,
            output_format="html",
        )
        converter.preprocessors.deregister("html_block")
        converter.inlinePatterns.deregister("html")
        # Without its image patterns, ![alt](url) renders as "!" and a link:
        # the alt text stays visible instead of vanishing with the <img>.
        for name in ("image_link", "image_reference", "short_image_ref"):
            converter.inlinePatterns.deregister(name)
        _local.converter = converter
    return converter


def normalise_text(text: str) -> str:
    """Convert \\r\\n and lone \\r line endings to \\n, leaving all other whitespace as it is."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sanitise_html(html: str) -> str:
    """Clean HTML with the application's allow-list (tags, attributes, classes, URL schemes)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
    )


def render_markdown(text: str) -> str:
    """Render a Markdown statement body to sanitised HTML (raw HTML in it shows as text)."""
    converter = _markdown()
    try:
        html = converter.convert(normalise_text(text))
    finally:
        converter.reset()
    return sanitise_html(html)


def _closes_fence(line: str, fence: str) -> bool:
    """Whether a line closes a code fence opened with the given backticks or tildes."""
    stripped = line.strip(" ")
    if len(line) - len(line.lstrip(" ")) > 3 or not stripped:
        return False
    run = len(stripped) - len(stripped.lstrip(fence[0]))
    return run >= len(fence) and not stripped[run:].strip()


def paragraphs(text: str) -> list[str]:
    """Split a Markdown body into its blank-line separated blocks, keeping fenced code whole."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in normalise_text(text).split("\n"):
        if fence is None:
            if not line.strip():
                if current:
                    blocks.append("\n".join(current))
                    current = []
                continue
            opening = _FENCE.match(line)
            if opening is not None:
                fence = opening.group(1)
        elif _closes_fence(line, fence):
            fence = None
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks
