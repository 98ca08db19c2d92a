"""The audit log: every change of state is written here, in the same transaction."""

from __future__ import annotations

from typing import Any

from coalition.extensions import db
from coalition.models import AuditEvent, Invitation, Statement, User

Actor = User | Invitation | None


def actor_label(actor: Actor) -> str:
    """How an actor is shown in the log."""
    if isinstance(actor, User):
        return actor.email
    if isinstance(actor, Invitation):
        return f"{actor.organisation} (invitation)"
    return "system"


def record(
    action: str,
    *,
    actor: Actor,
    statement: Statement | None = None,
    organisation_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session; the caller's commit writes it."""
    if organisation_id is None:
        if statement is not None:
            organisation_id = statement.organisation_id
        elif isinstance(actor, User):
            organisation_id = actor.organisation_id
    event = AuditEvent(
        organisation_id=organisation_id,
        statement_id=statement.id if statement is not None else None,
        actor_user_id=actor.id if isinstance(actor, User) else None,
        actor_invitation_id=actor.id if isinstance(actor, Invitation) else None,
        actor_label=actor_label(actor),
        action=action,
        detail=detail,
    )
    db.session.add(event)
    return event
