"""API routes for signatures (partners, by invitation token) and the signatory list (leads)."""

from __future__ import annotations

from typing import Annotated, Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from coalition import roster, withheld
from coalition.api import bp
from coalition.api.common import Schema, lead_statement, parse
from coalition.api.openapi import Link, operation
from coalition.api.schemas import (
    TAG,
    Email,
    Name,
    OptionalLine,
    SignatoryList,
    SignatureAnswer,
    SignatureKind,
    SignatureSaved,
    Text,
    documented,
)
from coalition.database import late_write_lock
from coalition.domain.limits import NAME_MAX
from coalition.domain.translations import same_language
from coalition.extensions import db, limiter, sign_limit, token_key
from coalition.invitations.access import invitation_for_token
from coalition.models import Invitation, Signature
from coalition.security import api_route, partner
from coalition.signing import listing, services
from coalition.signing.services import COUNTRY_MAX, SignatureInput
from coalition.translations import services as translations
from coalition.web import iso


class SignatureIn(Schema):
    name: Name
    signer_name: Name
    signer_email: Email
    country: Annotated[str, Text(COUNTRY_MAX, "BY")] | None = None
    kind: SignatureKind | None = None
    # An individual's organisation (ignored for an organisation).
    affiliation: OptionalLine | None = None
    signer_role: OptionalLine | None = None
    # The display name per translation language, e.g. {"ru": "...", "be": "..."}; left out,
    # the previous signature's name forms are kept (docs/translations.md).
    names: Annotated[dict[str, OptionalLine], documented(propertyNames=TAG)] | None = None
    # "Keep me informed" (docs/api.md): the statement's updates are mailed to the signer.
    wants_updates: bool | None = None
    # False: counted in every total but never named publicly (docs/signing.md); left out,
    # a change keeps the previous choice (named, at first).
    public: bool | None = None
    # Shown after the public list's withheld line when not named, e.g. "a human rights
    # group based in Belarus"; up to 200 characters.
    public_description: Annotated[str, Text(NAME_MAX, "a rights group in Belarus")] | None = None


def signature_json(signature: Signature) -> dict[str, Any]:
    """A signature as its partner may see it: public details, never the contacts."""
    return {
        "id": signature.id,
        "status": signature.status,
        "name": signature.name,
        "kind": signature.kind,
        "affiliation": signature.affiliation,
        "country": signature.country,
        "revision": signature.revision_number,
        "sha256": signature.revision_sha256,
        "signed_at": iso(signature.created_at),
        "ended_at": iso(signature.ended_at),
        "names": translations.names_for(signature),
        "public": signature.public,
        "public_description": signature.public_description,
    }


def _refreshed_invitation(token: str) -> Invitation:
    invitation = invitation_for_token(token)
    if services.close_if_due(invitation.statement):
        db.session.commit()
    return invitation


@bp.post("/invitations/<token>/signature")
@operation(
    "Sign with an invitation",
    operation_id="sign",
    description="201 for a new signature, 200 when it replaces this invitation's live "
    "signature (never a duplicate; also the way to re-confirm after a substantive change). "
    "Optional fields left out keep the previous signature's values. Only while the statement "
    "is open and before its deadline, else 409.",
    request=SignatureIn,
    responses={200: SignatureSaved, 201: SignatureSaved, 409: None, 422: None},
    notes={200: "Replaced the live signature", 201: "Signed",
           404: "Unknown, revoked or expired token", 409: "The statement is not open for signing"},
    links={status: {
        "withdraw_signature": Link("withdraw_signature", {"token": "$request.path.token"}),
        "read_invitation": Link("read_invitation", {"token": "$request.path.token"}),
    } for status in (200, 201)},
)
@limiter.limit(sign_limit, key_func=token_key)
@partner
@late_write_lock
def put_signature(token: str) -> tuple[Response, int]:
    """Sign for the invitation's partner; 200 when it replaces the live signature, else 201."""
    invitation = _refreshed_invitation(token)
    data = parse(SignatureIn)
    signature, created = services.sign(
        invitation,
        SignatureInput(
            name=data.name,
            signer_name=data.signer_name,
            signer_email=data.signer_email,
            country=data.country,
            kind=data.kind,
            affiliation=data.affiliation,
            signer_role=data.signer_role,
            names=dict(data.names) if data.names is not None else None,
            wants_updates=data.wants_updates,
            public=data.public,
            public_description=data.public_description,
        ),
        token=token,
    )
    # The answer is read before the commit: afterwards every attribute would be expired and
    # read back in a second transaction (on SQLite, a second wait for the write lock).
    answer = jsonify({**signature_json(signature), "replaced": not created})
    db.session.commit()
    return answer, (201 if created else 200)


@bp.delete("/invitations/<token>/signature")
@operation(
    "Withdraw the live signature",
    operation_id="withdraw_signature",
    description="The signature becomes 'withdrawn' ('retracted' once published), never deleted.",
    responses={200: SignatureAnswer, 409: None},
    notes={200: "Withdrawn", 404: "Unknown, revoked or expired token",
           409: "No live signature to withdraw"},
)
@limiter.limit(sign_limit, key_func=token_key)
@partner
def delete_signature(token: str) -> Response:
    """Withdraw the live signature (a state, never a deletion); 409 when there is none."""
    invitation = _refreshed_invitation(token)
    signature = services.withdraw(invitation)
    answer = jsonify(signature_json(signature))  # before the commit, as put_signature does
    db.session.commit()
    return answer


@bp.get("/statements/<int:statement_id>/signatories")
@operation(
    "Every live named signature in published order",
    description="Name, country, kind and revision; no contacts. `withheld` counts the live "
    "signatures not named publicly and `withheld_descriptions` gives their public "
    "descriptions, collated (never their names). With ?lang=<tag> of one of the statement's "
    "translations: each name in that language (where the signatory gave one) and the order "
    "of that language's collation.",
    query={"lang": {"required": False, "schema": {"type": "string", "maxLength": 35},
                    "description": "A translation's language tag"}},
    responses={200: SignatoryList},
    notes={404: "Not a statement of your organisation, or no translation into lang"},
)
@api_route
def list_signatories(statement_id: int) -> Response:
    """Every live named signature in published order, without contacts, and how many are not
    named publicly (with their public descriptions); ?lang= for a translation. Lead only."""
    statement = lead_statement(statement_id)
    rows: list[tuple[str, str | None, str, int]]
    language = request.args.get("lang", "").strip()
    if language and not same_language(language, statement.language):
        # A translation's list: names in that language, collated by its rules.
        translation = translations.get(statement, language)
        ordered = translations.ordered_names(
            statement, withheld.named(roster.published(statement)), translation.language
        )
        rows = [(name, s.country, s.kind, s.revision_number) for s, name in ordered]
    else:
        # Plain rows, not ORM objects: a statement may have tens of thousands of signatures.
        rows = listing.published_rows(statement)
    descriptions = listing.withheld_descriptions(statement)
    return jsonify(
        {
            "signatories": [
                {"name": name, "country": country, "kind": kind, "revision": revision}
                for name, country, kind, revision in rows
            ],
            "withheld": len(descriptions),
            "withheld_descriptions": list(
                withheld.collated_descriptions(descriptions, statement.language)
            ),
        }
    )
