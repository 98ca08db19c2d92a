"""Pure invitation rules: bulk lists, response states, reminder windows, backoff, suggestions."""

from __future__ import annotations

import datetime as dt

import pytest

from coalition.domain.errors import Conflict
from coalition.domain.invitations import (
    Response,
    ResponseFacts,
    backoff,
    locate_paragraph,
    parse_bulk_csv,
    parse_bulk_lines,
    reminder_due,
    replace_paragraph,
    response_state,
)

T0 = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)


def test_bulk_lines_keep_good_lines_and_list_bad_ones_with_reasons():
    text = "\n".join(
        [
            "Human Rights House <Press@HumanRightsHouse.org>",
            "",
            "# a comment line",
            "no address here",
            "press@noname.org",
            '"Quoted Org" <info@quoted.org>',
            "Bad Address <not-an-address>",
            "Spreadsheet Org, team@sheet.org",
            "Tabbed Org\ttab@sheet.org",
            "Again <press@humanrightshouse.org>",
            " <orphan@example.org>",
            "X" * 201 + " <long@example.org>",
        ]
    )
    result = parse_bulk_lines(text)
    assert [(i.line, i.organisation, i.email) for i in result.invitees] == [
        (1, "Human Rights House", "press@humanrightshouse.org"),
        (6, "Quoted Org", "info@quoted.org"),
        (8, "Spreadsheet Org", "team@sheet.org"),
        (9, "Tabbed Org", "tab@sheet.org"),
    ]
    reasons = {bad.line: bad.reason for bad in result.bad}
    assert set(reasons) == {4, 5, 7, 10, 11, 12}
    assert "no e-mail address" in reasons[4]
    assert "organisation name is missing" in reasons[5]
    assert "not a valid e-mail address" in reasons[7]
    assert "already on line 1" in reasons[10]  # repeated within the list: reported, not doubled
    assert "organisation name is missing" in reasons[11]
    assert "longer than 200" in reasons[12]
    assert all(bad.text for bad in result.bad)


def test_bulk_lines_handle_crlf_and_empty_input():
    assert parse_bulk_lines("").invitees == []
    result = parse_bulk_lines("A <a@example.org>\r\nB <b@example.org>\r\n")
    assert [i.email for i in result.invitees] == ["a@example.org", "b@example.org"]


def test_bulk_csv_by_header_in_any_order_with_bom_and_semicolons():
    text = "\ufeffE-mail;Organisation\npress@one.org;One\n;Missing\nbad;Two\n"
    result = parse_bulk_csv(text)
    assert [(i.organisation, i.email) for i in result.invitees] == [("One", "press@one.org")]
    assert {bad.line for bad in result.bad} == {3, 4}


def test_bulk_csv_without_header_reads_first_two_columns():
    result = parse_bulk_csv('"Org, with comma",x@example.org\nshort\n')
    assert [(i.organisation, i.email) for i in result.invitees] == [
        ("Org, with comma", "x@example.org")
    ]
    assert result.bad[0].line == 2 and "two columns" in result.bad[0].reason


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (ResponseFacts(), Response.INVITED),
        (ResponseFacts(mail_sent_at=T0), Response.MAIL_SENT),
        (ResponseFacts(mail_failed_at=T0), Response.MAIL_FAILED),
        # A later successful mail outweighs an earlier failure, and the other way round.
        (ResponseFacts(mail_failed_at=T0, mail_sent_at=T0 + dt.timedelta(1)), Response.MAIL_SENT),
        (ResponseFacts(mail_sent_at=T0, mail_failed_at=T0 + dt.timedelta(1)),
         Response.MAIL_FAILED),
        (ResponseFacts(mail_sent_at=T0, opened_at=T0), Response.OPENED),
        (ResponseFacts(opened_at=T0, commented_at=T0), Response.COMMENTED),
        (ResponseFacts(commented_at=T0, declined_at=T0), Response.DECLINED),
        (ResponseFacts(declined_at=T0, signed_at=T0), Response.SIGNED),
        (ResponseFacts(opened_at=T0, expired=True), Response.EXPIRED),
        (ResponseFacts(signed_at=T0, expired=True), Response.SIGNED),
        (ResponseFacts(signed_at=T0, revoked_at=T0), Response.REVOKED),
    ],
)
def test_response_state_is_the_furthest_step(facts: ResponseFacts, expected: Response):
    assert response_state(facts) is expected


def test_reminder_due_once_per_window_and_again_after_an_extension():
    deadline = T0 + dt.timedelta(days=10)
    early = T0
    inside = deadline - dt.timedelta(days=2)
    assert not reminder_due(deadline=deadline, now=early, days_before=3, last_reminded_at=None)
    assert reminder_due(deadline=deadline, now=inside, days_before=3, last_reminded_at=None)
    # Reminded inside this window (by hand or automatically): not again.
    assert not reminder_due(
        deadline=deadline, now=inside, days_before=3, last_reminded_at=inside - dt.timedelta(1)
    )
    # Reminded before the window opened: due.
    assert reminder_due(deadline=deadline, now=inside, days_before=3, last_reminded_at=early)
    assert not reminder_due(deadline=deadline, now=deadline, days_before=3, last_reminded_at=None)
    assert not reminder_due(deadline=None, now=inside, days_before=3, last_reminded_at=None)
    later = deadline + dt.timedelta(days=10)
    assert reminder_due(
        deadline=later, now=later - dt.timedelta(days=1), days_before=3, last_reminded_at=inside
    )


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert backoff(50) == dt.timedelta(hours=6)
    assert backoff(0) == dt.timedelta(minutes=1)


BODY = "First paragraph.\n\nSecond paragraph.\n\n\nThird one\nwith two lines."


def test_replace_paragraph_keeps_the_rest_of_the_text_exactly():
    new = replace_paragraph(BODY, 1, "Second paragraph.", "A better second.")
    assert new == "First paragraph.\n\nA better second.\n\n\nThird one\nwith two lines."


def test_replace_paragraph_follows_a_moved_paragraph_and_refuses_a_changed_one():
    moved = "New intro.\n\n" + BODY
    assert replace_paragraph(moved, 1, "Second paragraph.", "X").startswith(
        "New intro.\n\nFirst paragraph.\n\nX"
    )
    with pytest.raises(Conflict):
        replace_paragraph(BODY.replace("Second", "Other"), 1, "Second paragraph.", "X")


def test_locate_paragraph():
    blocks = ["a", "b", "c"]
    assert locate_paragraph(blocks, 1, "old text", same_revision=True) == 1
    assert locate_paragraph(blocks, 0, "c", same_revision=False) == 2
    assert locate_paragraph(blocks, 1, "b", same_revision=False) == 1
    assert locate_paragraph(blocks, 1, "gone", same_revision=False) is None
