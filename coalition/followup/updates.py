"""Updates on a published statement: posted under it, in the feed, mailed to who asked.

Recipients are the signers who ticked "keep me informed" on the sign form (live signatures
only) and the partners' contacts (the addresses their invitations went to), each address
once, less those who unsubscribed. A mail names no signatory: each goes to one address.

Unsubscribing is one click (RFC 8058): the link carries a keyed hash of the address, never
the address; an opt-out is stored as the address's SHA-256, so the table holds no address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from coalition import audit, events
from coalition.domain.errors import NotFound
from coalition.domain.limits import clean_body, clean_title
from coalition.domain.rendering import render_markdown
from coalition.extensions import db
from coalition.followup.delivery import newest_public_edition
from coalition.mail import outbox
from coalition.models import (
    Invitation,
    Signature,
    Statement,
    StatementUpdate,
    UpdateOptOut,
    User,
    utcnow,
)
from coalition.publishing import services as publishing
from coalition.security import require_manage
from coalition.web import base_url

KIND = "statement_update"
UPDATE_BODY_MAX = 20_000


def address_hash(address: str) -> str:
    """How an opted-out address is stored: its SHA-256, lower-cased and trimmed."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def _mac(purpose: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(key, purpose.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def update_token(statement_id: int, address: str) -> str:
    """The unsubscribe key of one address for one statement's updates."""
    return f"u{statement_id}-{_mac(f'updates:{statement_id}:{address.strip().lower()}')}"


def digest_token(user_id: int) -> str:
    """The unsubscribe key of one user's daily digest."""
    return f"d{user_id}-{_mac(f'digest:{user_id}')}"


def unsubscribe_url(token: str) -> str:
    """The one-click opt-out, absolute by web.base_url's rule like every mailed link."""
    return f"{base_url()}/unsubscribe/{token}"


@dataclass(frozen=True)
class Recipient:
    address: str
    invitation: Invitation | None
    reason: str  # "signer" (ticked the box) or "partner" (the invitation's contact)


def _candidates(statement: Statement) -> list[Recipient]:
    """Everyone an update may reach, before opt-outs: opted-in signers, then partners."""
    found: dict[str, Recipient] = {}
    signers = db.session.execute(
        select(Signature.signer_email, Signature.created_at, Invitation)
        .outerjoin(Invitation, Signature.invitation_id == Invitation.id)
        .where(
            Signature.statement_id == statement.id,
            Signature.live,
            Signature.wants_updates.is_(True),
        )
        .order_by(Signature.id)
    )
    for email, _, invitation in signers:
        address = (email or "").strip().lower()
        if address and address not in found:
            found[address] = Recipient(address, invitation, "signer")
    partners = db.session.scalars(
        select(Invitation)
        .where(Invitation.statement_id == statement.id, Invitation.revoked_at.is_(None))
        .order_by(Invitation.id)
    )
    for invitation in partners:
        address = invitation.email.strip().lower()
        if address and address not in found:
            found[address] = Recipient(address, invitation, "partner")
    return list(found.values())


def _every_address(statement: Statement) -> set[str]:
    """Every address an update of the statement may ever have gone to: a link in an old
    mail keeps working after a withdrawal, a revocation or a change of address."""
    signers = db.session.scalars(
        select(Signature.signer_email).where(Signature.statement_id == statement.id)
    )
    partners = db.session.scalars(
        select(Invitation.email).where(Invitation.statement_id == statement.id)
    )
    return {a.strip().lower() for a in [*signers, *partners] if a and a.strip()}


def _opted_out(statement: Statement) -> dict[str, dt.datetime]:
    rows = db.session.execute(
        select(UpdateOptOut.address_hash, UpdateOptOut.created_at).where(
            UpdateOptOut.statement_id == statement.id
        )
    )
    return {digest: created for digest, created in rows}  # noqa: C416 - typed rows


def recipients(statement: Statement) -> list[Recipient]:
    """Who a new update of the statement is mailed to."""
    out = _opted_out(statement)
    latest_signing = _latest_opt_in(statement)
    chosen = []
    for recipient in _candidates(statement):
        when = out.get(address_hash(recipient.address))
        if when is None:
            chosen.append(recipient)
            continue
        # Ticking the box again after unsubscribing subscribes again.
        signed = latest_signing.get(recipient.address)
        if signed is not None and signed > when:
            chosen.append(recipient)
    return chosen


def _latest_opt_in(statement: Statement) -> dict[str, dt.datetime]:
    rows = db.session.execute(
        select(Signature.signer_email, Signature.created_at).where(
            Signature.statement_id == statement.id,
            Signature.live,
            Signature.wants_updates.is_(True),
        )
    )
    latest: dict[str, dt.datetime] = {}
    for email, created in rows:
        address = (email or "").strip().lower()
        if address not in latest or created > latest[address]:
            latest[address] = created
    return latest


def post_update(
    actor: User, statement: Statement, *, title: str, body: str
) -> StatementUpdate:
    """Post an update under the published statement and mail it; the lead only."""
    require_manage(actor, statement)
    newest_public_edition(statement)  # Conflict while nothing is public
    update = StatementUpdate(
        statement_id=statement.id,
        title=clean_title(title),
        body=clean_body(body, limit=UPDATE_BODY_MAX),
        author_id=actor.id,
        created_at=utcnow(),
    )
    chosen = recipients(statement)
    update.mailed_count = len(chosen)
    db.session.add(update)
    db.session.flush()
    statement.updated_at = utcnow()  # the public page's validator changes with it
    context = {
        "statement_title": statement.title,
        "update": update,
        "body_html": render_markdown(update.body),
        "url": f"{publishing.public_url(statement)}#update-{update.id}",
        "lead": statement.organisation.name,
    }
    for recipient in chosen:
        link = unsubscribe_url(update_token(statement.id, recipient.address))
        outbox.queue(
            KIND,
            to=recipient.address,
            subject=lazy_gettext("Update: %(title)s", title=update.title),
            context={**context, "unsubscribe_url": link, "reason": recipient.reason},
            statement=statement,
            invitation=recipient.invitation,
            unsubscribe_url=link,
        )
    audit.record(
        "update.posted", actor=actor, statement=statement, update=update.id,
        mailed=len(chosen),
    )
    events.update_posted.send(statement, actor=actor, update=update)
    return update


def updates(statement: Statement) -> list[StatementUpdate]:
    """A statement's updates, newest first."""
    return list(
        db.session.scalars(
            select(StatementUpdate)
            .where(StatementUpdate.statement_id == statement.id)
            .order_by(StatementUpdate.created_at.desc(), StatementUpdate.id.desc())
        )
    )


def recent_public_updates(limit: int = 50) -> list[StatementUpdate]:
    """The newest updates of statements the public can read, for the Atom feed."""
    rows = db.session.scalars(
        select(StatementUpdate)
        .order_by(StatementUpdate.created_at.desc(), StatementUpdate.id.desc())
        .limit(limit)
    )
    return [row for row in rows if publishing.public_editions(row.statement)]


# --- one-click unsubscribe ---------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription:
    """What an unsubscribe link stands for."""

    kind: str  # "updates" or "digest"
    label: str  # the statement's title, or the user's address
    statement: Statement | None = None
    address: str = ""
    user: User | None = None


def resolve(token: str) -> Subscription:
    """The subscription a link names; NotFound for anything forged, stale or unknown."""
    kind, _, rest = token[:1], None, token[1:]
    number, _, mac = rest.partition("-")
    if not number.isdigit() or len(number) > 9 or len(mac) != 32:
        raise NotFound("This unsubscribe link is not valid.")
    if kind == "d":
        user = db.session.get(User, int(number))
        if user is None or not hmac.compare_digest(digest_token(user.id), token):
            raise NotFound("This unsubscribe link is not valid.")
        return Subscription("digest", user.email, user=user)
    if kind == "u":
        statement = db.session.get(Statement, int(number))
        if statement is not None:
            for address in _every_address(statement):
                if hmac.compare_digest(update_token(statement.id, address), token):
                    return Subscription(
                        "updates", statement.title, statement=statement, address=address
                    )
    raise NotFound("This unsubscribe link is not valid.")


def unsubscribe(subscription: Subscription) -> bool:
    """Stop the mail a link stands for; True if it was still coming. Anyone with the link."""
    if subscription.kind == "digest":
        user = subscription.user
        assert user is not None
        if not user.wants_digest:
            return False
        user.wants_digest = False
        audit.record("digest.unsubscribed", actor=user, organisation_id=user.organisation_id)
        return True
    statement = subscription.statement
    assert statement is not None
    digest = address_hash(subscription.address)
    existing = db.session.scalar(
        select(UpdateOptOut).where(
            UpdateOptOut.statement_id == statement.id, UpdateOptOut.address_hash == digest
        )
    )
    if existing is not None:
        if not any(r.address == subscription.address for r in recipients(statement)):
            return False
        existing.created_at = utcnow()  # subscribed again by signing since: out again
    else:
        try:
            with db.session.begin_nested():
                db.session.add(
                    UpdateOptOut(
                        statement_id=statement.id, address_hash=digest, created_at=utcnow()
                    )
                )
        except IntegrityError:
            return False  # the same link, clicked twice at once
    audit.record("update.unsubscribed", actor=None, statement=statement)
    return True
