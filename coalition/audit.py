"""The audit log: every change of state is written here, in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert

from coalition.extensions import db
from coalition.models import AuditEvent, Invitation, Statement, User, utcnow
from coalition.security import is_lead_organisation

Actor = User | Invitation | None

# Built once: a Core INSERT on the session's connection costs a fifth of adding an ORM
# object and flushing it, and every state change writes one (docs/performance.md).
_INSERT = insert(AuditEvent)


def actor_label(actor: Actor) -> str:
    """How an actor is shown in the log."""
    if isinstance(actor, User):
        return actor.email
    if isinstance(actor, Invitation):
        return f"{actor.organisation} (invitation)"
    return "system"


def _label(actor: Actor, statement: Statement | None) -> str:
    """The actor's label; a co-lead's staff are named with their organisation, so the log
    of a statement steered by several says which organisation and person acted (issue 17)."""
    if (
        isinstance(actor, User)
        and statement is not None
        and not is_lead_organisation(actor, statement)
    ):
        return f"{actor.email} ({actor.organisation.name})"
    return actor_label(actor)


def record(
    action: str,
    *,
    actor: Actor,
    statement: Statement | None = None,
    organisation_id: int | None = None,
    **detail: Any,
) -> None:
    """Write an audit event in the session's transaction; the caller's commit keeps it.

    The row is inserted at once, not at the next flush: the ids it refers to (statement,
    actor) are those of rows already written.
    """
    if any(row is not None and row.id is None for row in (statement, actor)):
        db.session.flush()  # a row made in this transaction gets its id
    if organisation_id is None:
        if statement is not None:
            organisation_id = statement.organisation_id
        elif isinstance(actor, User):
            organisation_id = actor.organisation_id
    db.session.connection().execute(
        _INSERT,
        {
            "organisation_id": organisation_id,
            "statement_id": statement.id if statement is not None else None,
            "actor_user_id": actor.id if isinstance(actor, User) else None,
            "actor_invitation_id": actor.id if isinstance(actor, Invitation) else None,
            "actor_label": _label(actor, statement),
            "action": action,
            "detail": detail,
            "created_at": utcnow(),
        },
    )
