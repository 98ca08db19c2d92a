"""Text exports of an edition: each one read back by a real reader."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import markdown
import nh3
import pytest

from coalition.domain import exports
from coalition.domain.exports import (
    CONTACT_COLUMNS,
    EditionDocument,
    Letter,
    Signatory,
    Update,
    escape_csv_cell,
    format_date,
    html_blocks,
    labels_for,
    press_kit_zip,
    signatories_csv,
    to_fragment,
    to_html,
    to_markdown,
    to_text,
)

DATE = datetime.date(2026, 12, 3)

BODY = """We, the undersigned, call on the **Minister** to withdraw the *Public Assemblies Bill*.

## What we ask

- Withdraw the bill.
- Consult civil society, as promised in [the programme](https://example.gov/programme).

Then:

1. First step.
2. Second step.

Read more at https://example.org/a/very/long/path/that/cannot/be/broken/anywhere/at/all/really
"""

SIGNATORIES = (
    Signatory("Zeta Foundation", country="GB"),
    Signatory("Amnesty International UK", country="GB"),
    Signatory("Центр «Мемориал»", country="RU"),
    Signatory("Jane Smith", kind="individual", affiliation="University of Oxford"),
    Signatory("<script>alert(1)</script> & *Co*", country="FR"),
    Signatory("Beta Network"),
)


def render(text: str) -> str:
    """Markdown -> sanitised HTML, as coalition.domain.rendering does."""
    return nh3.clean(markdown.markdown(text))


def make_doc(**changes: object) -> EditionDocument:
    doc = EditionDocument(
        title="Withdraw the Public Assemblies Bill",
        body_markdown=BODY,
        body_html=render(BODY),
        date=DATE,
        lead_organisation="Liberty",
        edition=2,
        note="Two signatories added.",
        updates=(Update(datetime.date(2026, 11, 20), "First published."),),
        signatories=SIGNATORIES,
        url="https://coalition.example.org/s/assemblies",
        sha256="ab" * 32,
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


LETTER = Letter(
    addressee_name="Rt Hon Jane Doe MP",
    addressee_title="Home Secretary",
    addressee_address="Home Office\n2 Marsham Street\nLondon SW1P 4DF",
    salutation="Dear Home Secretary,",
)


def assert_in_order(text: str, items: list[str]) -> None:
    positions = [text.index(item) for item in items]
    assert positions == sorted(positions), items


class Elements(HTMLParser):
    """Tags, attributes and text of an HTML document, as a browser's parser sees them."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.depth = 0
        self.roots: list[str] = []
        self.chunks: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if self.depth == 0:
            self.roots.append(tag)
        if tag not in {"br", "meta", "hr", "img", "link"}:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth == 0 and data.strip():
            self.roots.append("#text")
        self.chunks.append(data)

    @property
    def names(self) -> set[str]:
        return {tag for tag, _ in self.tags}

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())


# --- dates and words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "3 December 2026"),
        ("EN", "3 December 2026"),
        ("en-US", "December 3, 2026"),
        ("fr", "3 décembre 2026"),
        ("fr-CA", "3 décembre 2026"),
        # CLDR puts a narrow no-break space before "г.", so it never starts a line.
        ("ru", "3 декабря 2026\u202fг."),
        ("xx-unknown", "3 December 2026"),
        ("", "3 December 2026"),
        ("not a tag!", "3 December 2026"),
    ],
)
def test_format_date(language: str, expected: str) -> None:
    assert format_date(DATE, language) == expected


def test_labels_fall_back_to_english() -> None:
    assert labels_for("fr-BE")["signatories"] == "Signataires"
    assert labels_for("ru")["signatories"] == "Подписавшие"
    assert labels_for("de")["signatories"] == "Signatories"


def test_exports_use_the_statements_language() -> None:
    doc = make_doc(language="fr")
    for output in (to_markdown(doc), to_text(doc), to_html(doc)):
        assert "3 décembre 2026" in output
        assert "Signataires (6)" in output
        assert "Royaume-Uni" in output  # country codes are named in the language
        assert "Mis à jour le 20 novembre 2026\u202f: First published." in output


# --- Markdown --------------------------------------------------------------------------


def test_markdown_holds_everything_in_order() -> None:
    doc = make_doc()
    output = to_markdown(doc)
    assert output.startswith("# Withdraw the Public Assemblies Bill\n")
    assert "3 December 2026" in output
    assert BODY.strip() in output  # the body exactly as written
    assert "## Signatories (6)" in output
    assert "Updated on 3 December 2026: Two signatories added." in output
    assert "Updated on 20 November 2026: First published." in output
    assert "<https://coalition.example.org/s/assemblies>" in output
    assert "ab" * 32 in output
    assert_in_order(output, ["- Zeta", "- Amnesty", "- Центр", "- Jane Smith", "- Beta"])


def test_markdown_escapes_user_text() -> None:
    output = to_markdown(make_doc())
    assert "<script>" not in output
    assert r"&lt;script&gt;alert(1)&lt;/script&gt; & \*Co\*" in output
    rendered = Elements(markdown.markdown(output))
    assert "script" not in rendered.names
    assert "<script>alert(1)</script> & *Co*" in rendered.text


def test_markdown_renders_back_to_a_list_of_names() -> None:
    rendered = Elements(markdown.markdown(to_markdown(make_doc(body_markdown="Body."))))
    items = [tag for tag, _ in rendered.tags if tag == "li"]
    assert len(items) == len(SIGNATORIES)


# --- plain text --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 72])
def test_text_is_wrapped_except_unbreakable_words(width: int) -> None:
    output = to_text(make_doc(), width=width)
    for line in output.splitlines():
        if len(line) > width:
            words = line.strip().removeprefix("- ").split()
            assert len(words) == 1 or any(len(word) > width // 2 for word in words), line


def test_text_reads_like_the_statement() -> None:
    output = to_text(make_doc())
    lines = output.splitlines()
    assert lines[0] == "Withdraw the Public Assemblies Bill"
    assert lines[1] == "=" * len(lines[0])
    assert "3 December 2026" in lines
    assert "What we ask" in lines and "-" * len("What we ask") in lines
    assert "- Withdraw the bill." in lines
    assert "1. First step." in lines and "2. Second step." in lines
    assert "the programme (https://example.gov/programme)" in " ".join(output.split())
    assert "**" not in output and "##" not in output
    assert "Signatories (6)" in lines
    assert "Zeta Foundation (United Kingdom)" in lines
    assert "Jane Smith (University of Oxford)" in lines
    assert "Affiliations are given for identification only." in lines
    assert "Updated on 3 December 2026: Two signatories added." in lines
    assert "Published at: https://coalition.example.org/s/assemblies" in lines
    assert_in_order(output, ["Zeta", "Amnesty", "Центр", "Jane Smith", "<script>", "Beta"])
    assert_in_order(output, ["We, the undersigned", "Updated on", "Signatories (6)", "SHA-256"])


def test_text_groups_individuals_after_organisations_in_given_order() -> None:
    output = to_text(make_doc(group_individuals=True))
    assert "Organisations (5):" in output and "Individuals (1):" in output
    assert_in_order(
        output, ["Organisations (5):", "Zeta", "Amnesty", "Beta", "Individuals (1):", "Jane Smith"]
    )


# --- HTML ------------------------------------------------------------------------------


def test_standalone_html() -> None:
    output = to_html(make_doc(language="ru"))
    assert output.lower().startswith("<!doctype html>")
    page = Elements(output)
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag["lang"] == "ru"
    assert ("meta", {"charset": "utf-8"}) in page.tags
    assert "style" in page.names
    assert not page.names & {"script", "link", "iframe", "img"}
    assert "src=" not in output and "@import" not in output
    # page.text folds all white space, the date's narrow no-break space included.
    assert "3 декабря 2026 г." in page.text
    assert "Withdraw the bill." in page.text
    assert "Обновлено 3 декабря 2026 г.: Two signatories added." in page.text
    assert_in_order(page.text, [s.name for s in SIGNATORIES])


def test_html_escapes_every_user_string() -> None:
    hostile = '<script>alert("x")</script>'
    doc = make_doc(
        title=hostile,
        note=hostile,
        lead_organisation=hostile,
        letter=Letter(hostile, hostile, hostile, hostile),
        updates=(Update(DATE, hostile),),
        url='javascript:alert("x")',
    )
    for output in (to_html(doc), to_fragment(doc)):
        page = Elements(output)
        assert "script" not in page.names
        assert page.text.count(hostile) >= 5
        assert not any("javascript:" in (attrs.get("href") or "") for _, attrs in page.tags)


def test_fragment_is_one_section_without_document_tags() -> None:
    output = to_fragment(make_doc())
    fragment = Elements(output)
    assert fragment.roots == ["section"]
    root = fragment.tags[0][1]
    assert root["class"] == "coalition-statement"
    # Its one <style> is scoped to the section (test_press_exports); no script, no document.
    assert not fragment.names & {"html", "head", "body", "script", "link", "meta"}
    assert "Withdraw the Public Assemblies Bill" in fragment.text
    assert "3 December 2026" in fragment.text
    assert "Consult civil society" in fragment.text
    assert_in_order(fragment.text, [s.name for s in SIGNATORIES])


# --- drafts and letters ------------------------------------------------------------------


def test_a_draft_is_marked_in_every_text_format() -> None:
    doc = make_doc(draft=True)
    assert to_markdown(doc).startswith("# DRAFT — Withdraw")
    assert "DRAFT — not for publication" in to_markdown(doc)
    assert to_text(doc).startswith("*** DRAFT — not for publication ***")
    assert "DRAFT — Withdraw" in to_text(doc)
    for output in (to_html(doc), to_fragment(doc)):
        page = Elements(output)
        assert "DRAFT — Withdraw the Public Assemblies Bill" in page.text
        assert any("draft-banner" in (attrs.get("class") or "") for _, attrs in page.tags)
    assert "DRAFT" not in to_text(make_doc())


def test_a_letter_puts_addressee_then_salutation_before_the_body() -> None:
    doc = make_doc(letter=LETTER)
    order = ["Rt Hon Jane Doe MP", "Home Secretary", "2 Marsham Street", "Dear Home Secretary,",
             "We, the undersigned"]
    for output in (to_markdown(doc), to_text(doc)):
        assert_in_order(output, ["Withdraw the Public Assemblies Bill", *order])
    for output in (to_html(doc), to_fragment(doc)):
        page = Elements(output)
        assert_in_order(page.text, order)
        assert "address" in page.names
    assert "Home Office  \n2 Marsham Street  \n" in to_markdown(doc)


# --- body parsing ------------------------------------------------------------------------


def test_html_blocks_keeps_structure() -> None:
    source = "# Top\n\nSome **bold** and *it* [link](https://x.org).\n\n1. a\n2. b\n    - nested\n"
    blocks = html_blocks(render(source))
    assert [(b.kind, b.level) for b in blocks] == [
        ("heading", 1), ("paragraph", 0), ("item", 1), ("item", 1), ("item", 2),
    ]
    assert [b.number for b in blocks[2:4]] == [1, 2]
    assert blocks[2].ordered and not blocks[4].ordered
    runs = blocks[1].runs
    assert [(r.text, r.bold, r.italic, r.href) for r in runs if r.bold or r.italic or r.href] == [
        ("bold", True, False, None), ("it", False, True, None), ("link", False, False, "https://x.org"),
    ]


def test_text_keeps_code_quotes_and_loose_lists_readable() -> None:
    source = ("Intro:\n\n    def f():\n        return 1\n\n1. a\n2. b\n\n    more of b\n\n3. c\n\n"
              "> quoted **bold**\n\nLine one  \nLine two\n")
    output = to_text(make_doc(body_markdown=source, body_html=render(source)))
    assert "    def f():\n        return 1\n\n1. a\n2. b\n   more of b\n3. c\n" in output
    assert "> quoted bold\n\nLine one\nLine two\n" in output
    assert all(line == line.rstrip() for line in output.splitlines())


# --- CSV -------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with it
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_public_csv_has_no_contacts_and_keeps_order() -> None:
    rows = read_csv(signatories_csv(make_doc()))
    assert list(rows[0]) == ["name", "kind", "country", "country_code", "affiliation"]
    assert [row["name"] for row in rows] == [s.name for s in SIGNATORIES]
    assert rows[3] == {
        "name": "Jane Smith", "kind": "individual", "country": "", "country_code": "",
        "affiliation": "University of Oxford",
    }


def test_csv_cells_are_escaped_against_formula_injection() -> None:
    hostile = ['=HYPERLINK("http://evil.example","click")', "+1", "-2", "@SUM(A1:A2)",
               "\tTab", "\rCR"]
    doc = make_doc(signatories=tuple(Signatory(name, country="=1+1") for name in hostile))
    rows = read_csv(signatories_csv(doc))
    assert [row["name"] for row in rows] == ["'" + name for name in hostile]
    assert {row["country"] for row in rows} == {"'=1+1"}
    assert escape_csv_cell("Safe name") == "Safe name"
    assert escape_csv_cell(None) == ""


def test_lead_csv_adds_contacts_escaped() -> None:
    signatories = SIGNATORIES[:2]
    contacts = [
        {"signer_name": "Ann Lee", "signer_role": "Director", "signer_email": "ann@zeta.org",
         "endorsed_revision": 4, "signed_at": datetime.datetime(2026, 12, 1, 12, 0)},
        {"signer_name": "=cmd|' /C calc'!A0", "signer_email": "b@amnesty.org.uk",
         "password_hash": "never exported"},
    ]
    output = signatories_csv(signatories, contacts)
    rows = read_csv(output)
    assert list(rows[0]) == ["name", "kind", "country", "country_code", "affiliation",
                             *CONTACT_COLUMNS]
    assert rows[0]["signer_email"] == "ann@zeta.org"
    assert rows[0]["endorsed_revision"] == "4"
    assert rows[0]["signed_at"] == "2026-12-01T12:00:00"
    assert rows[1]["signer_name"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["signer_role"] == ""
    assert "never exported" not in output
    with pytest.raises(ValueError, match="one entry per signatory"):
        signatories_csv(signatories, contacts[:1])


def test_csv_always_has_a_bom() -> None:
    output = signatories_csv(make_doc())
    assert output.startswith("\ufeffname,kind")
    assert output.endswith("\r\n")


# --- press kit -------------------------------------------------------------------------


def test_press_kit_holds_all_seven_files() -> None:
    doc = make_doc()
    data = press_kit_zip(doc, "assemblies", pdf=b"%PDF-1.7 stub", docx=b"PK docx stub")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted([
            "assemblies.md", "assemblies.txt", "assemblies.html", "assemblies-embed.html",
            "assemblies.pdf", "assemblies.docx", "assemblies-signatories.csv",
        ])
        assert archive.read("assemblies.md").decode() == to_markdown(doc)
        assert archive.read("assemblies-embed.html").decode() == to_fragment(doc)
        assert archive.read("assemblies.pdf") == b"%PDF-1.7 stub"
        rows = read_csv(archive.read("assemblies-signatories.csv").decode("utf-8"))
        assert [row["name"] for row in rows] == [s.name for s in SIGNATORIES]
    assert press_kit_zip(doc, "assemblies", b"x", b"y") == press_kit_zip(doc, "assemblies", b"x",
                                                                         b"y")


@pytest.mark.parametrize("slug", ["../etc", "a/b", "", ".hidden", "x" * 300])
def test_press_kit_refuses_unsafe_names(slug: str) -> None:
    with pytest.raises(ValueError, match="safe file name"):
        press_kit_zip(make_doc(), slug, b"", b"")


# --- purity (STYLE rule 3) ---------------------------------------------------------------


def test_export_modules_import_neither_flask_nor_sqlalchemy() -> None:
    # Read the imports rather than importing: coalition/__init__.py (create_app) does
    # import Flask, and the rule is about what the domain modules themselves pull in.
    domain = Path(exports.__file__).parent
    for module in ("exports.py", "documents.py"):
        tree = ast.parse((domain / module).read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom)}
        roots = {name.split(".")[0] for name in imported}
        assert not roots & {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}, module
        assert all(name.startswith("coalition.domain") for name in imported
                   if name.startswith("coalition")), module
