"""API routes for invitations (lead, bearer token) and the partner's review (token in path)."""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from sqlalchemy import select
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import Schema, api_user, lead_statement, parse, statement_json
from coalition.api.openapi import document
from coalition.domain.rendering import render_markdown
from coalition.drafting import services as drafting
from coalition.extensions import db, limiter, sign_limit, token_key
from coalition.invitations import access, services
from coalition.models import Signature
from coalition.security import api_route, partner


class InvitationIn(Schema):
    organisation: str
    email: str
    message: str | None = None


class CommentIn(Schema):
    body: str
    anchor: int | None = None
    suggestion: str | None = None
    visibility: Literal["private", "shared"] = "private"


@bp.post("/statements/<int:statement_id>/invitations")
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
    return jsonify({"id": invitation.id, "sign_url": services.partner_url(token)}), 201


@bp.get("/statements/<int:statement_id>/invitations")
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
@partner
def read_invitation(token: str) -> Response:
    """What the partner sees: the statement's public fields, the current text, its signature."""
    invitation = access.invitation_for_token(token)
    statement = invitation.statement
    services.record_visit(invitation)
    db.session.commit()
    revision = drafting.latest_revision(statement)
    signature = db.session.scalar(
        select(Signature).where(
            Signature.invitation_id == invitation.id, Signature.status == "live"
        )
    )
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


document(
    "post",
    "/statements/{id}/invitations",
    "Invite a partner organisation",
    request=InvitationIn,
    responses={
        201: "Created: id, sign_url (the last path segment is the token, shown only here)",
        409: "The e-mail is already invited: error, fields.email, invitation_id",
    },
)
document(
    "get",
    "/statements/{id}/invitations",
    "List invitations with their status (invited, mail_sent, mail_failed, opened, "
    "commented, signed, declined, revoked, expired)",
)
document(
    "get",
    "/invitations/{token}",
    "The partner's view: statement, revision, title, body_html, its live signature",
    auth="partner",
    responses={200: "OK", 404: "Unknown, revoked or expired token"},
)
document(
    "post",
    "/invitations/{token}/comments",
    "Comment on a paragraph (anchor) or propose its replacement text (suggestion)",
    auth="partner",
    request=CommentIn,
    responses={
        201: "Created: id, revision, anchor, visibility",
        404: "Unknown, revoked or expired token",
        409: "The statement does not take comments now",
    },
)
