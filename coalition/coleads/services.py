"""Co-leads and their sign-off: invite, accept, remove, approve a revision (issue 17).

Who may do what is coalition.security's: the lead organisation's editors invite and
remove co-leads and require their sign-off (can_lead); a co-lead's editors approve a
revision for their organisation; viewers read and change nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext
from sqlalchemy import func, select

from coalition import audit
from coalition.accounts import services as accounts
from coalition.domain.errors import Conflict, Names, NotFound, PermissionDenied, say
from coalition.domain.limits import NAME_MAX, clean_line
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import services as invitations
from coalition.mail import outbox
from coalition.models import (
    CoLead,
    Revision,
    SignOff,
    Statement,
    User,
    utcnow,
)
from coalition.security import (
    can_lead,
    hash_token,
    is_co_lead,
    is_lead_organisation,
    new_token,
    require_lead,
    require_manage,
)
from coalition.web import base_url

INVITATION_DAYS = 14


def accept_url(token: str) -> str:
    """The address a co-lead's invitation mail carries; the last path segment is the token."""
    return f"{base_url()}/co-lead/{token}"


# --- who the co-leads are ------------------------------------------------------------------


def co_leads(statement: Statement) -> list[CoLead]:
    """Every co-lead invitation of the statement, pending, active or removed, oldest first."""
    return list(
        db.session.scalars(
            select(CoLead).where(CoLead.statement_id == statement.id).order_by(CoLead.id)
        )
    )


def active(statement: Statement) -> list[CoLead]:
    """The co-leads steering the statement now, in the order they accepted."""
    return [row for row in co_leads(statement) if row.status == "active"]


def conveners(statement: Statement) -> list[str]:
    """The organisations that convene the statement: the lead, then its active co-leads."""
    names = [statement.organisation.name]
    for row in sorted(active(statement), key=lambda r: (r.accepted_at or utcnow(), r.id)):
        if row.organisation is not None and row.organisation.name not in names:
            names.append(row.organisation.name)
    return names


def co_lead_of(statement: Statement, co_lead_id: int) -> CoLead:
    """One co-lead row of the statement, or NotFound."""
    row = db.session.get(CoLead, co_lead_id)
    if row is None or row.statement_id != statement.id:
        raise NotFound("No such co-lead.", fields={"co_lead": "not found"})
    return row


# --- inviting, accepting, removing ---------------------------------------------------------


def invite(actor: User, statement: Statement, email: object) -> tuple[CoLead, str]:
    """Invite another organisation as co-lead through one of its staff's address (the lead
    only); the mail carries a link to accept, which makes the account when there is none."""
    require_lead(actor, statement)
    email_ = accounts.normalise_email(email)
    existing = db.session.scalar(select(User).where(User.email == email_))
    if existing is not None and existing.organisation_id == statement.organisation_id:
        raise Conflict(
            "That address belongs to your own organisation.", fields={"email": "your colleague"}
        )
    for row in co_leads(statement):
        if row.status != "removed" and (
            row.email == email_
            or (existing is not None and row.organisation_id == existing.organisation_id)
        ):
            raise Conflict(
                "That organisation is already invited as co-lead.",
                fields={"email": "already invited"},
                co_lead=row.id,
            )
    token = new_token()
    row = CoLead(
        statement_id=statement.id,
        email=email_,
        token_hash=hash_token(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + dt.timedelta(days=INVITATION_DAYS),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("co_lead.invited", actor=actor, statement=statement, co_lead=row.id,
                 email=email_)
    outbox.queue(
        "co_lead_invitation",
        to=email_,
        subject=lazy_gettext(
            "%(lead)s invites you to co-lead “%(title)s”",
            lead=statement.organisation.name, title=statement.title,
        ),
        context={"inviter": actor, "statement": statement, "url": accept_url(token),
                 "days": INVITATION_DAYS, "has_account": existing is not None},
        statement=statement,
        organisation_id=statement.organisation_id,
    )
    return row, token


def invitation(token: str) -> CoLead:
    """A pending, unexpired co-lead invitation by its token, or NotFound."""
    row = db.session.scalar(select(CoLead).where(CoLead.token_hash == hash_token(token or "")))
    if row is None or row.status != "invited" or row.expires_at < utcnow():
        raise NotFound("This invitation link is not valid any more.")
    return row


def account_for(row: CoLead) -> User | None:
    """The account of the invited address, if there is one."""
    return db.session.scalar(select(User).where(User.email == row.email))


def accept(
    token: str,
    user: User | None = None,
    *,
    organisation: object = None,
    name: object = "",
    password: object = None,
) -> User:
    """Accept a co-lead invitation: as `user` (logged in with the invited address), or by
    making the invited address's account and its organisation (whose admin it becomes)."""
    row = invitation(token)
    statement = row.statement
    if user is None:
        if account_for(row) is not None:
            raise Conflict(
                "That address has an account: log in with it to accept.",
                fields={"email": "has an account"},
            )
        org_name = clean_line("organisation", organisation, limit=NAME_MAX)
        user = accounts.sign_up(row.email, password, organisation=org_name, name=name)
    elif user.email != row.email:
        raise PermissionDenied(
            "This invitation was sent to another address: log in with it to accept.",
            fields={"email": "another address"},
        )
    if is_lead_organisation(user, statement):
        raise Conflict("Your organisation leads this statement already.",
                       fields={"email": "the lead"})
    if is_co_lead(user, statement):
        raise Conflict("Your organisation is a co-lead already.", fields={"email": "co-lead"})
    row.organisation_id = user.organisation_id
    row.accepted_at = utcnow()
    row.accepted_by_id = user.id
    row.token_hash = None
    db.session.flush()
    audit.record("co_lead.accepted", actor=user, statement=statement, co_lead=row.id,
                 organisation=user.organisation.name)
    _invite_as_signatory(row, user)
    return user


def _invite_as_signatory(row: CoLead, user: User) -> None:
    """A co-lead signs like any partner: through an invitation of its own (made unless its
    address is invited already)."""
    statement = row.statement
    if invitations.find_by_email(statement, user.email) is not None:
        return
    inviter = row.invited_by
    if not can_lead(inviter, statement):
        return  # the inviter has left or become a viewer: the lead invites it by hand
    invitations.invite(inviter, statement, organisation=user.organisation.name,
                       email=user.email)


def remove(actor: User, row: CoLead) -> None:
    """End a co-lead (or its pending invitation); the lead only. Its staff lose the statement
    at once; its signature, if any, stands like any partner's."""
    statement = row.statement
    require_lead(actor, statement)
    if row.removed_at is not None:
        raise Conflict("This co-lead is removed already.", fields={"co_lead": "removed"})
    row.removed_at = utcnow()
    row.removed_by_id = actor.id
    row.token_hash = None
    audit.record("co_lead.removed", actor=actor, statement=statement, co_lead=row.id,
                 organisation=row.organisation.name if row.organisation else row.email)


# --- sign-off ------------------------------------------------------------------------------


@dataclass
class Approval:
    """A co-lead's state of approval for the statement's publication."""

    organisation: str
    sign_off: SignOff | None  # its newest approval, if any
    valid: bool  # it approves a revision no substantive change has followed


def set_required(actor: User, statement: Statement, required: bool) -> None:
    """Require (or stop requiring) each co-lead's approval before publication; the lead."""
    require_lead(actor, statement)
    if statement.require_sign_off != required:
        statement.require_sign_off = required
        statement.updated_at = utcnow()
        audit.record("statement.sign_off_required", actor=actor, statement=statement,
                     required=required)


def last_substantive(statement: Statement) -> int:
    """The number of the latest substantive revision (1 when only the first exists)."""
    number = db.session.scalar(
        select(func.max(Revision.number)).where(
            Revision.statement_id == statement.id, Revision.substantive.is_(True)
        )
    )
    return int(number or 1)


def sign_off(actor: User, statement: Statement, revision: object = None) -> SignOff:
    """Approve the statement's latest revision for publication, for the actor's co-lead
    organisation. `revision`, when given, must be that latest revision: one approves the
    exact text one read."""
    require_manage(actor, statement)
    if not is_co_lead(actor, statement):
        # Only the lead's staff get here (others cannot manage it): the lead publishes.
        raise Conflict("The lead organisation publishes: only its co-leads sign off.",
                       fields={"id": "the lead"})
    current = drafting.latest_revision(statement)
    if revision is not None and revision != current.number:
        raise Conflict(
            f"Revision {current.number} is the latest: read it, then sign off.",
            fields={"revision": "not the latest"},
            current_revision=current.number,
        )
    made = SignOff(
        statement_id=statement.id,
        organisation_id=actor.organisation_id,
        revision_number=current.number,
        sha256=current.sha256,
        user_id=actor.id,
    )
    db.session.add(made)
    db.session.flush()
    audit.record("sign_off.given", actor=actor, statement=statement,
                 organisation=actor.organisation.name, revision=current.number,
                 sha256=current.sha256)
    return made


def approvals(statement: Statement) -> list[Approval]:
    """Each active co-lead's newest approval and whether it still holds: it approves the
    latest substantive revision or a later one."""
    floor = last_substantive(statement)
    found = []
    for row in active(statement):
        newest = db.session.scalar(
            select(SignOff)
            .where(SignOff.statement_id == statement.id,
                   SignOff.organisation_id == row.organisation_id)
            .order_by(SignOff.id.desc())
            .limit(1)
        )
        assert row.organisation is not None
        found.append(Approval(
            row.organisation.name, newest,
            newest is not None and newest.revision_number >= floor,
        ))
    return found


def awaiting_error(waiting: list[str]) -> Conflict:
    """The refusal of a publication that waits for these co-leads' sign-off."""
    return Conflict(
        say("Publication waits for the co-leads' sign-off of the latest revision: "
            "%(names)s.", names=Names(waiting)),
        fields={"sign_off": "awaiting"},
        awaiting_sign_off=waiting,
    )


def awaiting(statement: Statement) -> list[str]:
    """The co-leads whose approval publication still waits for (none unless required)."""
    if not statement.require_sign_off:
        return []
    return [approval.organisation for approval in approvals(statement) if not approval.valid]
