"""Small data factories with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from flask.testing import FlaskClient

from coalition.accounts.services import create_api_token, create_user
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Statement, User

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)

BODY = (
    "We, the undersigned, call for the release of all prisoners of conscience.\n\n"
    "Second paragraph with more detail."
)


def user(organisation: str = "Rights Watch", email: str | None = None, **kw: Any) -> User:
    """A lead user (committed)."""
    n = next(_counter)
    made = create_user(
        email or f"lead{n}@example.org",
        kw.pop("password", PASSWORD),
        organisation=organisation,
        name=kw.pop("name", f"Lead {n}"),
    )
    db.session.commit()
    return made


def statement(
    owner: User,
    title: str = "Free the defenders",
    body: str = BODY,
    state: str | None = None,
    **kw: Any,
) -> Statement:
    """A statement with one revision, optionally moved to `state` (committed)."""
    made = drafting.create_statement(owner, title=title, body=body, **kw)
    if state in ("review", "open", "closed"):
        if state == "review":
            drafting.change_state(owner, made, "review")
        else:
            drafting.change_state(owner, made, "open")
        if state == "closed":
            drafting.change_state(owner, made, "closed")
    db.session.commit()
    return made


def token(owner: User) -> str:
    """A fresh API token secret for `owner` (committed)."""
    _, secret = create_api_token(owner, "tests")
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def login(client: FlaskClient, owner: User, password: str = PASSWORD) -> None:
    """Log `owner` in through the login form."""
    response = client.post("/login", data={"email": owner.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


# --- publishing: signatures made directly as rows (the signing services are not needed) ---


def invitation_row(statement: Statement, organisation: str, email: str | None = None) -> Any:
    """An invitation to `statement` (flushed, not committed)."""
    from coalition.models import Invitation

    made = Invitation(
        statement_id=statement.id,
        organisation=organisation,
        email=email or f"contact{next(_counter)}@partner.example.org",
    )
    db.session.add(made)
    db.session.flush()
    return made


def signature_row(
    statement: Statement,
    name: str,
    *,
    revision: int | None = None,
    kind: str = "organisation",
    country: str = "",
    affiliation: str = "",
    status: str = "live",
    invitation: Any = None,
    **kw: Any,
) -> Any:
    """A signature of `statement` endorsing `revision` (default: the current one), committed.

    Without `invitation`, one is made for it; its sort key is computed as the signing
    service does, in the statement's language.
    """
    from coalition.domain.collation import RULES_VERSION, sort_key
    from coalition.models import Revision, Signature

    number = revision or statement.current_revision
    sha = db.session.scalar(
        db.select(Revision.sha256).where(
            Revision.statement_id == statement.id, Revision.number == number
        )
    )
    if invitation is None:
        invitation = invitation_row(statement, name)
    n = next(_counter)
    sort_as = kw.pop("sort_as", None)
    made = Signature(
        statement_id=statement.id,
        invitation_id=invitation.id if invitation else None,  # False: open sign-on, none
        status=status,
        name=name,
        sort_as=sort_as,
        sort_key=sort_key(name, statement.language, sort_as),
        sort_rules=RULES_VERSION,
        kind=kind,
        country=country,
        affiliation=affiliation,
        signer_name=kw.pop("signer_name", f"Signer {n}"),
        signer_email=kw.pop("signer_email", f"signer{n}@partner.example.org"),
        revision_number=number,
        revision_sha256=sha or "0" * 64,
        **kw,
    )
    db.session.add(made)
    db.session.commit()
    return made


# --- invitations: partners invited through the service (mail queued in the outbox) ---


def invite(
    owner: User,
    statement: Statement,
    organisation: str = "Partner Org",
    email: str | None = None,
    message: str = "",
) -> tuple[Any, str]:
    """Invite a partner to `statement` (committed); returns (invitation, token)."""
    from coalition.invitations import services as invitations

    made, secret = invitations.invite(
        owner,
        statement,
        organisation=organisation,
        email=email or f"partner{next(_counter)}@partner.example.org",
        message=message,
    )
    db.session.commit()
    return made, secret


# --- signing: partners with a known token, and signatures made through the service ---


def partner_invitation(
    statement: Statement, organisation: str = "Partner Org", email: str | None = None,
    *, legacy: bool = False,
) -> tuple[Any, str]:
    """An invitation row and its one link's token (committed); no mail is queued.

    `legacy`: a random token stored as its SHA-256, as links were made before 0005.
    """
    from coalition.invitations.access import link_token
    from coalition.models import Invitation
    from coalition.security import hash_token, new_token

    secret = new_token() if legacy else None
    made = Invitation(
        statement_id=statement.id,
        organisation=organisation,
        email=email or f"partner{next(_counter)}@partner.example.org",
        token_hash=hash_token(secret) if secret else None,
    )
    db.session.add(made)
    db.session.commit()
    return made, secret or link_token(made)


def signed(statement: Statement, name: str, **fields: Any) -> Any:
    """A partner invited and signed through signing.services.sign (committed)."""
    from coalition.signing import services as signing
    from coalition.signing.services import SignatureInput

    invitation, secret = partner_invitation(statement, name)
    n = next(_counter)
    data = SignatureInput(
        name=name,
        signer_name=fields.pop("signer_name", f"Signer {n}"),
        signer_email=fields.pop("signer_email", f"signer{n}@partner.example.org"),
        **fields,
    )
    made, _ = signing.sign(invitation, data, token=secret)
    db.session.commit()
    return made


# --- translations: a translation added through the service, with an optional first text ---


def translation(
    owner: User,
    statement: Statement,
    language: str = "ru",
    *,
    title: str | None = None,
    body: str | None = None,
    translator: Any = None,
) -> Any:
    """A translation of `statement` (committed); with `body`, a first text of the current source."""
    from coalition.translations import services as translations

    made = translations.add_translation(owner, statement, language, translator=translator)
    if body is not None:
        translations.save_revision(
            owner,
            made,
            title=title or f"{statement.title} ({language})",
            body=body,
            base_revision=0,
            source_revision=statement.current_revision,
        )
    db.session.commit()
    return made


def translate(owner: Any, made: Any, body: str, title: str | None = None, **kw: Any) -> Any:
    """Save a new revision of a translation on top of its latest, of the current source."""
    from coalition.translations import services as translations

    latest = translations.latest(made)
    revision = translations.save_revision(
        owner,
        made,
        title=title or (latest.title if latest else "Title"),
        body=body,
        base_revision=made.current_revision,
        source_revision=kw.pop("source_revision", made.statement.current_revision),
        **kw,
    )
    db.session.commit()
    return revision


# --- co-leads (issue 17) --------------------------------------------------------------------


def co_lead(
    owner: User, made: Statement, organisation: str = "Co-lead Centre",
    email: str | None = None, **kw: Any,
) -> User:
    """An organisation that co-leads `made`, through its first account (committed)."""
    from coalition.coleads import services as coleads

    address = email or f"colead{next(_counter)}@colead.example"
    _, secret = coleads.invite(owner, made, address)
    db.session.commit()
    accepted = coleads.accept(secret, organisation=organisation, name=kw.pop("name", "Co Lead"),
                              password=PASSWORD)
    db.session.commit()
    return accepted


def colleague(of: User, role: str = "editor", email: str | None = None) -> User:
    """Another account of `of`'s organisation with `role` (committed)."""
    made = create_user(email or f"colleague{next(_counter)}@example.org", PASSWORD,
                       organisation=of.organisation.name, role=role)
    db.session.commit()
    return made
