"""Resolve a partner's invitation token: the token is the partner's only key.

One link for the invitation's whole life (DESIGN.md): the token is its `link_salt`
followed by an HMAC-SHA256 of that salt under the secret key, so any mail can carry the
same link again, while the database alone holds nothing that opens a page. Reinstating a
revoked invitation gives it a new salt, hence a new link (docs/security.md). A link sent
before links were derived is found by its SHA-256 (`token_hash`) and keeps working.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from flask import abort, current_app, make_response, render_template
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload

from coalition.domain.errors import NotFound
from coalition.extensions import db
from coalition.models import Invitation, Statement, utcnow
from coalition.security import hash_token
from coalition.web import base_url

SALT_LENGTH = 16  # security.new_link_salt
MAC_BYTES = 18  # 144 bits, 24 URL-safe characters
TOKEN_LENGTH = SALT_LENGTH + 24
_PURPOSE = b"coalition invitation link\x00"


def _mac(salt: str, key: object) -> str:
    secret = key if isinstance(key, bytes) else str(key).encode("utf-8")
    digest = hmac.new(secret, _PURPOSE + salt.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:MAC_BYTES]).decode("ascii")


def link_token(invitation: Invitation) -> str:
    """The invitation's one token: the same every time it is asked for, until reinstated."""
    return invitation.link_salt + _mac(invitation.link_salt, current_app.config["SECRET_KEY"])


def partner_path(token: str) -> str:
    """The partner's page, relative: /i/<token> (its last path segment is the token)."""
    return f"/i/{token}"


def partner_url(token: str) -> str:
    """The partner's page, absolute: in every mail, in the API's sign_url and on the lead's
    pages alike, by web.base_url's one rule (BASE_URL when set, else the request's host)."""
    return f"{base_url()}{partner_path(token)}"


def link_url(invitation: Invitation) -> str:
    """The invitation's one link: every mail, the API's sign_url and the lead's "Copy link"
    carry this same address, from creation until revocation or expiry."""
    return partner_url(link_token(invitation))


def _keys() -> list[object]:
    """The secret key, then any SECRET_KEY_FALLBACKS: links survive a key rotation."""
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [current_app.config["SECRET_KEY"], *fallbacks]


def _derived(invitation: Invitation, token: str) -> bool:
    if invitation.link_salt != token[:SALT_LENGTH] or len(token) != TOKEN_LENGTH:
        return False
    given = token[SALT_LENGTH:]
    return any(hmac.compare_digest(given, _mac(invitation.link_salt, key)) for key in _keys())


def expires_at(invitation: Invitation, statement: Statement) -> dt.datetime | None:
    """An invitation lapses a grace period after the statement's sign-on deadline."""
    if statement.sign_deadline is None:
        return None
    grace = dt.timedelta(days=current_app.config["INVITATION_GRACE_DAYS"])
    return statement.sign_deadline + grace


# With its statement in the same query: every caller checks the statement next. Built
# once: every partner request and every sign-on starts here. One query for both kinds of
# link (each side of the OR is a unique index).
_BY_TOKEN = (
    select(Invitation)
    .options(joinedload(Invitation.statement))
    .where(
        or_(
            Invitation.link_salt == bindparam("salt"),
            Invitation.token_hash == bindparam("token_hash"),
        )
    )
)


def find_invitation(token: str) -> Invitation | None:
    """The invitation a token belongs to, whatever its status (None if unknown)."""
    if not token or len(token) > 200:
        return None
    token_hash = hash_token(token)
    rows = db.session.scalars(
        _BY_TOKEN, {"salt": token[:SALT_LENGTH], "token_hash": token_hash}
    ).unique()
    for invitation in rows:
        if _derived(invitation, token) or (
            invitation.token_hash is not None
            and hmac.compare_digest(invitation.token_hash, token_hash)
        ):
            return invitation
    return None


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


def invitation_or_ended_page(token: str) -> Invitation:
    """For the partner's browser pages: the live invitation; a revoked or expired link gets
    the page saying what happened and whom to contact (404); an unknown token the plain 404."""
    invitation = find_invitation(token)
    if invitation is None:
        abort(404)
    problem = invitation_status_problem(invitation)
    if problem is not None:
        html = render_template(
            "invitations/link_ended.html",
            problem=problem,
            lead_organisation=invitation.statement.organisation.name,
            organisation=invitation.organisation,
        )
        abort(make_response(html, 404))
    return invitation
