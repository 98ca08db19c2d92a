"""Signatures recorded on a partner's behalf, one at a time or imported from a CSV.

Half of a coalition's answers arrive by e-mail or by phone. The lead records such an
answer: which revision the partner approved, who approved it (as the signer wrote it),
when, and the evidence. The signature is then made by the partner's own path
(services.sign, with a Recording): it counts, is checked and collated, is replaced,
withdrawn and re-confirmed like any other, and the partner gets the receipt with its
invitation's one link. A partner not invited before gets an invitation (without the
invitation mail: the receipt carries the same link).

An import is held (SignatureImport) and written to nothing else until the lead confirms;
the confirmation reads the file again and checks it against what is true then, and
refuses when the preview the lead saw no longer holds.

Each function takes its actor, checks it may manage the statement, and leaves the commit
to the caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload

from coalition import audit, roster
from coalition.domain.errors import Conflict, NotFound, Said, ValidationError, say
from coalition.domain.followup import RESPONSE_TEXT_MAX, ResponseFile
from coalition.domain.imports import ImportLine, RefusedLine, parse
from coalition.domain.limits import check_length, clean_line, clean_text
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import services as invitations
from coalition.models import (
    Invitation,
    Signature,
    SignatureImport,
    SignatureRecord,
    Statement,
    User,
    utcnow,
)
from coalition.security import require_manage, require_view
from coalition.signing import reconfirm, services
from coalition.signing.services import Recording, SignatureInput

EVIDENCE_MAX = RESPONSE_TEXT_MAX
NOTE_MAX = 2000
# How long an uploaded list waits for the lead's confirmation.
IMPORT_HOLD = dt.timedelta(hours=24)
# A signer's clock may run a little ahead of ours.
_SLACK = dt.timedelta(minutes=5)


# --- one signature ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    """What recording did: the signature, whether it is new (not a change), its invitation
    and whether that invitation was made for it."""

    signature: Signature
    created: bool
    invitation: Invitation
    invited_now: bool


def clean_revision(statement: Statement, value: object) -> int:
    """A revision of the statement (1 to the current one)."""
    if value is None or value == "":
        return statement.current_revision
    number = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ValidationError("The revision must be a revision number.",
                              fields={"revision": "must be a revision number"})
    if number > statement.current_revision:
        # Well formed, but the statement has no such text (yet): a conflict with its state.
        raise Conflict(
            say("Revision %(number)s does not exist: the latest is %(latest)s.",
                number=number, latest=statement.current_revision),
            fields={"revision": "does not exist"})
    return number


def clean_approved_at(value: object, *, required: bool = True) -> dt.datetime | None:
    """When the partner approved: an aware time, not in the future."""
    if value is None or value == "":
        if not required:
            return None
        raise ValidationError("When the partner approved is required.",
                              fields={"approved_at": "is required"})
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValidationError("When the partner approved must be a time with its offset.",
                              fields={"approved_at": "must be a time with its offset"})
    if value > utcnow() + _SLACK:
        # Well formed, but not yet true: refused like a deadline that has passed (409).
        raise Conflict("When the partner approved cannot be in the future.",
                              fields={"approved_at": "is in the future"})
    return value.astimezone(dt.UTC)


def clean_evidence(text: object, file: ResponseFile | None, *, required: bool = True) -> str:
    """The pasted message as typed (NFC, trimmed); refused when neither it nor a file is given."""
    cleaned = clean_text("evidence_text", text if text is not None else "")
    check_length("evidence_text", cleaned, EVIDENCE_MAX)
    if required and not cleaned and file is None:
        raise ValidationError(
            "Paste the partner's message or attach the file that shows its approval.",
            fields={"evidence_text": "is required without a file"})
    return cleaned


def _invitation_for(
    actor: User, statement: Statement, invitation_id: int | None, data: SignatureInput
) -> tuple[Invitation, bool]:
    """The invitation the signature goes on: the one chosen, else the one to the signer's
    address, else a new one (made without its mail)."""
    if invitation_id is not None:
        invitation = invitations.invitation_of(actor, statement, invitation_id)
    else:
        email = services.clean_email(data.signer_email)
        invitation = invitations.find_by_email(statement, email)  # type: ignore[assignment]
        if invitation is None:
            made, _ = invitations.invite(
                actor, statement, organisation=data.name, email=email, notify=False
            )
            return made, True
    if invitation.revoked_at is not None:
        raise Conflict(
            say("The invitation of %(organisation)s is revoked: re-send it before recording "
                "its signature.", organisation=invitation.organisation),
            fields={"invitation": "revoked"})
    return invitation, False


def _after(statement: Statement, signature: Signature) -> None:
    """A signature of a text older than the latest substantive change: its signer is asked
    to re-confirm, with the changes, as every earlier signer was."""
    if roster.covers(signature, statement):
        return
    old = drafting.get_revision(statement, signature.revision_number)
    reconfirm.ask(statement, signature, old, drafting.latest_revision(statement))


def _checked(
    statement: Statement, data: SignatureInput, revision: object, approved_at: object,
    evidence_text: object, evidence_file: ResponseFile | None,
) -> tuple[int, dt.datetime | None, str]:
    """Every field checked before refusing, so a form shows all its mistakes at once."""
    errors: list[ValidationError | Conflict] = []
    values: list[object] = []
    checks: list[Callable[[], object]] = [
        lambda: clean_revision(statement, revision),
        lambda: clean_approved_at(approved_at),
        lambda: clean_evidence(evidence_text, evidence_file),
        lambda: services.clean_input(data),
    ]
    for check_ in checks:
        try:
            values.append(check_())
        except (ValidationError, Conflict) as error:
            errors.append(error)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        kind = ValidationError if any(isinstance(e, ValidationError) for e in errors) else Conflict
        refused = kind(
            tuple(part for error in errors for part in error.said),
            fields={name: message for error in errors for name, message in error.fields.items()},
        )
        refused.lengths = {name: pair for error in errors for name, pair in error.lengths.items()}
        raise refused
    number, moment, evidence = values[0], values[1], values[2]
    assert isinstance(number, int) and isinstance(evidence, str)
    return number, moment if isinstance(moment, dt.datetime) else None, evidence


def record(
    actor: User,
    statement: Statement,
    data: SignatureInput,
    *,
    invitation_id: int | None = None,
    revision: object = None,
    approved_at: object = None,
    evidence_text: object = "",
    evidence_file: ResponseFile | None = None,
) -> Recorded:
    """Record a signature a partner gave outside Coalition (lead only)."""
    require_manage(actor, statement)
    number, moment, evidence = _checked(statement, data, revision, approved_at,
                                        evidence_text, evidence_file)
    services.ensure_open(statement)
    invitation, invited_now = _invitation_for(actor, statement, invitation_id, data)
    signature, created = services.sign(invitation, data, recording=Recording(
        actor=actor, revision=number, approved_at=moment, evidence_text=evidence,
        file_name=evidence_file.name if evidence_file else None,
        file_type=evidence_file.content_type if evidence_file else None,
        file_content=evidence_file.content if evidence_file else None,
    ))
    _after(statement, signature)
    return Recorded(signature, created, invitation, invited_now)


def records_for(signature_ids: list[int]) -> dict[int, SignatureRecord]:
    """The records of those signatures that were recorded by the lead (one query)."""
    if not signature_ids:
        return {}
    rows = db.session.scalars(
        select(SignatureRecord)
        .where(SignatureRecord.signature_id.in_(signature_ids))
        # Who recorded it and from which file, in the same query; the files only when asked.
        .options(joinedload(SignatureRecord.recorded_by),
                 joinedload(SignatureRecord.signature_import).load_only(
                     SignatureImport.id, SignatureImport.file_name),
                 defer(SignatureRecord.file_content))
    )
    return {row.signature_id: row for row in rows}


def record_of(signature: Signature) -> SignatureRecord | None:
    """How the lead recorded this signature; None when its partner signed it."""
    return records_for([signature.id]).get(signature.id)


# --- an imported list ---------------------------------------------------------------------

NEW = "new"  # a partner not invited: an invitation is made
INVITED = "invited"  # recorded on the partner's existing invitation (it has not signed)
DUPLICATE = "duplicate"  # already signed, or repeats an earlier line: not imported


@dataclass(frozen=True)
class PlannedLine:
    """A good line and what confirming does with it."""

    line: ImportLine
    action: str
    invitation_id: int | None = None
    why: Said | None = None  # for INVITED and DUPLICATE: what it matched

    @property
    def written(self) -> bool:
        return self.action != DUPLICATE


@dataclass
class ImportPreview:
    """What a held import would write now, line by line, and the lines it refuses."""

    held: SignatureImport | None
    lines: list[PlannedLine] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)
    problem: Said | None = None
    fingerprint: str = ""

    def count(self, action: str) -> int:
        return sum(1 for planned in self.lines if planned.action == action)

    @property
    def to_write(self) -> int:
        return sum(1 for planned in self.lines if planned.written)


def _input(line: ImportLine) -> SignatureInput:
    return SignatureInput(
        name=line.name, kind=line.kind, affiliation=line.affiliation, country=line.country,
        signer_name=line.signer_name, signer_role=line.signer_role,
        signer_email=line.signer_email, board_approved_on=line.board_approved_on or "",
        sort_as=line.sort_as, public=line.public, public_description=line.public_description,
    )


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


class _Known:
    """The statement's live signatures and invitations, read once per preview."""

    def __init__(self, statement: Statement) -> None:
        live = roster.published(statement)
        self.live_by_email = {s.signer_email.lower(): s for s in live}
        self.live_by_name = {(_key(s.name), s.kind): s for s in live}
        self.live_invitations = {s.invitation_id for s in live if s.invitation_id}
        self.invitations = {
            invitation.email.lower(): invitation
            for invitation in db.session.scalars(
                select(Invitation).where(Invitation.statement_id == statement.id)
            )
        }


def _plan_line(
    statement: Statement, line: ImportLine, known: _Known, seen: dict[str, int]
) -> PlannedLine | RefusedLine:
    try:
        clean = services.clean_input(_input(line))
        if line.revision is not None:
            clean_revision(statement, line.revision)
    except (ValidationError, Conflict) as error:
        return RefusedLine(line.line, line.text, error.said)
    email, name = clean.signer_email.lower(), _key(clean.name)
    for key in (f"email:{email}", f"name:{name}:{clean.kind}"):
        if key in seen:
            return PlannedLine(line, DUPLICATE, why=say(
                "It repeats line %(line)s.", line=seen[key]))
    seen[f"email:{email}"] = seen[f"name:{name}:{clean.kind}"] = line.line
    signed = known.live_by_email.get(email) or known.live_by_name.get((name, clean.kind))
    if signed is not None:
        return PlannedLine(line, DUPLICATE, why=say(
            "%(name)s has already signed (%(email)s).", name=signed.name,
            email=signed.signer_email))
    invitation = known.invitations.get(email)
    if invitation is None:
        return PlannedLine(line, NEW)
    if invitation.revoked_at is not None:
        return RefusedLine(line.line, line.text, (say(
            "The invitation of %(organisation)s to %(email)s is revoked: re-send it first.",
            organisation=invitation.organisation, email=invitation.email),))
    if invitation.id in known.live_invitations:
        return PlannedLine(line, DUPLICATE, invitation.id, say(
            "%(organisation)s has already signed through its invitation.",
            organisation=invitation.organisation))
    return PlannedLine(line, INVITED, invitation.id, say(
        "Already invited as %(organisation)s: recorded on that invitation.",
        organisation=invitation.organisation))


def _fingerprint(content: str, preview: ImportPreview) -> str:
    """What the lead saw: the file and, per line, what confirming would do."""
    summary = [
        hashlib.sha256(content.encode("utf-8")).hexdigest(),
        [(p.line.line, p.action, p.invitation_id) for p in preview.lines],
        [r.line for r in preview.refused],
    ]
    return hashlib.sha256(json.dumps(summary).encode("utf-8")).hexdigest()[:32]


def check(statement: Statement, content: str, held: SignatureImport | None = None,
          ) -> ImportPreview:
    """What a file would write now (nothing is written)."""
    parsed = parse(content, zone=statement.timezone or "UTC", now=utcnow())
    preview = ImportPreview(held=held, refused=list(parsed.refused), problem=parsed.problem)
    if parsed.problem is not None:
        return preview
    known = _Known(statement)
    seen: dict[str, int] = {}
    for line in parsed.lines:
        planned = _plan_line(statement, line, known, seen)
        if isinstance(planned, RefusedLine):
            preview.refused.append(planned)
        else:
            preview.lines.append(planned)
    preview.refused.sort(key=lambda refused: refused.line)
    preview.fingerprint = _fingerprint(content, preview)
    return preview


def hold(
    actor: User, statement: Statement, *, content: str, file_name: object = "",
    note: object = "",
) -> ImportPreview:
    """Keep an uploaded list for confirmation and say what it would write (lead only).

    Only the held file is written; a file that cannot be read is refused (422) and not kept.
    """
    require_manage(actor, statement)
    name = clean_line("file_name", file_name or "", limit=200, required=False)
    note_ = clean_text("note", note or "")
    check_length("note", note_, NOTE_MAX)
    preview = check(statement, content)
    if preview.problem is not None:
        raise ValidationError(preview.problem, fields={"file": str(preview.problem)})
    if not preview.lines and not preview.refused:
        raise ValidationError(
            "The file holds no signature: only its first line, which names the columns.",
            fields={"file": "holds no signature"})
    held = SignatureImport(
        statement_id=statement.id, file_name=name, content=content, note=note_,
        created_by_id=actor.id,
    )
    db.session.add(held)
    db.session.flush()
    preview.held = held
    return preview


def held_import(actor: User, statement: Statement, import_id: int, *,
                lock: bool = False) -> SignatureImport:
    """One held import of the statement, or NotFound (a viewer may read it; confirming
    is a change, which confirm() checks)."""
    require_view(actor, statement)
    query = select(SignatureImport).where(
        SignatureImport.id == import_id, SignatureImport.statement_id == statement.id)
    held = db.session.scalar(query.with_for_update() if lock else query)
    if held is None:
        raise NotFound("No such import.", fields={"import": "not found"})
    return held


def preview(actor: User, statement: Statement, import_id: int) -> ImportPreview:
    """A held import's preview, checked again now (lead only)."""
    held = held_import(actor, statement, import_id)
    return check(statement, held.content, held)


def confirm(
    actor: User, statement: Statement, import_id: int, *, fingerprint: object
) -> tuple[ImportPreview, list[Signature]]:
    """Write a held import as the lead saw it (lead only); 409 when it was already
    confirmed, has waited too long, or would now write something else than the preview."""
    require_manage(actor, statement)
    held = held_import(actor, statement, import_id, lock=True)
    if held.confirmed_at is not None:
        raise Conflict("This list has already been imported.", fields={"import": "confirmed"})
    if held.created_at + IMPORT_HOLD < utcnow():
        raise Conflict("This preview is more than a day old: upload the file again.",
                       fields={"import": "expired"})
    services.ensure_open(statement)
    now = check(statement, held.content, held)
    if now.fingerprint != fingerprint:
        raise Conflict(
            "The list no longer matches its preview (a signature or an invitation changed "
            "since): check the new preview and confirm again.",
            fields={"fingerprint": "changed"}, preview=now,
        )
    if not now.to_write:
        raise Conflict("Nothing to import: every line is a duplicate or refused.",
                       fields={"import": "empty"})
    made = [_write(actor, statement, held, planned) for planned in now.lines if planned.written]
    held.confirmed_at = utcnow()
    held.confirmed_by_id = actor.id
    held.imported_count = len(made)
    audit.record(
        "signatures.imported", actor=actor, statement=statement, count=len(made),
        file=held.file_name, duplicates=now.count(DUPLICATE), refused=len(now.refused),
    )
    return now, made


def _write(actor: User, statement: Statement, held: SignatureImport,
           planned: PlannedLine) -> Signature:
    line = planned.line
    data = _input(line)
    invitation, _ = _invitation_for(actor, statement, planned.invitation_id, data)
    signature, _ = services.sign(invitation, data, recording=Recording(
        actor=actor,
        revision=line.revision if line.revision is not None else statement.current_revision,
        approved_at=line.approved_at, evidence_text=held.note, import_id=held.id,
        import_line=line.line,
    ))
    _after(statement, signature)
    return signature
