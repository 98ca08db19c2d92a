"""A corpus of Markdown and HTML payloads, and a parser-based check for executable markup."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

import markdown
import mistune
from markdown_it import MarkdownIt

PAYLOADS = [
    "<script>alert('script')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert('img')>",
    "<svg onload=alert('svg')><circle r=1 /></svg>",
    "<svg><a xlink:href=\"javascript:alert('xlink')\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "<iframe srcdoc=\"<script>alert('srcdoc')</script>\"></iframe>",
    "<object data=\"javascript:alert('object')\"></object>",
    "<embed src=\"javascript:alert('embed')\">",
    "<body onload=alert('body')>",
    "<details open ontoggle=alert('details')>x</details>",
    "<a href=\"javascript:alert('a')\">a link</a>",
    "<a href='&#106;avascript:alert(1)'>entity link</a>",
    "<a href=\"data:text/html,<script>alert('data')</script>\">data link</a>",
    "<form action=\"javascript:alert('form')\"><button>go</button></form>",
    "<base href=\"javascript:alert('base')//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('meta')\">",
    "<div style=\"background:url(javascript:alert('style'))\">styled</div>",
    "<style>*{background:url(javascript:alert('sheet'))}</style>",
    "[md link](javascript:alert('md'))",
    "[mixed case](JaVaScRiPt:alert('case'))",
    "[tab](java\tscript:alert('tab'))",
    "[entity](&#106;avascript:alert('entity'))",
    "[vb](vbscript:msgbox('vb'))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](javascript:alert('image'))",
    "[ref link][evil]\n\n[evil]: javascript:alert('ref')",
    "<javascript:alert('autolink')>",
    "<http://example.org/\" onmouseover=\"alert('auto')>",
    "\"><script>alert('break out')</script>",
    "'><img src=x onerror=alert('single')>",
    "<scr<script>ipt>alert('nested')</script>",
    "&lt;script&gt;alert('entities')&lt;/script&gt;",
    "<!--<script>alert('comment')//-->",
    "</textarea><script>alert('textarea')</script>",
    "</title><script>alert('title')</script>",
    "<img src=\"x\" onerror=\"alert('broken'",
    "<a href=\"http://example.org\" onclick=\"alert('click')\">click</a>",
    "`<script>alert('code span')</script>`",
    "```\n<script>alert('fence')</script>\n```",
    "{{ 7*7 }} {% if true %}jinja{% endif %}",
    # Issue 21: not a fence in CommonMark (a backtick in the info string), and an indented
    # line that belongs to a list item rather than being code.
    "```foo`bar\n<script>alert('info string')</script>\n```",
    "- item\n\n    <img src=x onerror=\"alert('list item')\">",
]
BODY = "# <script>alert('heading')</script>\n\n" + "\n\n".join(PAYLOADS)
# Short enough for a title (300), a name (200) and a note (500).
SHORT = "\"'><script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>"
LONGER = SHORT + " [x](javascript:alert(4)) <a href=javascript:alert(5)>y</a>"

_DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg",
    "math", "link", "portal",
}
_URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "xlink:href", "poster", "background",
    "codebase", "cite", "longdesc", "usemap", "dynsrc", "lowsrc",
}
_SAFE_DATA_IMAGES = ("data:image/png", "data:image/jpeg", "data:image/webp", "data:image/gif")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def _scheme(url: str) -> str:
    """The scheme a browser would see (WHATWG URL parsing): entities decoded, tabs and
    newlines removed anywhere, controls and spaces trimmed at both ends."""
    cleaned = re.sub(r"[\t\n\r]", "", html.unescape(url)).strip("\x00- ").lower()
    found = _SCHEME.match(cleaned)
    return found.group(1) if found else ""


class ExecutableMarkup(HTMLParser):
    """Finds markup that could run script: tags, event handlers, dangerous URLs."""

    def __init__(self, allow_static_scripts: bool = True, allow_links: bool = True) -> None:
        super().__init__(convert_charrefs=True)
        self.allow_static_scripts = allow_static_scripts
        self.allow_links = allow_links
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            src = values.get("src", "")
            if not (self.allow_static_scripts and src.startswith("/static/")):
                self.found.append(f"<script src={src!r}>")
            self._script = tag
        elif tag == "link" and self.allow_links and _scheme(values.get("href", "")) in (
            "", "http", "https",
        ) and values.get("rel", "").lower() not in ("import", "preload", "modulepreload"):
            pass  # the page's own stylesheet, icon and alternates, or a feed's links
        elif tag == "base" and set(values) == {"target"}:
            pass  # <base target="_blank"> (the embed frame) changes no address
        elif tag in _DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name == "srcdoc":
                self.found.append(f"<{tag} srcdoc>")
            elif name == "style" and re.search(r"javascript:|expression\(|url\(", value, re.I):
                self.found.append(f"<{tag} style={value[:40]!r}>")
            elif name in _URL_ATTRIBUTES:
                scheme = _scheme(value)
                if scheme in ("javascript", "vbscript", "livescript", "mocha"):
                    self.found.append(f"<{tag} {name}={value[:40]!r}>")
                elif scheme == "data" and not (
                    tag == "img" and name == "src" and value.lower().startswith(_SAFE_DATA_IMAGES)
                ):
                    self.found.append(f"<{tag} {name}=data:...>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._script = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script and data.strip():
            self.found.append(f"inline script {data.strip()[:40]!r}")


def executable(markup: str, **options: bool) -> list[str]:
    """What in `markup` could execute in a browser (empty: nothing)."""
    parser = ExecutableMarkup(**options)
    parser.feed(markup)
    parser.close()
    return parser.found


# Renderers that pass raw HTML and any link scheme through, as a press office's may.
RENDERERS: dict[str, Callable[[str], str]] = {
    "markdown-it-py (html on)": MarkdownIt("commonmark", {"html": True}).render,
    "mistune (no escaping)": mistune.create_markdown(escape=False),  # type: ignore[dict-item]
    "Python-Markdown (defaults)": markdown.markdown,
    "Python-Markdown (fenced code)": lambda text: markdown.markdown(
        text, extensions=["fenced_code"]
    ),
}


def rendered_problems(markdown_text: str) -> list[tuple[str, str]]:
    """(renderer, problem) for what each renderer's output of `markdown_text` could run."""
    return [
        (name, problem)
        for name, render in RENDERERS.items()
        for problem in executable(render(markdown_text), allow_static_scripts=False)
    ]


def executable_when_rendered(markdown_text: str) -> list[str]:
    """What a Markdown export could run if someone renders it with raw HTML allowed."""
    return [f"{name}: {problem}" for name, problem in rendered_problems(markdown_text)]
