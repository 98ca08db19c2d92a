"""Account operations: organisations, lead users, colleague invitations and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import lazy_gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from coalition import audit
from coalition.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from coalition.domain.limits import NAME_MAX, clean_line
from coalition.extensions import db
from coalition.mail import outbox
from coalition.models import ROLES, ApiToken, ColleagueInvitation, Organisation, User, utcnow
from coalition.security import hash_token, new_token

API_TOKEN_PREFIX = "coal_"  # noqa: S105 - a public prefix, not a secret
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password123",
        "passw0rd",
        "123456",
        "1234567",
        "12345678",
        "123456789",
        "1234567890",
        "qwerty",
        "qwertyuiop",
        "abc123",
        "111111",
        "letmein",
        "welcome",
        "welcome1",
        "iloveyou",
        "admin",
        "admin123",
        "monkey",
        "dragon",
        "football",
        "baseball",
        "sunshine",
        "princess",
        "trustno1",
        "000000",
        "654321",
        "superman",
        "qazwsx",
        "changeme",
        "secret",
        "solidarity",
        "humanrights",
        "coalition",
        "statement",
    ]
)


# A colleague joins as an editor or a viewer; an organisation has one admin, its first account.
INVITED_ROLES = ("editor", "viewer")

def normalise_email(value: object, field: str = "email") -> str:
    """A syntactically valid e-mail address, lower-cased (no DNS look-up)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} is required.", fields={field: "is required"})
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(
            f"{field}: {exc}", fields={field: "is not a valid e-mail address"}
        ) from exc
    return result.normalized.lower()


def check_password(password: object) -> str:
    """Refuse short and common passwords."""
    if not isinstance(password, str):
        raise ValidationError("password must be text.", fields={"password": "must be text"})
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationError(
            f"Use at least {minimum} characters.",
            fields={"password": f"at least {minimum} characters"},
        )
    if len(password) > 1000:
        raise ValidationError("That password is too long.", fields={"password": "too long"})
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise ValidationError(
            "That password is too common; choose a longer phrase.",
            fields={"password": "too common"},
        )
    return password


def _hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def create_user(
    email: object,
    password: object,
    *,
    organisation: object,
    name: object = "",
    role: str = "editor",
) -> User:
    """Create a lead user, and their organisation if it is new (whose admin they become)."""
    email_ = normalise_email(email)
    password_ = check_password(password)
    org_name = clean_line("organisation", organisation, limit=NAME_MAX)
    name_ = clean_line("name", name, limit=NAME_MAX, required=False)
    if db.session.scalar(select(User.id).where(User.email == email_)) is not None:
        raise Conflict("An account with that e-mail address exists.", fields={"email": "taken"})
    org = db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == org_name.lower())
    )
    if org is None:
        org = Organisation(name=org_name)
        db.session.add(org)
        db.session.flush()
        role = "admin"
    if role not in ROLES:
        raise ValidationError("role must be admin, editor or viewer.",
                              fields={"role": "must be admin, editor or viewer"})
    user = User(
        role=role,
        organisation_id=org.id,
        email=email_,
        name=name_,
        password_hash=_hash_password(password_),
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=None, organisation_id=org.id, email=email_)
    return user


def sign_up(email: object, password: object, *, organisation: object, name: object) -> User:
    """Sign up a new organisation with its first user; an existing organisation is refused."""
    org_name = clean_line("organisation", organisation, limit=NAME_MAX)
    exists = db.session.scalar(
        select(Organisation.id).where(func.lower(Organisation.name) == org_name.lower())
    )
    if exists is not None:
        raise Conflict(
            "That organisation already uses Coalition: ask a colleague there to invite you.",
            fields={"organisation": "already registered"},
        )
    return create_user(email, password, organisation=org_name, name=name)


def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, or None (same work either way: no user enumeration)."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or user.disabled_at is not None:
        check_password_hash(_DUMMY_HASH(), password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def _DUMMY_HASH() -> str:  # noqa: N802 - a cached constant computed lazily
    cached = current_app.extensions.setdefault("coalition_dummy_hash", None)
    if cached is None:
        cached = _hash_password(secrets.token_hex(8))
        current_app.extensions["coalition_dummy_hash"] = cached
    return cached


def change_password(user: User, new_password: object) -> None:
    """Set a new password and end every other session of the user."""
    user.password_hash = _hash_password(check_password(new_password))
    user.session_token = secrets.token_hex(16)
    audit.record("user.password_changed", actor=user)


def end_sessions(user: User) -> None:
    """Invalidate every session of the user (logout)."""
    user.session_token = secrets.token_hex(16)


# --- API tokens -------------------------------------------------------------------------


def create_api_token(user: User, name: object = "") -> tuple[ApiToken, str]:
    """Create an API token; the secret is returned once and stored only as a hash."""
    name_ = clean_line("name", name, limit=100, required=False)
    secret = API_TOKEN_PREFIX + new_token(32)
    token = ApiToken(user_id=user.id, name=name_, token_hash=hash_token(secret), prefix=secret[:9])
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", actor=user, token_id=token.id, name=name_)
    return token, secret


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", actor=user, token_id=token.id)
    return token


def user_for_api_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = utcnow()
    # Only touch the row once a minute: a burst of API calls should not all write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return token.user


def list_api_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


# --- Colleagues -------------------------------------------------------------------------


def invite_colleague(
    actor: User, email: object, role: object = "editor"
) -> tuple[ColleagueInvitation, str]:
    """Invite a colleague into the actor's organisation with a role (its admin only);
    returns the join link's token."""
    if not actor.is_admin:
        raise PermissionDenied(
            "Only your organisation's admin invites colleagues.", fields={"email": "admin only"}
        )
    if role not in INVITED_ROLES:
        raise ValidationError("role must be editor or viewer.",
                              fields={"role": "must be editor or viewer"})
    email_ = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email_)) is not None:
        raise Conflict("That person already has an account.", fields={"email": "has an account"})
    token = new_token()
    invitation = ColleagueInvitation(
        organisation_id=actor.organisation_id,
        email=email_,
        token_hash=hash_token(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + dt.timedelta(days=14),
        role=role,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("colleague.invited", actor=actor, email=email_, role=role)
    return invitation, token


def invite_and_mail_colleague(
    actor: User, email: object, role: object = "editor"
) -> ColleagueInvitation:
    """Invite a colleague (see invite_colleague) and queue the mail with the join link."""
    invitation, token = invite_colleague(actor, email, role)
    outbox.queue(
        "colleague_invitation",
        to=invitation.email,
        subject=lazy_gettext(
            "Join %(organisation)s on Coalition", organisation=actor.organisation.name
        ),
        context={
            "inviter": actor,
            "organisation": actor.organisation,
            "url": url_for("accounts.join", token=token, _external=True),
        },
        organisation_id=actor.organisation_id,
    )
    return invitation


def colleague_invitation(token: str) -> ColleagueInvitation:
    """A pending, unexpired colleague invitation by its token, or NotFound."""
    invitation = db.session.scalar(
        select(ColleagueInvitation).where(ColleagueInvitation.token_hash == hash_token(token))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at < utcnow()
    ):
        raise NotFound("This invitation link is not valid any more.")
    return invitation


def accept_colleague_invitation(token: str, *, name: object, password: object) -> User:
    """Create the colleague's account from a pending invitation."""
    invitation = colleague_invitation(token)
    user = create_user(
        invitation.email, password, organisation=invitation.organisation.name, name=name,
        role=invitation.role,
    )
    invitation.accepted_at = utcnow()
    return user


def organisation_members(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.organisation_id == organisation_id).order_by(User.email)
        )
    )


def pending_colleague_invitations(organisation_id: int) -> list[ColleagueInvitation]:
    return list(
        db.session.scalars(
            select(ColleagueInvitation)
            .where(
                ColleagueInvitation.organisation_id == organisation_id,
                ColleagueInvitation.accepted_at.is_(None),
                ColleagueInvitation.revoked_at.is_(None),
            )
            .order_by(ColleagueInvitation.id.desc())
        )
    )


# --- Password reset ---------------------------------------------------------------------

RESET_MAX_AGE = 3600  # seconds


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def password_reset_token(user: User) -> str:
    """A signed, expiring token bound to the current password: it works once."""
    fingerprint = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
    return _reset_serializer().dumps({"u": user.id, "p": fingerprint})


def user_for_reset_token(token: str) -> User:
    """The user a reset token belongs to; NotFound if forged, expired or already used."""
    try:
        data = _reset_serializer().loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, SignatureExpired):
        raise NotFound("This password reset link is not valid any more.") from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active:
        raise NotFound("This password reset link is not valid any more.")
    fingerprint = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
    if not secrets.compare_digest(fingerprint, str(data.get("p", ""))):
        raise NotFound("This password reset link is not valid any more.")
    return user


def find_active_user(email: object) -> User | None:
    """The active user with this e-mail, if any (callers must not reveal the answer)."""
    if not isinstance(email, str):
        return None
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    return user if user is not None and user.is_active else None
