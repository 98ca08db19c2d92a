"""The Markdown exports stay inert in other renderers (issue 21, part 1).

Every body below goes through ``inert_markdown`` (the ``.md`` export, the lead's draft and
the press kit's ``.md``), then through four renderers that pass raw HTML and any link scheme
through: markdown-it-py with HTML on, mistune without escaping, Python-Markdown with its
defaults and with fenced code. Each output is parsed (tests/security/xss.py) for scripts,
event handlers and javascript:/data: URLs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition.domain.inert import inert_markdown
from coalition.extensions import db
from coalition.invitations import services as invitations
from coalition.publishing import services as publishing
from tests import factories
from tests.security.xss import PAYLOADS, RENDERERS, rendered_problems

# The two shapes the issue found live: a "fence" whose info string holds a backtick (not a
# fence in CommonMark), and an indented line after a list item (part of the item, not code).
ISSUE_SHAPES = [
    "```foo`bar\n<script>alert('fence')</script>\n```",
    "- item\n\n    <img src=x onerror=\"alert('list')\">",
]
# Shapes on which renderers disagree about what is code, or about what a link target is.
DISAGREEMENTS = [
    "```\n<script>alert(1)</script>\n```",  # Python-Markdown's defaults know no fences
    "~~~\n<script>alert(1)</script>\n~~~",
    "```\n<script>alert(1)</script>\n````",
    "```\n<script>alert(1)</script>",
    "```\n\n<script>alert(1)</script>\n\n```",
    "1. a\n\n       <img src=x onerror=alert(1)>",  # code to CommonMark, prose to Python-Markdown
    "10.  a\n\n    <script>alert(1)</script>",
    "- a\n\n  ```\n  <script>alert(1)</script>\n  ```",
    "> ```\n> <script>alert(1)</script>\n> ```",
    "a `b\n<script>alert(1)</script>` c",  # an HTML block interrupts the paragraph
    "<a href='`'>`<img src=x onerror=alert(1)>`",  # escaping the tag moves the code span
    "\\``<img src=x onerror=alert(1)>`",
    "[a](javascript\\:alert(1))",
    "[a](<\tjavascript:alert(1)>)",
    "[a](\njavascript:alert(1))",
    "[a]( <javascript:alert(1)> \"t\")",
    "> [evil]: javascript:alert(1)\n>\n> [x][evil]",
    "[x][evil]\n\n[evil]:\n  javascript:alert(1)",
    "- [evil]: data:text/html,x\n\n[x][evil]",
    "<http://x/autofocus/onfocus=alert(1)/tabindex=1>",
    "<div\n`<script>alert(1)</script>`",
    "para\n    <script>alert(1)</script>",
    "para\n\n    <script>alert(1)</script>\n<i>x</i>",
    "* a\n\n<!-- -->\n\n    <script>alert(1)</script>",
    "# Use `<b>` #\n\n<b onmouseover=alert(1)>x</b>",
    "Setext `<i>`\n===\n<img src=x onerror=alert(1)>",
]
CORPUS = ISSUE_SHAPES + DISAGREEMENTS + PAYLOADS


def test_the_issue_shapes_are_live_in_every_renderer_without_the_filter():
    """The corpus bites: rendered as typed, the issue's shapes run everywhere."""
    for shape in ISSUE_SHAPES:
        assert {name for name, _ in rendered_problems(shape)} == set(RENDERERS), shape


@pytest.mark.parametrize("body", CORPUS)
def test_no_renderer_finds_script_in_the_export(body: str):
    problems = rendered_problems(inert_markdown(body))
    assert not problems, f"{body!r} -> {inert_markdown(body)!r}: {problems}"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # Code that holds tags, at the top level: the same text as an indented code block.
        ("```html\n<script>x</script>\n```\n<i>after</i>",
         "    <script>x</script>\n\n&lt;i>after&lt;/i>"),
        # Code inside a list, where renderers disagree on indentation: escaped like prose.
        ("- a\n\n  ```\n  <b>x</b>\n  ```", "- a\n\n  ```\n  &lt;b>x&lt;/b>\n  ```"),
        # Harmless code is kept as written, fence and language included.
        ("```python\nif a < b and c > d:\n    pass\n```",
         "```python\nif a < b and c > d:\n    pass\n```"),
        ("Use `<script>` tags, or ``a`<b>`` ", "Use `<script>` tags, or ``a`<b>`` "),
    ],
)
def test_code_keeps_its_text(body: str, expected: str):
    assert inert_markdown(body) == expected


# Fragments that, put together, make the shapes renderers disagree on.
_FRAGMENTS = st.sampled_from([
    "`", "``", "```", "~~~", "\\", "<", ">", "[", "]", "(", ")", "]: ", "](", "*", "- ", "1. ",
    "10.  ", "> ", "    ", "  ", "\t", "\n", "\n\n", "#", "'", '"', "x", "&#106;", "&colon;",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<!--", "-->",
    "javascript:alert(1)", "data:text/html,x", "<b>", "</b>", "<a href=javascript:x>",
    "```foo`bar\n", "<div>\n",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENTS, max_size=24).map("".join))
def test_any_mix_of_the_shapes_is_inert(body: str):
    problems = rendered_problems(inert_markdown(body))
    assert not problems, f"{body!r} -> {inert_markdown(body)!r}: {problems}"


@given(st.text(alphabet=st.characters(blacklist_characters="<[]:&\\\r"), max_size=200))
def test_text_without_tags_or_links_is_exported_as_written(body: str):
    assert inert_markdown(body) == body


def _bodies_of_exports(client, slug: str, language: str = "") -> list[str]:
    query = f"?lang={language}" if language else ""
    answer = client.get(f"/s/{slug}.md{query}")
    assert answer.status_code == 200
    return [answer.get_data(as_text=True)]


def test_an_accepted_suggestion_cannot_carry_the_shapes(app: Flask):
    """A partner's suggestion, accepted by the lead, reaches the export inert."""
    with app.app_context():
        lead = factories.user("Suggestion Lead")
        statement = factories.statement(lead, body="First.\n\nSecond.", state="review")
        invitation, _ = factories.invite(lead, statement, organisation="Suggesting Partner")
        suggestion = "\n\n".join(ISSUE_SHAPES)
        comment = invitations.add_comment(invitation, body="Better?", anchor=1,
                                          suggestion=suggestion)
        invitations.accept_suggestion(lead, comment, base_revision=statement.current_revision)
        statement.state = "open"
        publishing.publish(lead, statement, date=dt.date.today())
        db.session.commit()
        slug = statement.slug
    text = _bodies_of_exports(app.test_client(), slug)[0]
    assert "onerror=\"alert('list')\"" in text  # the suggested text is there, as text
    assert not rendered_problems(text)


def test_a_translation_cannot_carry_the_shapes(app: Flask):
    with app.app_context():
        lead = factories.user("Translation Lead")
        statement = factories.statement(lead, body="English text.", state="open")
        factories.translation(lead, statement, "fr", title="Texte",
                              body="\n\n".join(ISSUE_SHAPES))
        publishing.publish(lead, statement, date=dt.date.today())
        db.session.commit()
        slug = statement.slug
    text = _bodies_of_exports(app.test_client(), slug, "fr")[0]
    assert "onerror=\"alert('list')\"" in text
    assert not rendered_problems(text)
