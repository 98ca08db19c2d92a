"""What a press officer tripped over (issue 20): the .txt, the note's place, the CSV."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import zipfile
from dataclasses import replace

from coalition.domain import documents, exports
from coalition.domain.exports import (
    EditionDocument,
    Signatory,
    press_kit_zip,
    signatories_csv,
    to_fragment,
    to_html,
    to_markdown,
    to_text,
)
from tests import docx_text
from tests.domain.test_exports import Elements, assert_in_order, make_doc, render

LONG = (
    "We, the undersigned organisations, call on the Minister to withdraw the Public "
    "Assemblies Bill, which would let the police ban any gathering of more than two people "
    "on a day's notice and without a reason."
)
HEADING = "A heading that is long enough to pass seventy-two characters"
LONG_BODY = f"{LONG}\n\n- {LONG}\n\n## {HEADING}\n"


def long_doc(**changes: object) -> EditionDocument:
    return make_doc(body_markdown=LONG_BODY, body_html=render(LONG_BODY), **changes)


# --- 5. the .txt: one line per paragraph -----------------------------------------------


def test_text_puts_each_paragraph_on_one_line() -> None:
    output = to_text(long_doc())
    lines = output.splitlines()
    assert LONG in lines
    assert f"- {LONG}" in lines
    assert HEADING in lines
    assert "-" * len(HEADING) in lines
    # A signatory with details stays on one line too.
    assert "Jane Smith (University of Oxford)" in lines


def test_text_can_still_be_wrapped_for_email() -> None:
    output = to_text(long_doc(), width=72)
    assert LONG not in output.splitlines()
    assert all(len(line) <= 72 for line in output.splitlines() if " " in line.strip())


# --- 6. the edition note in one place everywhere ---------------------------------------


def test_edition_note_stands_after_the_body_and_before_the_list_in_every_format() -> None:
    doc = make_doc()
    order = ["Read more at", "Updated on 3 December 2026", "Updated on 20 November 2026",
             "Signatories (6)", "Zeta Foundation"]
    assert_in_order(to_markdown(doc), order)
    assert_in_order(to_text(doc), order)
    for output in (to_html(doc), to_fragment(doc), documents.pdf_html(doc)):
        assert_in_order(Elements(output).text, order)


def test_edition_note_in_the_docx_stands_before_the_list() -> None:
    import docx

    document = docx.Document(io.BytesIO(documents.to_docx(make_doc())))
    text = docx_text.text(document)
    assert_in_order(text, ["Read more at", "Updated on 3 December 2026", "Signatories (6)",
                           "Zeta Foundation"])


# --- 2. signatories.csv: one file, with a BOM, countries as names ------------------------


def test_csv_starts_with_a_bom_and_names_countries_with_their_codes_apart() -> None:
    output = signatories_csv(make_doc())
    assert output.startswith("\ufeffname,kind,country,country_code,affiliation\r\n")
    rows = list(csv.DictReader(io.StringIO(output.removeprefix("\ufeff"), newline="")))
    assert rows[0] == {"name": "Zeta Foundation", "kind": "organisation",
                       "country": "United Kingdom", "country_code": "GB", "affiliation": ""}
    assert rows[2]["country"] == "Russia" and rows[2]["country_code"] == "RU"
    assert rows[5]["country"] == "" and rows[5]["country_code"] == ""
    french = list(csv.DictReader(io.StringIO(
        signatories_csv(make_doc(language="fr")).removeprefix("\ufeff"), newline="")))
    assert french[0]["country"] == "Royaume-Uni"
    # A country typed as words (an older row) is kept as it is, with no code.
    typed = make_doc(signatories=(Signatory("Viasna", country="Belarus in exile"),))
    row = next(csv.DictReader(io.StringIO(signatories_csv(typed).removeprefix("\ufeff"))))
    assert (row["country"], row["country_code"]) == ("Belarus in exile", "")


def test_press_kit_csv_is_the_public_csv_byte_for_byte() -> None:
    doc = replace(make_doc(), signatories=(Signatory("“Viasna”", country="BY"),
                                           Signatory("Libereco – Partnership", country="DE")))
    archive = zipfile.ZipFile(io.BytesIO(press_kit_zip(doc, "assemblies", b"%PDF", b"PK")))
    assert archive.read("assemblies-signatories.csv") == signatories_csv(doc).encode("utf-8")


# --- 1. the embed: its own style, and a frame that tells the host page its height --------


def test_fragment_carries_its_own_scoped_style_and_no_script() -> None:
    output = to_fragment(make_doc())
    fragment = Elements(output)
    assert fragment.roots == ["section"]
    assert not fragment.names & {"html", "head", "body", "script", "link", "meta", "img"}
    styles = re.findall(r"<style>(.*?)</style>", output, re.S)
    assert len(styles) == 1
    css = styles[0]
    assert "@import" not in css and "url(" not in css  # no request of any kind
    # Pasted into a host page, it styles only itself.
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    assert selectors
    assert all(s.startswith((".coalition-statement", "@media")) for s in selectors), selectors


def test_frame_is_a_document_that_tells_its_host_its_height() -> None:
    output = exports.to_frame(make_doc())
    assert output.startswith("<!doctype html>")
    page = Elements(output)
    assert ("base", {"target": "_blank"}) in page.tags  # links leave the frame
    assert not page.names & {"link", "iframe", "img"} and "src=" not in output
    assert to_fragment(make_doc()) in output
    found = re.search(r"<script>(.*?)</script>", output, re.S)
    assert found is not None and found.group(1) == exports.FRAME_SCRIPT
    assert "parent.postMessage" in exports.FRAME_SCRIPT
    digest = base64.b64encode(hashlib.sha256(exports.FRAME_SCRIPT.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == exports.FRAME_SCRIPT_CSP
