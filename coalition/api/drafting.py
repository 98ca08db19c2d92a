"""API routes for statements, revisions, redlines and the life cycle."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from flask import jsonify, request
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import (
    Schema,
    api_user,
    json_body,
    lead_statement,
    parse,
    statement_json,
)
from coalition.api.openapi import Link, operation
from coalition.api.schemas import (
    Body,
    Language,
    Note,
    Number,
    Redline,
    RevisionCreated,
    RevisionList,
    RevisionText,
    StaleRevisionError,
    StatementCreated,
    StatementDetail,
    TimeText,
    Title,
)
from coalition.domain.errors import ValidationError
from coalition.domain.rendering import render_markdown
from coalition.domain.revisions import redline_html
from coalition.drafting import services
from coalition.extensions import db
from coalition.security import MAX_URL_INT, api_route
from coalition.web import iso


class StatementIn(Schema):
    title: Title
    body: Body
    language: Language | None = None


class RevisionIn(Schema):
    body: Body
    base_revision: Number
    title: Title | None = None
    note: Note | None = None
    substantive: bool = True


class StateIn(Schema):
    state: Literal["review", "open", "closed"]
    # Left out, the deadline is kept; null clears it.
    sign_deadline: TimeText | None = None


def parse_datetime(value: str | None, field: str) -> dt.datetime | None:
    """An ISO 8601 time with an offset, or ValidationError naming the field."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(
            f"{field} must be an ISO 8601 time with an offset, e.g. 2026-12-01T12:00:00Z.",
            fields={field: "must be ISO 8601 with an offset"},
        )
    return parsed.astimezone(dt.UTC)


ID = "$request.path.id"
FROM_BODY = "$response.body#/id"


def _statement_links(source: str) -> dict[str, Link]:
    """Where a statement's answer leads: every operation on it."""
    names = ("get_statement", "list_revisions", "create_revision", "change_state",
             "create_invitation", "list_invitations", "list_signatories", "publish",
             "list_translations")
    return {name: Link(name, {"id": source}) for name in names}


@bp.post("/statements")
@operation(
    "Create a statement",
    description="Creates a statement in `draft` with its first revision.",
    request=StatementIn,
    responses={201: StatementCreated, 422: None},
    links={201: {**_statement_links(FROM_BODY),
                 "get_revision": Link("get_revision", {"id": FROM_BODY, "n": "1"})}},
)
@api_route
def create_statement() -> tuple[Response, int]:
    """Create a statement with its first revision."""
    data = parse(StatementIn)
    statement = services.create_statement(
        api_user(), title=data.title, body=data.body, language=data.language
    )
    db.session.commit()
    return jsonify(
        {"id": statement.id, "slug": statement.slug, "state": statement.state, "revision": 1}
    ), 201


@bp.get("/statements/<int:statement_id>")
@operation("Read a statement", responses={200: StatementDetail})
@api_route
def get_statement(statement_id: int) -> Response:
    """One statement of the token owner's organisation."""
    return jsonify(statement_json(lead_statement(statement_id)))


@bp.post("/statements/<int:statement_id>/revisions")
@operation(
    "Save a revision",
    description="Saves a new revision on top of `base_revision`. A substantive revision asks "
    "every earlier signer to re-confirm.",
    request=RevisionIn,
    responses={201: RevisionCreated, 409: StaleRevisionError, 422: None},
    notes={409: "base_revision is not the latest: current_revision names the latest"},
    links={201: {
        "get_revision": Link("get_revision", {"id": ID, "n": "$response.body#/revision"}),
        "diff": Link("diff", {"id": ID, "from": "$request.body#/base_revision",
                              "to": "$response.body#/revision"}),
    }},
)
@api_route
def create_revision(statement_id: int) -> tuple[Response, int]:
    """Save a new revision on top of base_revision; 409 when that is not the latest."""
    statement = lead_statement(statement_id)
    data = parse(RevisionIn)
    revision = services.save_revision(
        api_user(),
        statement,
        title=data.title,
        body=data.body,
        base_revision=data.base_revision,
        note=data.note or "",
        substantive=data.substantive,
    )
    db.session.commit()
    return jsonify({"revision": revision.number}), 201


@bp.get("/statements/<int:statement_id>/revisions")
@operation("List revisions, oldest first", responses={200: RevisionList})
@api_route
def list_revisions(statement_id: int) -> Response:
    """Every revision's number, author, time, note and substantive flag."""
    statement = lead_statement(statement_id)
    return jsonify(
        {
            "revisions": [
                {
                    "number": r.number,
                    "author": r.author.email if r.author else None,
                    "created_at": iso(r.created_at),
                    "note": r.note,
                    "substantive": r.substantive,
                }
                for r in services.list_revisions(statement)
            ]
        }
    )


@bp.get("/statements/<int:statement_id>/revisions/<int:number>")
@operation(
    "Read one revision",
    description="sha256 is taken over the UTF-8 bytes of title, two newlines and body.",
    responses={200: RevisionText},
)
@api_route
def get_revision(statement_id: int, number: int) -> Response:
    """One revision's text, rendered body and SHA-256."""
    revision = services.get_revision(lead_statement(statement_id), number)
    return jsonify(
        {
            "number": revision.number,
            "title": revision.title,
            "body": revision.body,
            "body_html": render_markdown(revision.body),
            "sha256": revision.sha256,
        }
    )


@bp.get("/statements/<int:statement_id>/diff")
@operation(
    "Word-level redline of two revisions",
    query={
        name: {"required": True, "description": f"The revision number to compare {word}",
               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_URL_INT}}
        for name, word in (("from", "from"), ("to", "with"))
    },
    responses={200: Redline, 422: None},
)
@api_route
def diff(statement_id: int) -> Response:
    """A word-level redline between two revisions."""
    statement = lead_statement(statement_id)
    numbers = {}
    for name in ("from", "to"):
        raw = request.args.get(name, "")
        if not raw.isdigit():
            raise ValidationError(
                f"{name} must be a revision number.", fields={name: "must be a revision number"}
            )
        numbers[name] = int(raw)
    old = services.get_revision(statement, numbers["from"])
    new = services.get_revision(statement, numbers["to"])
    return jsonify({"from": old.number, "to": new.number, "html": redline_html(old.body, new.body)})


@bp.post("/statements/<int:statement_id>/state")
@operation(
    "Move along the life cycle",
    description="draft → review → open → closed; draft may go straight to open, closed back "
    "to open, published back to open. `sign_deadline` left out is kept; null clears it.",
    request=StateIn,
    responses={200: StatementDetail, 409: None, 422: None},
    notes={409: "A move the life cycle does not allow"},
    links={200: {name: Link(name, {"id": ID}) for name in (
        "publish", "get_statement", "create_invitation", "list_signatories")}},
)
@api_route
def change_state(statement_id: int) -> Response:
    """Move to review, open or closed, optionally setting the sign-on deadline."""
    statement = lead_statement(statement_id)
    raw = json_body()
    data = parse(StateIn)
    has_deadline = isinstance(raw, dict) and "sign_deadline" in raw
    deadline = parse_datetime(data.sign_deadline, "sign_deadline")
    services.change_state(
        api_user(), statement, data.state, sign_deadline=deadline, set_deadline=has_deadline
    )
    db.session.commit()
    return jsonify(statement_json(statement))
