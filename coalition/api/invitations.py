"""API routes for invitations (lead, bearer token) and the partner's review (token in path)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import jsonify
from pydantic import ConfigDict
from werkzeug.wrappers import Response

from coalition import roster
from coalition.api import bp
from coalition.api.common import Schema, api_user, lead_statement, parse, statement_json
from coalition.api.openapi import Link, operation
from coalition.api.schemas import (
    CommentCreated,
    DuplicateInvitationError,
    Email,
    Integer,
    InvitationCreated,
    InvitationList,
    Name,
    PartnerView,
    Text,
    text_pattern,
)
from coalition.domain.limits import COMMENT_MAX
from coalition.domain.rendering import render_markdown
from coalition.drafting import services as drafting
from coalition.extensions import db, limiter, sign_limit, token_key
from coalition.invitations import access, services
from coalition.invitations.services import MESSAGE_MAX
from coalition.security import api_route, partner

# The token is the last path segment of sign_url (a regular expression takes it out).
TOKEN_FROM_SIGN_URL = "$response.body#/sign_url#regex:/i/([^/?#]+)$"  # noqa: S105 - an expression


class InvitationIn(Schema):
    organisation: Name
    email: Email
    # A personal message added to the invitation mail.
    message: Annotated[str, Text(MESSAGE_MAX, "We would be glad to sign with you.")] | None = None


def _comment_conditions(schema: dict[str, Any]) -> None:
    # Conditions rather than anyOf, so that a client generator sees one object: the body may
    # be blank only when a suggestion is given, and a suggestion needs its paragraph.
    shows = {"type": "string", "pattern": text_pattern(required=True)}
    suggests = {"required": ["suggestion"], "properties": {"suggestion": shows}}
    schema["allOf"] = [
        {"if": {"properties": {"body": shows}}, "else": suggests},
        {"if": suggests, "then": {"required": ["anchor"],
                                  "properties": {"anchor": {"type": "integer"}}}},
    ]


class CommentIn(Schema):
    """A comment, a suggestion for a paragraph, or both: the body may be blank only when a
    suggestion is given, and a suggestion needs its paragraph (anchor)."""

    model_config = ConfigDict(json_schema_extra=_comment_conditions)

    body: Annotated[str, Text(COMMENT_MAX, "Could we name it?")]
    # A paragraph of the current revision, from 0; required with a suggestion.
    anchor: Integer | None = None
    suggestion: Annotated[str, Text(COMMENT_MAX, "Could we name the court?")] | None = None
    visibility: Literal["private", "shared"] = "private"


@bp.post("/statements/<int:statement_id>/invitations")
@operation(
    "Invite a partner organisation",
    description="The invitation mail is queued at once. The token inside `sign_url` (its "
    "last path segment) is shown only here.",
    request=InvitationIn,
    responses={201: InvitationCreated, 409: DuplicateInvitationError, 422: None},
    notes={409: "The e-mail is already invited to this statement: invitation_id names it"},
    links={201: {
        name: Link(name, {"token": TOKEN_FROM_SIGN_URL})
        for name in ("read_invitation", "create_comment", "sign", "withdraw_signature")
    }},
)
@api_route
def create_invitation(statement_id: int) -> tuple[Response, int]:
    """Invite a partner organisation; the sign_url (with its token) is shown only here."""
    statement = lead_statement(statement_id)
    data = parse(InvitationIn)
    invitation, token = services.invite(
        api_user(),
        statement,
        organisation=data.organisation,
        email=data.email,
        message=data.message or "",
    )
    db.session.commit()
    return jsonify({"id": invitation.id, "sign_url": access.partner_url(token)}), 201


@bp.get("/statements/<int:statement_id>/invitations")
@operation("List invitations with their status", responses={200: InvitationList})
@api_route
def list_invitations(statement_id: int) -> Response:
    """Every invitation of a statement with its response state."""
    statement = lead_statement(statement_id)
    return jsonify(
        {
            "invitations": [
                {
                    "id": row.invitation.id,
                    "organisation": row.invitation.organisation,
                    "email": row.invitation.email,
                    "status": row.state.value,
                }
                for row in sorted(services.tracking(statement), key=lambda r: r.invitation.id)
            ]
        }
    )


@bp.get("/invitations/<token>")
@operation(
    "The partner's view",
    description="The statement's public fields, the current revision's title and rendered "
    "body, and this invitation's live signature (or null).",
    responses={200: PartnerView},
    notes={404: "Unknown, revoked or expired token"},
)
@partner
def read_invitation(token: str) -> Response:
    """What the partner sees: the statement's public fields, the current text, its signature."""
    invitation = access.invitation_for_token(token)
    statement = invitation.statement
    services.record_visit(invitation)
    db.session.commit()
    revision = drafting.latest_revision(statement)
    signature = roster.live_signature(invitation)
    public = statement_json(statement)
    public["lead_organisation"] = statement.organisation.name
    public["accepts_comments"] = services.comments_open(statement)
    return jsonify(
        {
            "statement": public,
            "revision": revision.number,
            "title": revision.title,
            "body_html": render_markdown(revision.body),
            "signature": {
                "name": signature.name,
                "kind": signature.kind,
                "country": signature.country,
                "revision": signature.revision_number,
            }
            if signature is not None
            else None,
        }
    )


@bp.post("/invitations/<token>/comments")
@operation(
    "Comment, or propose a paragraph's replacement text",
    description="Taken in review, and in open when the lead allows it; otherwise 409. "
    "`anchor` is a paragraph of the current revision, from 0 (409 when the text has no "
    "such paragraph); a `suggestion` needs an anchor.",
    request=CommentIn,
    responses={201: CommentCreated, 409: None, 422: None},
    notes={404: "Unknown, revoked or expired token",
           409: "The statement does not take comments now, or has no such paragraph"},
)
@limiter.limit(sign_limit, key_func=token_key)
@partner
def create_comment(token: str) -> tuple[Response, int]:
    """Comment on the statement or a paragraph (anchor), or propose its replacement text."""
    invitation = access.invitation_for_token(token)
    data = parse(CommentIn)
    comment = services.add_comment(
        invitation,
        body=data.body,
        anchor=data.anchor,
        suggestion=data.suggestion,
        visibility=data.visibility,
    )
    db.session.commit()
    return jsonify(
        {
            "id": comment.id,
            "revision": comment.revision_number,
            "anchor": comment.anchor,
            "visibility": comment.visibility,
        }
    ), 201
