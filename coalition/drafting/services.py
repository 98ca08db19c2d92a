"""Drafting operations: create statements, save and restore revisions, move the life cycle.

Each takes the acting user explicitly, checks the rules, writes an audit event and leaves
the commit to the caller (one request, one commit).
"""

from __future__ import annotations

import datetime as dt
import re

from slugify import slugify
from sqlalchemy import func, select

from coalition import audit, events
from coalition.domain import lifecycle
from coalition.domain.errors import Conflict, NotFound, StaleRevision, ValidationError
from coalition.domain.lifecycle import State
from coalition.domain.limits import (
    check_length,
    clean_body,
    clean_line,
    clean_note,
    clean_text,
    clean_title,
)
from coalition.domain.revisions import text_sha256
from coalition.extensions import db
from coalition.models import AuditEvent, Invitation, Revision, Signature, Statement, User, utcnow
from coalition.security import require_manage, viewable_by, viewable_statement

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# The joint-letter layout's one-line settings and their limits (the form's too).
LETTER_LINES = {"letter_addressee_name": 200, "letter_addressee_title": 200,
                "letter_salutation": 200}
LETTER_ADDRESS_MAX = 1000


def _clean_setting(name: str, value: object) -> object:
    """A letter setting as typed (NFC, trimmed); controls refused, never removed."""
    if name in LETTER_LINES:
        return clean_line(name, value, limit=LETTER_LINES[name], required=False)
    if name == "letter_addressee_address":
        text = clean_text(name, value or "")
        check_length(name, text, LETTER_ADDRESS_MAX)
        return text
    return value


def clean_language(value: object) -> str:
    """A BCP 47 language tag (shape only), default en."""
    if value is None or value == "":
        return "en"
    if not isinstance(value, str) or not LANGUAGE_TAG.match(value.strip()) or len(value) > 35:
        raise ValidationError(
            "language must be a BCP 47 tag such as en, fr or pt-BR.",
            fields={"language": "must be a BCP 47 language tag"},
        )
    return value.strip()


def _unique_slug(title: str) -> str:
    base = slugify(title, max_length=80, word_boundary=True) or "statement"
    slug, n = base, 1
    while db.session.scalar(select(Statement.id).where(Statement.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_statement(
    actor: User, *, title: object, body: object, language: object = "en", timezone: str = "UTC"
) -> Statement:
    """Create a statement for the actor's organisation with its first revision."""
    title_ = clean_title(title)
    body_ = clean_body(body)
    language_ = clean_language(language)
    statement = Statement(
        organisation_id=actor.organisation_id,
        slug=_unique_slug(title_),
        language=language_,
        timezone=timezone,
        state=State.DRAFT.value,
        title=title_,
        current_revision=1,
        created_by_id=actor.id,
    )
    db.session.add(statement)
    db.session.flush()
    db.session.add(
        Revision(
            statement_id=statement.id,
            number=1,
            title=title_,
            body=body_,
            note="",
            substantive=True,
            sha256=text_sha256(title_, body_),
            author_id=actor.id,
        )
    )
    audit.record("statement.created", actor=actor, statement=statement, title=title_)
    return statement


def get_revision(statement: Statement, number: int) -> Revision:
    """One revision of a statement, or NotFound."""
    revision = db.session.scalar(
        select(Revision).where(Revision.statement_id == statement.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound(f"Revision {number} does not exist.", fields={"revision": "not found"})
    return revision


def latest_revision(statement: Statement) -> Revision:
    """The current revision of a statement."""
    return get_revision(statement, statement.current_revision)


def list_revisions(statement: Statement) -> list[Revision]:
    """Every revision of a statement, oldest first."""
    return list(
        db.session.scalars(
            select(Revision).where(Revision.statement_id == statement.id).order_by(Revision.number)
        )
    )


def save_revision(
    actor: User,
    statement: Statement,
    *,
    body: object,
    base_revision: object,
    title: object = None,
    note: object = "",
    substantive: bool = True,
    credited: Invitation | None = None,
    restored_from: int | None = None,
) -> Revision:
    """Save a new revision on top of `base_revision`; refuse a stale base with StaleRevision."""
    require_manage(actor, statement)
    if not isinstance(base_revision, int) or isinstance(base_revision, bool):
        raise ValidationError(
            "base_revision must be the number of the revision you edited.",
            fields={"base_revision": "must be an integer"},
        )
    if not lifecycle.is_editable(statement.state_enum):
        raise lifecycle.TransitionNotAllowed(
            f"The text cannot change while the statement is {statement.state}; "
            "reopen it for signing first.",
            fields={"state": statement.state},
        )
    current = latest_revision(statement)
    title_ = clean_title(current.title if title is None else title)
    body_ = clean_body(body)
    note_ = clean_note(note)
    # Lock the statement row (PostgreSQL; on SQLite a write request's transaction holds the
    # database's write lock, see database.py) so two saves on the same base cannot both win.
    # populate_existing: the row is already in the session, read before the lock was ours;
    # without it the ORM keeps the stale current_revision and the loser dies on the unique
    # (statement, number) constraint with a 500 instead of a 409.
    locked = db.session.scalar(
        select(Statement)
        .where(Statement.id == statement.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    if base_revision != locked.current_revision:
        raise StaleRevision(locked.current_revision, base_revision)
    number = locked.current_revision + 1
    revision = Revision(
        statement_id=statement.id,
        number=number,
        title=title_,
        body=body_,
        note=note_,
        substantive=bool(substantive),
        sha256=text_sha256(title_, body_),
        author_id=actor.id,
        credited_invitation_id=credited.id if credited else None,
        restored_from=restored_from,
    )
    db.session.add(revision)
    locked.current_revision = number
    locked.title = title_
    locked.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "revision.saved",
        actor=actor,
        statement=statement,
        revision=number,
        substantive=bool(substantive),
        note=note_,
        restored_from=restored_from,
        credited=credited.organisation if credited else None,
    )
    events.revision_saved.send(statement, actor=actor, revision=revision)
    return revision


def restore_revision(
    actor: User, statement: Statement, number: int, *, base_revision: object
) -> Revision:
    """Save an old revision's text as a new revision; history is never rewritten."""
    old = get_revision(statement, number)
    return save_revision(
        actor,
        statement,
        title=old.title,
        body=old.body,
        base_revision=base_revision,
        note=f"Restored revision {number}",
        substantive=True,
        restored_from=number,
    )


def change_state(
    actor: User,
    statement: Statement,
    target: object,
    *,
    sign_deadline: dt.datetime | None = None,
    set_deadline: bool = False,
) -> Statement:
    """Move a statement to review, open or closed (publishing has its own service)."""
    require_manage(actor, statement)
    try:
        target_state = State(target) if isinstance(target, str) else None
    except ValueError:
        target_state = None
    if target_state is None or target_state not in lifecycle.MANUAL_TARGETS:
        raise ValidationError(
            "state must be one of review, open, closed.",
            fields={"state": "must be review, open or closed"},
        )
    current = statement.state_enum
    if set_deadline:
        set_sign_deadline(actor, statement, sign_deadline)
    if target_state is not current:
        lifecycle.transition(current, target_state)
        if (
            target_state is State.OPEN
            and statement.sign_deadline is not None
            and statement.sign_deadline <= utcnow()
        ):
            # 409, not 422: a well-formed time that is past now, a fact of the moment.
            raise Conflict(
                "The sign-on deadline has passed: set a later deadline to reopen signing.",
                fields={"sign_deadline": "must be in the future to open signing"},
            )
        statement.state = target_state.value
        statement.updated_at = utcnow()
        audit.record(
            "statement.state_changed",
            actor=actor,
            statement=statement,
            old=current.value,
            new=target_state.value,
        )
        events.state_changed.send(
            statement, actor=actor, old=current.value, new=target_state.value, reason=""
        )
    return statement


def set_sign_deadline(actor: User, statement: Statement, deadline: dt.datetime | None) -> None:
    """Set, extend or clear the sign-on deadline (timezone-aware)."""
    require_manage(actor, statement)
    if deadline is not None and deadline.tzinfo is None:
        raise ValidationError(
            "sign_deadline needs a time zone offset, e.g. 2026-12-01T12:00:00Z.",
            fields={"sign_deadline": "must include a timezone offset"},
        )
    if deadline == statement.sign_deadline:
        return
    old = statement.sign_deadline
    statement.sign_deadline = deadline
    statement.updated_at = utcnow()
    audit.record(
        "statement.deadline_set",
        actor=actor,
        statement=statement,
        old=old.isoformat() if old else None,
        new=deadline.isoformat() if deadline else None,
    )


def statement_for(user: User, statement_id: int) -> Statement:
    """A statement of the user's organisation, or NotFound (other organisations' are hidden)."""
    return viewable_statement(user, statement_id)


def organisation_statements(user: User) -> list[Statement]:
    """The dashboard's list: the organisation's statements and those it co-leads, most
    recently changed first."""
    return list(
        db.session.scalars(
            select(Statement)
            .where(viewable_by(user))
            .order_by(Statement.updated_at.desc(), Statement.id.desc())
        )
    )


def signers_to_reconfirm(statement: Statement) -> int:
    """How many signers a substantive save would ask to re-confirm: every live signature,
    since none endorses a text saved after it (signing.reconfirm mails them)."""
    count = db.session.scalar(
        select(func.count(Signature.id)).where(
            Signature.statement_id == statement.id, Signature.live
        )
    )
    return int(count or 0)


def update_settings(actor: User, statement: Statement, **values: object) -> None:
    """Change a statement's settings (language, time zone, comments, letter layout)."""
    require_manage(actor, statement)
    changed = {}
    old_language = statement.language
    for name, value in values.items():
        value = _clean_setting(name, value)
        if name == "language":
            value = clean_language(value)
            if value != statement.language:
                events.language_changing.send(statement, language=value)
        if getattr(statement, name) != value:
            changed[name] = value
            setattr(statement, name, value)
    if changed:
        statement.updated_at = utcnow()
        audit.record(
            "statement.settings_changed",
            actor=actor,
            statement=statement,
            changed=sorted(changed),
        )
    if "language" in changed:
        events.language_changed.send(
            statement, actor=actor, old=old_language, new=statement.language
        )


def audit_events(statement: Statement, *, limit: int | None = None) -> list[AuditEvent]:
    """The statement's audit log, newest first."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.statement_id == statement.id)
        .order_by(AuditEvent.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))
