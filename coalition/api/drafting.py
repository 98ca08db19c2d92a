"""API routes for statements, revisions, redlines and the life cycle."""

from __future__ import annotations

import datetime as dt

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
from coalition.api.openapi import document
from coalition.domain.errors import ValidationError
from coalition.domain.rendering import render_markdown
from coalition.domain.revisions import redline_html
from coalition.drafting import services
from coalition.extensions import db
from coalition.security import api_route
from coalition.web import iso


class StatementIn(Schema):
    title: str
    body: str
    language: str | None = None


class RevisionIn(Schema):
    body: str
    base_revision: int
    title: str | None = None
    note: str | None = None
    substantive: bool = True


class StateIn(Schema):
    state: str
    sign_deadline: str | None = None


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


@bp.post("/statements")
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
@api_route
def get_statement(statement_id: int) -> Response:
    """One statement of the token owner's organisation."""
    return jsonify(statement_json(lead_statement(statement_id)))


@bp.post("/statements/<int:statement_id>/revisions")
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


document(
    "post",
    "/statements",
    "Create a statement",
    request=StatementIn,
    responses={201: "Created: id, slug, state, revision"},
)
document(
    "get",
    "/statements/{id}",
    "Read a statement",
    responses={
        200: "{id, slug, title, language, state, revision, sign_deadline, published_at, "
        "embargo_until, date}: published_at is the moment the latest edition became public "
        "(its embargo time when it had one); embargo_until is that time while the edition "
        "is still under embargo, else null",
    },
)
document(
    "post",
    "/statements/{id}/revisions",
    "Save a revision",
    request=RevisionIn,
    responses={201: "Created: revision", 409: "base_revision is not the latest"},
)
document("get", "/statements/{id}/revisions", "List revisions")
document("get", "/statements/{id}/revisions/{n}", "Read one revision")
document(
    "get", "/statements/{id}/diff", "Word-level redline of two revisions", query=("from", "to")
)
document(
    "post",
    "/statements/{id}/state",
    "Move along the life cycle",
    request=StateIn,
    responses={200: "The statement", 409: "A move the life cycle does not allow"},
)
