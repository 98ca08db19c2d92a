"""Resolve a partner's invitation token: the token is the partner's only key."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from coalition.domain.errors import NotFound
from coalition.extensions import db
from coalition.models import Invitation, Statement, utcnow
from coalition.security import hash_token


def expires_at(invitation: Invitation, statement: Statement) -> dt.datetime | None:
    """An invitation lapses a grace period after the statement's sign-on deadline."""
    if statement.sign_deadline is None:
        return None
    grace = dt.timedelta(days=current_app.config["INVITATION_GRACE_DAYS"])
    return statement.sign_deadline + grace


# With its statement in the same query: every caller checks the statement next. Built
# once: every partner request and every sign-on starts here.
_BY_TOKEN = (
    select(Invitation)
    .options(joinedload(Invitation.statement))
    .where(Invitation.token_hash == bindparam("token_hash"))
)


def find_invitation(token: str) -> Invitation | None:
    """The invitation a token belongs to, whatever its status (None if unknown)."""
    if not token or len(token) > 200:
        return None
    invitation: Invitation | None = db.session.scalar(
        _BY_TOKEN, {"token_hash": hash_token(token)}
    )
    return invitation


def invitation_status_problem(invitation: Invitation) -> str | None:
    """Why a known invitation no longer opens ("revoked", "expired"), or None if it does."""
    if invitation.revoked_at is not None:
        return "revoked"
    limit = expires_at(invitation, invitation.statement)
    if limit is not None and utcnow() > limit:
        return "expired"
    return None


def invitation_for_token(token: str) -> Invitation:
    """A live invitation by its token; NotFound for unknown, revoked or expired tokens."""
    invitation = find_invitation(token)
    if invitation is None or invitation_status_problem(invitation) is not None:
        raise NotFound("This invitation link is not valid.", fields={"token": "not valid"})
    return invitation
