"""API route for publishing (DESIGN's publish row): POST /statements/{id}/publish."""

from __future__ import annotations

import datetime as dt
import re

from flask import jsonify
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import Schema, api_user, lead_statement, parse, public_moment
from coalition.api.openapi import Link, operation
from coalition.api.schemas import DateText, Note, Publication, PublicationRefused
from coalition.domain.errors import ValidationError
from coalition.extensions import db
from coalition.publishing import services
from coalition.security import api_route
from coalition.web import iso

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class PublishIn(Schema):
    date: DateText | None = None
    note: Note | None = None
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
@operation(
    "Publish the current text as a new edition",
    description="Made from open or closed; it ends signing. `date` defaults to today in the "
    "statement's time zone and may not be earlier than the previous edition's (409). Refused "
    "with 409 and `outstanding` while a live signature endorses a revision older than the "
    "latest substantive one, unless `exclude_outstanding` is true (those stay live and can "
    "re-confirm for the next edition); with `stale_translations` while a translation is not "
    "up to date; with `awaiting_sign_off` (organisations) while the lead requires its "
    "co-leads' sign-off and one has not approved the latest substantive revision or a later "
    "one; with no list unless the statement is open or closed. Only the lead organisation "
    "publishes (403 for a co-lead or a viewer).",
    request=PublishIn,
    responses={200: Publication, 403: None, 409: PublicationRefused, 422: None},
    notes={200: "Published: signatories are the names listed publicly, withheld how many more "
           "it counts without naming them; published_at is when the edition becomes public "
           "(a correction "
           "made during an embargo inherits it; GET /statements/{id} has embargo_until)",
           403: "A co-lead or a viewer: only the lead organisation's editors publish",
           409: "Outstanding signatures or translations, missing sign-offs, or the state"},
    links={200: {"get_statement": Link("get_statement", {"id": "$request.path.id"})}},
)
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
