"""Signing operations: sign, replace, withdraw, close at the deadline, sort keys.

A signature's content (who, as what, which revision) never changes once saved: signing
again makes a new row that supersedes the live one (`replaces_id` points back), so the
history of what each partner endorsed stays readable. Only its status moves, with a time.
The one in-place edit is the lead's "sort as" override (see set_sort_as).

Each function takes its actor explicitly, checks the life cycle, writes audit events and
queues mail; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import Row, bindparam, case, insert, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from coalition import audit, events, roster
from coalition.database import take_write_lock
from coalition.domain import collation, lifecycle
from coalition.domain.errors import Conflict, NotFound, TooLong, ValidationError
from coalition.domain.lifecycle import State
from coalition.domain.limits import EMAIL_MAX, NAME_MAX, clean_line
from coalition.domain.signatures import SignatureStatus
from coalition.extensions import db
from coalition.invitations.access import link_url
from coalition.mail import outbox
from coalition.models import (
    SIGNATURE_KINDS,
    Edition,
    Invitation,
    Revision,
    Signature,
    SignatureRecord,
    Statement,
    User,
    utcnow,
)
from coalition.security import can_manage
from coalition.signing.logos import process_logo
from coalition.translations import services as translations

COUNTRY_MAX = 100
WEBSITE_MAX = 300

LABELS = {
    "name": "The name as it should appear",
    "signer_name": "The signer's name",
    "signer_role": "The signer's role",
    "signer_email": "The signer's e-mail address",
    "affiliation": "The affiliation",
    "country": "The country",
    "sort_as": "Sort as",
    "website": "The website",
    "public_description": "The public description",
}


# A signature a change starts from: an ORM row, or the columns the signing path reads.
Previous = Signature | Row[*tuple[Any, ...]] | None


class SigningClosed(Conflict):
    """The statement does not take signatures now (not open, or the deadline has passed)."""


@dataclass
class SignatureInput:
    """What a signer sends. None means "not given": a change keeps the previous value."""

    name: object = None
    signer_name: object = None
    signer_email: object = None
    signer_role: object = None
    kind: object = None
    affiliation: object = None
    country: object = None
    board_approved_on: object = None
    sort_as: object = None
    website: object = None
    logo: bytes | None = None
    remove_logo: bool = False
    # The display name per translation language ({"ru": "..."}); None keeps the previous
    # signature's forms (docs/translations.md).
    names: dict[str, object] | None = None
    # "Keep me informed": the statement's updates are mailed to the signer (off by default;
    # None keeps the previous signature's choice).
    wants_updates: bool | None = None
    # False: counted but never named publicly (docs/signing.md); None keeps the previous
    # choice (named, at first).
    public: object = None
    public_description: object = None


@dataclass(frozen=True)
class CleanSignature:
    """A SignatureInput checked and normalised, ready to store."""

    name: str
    kind: str
    affiliation: str
    country: str
    signer_name: str
    signer_role: str
    signer_email: str
    board_approved_on: dt.date | None
    sort_as: str | None
    website: str
    logo: bytes | None
    logo_type: str | None
    wants_updates: bool = False
    public: bool = True
    public_description: str = ""


@dataclass(frozen=True)
class Recording:
    """A signature the lead records for its partner (signing.recording): who recorded it,
    the revision the partner approved, when, and the evidence. The signature then goes the
    partner's own way (sign), so it counts, is checked and is announced like any other."""

    actor: User
    revision: int
    approved_at: dt.datetime | None
    evidence_text: str = ""
    file_name: str | None = None
    file_type: str | None = None
    file_content: bytes | None = None
    import_id: int | None = None
    import_line: int | None = None


# --- input -------------------------------------------------------------------------------


def _line(field: str, value: object, *, limit: int = NAME_MAX, required: bool = False) -> str:
    """A one-line text with a message naming the field as the form labels it."""
    try:
        return clean_line(field, value, limit=limit, required=required)
    except TooLong as error:
        label = LABELS.get(field, field)
        message = label + error.message[len(field) :]
        raise TooLong(message, fields={field: message}, count=error.count,
                      limit=error.limit) from error
    except ValidationError as error:
        label = LABELS.get(field, field)
        message = label + error.message[len(field) :]
        raise ValidationError(message, fields={field: message}) from error


def clean_email(value: object, field: str = "signer_email") -> str:
    """A syntactically valid e-mail address (no DNS look-up), domain lower-cased."""
    text = _line(field, value, limit=EMAIL_MAX, required=True)
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        message = f"{LABELS.get(field, field)} is not valid: {error}"
        raise ValidationError(message, fields={field: message}) from error
    return str(result.normalized)


def clean_website(value: object) -> str:
    """An http(s) address; a bare domain gets https:// in front."""
    text = _line("website", value, limit=WEBSITE_MAX)
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host or " " in text:
        message = "The website must be an address such as https://example.org."
        raise ValidationError(message, fields={"website": message})
    return text


def _clean_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        message = "The board approval date must be a date such as 2026-11-20."
        raise ValidationError(message, fields={"board_approved_on": message})
    # A day of slack: "today" in the signer's time zone may be tomorrow in UTC.
    if value > utcnow().date() + dt.timedelta(days=1):
        message = "The board approval date cannot be in the future."
        raise ValidationError(message, fields={"board_approved_on": message})
    return value


def _kind(value: object) -> str:
    if value not in SIGNATURE_KINDS:
        message = "The kind must be organisation or individual."
        raise ValidationError(message, fields={"kind": message})
    return str(value)


def _public(value: object) -> bool:
    if not isinstance(value, bool):
        message = "Whether to be named publicly must be true or false."
        raise ValidationError(message, fields={"public": message})
    return value


def _country(value: object) -> str:
    country = _line("country", value, limit=COUNTRY_MAX)
    # A two-letter value is an ISO 3166 code, as the exports expect.
    return country.upper() if len(country) == 2 and country.isalpha() else country


def _logo(data: SignatureInput, previous: Previous) -> tuple[bytes | None, str | None]:
    if data.logo:
        return process_logo(
            data.logo,
            max_bytes=current_app.config["LOGO_MAX_BYTES"],
            max_pixels=current_app.config["LOGO_MAX_PIXELS"],
        )
    if data.remove_logo or previous is None:
        return None, None
    return previous.logo, previous.logo_type


def clean_input(data: SignatureInput, previous: Previous = None) -> CleanSignature:
    """Check a signer's input; fields left out keep the previous signature's values.

    Every field is checked before refusing, so a form shows all its mistakes at once.
    """

    def given(attribute: str, default: object = "") -> object:
        value = getattr(data, attribute)
        if value is not None:
            return value
        before = getattr(previous, attribute) if previous is not None else None
        return before if before is not None else default

    errors: dict[str, str] = {}
    messages: list[str] = []
    values: dict[str, object] = {}
    checks: list[tuple[str, Callable[[], object]]] = [
        ("name", lambda: _line("name", data.name, required=True)),
        ("kind", lambda: _kind(given("kind", "organisation"))),
        ("affiliation", lambda: _line("affiliation", given("affiliation"))),
        ("country", lambda: _country(given("country"))),
        ("signer_name", lambda: _line("signer_name", given("signer_name"), required=True)),
        ("signer_role", lambda: _line("signer_role", given("signer_role"))),
        ("signer_email", lambda: clean_email(given("signer_email"))),
        ("board_approved_on", lambda: _clean_date(data.board_approved_on)
         if data.board_approved_on is not None
         else getattr(previous, "board_approved_on", None)),
        ("sort_as", lambda: _line("sort_as", given("sort_as")) or None),
        ("website", lambda: clean_website(given("website"))),
        ("logo", lambda: _logo(data, previous)),
        ("public", lambda: _public(given("public", True))),
        ("public_description", lambda: _line("public_description", given("public_description"))),
    ]
    lengths: dict[str, tuple[int, int]] = {}
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationError as error:
            errors.update(error.fields or {name: error.message})
            lengths.update(error.lengths)
            messages.append(error.message)
    if errors:
        message = messages[0] if len(messages) == 1 else (
            f"Please correct the {len(messages)} fields marked: " + " ".join(messages)
        )
        refused = ValidationError(message, fields=errors)
        refused.lengths = lengths
        raise refused
    kind = str(values["kind"])
    board = values["board_approved_on"]
    logo_pair = values["logo"]
    assert isinstance(logo_pair, tuple)
    logo: bytes | None = logo_pair[0]
    logo_type: str | None = logo_pair[1]
    return CleanSignature(
        name=str(values["name"]),
        kind=kind,
        # An affiliation identifies an individual; an organisation is its own affiliation.
        affiliation=str(values["affiliation"]) if kind == "individual" else "",
        country=str(values["country"]),
        signer_name=str(values["signer_name"]),
        signer_role=str(values["signer_role"]),
        signer_email=str(values["signer_email"]),
        board_approved_on=board if isinstance(board, dt.date) else None,
        sort_as=values["sort_as"] if isinstance(values["sort_as"], str) else None,
        website=str(values["website"]),
        logo=logo,
        logo_type=logo_type,
        wants_updates=(
            data.wants_updates
            if data.wants_updates is not None
            else bool(getattr(previous, "wants_updates", False))
        ),
        public=bool(values["public"]),
        public_description=str(values["public_description"]),
    )


# --- life cycle --------------------------------------------------------------------------


def deadline_passed(statement: Statement, now: dt.datetime | None = None) -> bool:
    """Whether the statement's sign-on deadline is behind us."""
    return statement.sign_deadline is not None and statement.sign_deadline <= (now or utcnow())


def signing_open(statement: Statement, now: dt.datetime | None = None) -> bool:
    """Signatures are taken while the statement is open and its deadline is ahead."""
    return lifecycle.accepts_signatures(statement.state_enum) and not deadline_passed(
        statement, now
    )


def embargo_until(statement: Statement, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the newest edition becomes public, while it waits for its embargo; else None."""
    if statement.published_at is None:
        return None
    public_from = db.session.scalar(
        select(Edition.public_from)
        .where(Edition.statement_id == statement.id)
        .order_by(Edition.number.desc())
        .limit(1)
    )
    return public_from if public_from is not None and public_from > (now or utcnow()) else None


def closed_reason(statement: Statement) -> str | None:
    """Why signing is closed, for partners; None while it is open."""
    if signing_open(statement):
        return None
    state = statement.state_enum
    if state is State.OPEN or state is State.CLOSED:
        return "Signing has closed: the deadline has passed or the lead organisation closed it."
    if state is State.PUBLISHED:
        return "The statement has been published; signing is closed."
    return "The statement is not open for signing yet."


def ensure_open(statement: Statement) -> None:
    """Raise SigningClosed unless the statement takes signatures now."""
    reason = closed_reason(statement)
    if reason is not None:
        raise SigningClosed(reason, fields={"state": statement.state})


def close_if_due(statement: Statement, now: dt.datetime | None = None) -> bool:
    """Move an open statement whose deadline has passed to closed; any request may call it."""
    if statement.state_enum is not State.OPEN or not deadline_passed(statement, now):
        return False
    lifecycle.transition(State.OPEN, State.CLOSED)
    statement.state = State.CLOSED.value
    statement.updated_at = utcnow()
    audit.record(
        "statement.state_changed",
        actor=None,
        statement=statement,
        old=State.OPEN.value,
        new=State.CLOSED.value,
        reason="deadline",
    )
    events.state_changed.send(
        statement, actor=None, old=State.OPEN.value, new=State.CLOSED.value, reason="deadline"
    )
    return True


def close_due_statements(now: dt.datetime | None = None) -> list[Statement]:
    """Close every open statement whose deadline has passed (the close-due command)."""
    moment = now or utcnow()
    due = db.session.scalars(
        select(Statement).where(
            Statement.state == State.OPEN.value,
            Statement.sign_deadline.is_not(None),
            Statement.sign_deadline <= moment,
        )
    ).all()
    return [statement for statement in due if close_if_due(statement, moment)]


# --- signing -----------------------------------------------------------------------------


def latest_signature(invitation: Invitation) -> Signature | None:
    """The invitation's most recent signature row, whatever its status."""
    return db.session.scalar(
        select(Signature)
        .where(Signature.invitation_id == invitation.id)
        .order_by(Signature.id.desc())
        .limit(1)
    )


# Prebuilt statements of the signing path. A signature is the one write a large coalition
# makes by the thousand, so its statements are built once and run on the session's
# connection: SQLAlchemy's ORM layer costs about 100 µs a statement on top of Core, and a
# flush of the new rows several hundred more (docs/performance.md, "Sign-on").
_BASIS_COLUMNS = (
    Signature.id, Signature.status, Signature.kind, Signature.affiliation, Signature.country,
    Signature.signer_name, Signature.signer_role, Signature.signer_email,
    Signature.board_approved_on, Signature.sort_as, Signature.website, Signature.logo,
    Signature.logo_type, Signature.wants_updates, Signature.public,
    Signature.public_description,
)
# The live signature, else the most recent row: what a change keeps.
_BASIS_ID_OF = (
    select(Signature.id)
    .where(Signature.invitation_id == bindparam("invitation_id"))
    .order_by(case((Signature.live, 0), else_=1), Signature.id.desc())
    .limit(1)
    .scalar_subquery()
)
# What a plan reads, in one query: the current revision's number and hash (not its body:
# a text runs to 200,000 characters) and the basis, if the partner has signed before.
_PLAN_READ = (
    select(
        Revision.number.label("revision_number"),
        Revision.sha256.label("revision_sha256"),
        *_BASIS_COLUMNS,
        # The revision the basis endorsed: a change that moves it on is a re-confirmation.
        Signature.revision_number.label("basis_revision"),
    )
    .select_from(Revision)
    .outerjoin(Signature, Signature.id == _BASIS_ID_OF)
    .where(
        Revision.statement_id == bindparam("statement_id"),
        Revision.number == bindparam("number"),
    )
)
_INSERT_SIGNATURE = insert(Signature).returning(Signature.id)
_SUPERSEDE = (
    update(Signature)
    .where(Signature.id == bindparam("signature_id"), Signature.live)
    .values(status=SignatureStatus.SUPERSEDED, ended_at=bindparam("now"), ended_by=bindparam("by"))
)
# What a signing plan depends on, read again once the lock is held (see sign).
_FRESH = (
    select(
        Statement.state, Statement.sign_deadline, Statement.current_revision,
        Invitation.revoked_at, _BASIS_ID_OF,
    )
    .join(Statement, Statement.id == Invitation.statement_id)
    .where(Invitation.id == bindparam("invitation_id"))
)
_LOCK_FOR_UPDATE = (
    select(Invitation.id).where(Invitation.id == bindparam("invitation_id")).with_for_update()
)


class Endorsed(NamedTuple):
    """The revision a new signature endorses: its number and the SHA-256 of its text."""

    number: int
    sha256: str


def _read_for_plan(
    invitation_id: int | None, statement: Statement, number: int | None = None
) -> tuple[Endorsed, Row[*tuple[Any, ...]] | None]:
    """The revision a signature would endorse (the current one unless `number` names an
    earlier one a partner approved), and the basis of a change (None at first)."""
    row = db.session.connection().execute(_PLAN_READ, {
        "invitation_id": invitation_id,
        "statement_id": statement.id,
        "number": statement.current_revision if number is None else number,
    }).first()
    if row is None:
        if number is not None:
            message = (f"Revision {number} does not exist: the latest is "
                       f"{statement.current_revision}.")
            raise ValidationError(message, fields={"revision": message})
        raise NotFound("The statement has no text yet.")  # pragma: no cover - never happens
    return Endorsed(row.revision_number, row.revision_sha256), row if row.id is not None else None


def _current_revision(statement: Statement) -> Endorsed:
    """The revision a signature without an invitation would endorse (open sign-on)."""
    return _read_for_plan(None, statement)[0]


def _lock_invitation(invitation: Invitation) -> bool:
    """Serialise signing per invitation before its live signature is replaced.

    SQLite has no row locks: its write lock, held from BEGIN IMMEDIATE to the commit,
    makes this the only writer (a write request holds it from its first statement, a view
    marked late_write_lock takes it here). PostgreSQL: a row lock (SELECT ... FOR UPDATE)
    held to the commit. True when the lock was taken now, so rows read before this call
    may be stale and must be checked again.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        return take_write_lock()
    connection.execute(_LOCK_FOR_UPDATE, {"invitation_id": invitation.id})
    return True


def sort_key_for(name: str, statement: Statement, sort_as: str | None) -> bytes:
    """The stored collation key of a name in the statement's language."""
    return collation.sort_key(name, statement.language or "en", sort_as)


def _row_values(
    statement: Statement,
    revision: Endorsed,
    clean: CleanSignature,
    *,
    invitation_id: int | None,
    status: SignatureStatus,
    replaces_id: int | None = None,
) -> dict[str, Any]:
    """Every column of a new signature row, from what the signer sent and what it endorses."""
    return {
        "statement_id": statement.id,
        "invitation_id": invitation_id,
        "status": status,
        "name": clean.name,
        "sort_as": clean.sort_as,
        "sort_key": sort_key_for(clean.name, statement, clean.sort_as),
        "sort_rules": collation.RULES_VERSION,
        "kind": clean.kind,
        "affiliation": clean.affiliation,
        "country": clean.country,
        "signer_name": clean.signer_name,
        "signer_role": clean.signer_role,
        "signer_email": clean.signer_email,
        "board_approved_on": clean.board_approved_on,
        "website": clean.website,
        "logo": clean.logo,
        "logo_type": clean.logo_type,
        "wants_updates": clean.wants_updates,
        "public": clean.public,
        "public_description": clean.public_description,
        "revision_number": revision.number,
        "revision_sha256": revision.sha256,
        "created_at": utcnow(),
        "replaces_id": replaces_id,
        "ended_at": None,
        "ended_by": "",
        "confirm_token_hash": None,
        "flagged": "",
        "reviewed_at": None,
        "reviewed_by_id": None,
    }


def _new_row(
    statement: Statement,
    revision: Endorsed,
    clean: CleanSignature,
    *,
    invitation: Invitation | None,
    status: SignatureStatus,
) -> Signature:
    """A new signature as an ORM object, for the caller to add (open sign-on requests)."""
    return Signature(**_row_values(
        statement, revision, clean,
        invitation_id=invitation.id if invitation is not None else None, status=status,
    ))


def _insert_live(values: dict[str, Any]) -> Signature:
    """Insert a signature row and return it as a persistent ORM object, without a query."""
    new_id = db.session.connection().execute(_INSERT_SIGNATURE, values).scalar_one()
    signature = Signature(**values)
    signature.id = new_id
    make_transient_to_detached(signature)
    db.session.add(signature)
    return signature


def _supersede(old_id: int, by: str, now: dt.datetime) -> bool:
    """Move a live row to superseded; False if someone else moved it first."""
    result = db.session.connection().execute(
        _SUPERSEDE, {"signature_id": old_id, "now": now, "by": by}
    )
    # A copy this session holds (a page read the live signature) is out of date now.
    loaded = db.session.identity_map.get(identity_key(Signature, old_id))
    if loaded is not None:
        db.session.expire(loaded, ["status", "ended_at", "ended_by"])
    return bool(result.rowcount == 1)


@dataclass
class _Plan:
    """A signature checked, keyed and its receipt rendered: all that precedes the write."""

    basis_id: int | None  # the row read as the basis of a change (None: the first one)
    live: Row[*tuple[Any, ...]] | None  # the live row it replaces
    revision: Endorsed
    clean: CleanSignature
    names: dict[str, str]  # the forms per language: given, or kept from the replaced row
    receipt: outbox.Message


def _plan(
    invitation: Invitation, statement: Statement, data: SignatureInput, token: str | None,
    recording: Recording | None = None,
) -> _Plan:
    if invitation.revoked_at is not None:
        raise NotFound("This invitation link is not valid.", fields={"token": "not valid"})
    ensure_open(statement)
    revision, basis = _read_for_plan(
        invitation.id, statement, recording.revision if recording is not None else None
    )
    clean = clean_input(data, basis)
    names = translations.clean_names(statement, data.names)
    live = basis if basis is not None and basis.status == SignatureStatus.LIVE else None
    if names is None:
        # Not given: a change keeps the replaced row's forms (read now, not under the lock).
        names = translations.names_of({live.id}).get(live.id, {}) if live is not None else {}
    return _Plan(
        basis_id=basis.id if basis is not None else None,
        live=live,
        revision=revision,
        clean=clean,
        names=names,
        receipt=_receipt(invitation, statement, revision, clean, token=token,
                         created=live is None, recording=recording),
    )


def _unchanged(invitation: Invitation, statement: Statement, plan: _Plan) -> bool:
    """Whether what the plan was made from still holds, read again under the lock."""
    fresh = db.session.connection().execute(
        _FRESH, {"invitation_id": invitation.id}
    ).first()
    return fresh is not None and tuple(fresh) == (
        statement.state, statement.sign_deadline, statement.current_revision,
        invitation.revoked_at, plan.basis_id,
    )


def _save_live(
    invitation: Invitation, statement: Statement, plan: _Plan, actor: User | Invitation
) -> tuple[Signature, Row[*tuple[Any, ...]] | None]:
    """Insert the new live row, superseding the plan's live one; under the invitation's lock.

    Every signing of an invitation holds its lock (SQLite's write lock, PostgreSQL's row
    lock) and checks the plan once it has it, so no other request can have replaced or
    added a live row since: no savepoint, no retry, and the unique index on live rows is
    a guard that cannot trip.
    """
    previous = plan.live
    if previous is not None and not _supersede(
        previous.id, audit.actor_label(actor), utcnow()
    ):  # pragma: no cover - ruled out by the lock; a 409 rather than a broken row
        raise Conflict("Your signature changed while it was saved: try again.")
    signature = _insert_live(_row_values(
        statement, plan.revision, plan.clean, invitation_id=invitation.id,
        status=SignatureStatus.LIVE, replaces_id=previous.id if previous is not None else None,
    ))
    return signature, previous


def sign(
    invitation: Invitation, data: SignatureInput, *, token: str | None = None,
    recording: Recording | None = None,
) -> tuple[Signature, bool]:
    """Sign (or change the signature) for an invitation's partner; True when newly created.

    The partner is the actor: the invitation token is its key. The receipt carries the
    invitation's one link (`token`, the link it came through, is no longer needed there).
    With `recording`, a lead user records what the partner approved elsewhere (by e-mail,
    by phone): the same path, with the lead as the actor, the revision the partner
    approved, and the evidence kept beside the signature (signing.recording).

    Everything that takes time (reading the basis, checking the input, the sort key, the
    receipt) is done before the invitation is locked. When the lock is taken only now
    (PostgreSQL's row lock; SQLite's write lock in a view marked `late_write_lock`), what
    the plan was made from is read again, and the plan made anew if it changed.
    """
    statement = invitation.statement
    plan = _plan(invitation, statement, data, token, recording)
    if _lock_invitation(invitation) and not _unchanged(invitation, statement, plan):
        # The lead closed signing, saved a revision or revoked the link, or the partner
        # signed in another tab, while we waited: decide on what is true now.
        db.session.refresh(statement)
        db.session.refresh(invitation)
        plan = _plan(invitation, statement, data, token, recording)
    ensure_open(statement)  # the deadline may have passed while we waited for the lock
    actor: User | Invitation = recording.actor if recording is not None else invitation
    signature, previous = _save_live(invitation, statement, plan, actor)
    translations.record_names(signature, plan.names)
    created = previous is None
    recorded: dict[str, Any] = {}
    if recording is not None:
        _keep_record(signature, recording)
        recorded = {"recorded_for": invitation.organisation,
                    "approved_at": recording.approved_at.isoformat()
                    if recording.approved_at is not None else None}
    audit.record(
        "signature.signed" if created else "signature.replaced",
        actor=actor,
        statement=statement,
        signature=signature.id,
        replaces=previous.id if previous is not None else None,
        name=signature.name,
        revision=plan.revision.number,
        public=signature.public,
        **recorded,
    )
    outbox.write(plan.receipt)
    announce(
        statement, signature, actor=actor,
        previous_revision=previous.basis_revision if previous is not None else None,
    )
    return signature, created


def _keep_record(signature: Signature, recording: Recording) -> None:
    """The recording's facts beside the signature row it made."""
    db.session.connection().execute(insert(SignatureRecord), {
        "signature_id": signature.id,
        "statement_id": signature.statement_id,
        "recorded_by_id": recording.actor.id,
        "approved_at": recording.approved_at,
        "evidence_text": recording.evidence_text,
        "file_name": recording.file_name,
        "file_type": recording.file_type,
        "file_content": recording.file_content,
        "import_id": recording.import_id,
        "import_line": recording.import_line,
        "created_at": utcnow(),
    })


def announce(
    statement: Statement,
    signature: Signature,
    *,
    actor: audit.Actor,
    previous_revision: int | None = None,
    withdrawn: bool = False,
) -> None:
    """Tell other features (webhooks) that a signature became live, changed or ended.

    Every path that makes a signature live (the partner's sign-on, an approved open sign-on
    or late request, a signature recorded by the lead) or ends one calls this once, in its
    transaction, after its rows and audit event are written. `previous_revision` is the
    revision the replaced live signature endorsed (None: nothing was replaced).
    """
    if withdrawn:
        change = "withdrawn"
    elif previous_revision is None:
        change = "created"
    elif previous_revision < signature.revision_number:
        change = "reconfirmed"
    else:
        change = "replaced"
    events.signature_changed.send(statement, actor=actor, signature=signature, change=change)


def reconfirm(invitation: Invitation, *, token: str | None = None) -> tuple[Signature, bool]:
    """Sign the current text again with the same details (one click for the partner)."""
    previous = roster.live_signature(invitation)
    if previous is None:
        raise Conflict("There is no signature to re-confirm.", fields={"signature": "none"})
    return sign(invitation, SignatureInput(name=previous.name), token=token)


def _receipt(
    invitation: Invitation,
    statement: Statement,
    revision: Endorsed,
    clean: CleanSignature,
    *,
    token: str | None,
    created: bool,
    recording: Recording | None = None,
) -> outbox.Message:
    """The signer's receipt: what it signed, as what, and how to change it (and, for a
    signature the lead recorded, who recorded it and that the text has changed since)."""
    signature = SimpleNamespace(
        name=clean.name, signer_name=clean.signer_name, affiliation=clean.affiliation,
        country=clean.country, revision_number=revision.number,
        revision_sha256=revision.sha256, public=clean.public,
        public_description=clean.public_description,
    )
    return outbox.compose(
        "signature_receipt",
        to=clean.signer_email,
        subject=lazy_gettext("Your signature is recorded: %(title)s", title=statement.title)
        if recording is not None
        else lazy_gettext("You signed: %(title)s", title=statement.title)
        if created
        else lazy_gettext("You changed your signature on: %(title)s", title=statement.title),
        context={
            "statement": statement,
            "signature": signature,
            "invitation": invitation,
            "created": created,
            "manage_url": link_url(invitation),  # where it is changed or withdrawn
            "recorded_by": recording.actor.display_name if recording is not None else None,
            "lead_organisation": statement.organisation.name,
            "approved_at": recording.approved_at if recording is not None else None,
            "covers_current": recording is None
            or roster.floor(statement) <= revision.number <= statement.current_revision,
        },
        statement=statement,
        invitation=invitation,
    )


# --- withdrawal --------------------------------------------------------------------------


def withdraw(invitation: Invitation) -> Signature:
    """Withdraw the invitation's live signature (a retraction once published); by its partner."""
    if invitation.revoked_at is not None:
        raise NotFound("This invitation link is not valid.", fields={"token": "not valid"})
    _lock_invitation(invitation)
    signature = roster.live_signature(invitation)
    if signature is None:
        raise Conflict(
            "There is no signature to withdraw.", fields={"signature": "no live signature"}
        )
    status = roster.withdrawal_status(signature)
    now = utcnow()
    signature.status = status
    signature.ended_at = now
    signature.ended_by = audit.actor_label(invitation)
    statement = invitation.statement
    audit.record(
        f"signature.{status}",
        actor=invitation,
        statement=statement,
        signature=signature.id,
        name=signature.name,
    )
    announce(statement, signature, actor=invitation, withdrawn=True)
    outbox.queue(
        "signature_withdrawn",
        to=signature.signer_email,
        subject=lazy_gettext("Signature withdrawn: %(title)s", title=statement.title),
        context={"statement": statement, "signature": signature, "status": status},
        statement=statement,
        invitation=invitation,
    )
    return signature


# --- sort keys ---------------------------------------------------------------------------


def set_sort_as(actor: User, signature: Signature, sort_as: object) -> Signature:
    """Set or clear the lead's "sort as" override and recompute the key; lead only.

    Decision: "sort as" is how the lead files a name, not part of what the signer endorsed,
    so it is edited in place (with an audit event) rather than by a superseding row, which
    would count as the partner signing again.
    """
    statement = db.session.get(Statement, signature.statement_id)
    assert statement is not None
    if not can_manage(actor, statement):
        raise NotFound("No such signature.")
    value = _line("sort_as", sort_as) or None
    old = signature.sort_as
    if value == old:
        return signature
    signature.sort_as = value
    signature.sort_key = sort_key_for(signature.name, statement, value)
    signature.sort_rules = collation.RULES_VERSION
    audit.record(
        "signature.sort_as_changed",
        actor=actor,
        statement=statement,
        signature=signature.id,
        name=signature.name,
        old=old,
        new=value,
    )
    return signature


def resort(
    *, statement: Statement | None = None, everything: bool = False, actor: User | None = None
) -> int:
    """Recompute sort keys made under older collation rules (or all); returns the count.

    Each statement in scope is then marked as sorted under the current rules
    (``Statement.sort_rules``): its lists are read in SQL order again (coalition.roster).
    """
    query = select(Signature)
    if statement is not None:
        query = query.where(Signature.statement_id == statement.id)
    if not everything:
        query = query.where(Signature.sort_rules != collation.RULES_VERSION)
    languages: dict[int, Statement] = {}
    count = 0
    for signature in db.session.scalars(query.order_by(Signature.id)):
        owner = languages.get(signature.statement_id)
        if owner is None:
            owner = languages[signature.statement_id] = db.session.get(
                Statement, signature.statement_id
            )  # type: ignore[assignment]
        assert owner is not None
        signature.sort_key = sort_key_for(signature.name, owner, signature.sort_as)
        signature.sort_rules = collation.RULES_VERSION
        count += 1
    sorted_now = update(Statement).where(Statement.sort_rules != collation.RULES_VERSION)
    if statement is not None:
        sorted_now = sorted_now.where(Statement.id == statement.id)
    db.session.execute(sorted_now.values(sort_rules=collation.RULES_VERSION))
    if count:
        audit.record(
            "signatures.resorted",
            actor=actor,
            statement=statement,
            count=count,
            rules=collation.RULES_VERSION,
        )
    return count


def _on_language_changed(statement: Statement, **kwargs: object) -> None:
    # Every key was made under the old language's collation: the list is re-sorted at once,
    # in the same transaction, so no page ever lists it in the wrong order.
    actor = kwargs.get("actor")
    resort(statement=statement, everything=True, actor=actor if isinstance(actor, User) else None)


def connect() -> None:
    """Listen for language changes (idempotent: blinker keeps one connection per receiver)."""
    events.language_changed.connect(_on_language_changed)
