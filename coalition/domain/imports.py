"""A CSV of signatures to record, read in plain values: columns, lines, refusals.

The columns are those of the signatories CSV the lead downloads (either download: the
signatories page's or the publication page's), so a list exported, edited in a
spreadsheet and uploaded again is understood. Cells the export escaped against formula
injection (a leading ' before = + - @) are read back as they were typed. This module
checks the shape of each line (a known kind, a yes/no, a revision number, a time); the
signing service checks the text itself as it checks a partner's form, and the database
decides duplicates.

No flask, no sqlalchemy: plain values in, plain values out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass, field

from coalition.domain.errors import Said, say
from coalition.domain.exports import unescape_csv_cell
from coalition.domain.rendering import normalise_text

# At most this many lines are read from one file: a larger list is split by the lead.
IMPORT_MAX_LINES = 1000
# The largest file read (the bulk invitation's limit).
IMPORT_MAX_BYTES = 1024 * 1024

# Columns read into a signature.
READ = (
    "name", "kind", "affiliation", "country", "country_code", "signer_name", "signer_role",
    "signer_email", "board_approved_on", "endorsed_revision", "signed_at", "sort_as",
    "named_publicly", "public_description",
)
# Columns the exports write that say nothing a signature stores (they are worked out again).
IGNORED = ("position", "endorses_current_text")
REQUIRED = ("name", "signer_name", "signer_email")

_YES = {"yes", "y", "true", "1", "oui", "o"}
_NO = {"no", "n", "false", "0", "non"}


@dataclass(frozen=True)
class ImportLine:
    """One line of the file, its cells as typed (escapes undone) and its shape checked."""

    line: int
    text: str  # the line as shown back to the lead
    name: str
    kind: str
    affiliation: str
    country: str
    signer_name: str
    signer_role: str
    signer_email: str
    board_approved_on: dt.date | None
    revision: int | None  # None: the current text
    approved_at: dt.datetime | None
    sort_as: str
    public: bool
    public_description: str


@dataclass(frozen=True)
class RefusedLine:
    """A line that is not imported, with the reason shown to the lead."""

    line: int
    text: str
    reason: tuple[Said, ...]

    @property
    def reason_text(self) -> str:
        """The reason in English (the API's answer)."""
        return " ".join(str(part) for part in self.reason)


@dataclass
class ParsedImport:
    """What a file holds: its good lines, its refused lines, or why it cannot be read."""

    lines: list[ImportLine] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)
    problem: Said | None = None  # the whole file is refused (no header, unknown columns)


def decode(raw: bytes) -> str | None:
    """A file's text: UTF-8 (with or without its BOM), else Windows-1252 (what Excel writes
    on Windows); None when it is neither, or holds NUL (no text file does, and no database
    text column can keep it)."""
    if b"\x00" in raw:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _yes_no(value: str) -> bool | None:
    word = value.strip().lower()
    if not word:
        return True
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


def parse_time(value: str, zone: str) -> dt.datetime | None:
    """An ISO 8601 time (with its offset, or read in `zone`), or a date (its start in
    `zone`); ValueError when it is neither."""
    text = value.strip()
    if not text:
        return None
    try:
        tz: dt.tzinfo = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC)


def _line(number: int, row: dict[str, str], text: str, zone: str,
          now: dt.datetime) -> ImportLine | RefusedLine:
    """One row's shape: kind, yes/no, revision, times; the texts stay as typed."""
    reasons: list[Said] = []
    kind = row.get("kind", "").strip().lower() or "organisation"
    if kind not in ("organisation", "individual"):
        reasons.append(say("kind must be organisation or individual, not “%(value)s”.",
                           value=row.get("kind", "")))
    public = _yes_no(row.get("named_publicly", ""))
    if public is None:
        reasons.append(say("named_publicly must be yes or no, not “%(value)s”.",
                           value=row.get("named_publicly", "")))
    revision: int | None = None
    given = row.get("endorsed_revision", "").strip()
    if given:
        if given.isdigit() and 0 < int(given) < 1_000_000:
            revision = int(given)
        else:
            reasons.append(say("endorsed_revision must be a revision number, not “%(value)s”.",
                               value=given))
    approved_at: dt.datetime | None = None
    try:
        approved_at = parse_time(row.get("signed_at", ""), zone)
    except ValueError:
        reasons.append(say("signed_at must be a date or a time such as 2026-12-01T12:00:00Z, "
                           "not “%(value)s”.", value=row.get("signed_at", "")))
    else:
        if approved_at is not None and approved_at > now + dt.timedelta(minutes=5):
            reasons.append(say("signed_at is in the future."))
    board: dt.date | None = None
    board_text = row.get("board_approved_on", "").strip()
    if board_text:
        try:
            board = dt.date.fromisoformat(board_text[:10])
        except ValueError:
            reasons.append(say("board_approved_on must be a date such as 2026-11-20, "
                               "not “%(value)s”.", value=board_text))
    if reasons:
        return RefusedLine(number, text, tuple(reasons))
    country = row.get("country_code", "").strip() or row.get("country", "")
    return ImportLine(
        line=number, text=text, name=row.get("name", ""), kind=kind,
        affiliation=row.get("affiliation", ""), country=country,
        signer_name=row.get("signer_name", ""), signer_role=row.get("signer_role", ""),
        signer_email=row.get("signer_email", ""), board_approved_on=board,
        revision=revision, approved_at=approved_at, sort_as=row.get("sort_as", ""),
        public=bool(public), public_description=row.get("public_description", ""),
    )


def _header(cells: list[str]) -> tuple[list[str], Said | None]:
    names = [cell.strip().lower().lstrip("\ufeff") for cell in cells]
    unknown = [name for name in names if name and name not in READ and name not in IGNORED]
    if unknown:
        return names, say(
            "The first line must name the columns of the signatories CSV; these are not "
            "among them: %(columns)s.", columns=", ".join(unknown))
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        return names, say("The file has no column %(columns)s: the first line must name the "
                          "columns of the signatories CSV.", columns=", ".join(missing))
    return names, None


def parse(text: str, *, zone: str = "UTC", now: dt.datetime | None = None) -> ParsedImport:
    """Read a signatories CSV: its first line names the columns (any order, any subset
    holding name, signer_name and signer_email); blank lines are skipped."""
    now = now or dt.datetime.now(dt.UTC)
    text = normalise_text(text.lstrip("\ufeff"))
    # The separator is the one the first line (the column names) uses most: a spreadsheet
    # in a French locale writes ";". Quotes are always '"' (a sniffer can take a name's
    # apostrophe for one).
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    result = ParsedImport()
    # A cell may be as long as the file (the module's default stops at 128 KiB).
    csv.field_size_limit(max(csv.field_size_limit(), IMPORT_MAX_BYTES + 1))
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        result.problem = say("The file could not be read as CSV: %(reason)s.", reason=str(error))
        return result
    if not rows:
        result.problem = say("The file is empty.")
        return result
    names, result.problem = _header(rows[0])
    if result.problem is not None:
        return result
    for number, cells in enumerate(rows[1:], start=2):
        shown = ",".join(cells).strip()
        if not shown.strip(","):
            continue
        if number > IMPORT_MAX_LINES + 1:
            result.refused.append(RefusedLine(number, shown[:200], (say(
                "Only the first %(limit)s lines are read: split the file.",
                limit=IMPORT_MAX_LINES),)))
            break
        if len(cells) > len(names):
            result.refused.append(RefusedLine(number, shown[:200], (say(
                "This line has %(found)s cells where the first line names %(expected)s "
                "columns.", found=len(cells), expected=len(names)),)))
            continue
        row = {name: unescape_csv_cell(cell) for name, cell in zip(names, cells, strict=False)
               if name in READ}
        parsed = _line(number, row, shown[:200], zone, now)
        if isinstance(parsed, RefusedLine):
            result.refused.append(parsed)
        else:
            result.lines.append(parsed)
    return result
