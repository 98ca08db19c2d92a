"""Late signature requests: a partner who comes after signing closed asks the lead to add it.

Signing closes at the deadline, by hand or at publication. A partner who fills in the sign
form after that keeps what it typed and may send it as a request: a Signature of its
invitation in status 'pending', endorsing the current text. The lead sees it with the open
sign-on requests on the signatories page and approves it ('live': it joins the list and the
next edition) or rejects it. Nothing is decided for the lead, and the partner's typed text
is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from coalition import audit, roster
from coalition.domain.errors import Conflict, NotFound
from coalition.domain.lifecycle import State
from coalition.domain.signatures import SignatureStatus
from coalition.extensions import db
from coalition.models import Invitation, Signature, Statement, User, utcnow
from coalition.signing import open_signon, services
from coalition.signing.services import SignatureInput

# The states in which signing has ended (rather than not begun).
_ENDED = (State.OPEN, State.CLOSED, State.PUBLISHED)


@dataclass(frozen=True)
class LateState:
    """What the partner's panel offers once signing has closed."""

    allowed: bool  # it may send a late request now
    pending: Signature | None  # the request it sent, awaiting the lead


def pending_request(invitation: Invitation) -> Signature | None:
    """The invitation's late request awaiting the lead, if any."""
    return db.session.scalar(
        select(Signature)
        .where(
            Signature.invitation_id == invitation.id,
            Signature.status == SignatureStatus.PENDING,
        )
        .order_by(Signature.id.desc())
        .limit(1)
    )


def state(invitation: Invitation, statement: Statement) -> LateState | None:
    """None while signing is open or has not begun; else whether a late request may be sent."""
    if services.signing_open(statement) or statement.state_enum not in _ENDED:
        return None
    pending = pending_request(invitation)
    signed = roster.has_live_signature(invitation)
    return LateState(allowed=pending is None and not signed, pending=pending)


def request(invitation: Invitation, data: SignatureInput) -> Signature:
    """Send the partner's details to the lead as a late signature request; the partner."""
    statement = invitation.statement
    if invitation.revoked_at is not None:
        raise NotFound("This invitation link is not valid.", fields={"token": "not valid"})
    late = state(invitation, statement)
    if late is None:
        raise Conflict(
            "Signing is open: sign the statement instead.", fields={"state": statement.state}
        )
    if late.pending is not None:
        raise Conflict("Your late signature request is already with the lead organisation.")
    if not late.allowed:
        raise Conflict("You have signed already: your signature stands.")
    clean = services.clean_input(data, None)
    revision = services._current_revision(statement)
    signature = services._new_row(statement, revision, clean, invitation=invitation,
                                  status=SignatureStatus.PENDING)
    db.session.add(signature)
    db.session.flush()
    audit.record(
        "signature.late_requested",
        actor=invitation,
        statement=statement,
        signature=signature.id,
        name=signature.name,
    )
    return signature


def approve(actor: User, signature: Signature) -> Signature:
    """Add a late signature to the list (lead only); the signer gets a receipt."""
    statement = open_signon.reviewable(actor, signature, late=True)
    invitation = db.session.get(Invitation, signature.invitation_id)
    if invitation is not None and roster.has_live_signature(invitation):
        raise Conflict("This partner has signed since: its signature stands.",
                       fields={"status": "signed"})
    signature.status = SignatureStatus.LIVE
    signature.reviewed_at = utcnow()
    signature.reviewed_by_id = actor.id
    audit.record(
        "signature.late_approved", actor=actor, statement=statement, signature=signature.id,
        name=signature.name,
    )
    services.announce(statement, signature, actor=actor)
    open_signon.queue_acceptance(statement, signature, invitation)
    return signature


def reject(actor: User, signature: Signature) -> Signature:
    """Turn a late request down; it stays in the history as rejected (lead only)."""
    statement = open_signon.reviewable(actor, signature, late=True)
    open_signon.mark_rejected(actor, signature)
    audit.record(
        "signature.late_rejected", actor=actor, statement=statement, signature=signature.id,
        name=signature.name,
    )
    return signature
