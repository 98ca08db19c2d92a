"""Reading a signatories CSV to import: columns by header, escapes undone, shapes checked."""

from __future__ import annotations

import datetime as dt

from coalition.domain import exports
from coalition.domain.imports import decode, parse, parse_time

HEADER = "name,kind,country,signer_name,signer_role,signer_email,endorsed_revision,signed_at"
NOW = dt.datetime.now(dt.UTC)


def test_a_line_is_read_by_its_header():
    parsed = parse(HEADER + "\nViasna,organisation,BY,Ales,Chair,ales@viasna.example.org,2,"
                   "2026-01-02T10:00:00+01:00\n", now=NOW)
    assert parsed.problem is None and parsed.refused == []
    (line,) = parsed.lines
    assert (line.line, line.name, line.country, line.revision) == (2, "Viasna", "BY", 2)
    assert line.approved_at == dt.datetime(2026, 1, 2, 9, 0, tzinfo=dt.UTC)
    assert line.public is True


def test_the_lead_download_reads_back_with_escapes_undone():
    text = exports.signatories_csv(
        [exports.Signatory("=HYPERLINK(1)", "organisation", "FR", "")],
        [{"signer_name": "-Jo", "signer_email": "jo@example.org", "endorsed_revision": 1,
          "signed_at": "2026-01-01T00:00:00+00:00", "named_publicly": "no"}],
    )
    parsed = parse(text, now=NOW)
    assert parsed.problem is None, parsed.problem
    (line,) = parsed.lines
    assert line.name == "=HYPERLINK(1)" and line.signer_name == "-Jo"
    assert line.country == "FR" and line.public is False


def test_unknown_and_missing_columns_refuse_the_file():
    assert "password" in str(parse("name,signer_name,signer_email,password\n", now=NOW).problem)
    assert "signer_email" in str(parse("name,signer_name\nA,B\n", now=NOW).problem)


def test_bad_shapes_are_refused_with_their_line_and_reason():
    parsed = parse(
        HEADER + ",named_publicly\n"
        "A,robot,,S,,a@example.org,,,\n"
        "B,organisation,,S,,b@example.org,two,,\n"
        "C,organisation,,S,,c@example.org,,yesterday,\n"
        "D,organisation,,S,,d@example.org,,,maybe\n"
        "E,organisation,,S,,e@example.org,,2999-01-01,\n",
        now=NOW,
    )
    assert [(r.line, r.reason_text.split(" ")[0]) for r in parsed.refused] == [
        (2, "kind"), (3, "endorsed_revision"), (4, "signed_at"), (5, "named_publicly"),
        (6, "signed_at"),
    ]
    assert parsed.lines == []


def test_a_date_alone_is_the_start_of_that_day_in_the_zone():
    moment = parse_time("2026-03-01", "Europe/Paris")
    assert moment == dt.datetime(2026, 2, 28, 23, 0, tzinfo=dt.UTC)


def test_windows_1252_is_read():
    assert decode("Société".encode("cp1252")) == "Société"
    assert decode("\ufeffname".encode()) == "name"


def test_blank_lines_are_skipped_and_semicolons_understood():
    parsed = parse("name;signer_name;signer_email\n\nA;B;a@example.org\n", now=NOW)
    assert [line.line for line in parsed.lines] == [3]
