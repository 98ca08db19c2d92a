"""API routes for translations: GET /statements/{id}/translations and .../translations/{lang}."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from coalition.api import bp
from coalition.api.common import lead_statement
from coalition.api.openapi import operation
from coalition.api.schemas import TranslationList, TranslationText
from coalition.domain.errors import NotFound
from coalition.domain.rendering import render_markdown
from coalition.security import api_route
from coalition.translations import services
from coalition.web import iso


def _summary(state: services.State) -> dict[str, Any]:
    latest = state.latest
    return {
        "language": state.language,
        "revision": latest.number if latest else None,
        "source_revision": latest.source_revision if latest else None,
        "stale": state.stale,
        "status": state.status,
        "updated_at": iso(latest.created_at) if latest else None,
    }


@bp.get("/statements/<int:statement_id>/translations")
@operation(
    "Every translation of the statement",
    description="A translation is stale when the source revision it translates is older than "
    "the source's latest substantive revision; one with no text yet has revision null and is "
    "stale (status 'missing').",
    responses={200: TranslationList},
)
@api_route
def list_translations(statement_id: int) -> Response:
    """Every translation of the statement with its revision and whether it is out of date."""
    statement = lead_statement(statement_id)
    return jsonify({"translations": [_summary(state) for state in services.states(statement)]})


@bp.get("/statements/<int:statement_id>/translations/<lang>")
@operation(
    "The newest text of one translation",
    description="sha256 is taken over title, two newlines and body, as for the source.",
    responses={200: TranslationText},
    notes={404: "No such statement, no translation into that language, or no text yet"},
)
@api_route
def get_translation(statement_id: int, lang: str) -> Response:
    """The newest text of one translation, rendered, with its hash and staleness."""
    statement = lead_statement(statement_id)
    translation = services.get(statement, lang)
    state = services.state_of(translation)
    latest = state.latest
    if latest is None:
        raise NotFound(
            f"The {translation.language} translation has no text yet.",
            fields={"language": "no text yet"},
        )
    return jsonify(
        {
            "language": translation.language,
            "revision": latest.number,
            "title": latest.title,
            "body": latest.body,
            "body_html": render_markdown(latest.body),
            "source_revision": latest.source_revision,
            "stale": state.stale,
            "status": state.status,
            "sha256": latest.sha256,
        }
    )
