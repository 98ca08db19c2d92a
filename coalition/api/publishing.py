"""API route for publishing (DESIGN's publish row): POST /statements/{id}/publish."""

from __future__ import annotations

import datetime as dt
import re

from flask import jsonify
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import (
    Schema,
    api_user,
    lead_statement,
    parse,
    public_moment,
)
from coalition.api.openapi import document
from coalition.domain.errors import ValidationError
from coalition.extensions import db
from coalition.publishing import services
from coalition.security import api_route
from coalition.web import iso

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PublishIn(Schema):
    date: str | None = None
    note: str | None = None
    exclude_outstanding: bool = False


def parse_date(value: str | None, field: str = "date") -> dt.date | None:
    """A calendar date written YYYY-MM-DD, or ValidationError naming the field."""
    if value is None:
        return None
    parsed = None
    if _DATE.fullmatch(value.strip()):
        try:
            parsed = dt.date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValidationError(
            f"{field} must be a date written YYYY-MM-DD, e.g. 2026-12-03.",
            fields={field: "must be a date as YYYY-MM-DD"},
        )
    return parsed


@bp.post("/statements/<int:statement_id>/publish")
@api_route
def publish(statement_id: int) -> Response:
    """Publish the current text as a new edition; 409 while signatures are outstanding."""
    data = parse(PublishIn)
    statement = lead_statement(statement_id)
    edition = services.publish(
        api_user(),
        statement,
        date=parse_date(data.date),
        note=data.note,
        exclude_outstanding=data.exclude_outstanding,
    )
    db.session.commit()
    return jsonify(
        {
            "edition": edition.number,
            "published_at": iso(public_moment(edition)),
            "url": services.public_url(statement),
            "sha256": edition.sha256,
            "signatories": [row.name for row in edition.signatories],
            # Counted in the total and in {{signatories}}, never named (docs/signing.md).
            "withheld": edition.withheld_count,
        }
    )


document(
    "POST",
    "/statements/{id}/publish",
    "Publish the current text as a new, frozen edition (date defaults to today in the "
    "statement's time zone). Refused with 409 {error, outstanding: [names]} while a live "
    "signature endorses a revision older than the latest substantive one, unless "
    "exclude_outstanding is true (those stay signed but are not listed), and with 409 unless "
    "the statement is open or closed.",
    request=PublishIn,
    responses={
        200: "Published: {edition, published_at, url, sha256, signatories: [names named "
        "publicly], withheld: how many more it counts without naming them}; "
        "published_at is when the edition becomes public (a correction made during an "
        "embargo inherits it; GET /statements/{id} has embargo_until)",
        404: "No such statement in your organisation",
        409: "Outstanding signatures, or the statement is not open or closed",
        422: "A field is invalid (e.g. date not YYYY-MM-DD)",
    },
)
