"""Markdown rendering and HTML sanitising: the one Markdown path, safe against XSS."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest

from coalition.domain.rendering import (
    normalise_text,
    paragraphs,
    render_markdown,
    sanitise_html,
)

FORBIDDEN_TAGS = (
    {"script", "iframe", "frame", "object", "embed", "form", "input", "button"}
    | {"meta", "link", "base", "svg", "math", "img", "style", "video", "audio", "source"}
    | {"details", "template", "textarea", "select", "applet"}
)


class _Collector(HTMLParser):
    """Collects every start tag with its (unescaped) attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def parse_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def assert_safe(html: str) -> None:
    """No script, no dangerous element, no event handler or style, no unsafe URL."""
    assert "<script" not in html.lower()
    # Raw check, independent of the parser: no " on...=" inside a tag, outside
    # its quoted attribute values.
    for tag in re.findall(r'<[a-zA-Z][^>"]*(?:"[^"]*"[^>"]*)*>', html):
        unquoted = re.sub(r'"[^"]*"', '""', tag)
        assert re.search(r"\son\w+\s*=", unquoted, re.IGNORECASE) is None, html
    for tag, attrs in parse_tags(html):
        assert tag not in FORBIDDEN_TAGS, html
        for name, value in attrs:
            assert not name.startswith("on"), html
            assert name not in {"style", "src", "srcset", "action", "formaction", "xlink:href"}
            if name == "href":
                # Browsers ignore whitespace and control characters in schemes.
                squashed = re.sub(r"[\x00-\x20]", "", value or "").lower()
                assert "javascript:" not in squashed, html
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", squashed)
                assert scheme is None or scheme.group(1) in {"http", "https", "mailto"}, html


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    '<https://example.org/" onmouseover="alert(1)>',
    '[x](https://example.org/"onmouseover="alert(1))',
    "<!-- <script>alert(1)</script> -->",
    "<!--><script>alert(1)</script>-->",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<script<x>>alert(1)</script>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit onfocus=alert(1) autofocus></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>x</details>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<p onclick='alert(1)'>text</p>",
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "<style>@import 'javascript:alert(1)';</style>",
    "<base href=javascript:alert(1)//>",
    "```\n<script>alert(1)</script>\n```",
    "para {: onclick=alert(1) }",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_neutralises_xss(payload: str) -> None:
    assert_safe(render_markdown(payload))
    assert_safe(render_markdown(f"Some **text** before.\n\n{payload}\n\nAnd after."))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_sanitise_html_neutralises_xss(payload: str) -> None:
    assert_safe(sanitise_html(payload))


def test_xss_corpus_is_large_enough() -> None:
    assert len(XSS_PAYLOADS) >= 15


def test_raw_html_in_markdown_shows_as_text() -> None:
    html = render_markdown("Before <script>alert(1)</script> and <b>bold</b>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>" not in html


def test_html_comment_cannot_hide_signed_text() -> None:
    html = render_markdown("We agree <!-- not really -->.")
    assert "not really" in html


def test_javascript_link_loses_its_href() -> None:
    html = render_markdown("[click](javascript:alert(1)) and [data](data:text/html,x)")
    assert "click" in html and "data" in html
    assert "href" not in html


def test_images_are_not_rendered() -> None:
    html = render_markdown("![a cat](https://example.org/cat.png)")
    assert "<img" not in html
    # The source stays visible rather than vanishing.
    assert "a cat" in html


def test_headings_lists_emphasis_and_links_are_kept() -> None:
    html = render_markdown(
        "# Joint statement\n\n## We call for\n\n- one\n- two\n\n1. first\n2. second\n\n"
        "> quoted\n\n*em* **strong** `code`\n\n---\n\n"
        '[our site](https://example.org/a?b=1&c=2 "Title") <https://example.org/auto>\n\n'
        "Write to <press@example.org>."
    )
    for fragment in (
        "<h1>Joint statement</h1>",
        "<h2>We call for</h2>",
        "<ul>",
        "<li>one</li>",
        "<ol>",
        "<blockquote>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<code>code</code>",
        "<hr>",
    ):
        assert fragment in html
    anchors = [dict(attrs) for tag, attrs in parse_tags(html) if tag == "a"]
    assert {a["href"] for a in anchors} == {
        "https://example.org/a?b=1&c=2",
        "https://example.org/auto",
        "mailto:press@example.org",
    }
    assert all(a["rel"] == "noopener noreferrer nofollow" for a in anchors)
    assert any(a.get("title") == "Title" for a in anchors)


def test_smart_quotes_are_not_applied() -> None:
    html = render_markdown('He said "yes" -- it\'s done...')
    assert "&ldquo;" not in html and "\u201c" not in html
    assert "&quot;yes&quot;" in html or '"yes"' in html


def test_tables_use_align_attribute_not_style() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html
    assert "style" not in html


def test_footnotes_keep_their_anchors() -> None:
    html = render_markdown("Claim.[^1]\n\n[^1]: Source.")
    assert 'id="fnref:1"' in html
    assert 'id="fn:1"' in html
    assert 'href="#fn:1"' in html


def test_attribute_lists_are_not_enabled() -> None:
    html = render_markdown("# Title {: #main .changed }\n\nText {: onclick=alert(1) }")
    assert 'id="main"' not in html
    assert "class=" not in html
    assert_safe(html)


def test_sanitise_html_keeps_known_diff_classes_and_ids_only() -> None:
    html = sanitise_html(
        '<div class="diff evil"><p class="diff-para changed big" id="change-3">a'
        '<ins class="diff-break x">b</ins><del>c</del></p><p id="login">d</p>'
        '<span class="diff-break" style="color:red">e</span></div>'
    )
    assert '<div class="diff">' in html
    assert '<p class="diff-para changed" id="change-3">' in html
    assert '<ins class="diff-break">b</ins>' in html
    assert "<del>c</del>" in html
    assert 'id="login"' not in html
    assert "style" not in html
    assert "evil" not in html and "big" not in html


def test_render_markdown_is_safe_to_use_from_threads() -> None:
    documents = [
        f"# Heading {n}\n\n- item {n}\n- [link](https://example.org/{n})" for n in range(8)
    ]
    expected = [render_markdown(document) for document in documents]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(render_markdown, documents * 25))
    assert results == expected * 25


def test_render_markdown_normalises_line_endings() -> None:
    assert render_markdown("a\r\n\r\nb") == render_markdown("a\n\nb")


def test_normalise_text_converts_line_endings_only() -> None:
    assert normalise_text("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert normalise_text("  a  \t\n\n b  ") == "  a  \t\n\n b  "
    assert normalise_text("\r\n\r\n") == "\n\n"


def test_paragraphs_split_on_blank_lines() -> None:
    text = "First line\r\nsecond line\r\n\r\n\r\nSecond para\n  \nThird  \n"
    assert paragraphs(text) == ["First line\nsecond line", "Second para", "Third  "]


def test_paragraphs_keep_fenced_code_whole() -> None:
    text = "Intro\n\n```\ncode\n\nmore code\n```\n\n~~~~\na\n\n~~~\nb\n~~~~\n\nEnd"
    assert paragraphs(text) == [
        "Intro",
        "```\ncode\n\nmore code\n```",
        "~~~~\na\n\n~~~\nb\n~~~~",
        "End",
    ]


def test_paragraphs_of_empty_text() -> None:
    assert paragraphs("") == []
    assert paragraphs("\n\n  \n") == []


def test_domain_modules_import_neither_flask_nor_sqlalchemy() -> None:
    import ast
    from pathlib import Path

    import coalition.domain.rendering as rendering
    import coalition.domain.revisions as revisions

    for module in (rendering, revisions):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        names = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] in {"flask", "sqlalchemy"}]


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" JaVaScript:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<p style="color:red">x</p>',
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(unsafe: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe(unsafe)
