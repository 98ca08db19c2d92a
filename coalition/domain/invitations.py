"""Pure rules of invitations: bulk lists, response states, reminder windows, mail backoff.

No flask, no sqlalchemy: plain values in, plain values out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email

from coalition.domain.errors import Conflict
from coalition.domain.limits import EMAIL_MAX, NAME_MAX, refused_character
from coalition.domain.rendering import normalise_text, paragraphs

# At most this many lines in one bulk invitation: a larger list is split by the lead.
BULK_MAX_LINES = 2000

# "Organisation Name <press@example.org>"; the name may be quoted.
_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>\s*$")


@dataclass(frozen=True)
class Invitee:
    """One partner to invite, from line `line` of the pasted list or CSV."""

    line: int
    organisation: str
    email: str


@dataclass(frozen=True)
class BadLine:
    """A line that was not understood, with the reason shown to the lead."""

    line: int
    text: str
    reason: str


@dataclass
class BulkList:
    """What a pasted list or CSV holds: the invitees to make and the lines refused."""

    invitees: list[Invitee] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)


def clean_email(value: str) -> str:
    """A syntactically valid address, lower-cased; ValueError with a readable reason."""
    value = value.strip()
    if not value:
        raise ValueError("the e-mail address is missing")
    if len(value) > EMAIL_MAX:
        raise ValueError(f"the e-mail address is longer than {EMAIL_MAX} characters")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"“{value}” is not a valid e-mail address ({exc})") from exc
    return result.normalized.lower()


def clean_organisation(value: str) -> str:
    """An organisation name on one line, trimmed; ValueError when empty, too long or when it
    holds a character that is never kept (a control, a bidirectional override)."""
    found = refused_character(value)
    if found is not None:
        raise ValueError(
            f"the organisation name contains a character that cannot be kept: {found[1]}"
        )
    name = " ".join(unicodedata.normalize("NFC", value).split()).strip().strip("\"'").strip()
    if not name:
        raise ValueError("the organisation name is missing")
    if len(name) > NAME_MAX:
        raise ValueError(f"the organisation name is longer than {NAME_MAX} characters")
    return name


def _add(result: BulkList, seen: dict[str, int], number: int, text: str, name: str,
         email: str) -> None:
    try:
        organisation = clean_organisation(name)
        address = clean_email(email)
    except ValueError as exc:
        result.bad.append(BadLine(number, text, str(exc)))
        return
    if address in seen:
        result.bad.append(BadLine(number, text, f"{address} is already on line {seen[address]}"))
        return
    seen[address] = number
    result.invitees.append(Invitee(number, organisation, address))


def parse_bulk_lines(text: str) -> BulkList:
    """Parse pasted lines `Organisation Name <press@example.org>` (blank and # lines skipped).

    A line `Name, address` or `Name; address` is understood too, since that is how a
    spreadsheet column pair pastes. Bad lines are returned with their reason; the good ones
    are kept, and an address repeated within the list is reported once, not doubled.
    """
    result = BulkList()
    seen: dict[str, int] = {}
    lines = normalise_text(text).split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if number > BULK_MAX_LINES:
            result.bad.append(
                BadLine(number, line[:200], f"only {BULK_MAX_LINES} lines are read at once")
            )
            break
        match = _ANGLE.match(line)
        if match:
            _add(result, seen, number, line, match.group("name"), match.group("email"))
            continue
        separator = next((s for s in ("\t", ";", ",") if s in line), None)
        if separator:
            name, _, email = line.rpartition(separator)
            _add(result, seen, number, line, name, email)
            continue
        reason = (
            "the organisation name is missing: write “Organisation <address>”"
            if "@" in line
            else "no e-mail address: write “Organisation <address>”"
        )
        result.bad.append(BadLine(number, line[:200], reason))
    return result


_ORG_HEADERS = ("organisation", "organization", "org", "name", "organisation name")
_EMAIL_HEADERS = ("email", "e-mail", "mail", "address", "email address", "e-mail address")


def parse_bulk_csv(text: str) -> BulkList:
    """Parse an uploaded CSV: columns organisation and email (by header, else the first two)."""
    text = normalise_text(text.lstrip("\ufeff"))
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    result = BulkList()
    seen: dict[str, int] = {}
    org_col, email_col, start = 0, 1, 0
    if rows:
        header = [cell.strip().lower() for cell in rows[0]]
        found_org = next((i for i, h in enumerate(header) if h in _ORG_HEADERS), None)
        found_email = next((i for i, h in enumerate(header) if h in _EMAIL_HEADERS), None)
        if found_org is not None and found_email is not None:
            org_col, email_col, start = found_org, found_email, 1
    for index, row in enumerate(rows[start:], start=start + 1):
        text_line = ",".join(row).strip()
        if not text_line or text_line.startswith("#"):
            continue
        if index > BULK_MAX_LINES:
            result.bad.append(
                BadLine(index, text_line[:200], f"only {BULK_MAX_LINES} lines are read at once")
            )
            break
        if len(row) <= max(org_col, email_col):
            result.bad.append(
                BadLine(index, text_line[:200], "expected two columns: organisation and e-mail")
            )
            continue
        _add(result, seen, index, text_line[:200], row[org_col], row[email_col])
    return result


class Response(StrEnum):
    """Where an invitation stands, furthest step first in PRECEDENCE."""

    INVITED = "invited"
    MAIL_SENT = "mail_sent"
    MAIL_FAILED = "mail_failed"
    OPENED = "opened"
    COMMENTED = "commented"
    SIGNED = "signed"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


RESPONSE_LABELS: dict[Response, str] = {
    Response.INVITED: "Invited",
    Response.MAIL_SENT: "Mail sent",
    Response.MAIL_FAILED: "Mail failed",
    Response.OPENED: "Opened",
    Response.COMMENTED: "Commented",
    Response.SIGNED: "Signed",
    Response.DECLINED: "Declined",
    Response.REVOKED: "Revoked",
    Response.EXPIRED: "Expired",
}

# The filter "no answer": still reachable and neither signed, declined nor commented.
NO_ANSWER = frozenset({Response.INVITED, Response.MAIL_SENT, Response.MAIL_FAILED,
                       Response.OPENED})


@dataclass(frozen=True)
class ResponseFacts:
    """What is known about one invitation, each as the time it happened (or None)."""

    revoked_at: dt.datetime | None = None
    expired: bool = False
    signed_at: dt.datetime | None = None
    declined_at: dt.datetime | None = None
    commented_at: dt.datetime | None = None
    opened_at: dt.datetime | None = None
    mail_sent_at: dt.datetime | None = None
    mail_failed_at: dt.datetime | None = None


def response_state(facts: ResponseFacts) -> Response:
    """The one state shown for an invitation: the furthest step the partner has reached."""
    if facts.revoked_at is not None:
        return Response.REVOKED
    if facts.signed_at is not None:
        return Response.SIGNED
    if facts.declined_at is not None:
        return Response.DECLINED
    if facts.expired:
        return Response.EXPIRED
    if facts.commented_at is not None:
        return Response.COMMENTED
    if facts.opened_at is not None:
        return Response.OPENED
    # A failure after the last success matters: the partner has no working mail.
    if facts.mail_failed_at is not None and (
        facts.mail_sent_at is None or facts.mail_failed_at > facts.mail_sent_at
    ):
        return Response.MAIL_FAILED
    if facts.mail_sent_at is not None:
        return Response.MAIL_SENT
    return Response.INVITED


def reminder_window_start(deadline: dt.datetime, days_before: int) -> dt.datetime:
    """The moment automatic reminders for a deadline start."""
    return deadline - dt.timedelta(days=days_before)


def reminder_due(
    *,
    deadline: dt.datetime | None,
    now: dt.datetime,
    days_before: int,
    last_reminded_at: dt.datetime | None,
) -> bool:
    """Whether an automatic reminder is due: inside the window, and none sent in it yet.

    Any reminder (automatic or by hand) sent since the window opened counts, so a partner
    is never reminded twice for one deadline; an extended deadline opens a new window.
    """
    if deadline is None or days_before < 0 or now >= deadline:
        return False
    start = reminder_window_start(deadline, days_before)
    if now < start:
        return False
    return last_reminded_at is None or last_reminded_at < start


def backoff(attempts: int, *, base_seconds: int = 60, cap_seconds: int = 6 * 3600) -> dt.timedelta:
    """The wait before the next try after `attempts` failed ones: 1, 2, 4 ... minutes, capped."""
    exponent = max(0, min(attempts - 1, 20))
    return dt.timedelta(seconds=min(cap_seconds, base_seconds * 2**exponent))


def replace_paragraph(body: str, index: int, expected: str, replacement: str) -> str:
    """`body` with block `index` (as paragraphs() counts) replaced; Conflict if it changed.

    When the block at `index` is no longer `expected` (the text moved on since the
    suggestion was made) but `expected` still appears exactly once as a block, that block
    is replaced; otherwise the lead must merge by hand.
    """
    text = normalise_text(body)
    blocks = paragraphs(text)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for block in blocks:
        start = text.index(block, cursor)
        spans.append((start, start + len(block)))
        cursor = start + len(block)
    expected_norm = normalise_text(expected).strip("\n")
    target: int | None = None
    if 0 <= index < len(blocks) and blocks[index] == expected_norm:
        target = index
    else:
        matches = [i for i, block in enumerate(blocks) if block == expected_norm]
        if len(matches) == 1:
            target = matches[0]
    if target is None:
        raise Conflict(
            "The paragraph this suggestion replaces has changed since it was made: "
            "edit the text by hand to take it in.",
            fields={"suggestion": "the paragraph has changed"},
        )
    start, end = spans[target]
    new_block = normalise_text(replacement).strip("\n")
    return text[:start] + new_block + text[end:]


def locate_paragraph(
    blocks: list[str], anchor: int, anchor_text: str, *, same_revision: bool
) -> int | None:
    """Where a comment made on paragraph `anchor` (reading `anchor_text`) sits in `blocks`.

    On the revision it was made on, its own index; on a later text, the same index if that
    paragraph still reads the same, else the first paragraph that does, else None (outdated).
    """
    if 0 <= anchor < len(blocks) and (same_revision or blocks[anchor] == anchor_text):
        return anchor
    if anchor_text in blocks:
        return blocks.index(anchor_text)
    return None
