"""Nothing is lost: the ORM refuses to delete records or to rewrite their content.

Revisions, audit events, editions and their lists are write-once. Signatures and comments
are write-once too, except for the columns that record a change of state (with its time
and actor). Invitations, statements and outbox messages change state but are never deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect

from coalition import models


class ImmutableRecordError(RuntimeError):
    """A code path tried to delete a record or rewrite its content."""


# Columns that may change after insert; None: none may.
MUTABLE: dict[type[Any], frozenset[str]] = {
    models.Revision: frozenset(),
    models.AuditEvent: frozenset(),
    models.EditionSignatory: frozenset(),
    models.ExportFile: frozenset(),
    models.Edition: frozenset({"preview_token_hash"}),
    models.Signature: frozenset(
        {
            "status",
            "ended_at",
            "ended_by",
            "reviewed_at",
            "reviewed_by_id",
            "confirm_token_hash",
            "sort_as",
            "sort_key",
            "sort_rules",
        }
    ),
    models.Comment: frozenset({"resolved_at", "resolved_by_id", "accepted_revision"}),
    # Translations: the row names the translator and points at its latest text; the texts,
    # the name forms and what an edition froze are write-once.
    models.Translation: frozenset(
        {"translator_user_id", "translator_invitation_id", "current_revision", "updated_at"}
    ),
    models.TranslationRevision: frozenset(),
    models.SignatureName: frozenset(),
    models.EditionTranslation: frozenset(),
    models.EditionTranslationSignatory: frozenset(),
    models.EditionTranslationExport: frozenset(),
    # After publication: deliveries and attachments are records of what was sent; an
    # update's text is what was mailed; a response's text stays, only its showing moves.
    models.Delivery: frozenset(),
    models.OutboxAttachment: frozenset(),
    models.StatementUpdate: frozenset(),
    models.LetterResponse: frozenset({"public"}),
    models.UpdateOptOut: frozenset({"created_at"}),  # unsubscribed again after re-signing
    # Co-leads (issue 17): an invitation is accepted or removed, never rewritten; a sign-off
    # is a record of who approved which text.
    models.CoLead: frozenset(
        {"token_hash", "organisation_id", "accepted_at", "accepted_by_id", "removed_at",
         "removed_by_id"}
    ),
    models.SignOff: frozenset(),
    # Webhooks: a delivery's body and event id are what every try sends; only its progress
    # moves. An attempt is a line of the delivery log.
    models.WebhookDelivery: frozenset(
        {"attempts", "next_attempt_at", "delivered_at", "failed_at", "last_status", "last_error"}
    ),
    models.WebhookAttempt: frozenset(),
}

NEVER_DELETED: tuple[type[Any], ...] = (
    *MUTABLE,
    models.Invitation,
    models.Statement,
    models.OutboxMessage,
    models.WebhookEndpoint,
    models.Organisation,
    models.User,
)


def _refuse_update(_mapper: Any, _connection: Any, target: Any) -> None:
    allowed = MUTABLE[type(target)]
    state = inspect(target)
    changed = [
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in allowed and state.attrs[attr.key].history.has_changes()
    ]
    if changed:
        raise ImmutableRecordError(
            f"{type(target).__name__} {getattr(target, 'id', '?')} is write-once: "
            f"refusing to change {', '.join(sorted(changed))}"
        )


def _refuse_delete(_mapper: Any, _connection: Any, target: Any) -> None:
    raise ImmutableRecordError(
        f"{type(target).__name__} {getattr(target, 'id', '?')} is never deleted: "
        "record a state with its time and actor instead"
    )


def install() -> None:
    """Attach the guards to the mapped classes (idempotent)."""
    for model in MUTABLE:
        if not event.contains(model, "before_update", _refuse_update):
            event.listen(model, "before_update", _refuse_update)
    for model in NEVER_DELETED:
        if not event.contains(model, "before_delete", _refuse_delete):
            event.listen(model, "before_delete", _refuse_delete)
