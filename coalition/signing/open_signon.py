"""Open sign-on: an organisation that was not invited asks to sign through a public link.

A request becomes a Signature without an invitation in status 'unconfirmed'; the mail
links to a page whose button (a POST: mail scanners follow links but press no buttons)
moves it to 'pending'; the lead approves it ('live') or rejects it. The public answer is
the same page whatever happened, so nobody learns whether an organisation has signed.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask_babel import lazy_gettext
from sqlalchemy import func, select, update

from coalition import audit
from coalition.domain.errors import Conflict, NotFound
from coalition.domain.signatures import AWAITING, SignatureStatus
from coalition.extensions import db
from coalition.mail import outbox
from coalition.models import Invitation, Signature, Statement, User, utcnow
from coalition.security import can_manage, hash_token, new_token
from coalition.signing import services
from coalition.signing.services import SignatureInput
from coalition.web import base_url

CONFIRM_DAYS = 7


def _looks_like_public_suffix(domain: str) -> bool:
    """"org", "co.uk", "com.au": too broad to vouch for anyone (no suffix list needed here)."""
    labels = domain.split(".")
    return len(labels) < 2 or (len(labels) == 2 and len(labels[1]) == 2 and len(labels[0]) <= 3)


def domain_mismatch(email: str, website: str) -> str:
    """Why the e-mail's domain does not vouch for the website, or "" when it matches.

    A match is the same host or one inside the other (jane@uk.example.org for
    www.example.org), compared without a leading "www.". Only a hint for the lead.
    """
    if not website.strip():
        return "no website given"
    if "://" not in website:
        website = "https://" + website.strip()
    mail_domain = email.rpartition("@")[2].lower().rstrip(".").removeprefix("www.")
    host = (urlsplit(website).hostname or "").lower().rstrip(".").removeprefix("www.")
    if not host or not mail_domain:
        return "no website given"
    shorter = min(mail_domain, host, key=len)
    if mail_domain == host or (
        not _looks_like_public_suffix(shorter)
        and (mail_domain.endswith("." + host) or host.endswith("." + mail_domain))
    ):
        return ""
    return f"e-mail domain {mail_domain} does not match the website {host}"


def set_options(
    actor: User,
    statement: Statement,
    *,
    open_signon: bool,
    group_individuals: bool,
    new_link: bool = False,
) -> Statement:
    """Turn open sign-on on or off, give it a link, and choose grouping; lead only."""
    if not can_manage(actor, statement):
        raise NotFound("No such statement.")
    changed: list[str] = []
    if statement.open_signon != open_signon:
        statement.open_signon = open_signon
        changed.append("open_signon")
    if open_signon and (new_link or not statement.open_signon_token):
        # The old link stops working at once: a leaked link is fixed by making a new one.
        statement.open_signon_token = new_token(24)
        changed.append("open_signon_link")
    if statement.group_individuals != group_individuals:
        statement.group_individuals = group_individuals
        changed.append("group_individuals")
    if changed:
        statement.updated_at = utcnow()
        audit.record(
            "statement.signing_options_changed",
            actor=actor,
            statement=statement,
            changed=changed,
            open_signon=open_signon,
            group_individuals=group_individuals,
        )
    return statement


def statement_for_link(token: str) -> Statement:
    """The statement whose open sign-on link this is, while open sign-on is on; else NotFound."""
    statement = None
    if token and len(token) <= 64:
        statement = db.session.scalar(select(Statement).where(Statement.open_signon_token == token))
    if statement is None or not statement.open_signon:
        raise NotFound("This sign-on link is not valid.", fields={"token": "not valid"})
    return statement


def link_url(statement: Statement) -> str | None:
    """The public open sign-on address, when there is one."""
    if not statement.open_signon_token:
        return None
    return f"{base_url()}/open/{statement.open_signon_token}"


def request_signature(statement: Statement, data: SignatureInput) -> Signature:
    """Record an uninvited organisation's request and mail it a confirmation link; anyone."""
    services.ensure_open(statement)
    clean = services.clean_input(data, None)
    token = new_token(24)
    revision = services._current_revision(statement)
    signature = services._new_row(statement, revision, clean, invitation=None,
                                  status=SignatureStatus.UNCONFIRMED)
    signature.confirm_token_hash = hash_token(token)
    signature.flagged = domain_mismatch(clean.signer_email, clean.website)
    db.session.add(signature)
    db.session.flush()
    audit.record(
        "signature.requested",
        actor=None,
        statement=statement,
        signature=signature.id,
        name=signature.name,
        flagged=signature.flagged,
    )
    outbox.queue(
        "open_signon_confirm",
        to=signature.signer_email,
        subject=lazy_gettext("Confirm your request to sign: %(title)s", title=statement.title),
        context={
            "statement": statement,
            "signature": signature,
            "confirm_url": f"{base_url()}/open/confirm/{token}",
            "days": CONFIRM_DAYS,
        },
        statement=statement,
    )
    return signature


def signature_for_confirm_token(token: str) -> Signature:
    """The request a confirmation link belongs to; NotFound when unknown or expired."""
    signature = None
    if token and len(token) <= 200:
        signature = db.session.scalar(
            select(Signature).where(Signature.confirm_token_hash == hash_token(token))
        )
    if signature is None:
        raise NotFound("This confirmation link is not valid.", fields={"token": "not valid"})
    age = utcnow() - signature.created_at
    if signature.status == SignatureStatus.UNCONFIRMED and age > dt.timedelta(days=CONFIRM_DAYS):
        raise NotFound("This confirmation link has expired: ask to sign again.",
                       fields={"token": "expired"})
    return signature


def confirm(signature: Signature) -> bool:
    """Confirm the e-mail address of a request (unconfirmed -> pending); by its link's holder.

    Pressing the button twice is harmless: False means it was confirmed already.
    """
    result = db.session.execute(
        update(Signature)
        .where(Signature.id == signature.id, Signature.status == SignatureStatus.UNCONFIRMED)
        .values(status=SignatureStatus.PENDING)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    statement = db.session.get(Statement, signature.statement_id)
    audit.record(
        "signature.confirmed", actor=None, statement=statement, signature=signature.id,
        name=signature.name,
    )
    return True


def reviewable(actor: User, signature: Signature, *, late: bool = False) -> Statement:
    """The statement of a request its lead may still decide: an open sign-on request
    (unconfirmed or pending), or with `late` an invitation's late request (pending)."""
    statement = db.session.get(Statement, signature.statement_id)
    if statement is None or not can_manage(actor, statement):
        raise NotFound("No such request.")
    undecided = (
        signature.invitation_id is not None and signature.status == SignatureStatus.PENDING
        if late
        else signature.invitation_id is None and signature.status in AWAITING
    )
    if not undecided:
        raise Conflict(
            "This request has already been decided.", fields={"status": signature.status}
        )
    return statement


def approve(actor: User, signature: Signature) -> Signature:
    """Approve an open sign-on request: it joins the list (lead only)."""
    statement = reviewable(actor, signature)
    if signature.status != SignatureStatus.PENDING:
        raise Conflict("The signer has not confirmed the e-mail address yet.",
                       fields={"status": signature.status})
    now = utcnow()
    # The same signer asking again (e.g. to re-confirm a new text) replaces the earlier row.
    earlier = db.session.scalar(
        select(Signature).where(
            Signature.statement_id == statement.id,
            Signature.invitation_id.is_(None),
            Signature.live,
            func.lower(Signature.signer_email) == signature.signer_email.lower(),
        )
    )
    if earlier is not None:
        # The row's content is write-once, so the link back lives in the audit event.
        earlier.status = SignatureStatus.SUPERSEDED
        earlier.ended_at = now
        earlier.ended_by = actor.email
    signature.status = SignatureStatus.LIVE
    signature.reviewed_at = now
    signature.reviewed_by_id = actor.id
    audit.record(
        "signature.approved", actor=actor, statement=statement, signature=signature.id,
        name=signature.name, replaces=earlier.id if earlier is not None else None,
    )
    services.announce(
        statement, signature, actor=actor,
        previous_revision=earlier.revision_number if earlier is not None else None,
    )
    queue_acceptance(statement, signature)
    return signature


def queue_acceptance(
    statement: Statement, signature: Signature, invitation: Invitation | None = None
) -> None:
    """Tell the signer that the lead accepted their signature (open sign-on or late request)."""
    outbox.queue(
        "open_signon_approved",
        to=signature.signer_email,
        subject=lazy_gettext("Your signature is accepted: %(title)s", title=statement.title),
        context={"statement": statement, "signature": signature},
        statement=statement,
        invitation=invitation,
    )


def mark_rejected(actor: User, signature: Signature) -> None:
    """A request the lead turned down: it ends, and stays in the history as rejected."""
    now = utcnow()
    signature.status = SignatureStatus.REJECTED
    signature.reviewed_at = now
    signature.reviewed_by_id = actor.id
    signature.ended_at = now
    signature.ended_by = actor.email


def reject(actor: User, signature: Signature) -> Signature:
    """Reject an open sign-on request; it stays in the history as rejected (lead only)."""
    statement = reviewable(actor, signature)
    mark_rejected(actor, signature)
    audit.record(
        "signature.rejected", actor=actor, statement=statement, signature=signature.id,
        name=signature.name,
    )
    return signature
