"""Stored XSS: hostile Markdown and HTML in every field people type (title, body, comment,
suggestion, signatory name, organisation name, decline reason, reply, notes, letter) is
harmless everywhere it appears: the lead's pages, the partner's pages, previews, redlines,
mail, the public page, the embed fragment, every export and the feed.

Checked with an HTML parser (tests/security/xss.py): no script element (but the site's own
/static/ one), no event-handler attribute, no javascript:/vbscript:/data: URL, no frame,
object, embed, svg, math or base element.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from coalition.domain import exports
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import services as invitations
from coalition.models import Comment, Invitation, OutboxMessage, Statement, User
from coalition.publishing import services as publishing
from tests import factories
from tests.conftest import base_config
from tests.security.routes import API, LEAD, PARTNER, PUBLIC, ROUTES, build_url, url_values
from tests.security.world import World, build_world
from tests.security.xss import BODY, LONGER, PAYLOADS, SHORT, executable, executable_when_rendered

BINARY = {"pdf", "docx"}


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return base_config(tmp_path)


@pytest.fixture
def world(app: Flask) -> World:
    """The security world with payloads typed into every field, and a second edition."""
    with app.app_context():
        made = build_world(
            title=SHORT,
            body=BODY,
            body_2=BODY + "\n\n" + LONGER,
            partner_name=SHORT[:200],
            comment=BODY[:5000],
            suggestion=LONGER,
            note=LONGER,
            organisation=SHORT[:200],
        )
        owner = db.session.get(User, made.owner_id)
        statement = db.session.get(Statement, made.statement_id)
        assert owner is not None and statement is not None
        decliner, _ = factories.invite(owner, statement, organisation=LONGER[:200],
                                       email="decliner@contacts.example", message=LONGER)
        invitations.decline(decliner, reason=LONGER)
        comment = db.session.get(Comment, made.comment_id)
        assert comment is not None
        invitations.reply(owner, comment, body=LONGER, visibility="shared")
        drafting.update_settings(
            owner, statement, letter_addressee_name=SHORT[:200],
            letter_addressee_title=SHORT[:200], letter_addressee_address=LONGER,
            letter_salutation=SHORT[:200],
        )
        publishing.publish(owner, statement, note=LONGER[:500], exclude_outstanding=True)
        drafting.change_state(owner, statement, "open")
        # The partner last read revision 1: its page shows what changed since (a redline).
        partner = db.session.get(Invitation, made.invitation_id)
        assert partner is not None
        partner.last_seen_revision = 1
        db.session.commit()
        return made


def _problems(response: TestResponse) -> list[str]:
    """Executable markup in a response, read according to its type."""
    data = response.get_data()
    response.close()
    mimetype = response.mimetype
    if mimetype in ("text/html", "application/atom+xml", "application/xhtml+xml"):
        markup = data.decode("utf-8", errors="replace")
        # The embed frame's own script, the one its CSP allows by hash, is the app's code.
        if exports.FRAME_SCRIPT_CSP in response.headers.get("Content-Security-Policy", ""):
            markup = markup.replace(f"<script>{exports.FRAME_SCRIPT}</script>", "", 1)
        return executable(markup)
    if mimetype == "application/json":
        return _in_json(json.loads(data))
    if mimetype == "text/markdown":
        return executable_when_rendered(data.decode("utf-8"))
    if mimetype in ("text/plain", "text/csv"):
        # Never rendered as HTML: the type is fixed and browsers may not sniff another.
        if response.headers.get("X-Content-Type-Options") != "nosniff":
            return [f"{mimetype} without nosniff"]
        return []
    if mimetype == "application/zip":
        found = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                content = archive.read(name).decode("utf-8", errors="replace")
                if name.endswith((".html", ".htm")):
                    found += [f"{name}: {p}" for p in executable(content)]
                elif name.endswith(".md"):
                    found += [f"{name}: {p}" for p in executable_when_rendered(content)]
        return found
    if mimetype.startswith("image/") or mimetype in (
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ):
        return []
    return [f"unexpected type {mimetype}"]


def _in_json(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [p for item in value.values() for p in _in_json(item)]
    if isinstance(value, list):
        return [p for item in value for p in _in_json(item)]
    if isinstance(value, str) and "<" in value:
        # Only *_html fields are meant as markup, but any string could be pasted into a page.
        return executable(value) if value.lstrip().startswith("<") else []
    return []


def _formats(rule: Rule) -> list[str]:
    converter = rule._converters.get("fmt")  # noqa: SLF001 - which formats the rule takes
    items = sorted(getattr(converter, "items", []) or ["md"])
    return [fmt for fmt in items if fmt not in BINARY]


def _visit(app: Flask, world: World, client: dict[str, FlaskClient]) -> tuple[list[str], int]:
    """What is wrong on every GET route, and how many answered 200 (so were really read)."""
    failures: list[str] = []
    read = 0
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()) or rule.endpoint not in ROUTES:
            continue
        case = ROUTES[rule.endpoint]
        if rule.endpoint == "static":
            continue
        for fmt in _formats(rule) if "fmt" in rule.arguments else [None]:
            numbers = [1, 2] if "number" in rule.arguments else [None]
            for number in numbers:
                override: dict[str, Any] = {}
                if fmt:
                    override["fmt"] = fmt
                if number:
                    override["number"] = number
                url = build_url(rule, url_values(rule, world, **override))
                headers = factories.bearer(world.bearer) if case.access == API else {}
                who = {LEAD: "owner", API: "owner", PARTNER: "partner", PUBLIC: "public"}
                response = client[who[case.access]].get(url, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{url}: {response.status_code}")
                read += response.status_code == 200
                failures += [f"{url}: {p}" for p in _problems(response)]
    return failures, read


def test_payloads_are_stored_as_typed(app: Flask, world: World):
    """The corpus really is in the database: the test checks the rendering, not a refusal."""
    with app.app_context():
        statement = db.session.get(Statement, world.statement_id)
        assert statement is not None and statement.title == SHORT
        body = drafting.latest_revision(statement).body
        assert all(payload.split("\n")[0] in body for payload in PAYLOADS)


def test_no_page_export_or_answer_carries_executable_markup(app: Flask, world: World):
    owner, partner, public = app.test_client(), app.test_client(), app.test_client()
    with app.app_context():
        user = db.session.get(User, world.owner_id)
        assert user is not None
        factories.login(owner, user)
    partner.get(f"/i/{world.token}")  # opened once already, as a partner would have
    failures, read = _visit(app, world, {"owner": owner, "partner": partner, "public": public})
    assert not failures, "\n".join(failures)
    assert read >= 80, f"only {read} pages answered 200: the payloads were not all shown"


def test_previews_and_redlines_are_harmless(app: Flask, world: World):
    owner = app.test_client()
    with app.app_context():
        user = db.session.get(User, world.owner_id)
        assert user is not None
        factories.login(owner, user)
    sid = world.statement_id
    pages = {
        "new statement preview": owner.post("/statements/new", data={
            "title": SHORT, "body": BODY, "language": "en", "preview": "1"}),
        "edit preview": owner.post(f"/statements/{sid}/edit", data={
            "base_revision": "2", "title": SHORT, "body": BODY + LONGER, "preview": "1"}),
        "stale save": owner.post(f"/statements/{sid}/edit", data={
            "base_revision": "1", "title": SHORT, "body": LONGER + BODY, "substantive": "y"}),
        "translation preview": owner.post(f"/statements/{sid}/translations/fr", data={
            "base_revision": "1", "source_revision": "2", "title": SHORT, "body": BODY,
            "preview": "1"}),
        "compare": owner.get(f"/statements/{sid}/compare?from=1&to=2"),
        "partner changes": app.test_client().get(f"/i/{world.token}"),
        "API diff": owner.get(f"/api/v1/statements/{sid}/diff?from=1&to=2",
                              headers=factories.bearer(world.bearer)),
    }
    failures = []
    for name, response in pages.items():
        assert response.status_code < 500, name
        failures += [f"{name}: {p}" for p in _problems(response)]
    assert pages["stale save"].status_code == 409
    assert not failures, "\n".join(failures)
    # The redline really did show the payload text (as text).
    assert "alert(&#39;script&#39;)" in pages["compare"].get_data(as_text=True) or (
        "alert('script')" in pages["compare"].get_data(as_text=True)
    )


def test_mail_is_harmless(app: Flask, world: World):
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage)).all()
        kinds = {m.kind for m in messages}
        failures = []
        for message in messages:
            failures += [f"{message.kind} #{message.id}: {p}"
                         for p in executable(message.body_html or "", allow_static_scripts=False)]
            assert "\n" not in message.subject and "\r" not in message.subject
    assert {"invitation", "reconfirm", "signature_receipt"} <= kinds
    assert not failures, "\n".join(failures)


def test_the_checker_catches_what_it_should():
    """The parser-based check is not a substring check: it sees through entities and case."""
    assert executable('<a href="&#106;ava&#x09;script:alert(1)">x</a>')
    assert executable("<IMG SRC=x OnError=alert(1)>")
    assert executable("<svg><circle/></svg>")
    assert executable('<script src="https://evil.example/x.js"></script>')
    assert executable('<a href="data:text/html,x">x</a>')
    assert not executable('<img src="data:image/png;base64,AAAA" alt="">')
    assert not executable("<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1)</p>")
    assert not executable('<script src="/static/js/app.js" defer></script>')
    assert executable_when_rendered("<script>alert(1)</script>")
    assert executable_when_rendered("[x](javascript:alert(1))")
    assert not executable_when_rendered("`<script>alert(1)</script>`")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hello <b>world</b>", "Hello &lt;b>world&lt;/b>"),
        ("See <https://example.org/a?b=1> and <mailto:press@example.org>",
         "See <https://example.org/a?b=1> and <mailto:press@example.org>"),
        ("<javascript:alert(1)>", "&lt;javascript:alert(1)>"),
        ("[a](https://example.org) [b](/s/x) [c](#top)",
         "[a](https://example.org) [b](/s/x) [c](#top)"),
        ("[a](javascript:alert(1)) ![i](DATA:text/html,x)", "[a](#) ![i](#)"),
        ("[a](&#106;avascript:alert(1))", "[a](#)"),
        ("[ref]: vbscript:msgbox(1)", "[ref]: #"),
        ("Use `<script>` tags", "Use `<script>` tags"),
        # Python-Markdown's defaults know no fences: code with tags is indented instead.
        ("```html\n<script>x</script>\n```\n<i>after</i>",
         "    <script>x</script>\n\n&lt;i>after&lt;/i>"),
        ("Intro\n\n    <pre>indented code</pre>\n\n<p>",
         "Intro\n\n    <pre>indented code</pre>\n\n&lt;p>"),
        ("2 < 3 and 5 > 4, a <- b", "2 < 3 and 5 > 4, a <- b"),
    ],
)
def test_markdown_exports_keep_text_but_not_raw_html(body: str, expected: str):
    from coalition.domain.exports import inert_markdown

    assert inert_markdown(body) == expected
