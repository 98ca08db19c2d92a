"""API routes for co-leads, their sign-off and an organisation's roles (issue 17)."""

from __future__ import annotations

from typing import Literal

from flask import jsonify
from werkzeug.wrappers import Response

from coalition.accounts import services as accounts
from coalition.api import bp
from coalition.api.common import Schema, api_user, lead_statement, parse
from coalition.api.openapi import operation
from coalition.api.schemas import (
    CoLeadCreated,
    CoLeadList,
    ColleagueInvited,
    Email,
    Integer,
    MemberList,
    SignOffMade,
)
from coalition.coleads import services
from coalition.extensions import db
from coalition.models import CoLead, Statement
from coalition.security import api_route, require_lead
from coalition.web import iso


class CoLeadIn(Schema):
    email: Email


class SignOffIn(Schema):
    # The revision approved: it must be the latest (409 names the latest otherwise).
    revision: Integer | None = None


class ColleagueIn(Schema):
    email: Email
    role: Literal["editor", "viewer"] = "editor"


def _co_lead_json(row: CoLead) -> dict[str, object]:
    return {
        "id": row.id,
        "email": row.email,
        "organisation": row.organisation.name if row.organisation else None,
        "status": row.status,
        "invited_at": iso(row.created_at),
        "accepted_at": iso(row.accepted_at),
        "removed_at": iso(row.removed_at),
    }


def _list_json(statement: Statement) -> dict[str, object]:
    return {
        "co_leads": [_co_lead_json(row) for row in services.co_leads(statement)],
        "conveners": services.conveners(statement),
        "require_sign_off": statement.require_sign_off,
        "sign_offs": [
            {
                "organisation": approval.organisation,
                "approved": approval.valid,
                "revision": approval.sign_off.revision_number if approval.sign_off else None,
                "sha256": approval.sign_off.sha256 if approval.sign_off else None,
                "by": approval.sign_off.user.email if approval.sign_off else None,
                "at": iso(approval.sign_off.created_at) if approval.sign_off else None,
            }
            for approval in services.approvals(statement)
        ],
        "awaiting_sign_off": services.awaiting(statement),
    }


@bp.get("/statements/<int:statement_id>/co-leads")
@operation(
    "List the co-leads and their sign-off",
    description="Every co-lead invitation (invited, active or removed), the conveners, and "
    "each active co-lead's newest approval of the text.",
    responses={200: CoLeadList},
)
@api_route
def list_co_leads(statement_id: int) -> Response:
    """The statement's co-leads, conveners and approvals (the lead's and co-leads' staff)."""
    return jsonify(_list_json(lead_statement(statement_id)))


@bp.post("/statements/<int:statement_id>/co-leads")
@operation(
    "Invite an organisation as co-lead",
    description="By one of its staff's e-mail address; the mail (with the link to accept) is "
    "queued at once. Accepting makes the account and its organisation when there is none. "
    "The lead organisation only.",
    request=CoLeadIn,
    responses={201: CoLeadCreated, 403: None, 409: None, 422: None},
    notes={403: "Not the lead organisation, or a viewer",
           409: "The address or its organisation is invited already, or is the lead's own"},
)
@api_route
def invite_co_lead(statement_id: int) -> tuple[Response, int]:
    """Invite a co-lead by e-mail (the lead only); the accept link is shown only here."""
    statement = require_lead(api_user(), lead_statement(statement_id))
    data = parse(CoLeadIn)
    row, token = services.invite(api_user(), statement, data.email)
    db.session.commit()
    return jsonify({"id": row.id, "accept_url": services.accept_url(token)}), 201


@bp.delete("/statements/<int:statement_id>/co-leads/<int:co_lead_id>")
@operation(
    "Remove a co-lead",
    description="Its staff lose the statement at once; an invitation not yet accepted stops "
    "working. The lead organisation only.",
    responses={200: CoLeadList, 403: None, 409: None},
    notes={409: "Removed already"},
)
@api_route
def remove_co_lead(statement_id: int, co_lead_id: int) -> Response:
    """Remove a co-lead (the lead only); answers the list as it now is."""
    statement = lead_statement(statement_id)
    services.remove(api_user(), services.co_lead_of(statement, co_lead_id))
    db.session.commit()
    return jsonify(_list_json(statement))


@bp.post("/statements/<int:statement_id>/sign-off")
@operation(
    "Approve the latest revision for publication",
    description="For the token owner's co-lead organisation; the approval names the "
    "revision and its SHA-256. A later substantive revision voids it.",
    request=SignOffIn,
    responses={201: SignOffMade, 403: None, 409: None, 422: None},
    notes={403: "Not a co-lead of this statement, or a viewer",
           409: "revision is not the latest (current_revision names it)"},
)
@api_route
def sign_off(statement_id: int) -> tuple[Response, int]:
    """Approve the latest revision for the co-lead's organisation."""
    statement = lead_statement(statement_id)
    data = parse(SignOffIn)
    made = services.sign_off(api_user(), statement, data.revision)
    db.session.commit()
    return jsonify({"organisation": made.organisation.name, "revision": made.revision_number,
                    "sha256": made.sha256}), 201


@bp.get("/organisation/members")
@operation("List your organisation's accounts and roles", responses={200: MemberList})
@api_route
def list_members() -> Response:
    """The accounts of the token owner's organisation with their roles."""
    members = accounts.organisation_members(api_user().organisation_id)
    return jsonify({"members": [
        {"email": user.email, "name": user.name, "role": user.role} for user in members
    ]})


@bp.post("/organisation/colleagues")
@operation(
    "Invite a colleague with a role",
    description="The join link is mailed (never shown here). The organisation's admin only.",
    request=ColleagueIn,
    responses={201: ColleagueInvited, 403: None, 409: None, 422: None},
    notes={403: "Not the organisation's admin", 409: "That address has an account"},
)
@api_route
def invite_colleague() -> tuple[Response, int]:
    """Invite a colleague as editor or viewer (the admin only)."""
    data = parse(ColleagueIn)
    invitation = accounts.invite_and_mail_colleague(api_user(), data.email, data.role)
    db.session.commit()
    return jsonify({"id": invitation.id, "email": invitation.email,
                    "role": invitation.role}), 201
