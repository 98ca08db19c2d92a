"""The registry of export formats: a format is one entry and one renderer, served everywhere.

A throwaway format ("json") is registered before the app is made, as a module adding a
format would register it at import; every address, list and cache that offers formats
must then offer it too, and it is unregistered afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.domain import formats
from coalition.domain.exports import EditionDocument
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import EditionTranslationExport, ExportFile, User
from coalition.publishing import services as publishing
from tests import factories
from tests.conftest import base_config
from tests.translations.conftest import make_world, sign_all


def _as_json(document: EditionDocument, stem: str, part: formats.Part) -> bytes:
    return json.dumps(
        {
            "title": document.title,
            "language": document.language,
            "draft": document.draft,
            "embargo_until": document.embargo_until,
            "names": [s.name for s in document.signatories],
            "stem": stem,
        }
    ).encode()


THROWAWAY = formats.Format(
    "json", _as_json, "application/json", label="Data (JSON)", page_label="Data",
    page_hint="JSON, for developers",
)


@pytest.fixture
def app_config(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Registered before create_app (routes take the formats registered by then), and
    unregistered after the app is gone."""
    formats.register(THROWAWAY)
    try:
        yield base_config(tmp_path)
    finally:
        formats.unregister("json")


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """A statement published in English, Russian and Belarusian, edition 2 under embargo."""
    with app.app_context():
        made = make_world()
        sign_all(made)
        publishing.publish(made.lead, made.statement, date=dt.date(2026, 12, 3))
        db.session.commit()
        return {"slug": made.statement.slug, "id": made.statement.id, "lead": made.lead.id}


def _json(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    loaded: dict[str, Any] = json.loads(response.data)
    return loaded


def test_every_route_that_takes_a_format_takes_a_registered_one(app: Flask) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if "fmt" in rule.arguments]
    assert {rule.endpoint for rule in rules} >= {
        "publishing.public_export", "publishing.public_edition_export",
        "publishing.preview_export", "publishing.lead_edition_export", "publishing.draft_export",
    }
    for rule in rules:
        assert "json" in rule._converters["fmt"].items, rule.rule  # noqa: SLF001


def test_a_registered_format_is_served_and_cached_at_every_public_address(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    slug = world["slug"]
    newest = client.get(f"/s/{slug}.json")
    assert _json(newest)["names"] and _json(newest)["stem"] == slug
    assert newest.headers["Content-Disposition"] == f"attachment; filename={slug}.json"
    assert newest.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=600"
    permanent = client.get(f"/s/{slug}/editions/1.json")
    assert _json(permanent) == _json(newest)
    assert "immutable" in permanent.headers["Cache-Control"]
    with client.application.app_context():
        assert db.session.scalar(select(ExportFile).where(ExportFile.format == "json"))

    russian = client.get(f"/s/{slug}.json?lang=ru")
    assert _json(russian)["language"] == "ru"
    assert russian.headers["Content-Disposition"] == f"attachment; filename={slug}-ru.json"
    assert russian.headers["Content-Language"] == "ru"
    with client.application.app_context():
        assert db.session.scalar(
            select(EditionTranslationExport).where(EditionTranslationExport.format == "json")
        )

    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert f'<a href="/s/{slug}.json">Data</a>' in page and "JSON, for developers" in page
    in_russian = client.get(f"/s/{slug}?lang=ru").get_data(as_text=True)
    assert f'<a href="/s/{slug}.json?lang=ru">Data</a>' in in_russian


def test_a_registered_format_is_offered_to_the_lead_and_in_previews(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    slug, statement_id = world["slug"], world["id"]
    with app.app_context():
        statement = publishing.statement_by_slug(slug)
        owner = db.session.get(User, world["lead"])
        assert statement is not None and owner is not None
        drafting.change_state(owner, statement, "open")
        publishing.publish(owner, statement, date=dt.date(2026, 12, 4),
                           public_from=publishing.now() + dt.timedelta(days=2))
        token = publishing.create_preview_link(
            owner, statement, publishing.get_edition(statement, 2)
        )
        db.session.commit()

    preview = client.get(f"/s/{slug}/preview/{token}.json")
    assert _json(preview)["embargo_until"]
    assert preview.headers["Cache-Control"] == "private, no-store"
    assert f"/s/{slug}/preview/{token}.json" in client.get(f"/s/{slug}/preview/{token}").text

    with app.app_context():
        factories.login(client, db.session.get(User, world["lead"]))
    publish_page = client.get(f"/statements/{statement_id}/publish").get_data(as_text=True)
    assert f"/statements/{statement_id}/editions/2/export.json" in publish_page
    assert f"/statements/{statement_id}/publish/draft.json" in publish_page
    assert f"/statements/{statement_id}/publish/draft.json?lang=ru" in publish_page
    draft = client.get(f"/statements/{statement_id}/publish/draft.json")
    assert _json(draft)["draft"] is True
    assert draft.headers["Content-Disposition"] == f"attachment; filename={slug}-DRAFT.json"
    in_russian = client.get(f"/statements/{statement_id}/publish/draft.json?lang=ru")
    assert _json(in_russian)["language"] == "ru"
    assert in_russian.headers["Content-Disposition"] == (
        f"attachment; filename={slug}-DRAFT-ru.json"
    )
    lead_file = client.get(f"/statements/{statement_id}/editions/2/export.json")
    assert _json(lead_file)["stem"] == f"{slug}-edition-2"
    lead_view = client.get(f"/statements/{statement_id}/editions/1").get_data(as_text=True)
    assert f"/statements/{statement_id}/editions/1/export.json" in lead_view


def test_a_format_is_registered_once_and_an_unknown_one_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        formats.register(formats.get("pdf"))
    with pytest.raises(ValueError, match="unknown export format"):
        formats.get("json")
