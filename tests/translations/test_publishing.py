"""Publishing in three languages: current-or-left-out, frozen translations, per-language lists."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.domain.errors import Conflict
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.immutability import ImmutableRecordError
from coalition.models import Edition, EditionTranslation, EditionTranslationSignatory
from coalition.publishing import services as publishing
from coalition.signing import services as signing
from tests import factories
from tests.translations.conftest import (
    BE_TITLE,
    BODY,
    ORDER,
    RU_BODY,
    RU_TITLE,
    World,
    make_world,
    sign_all,
)

DATE = dt.date(2026, 12, 3)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', page
    )
    assert match, name
    return match.group(1)


def test_stale_translations_block_publication_until_left_out(world: World):
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nMore.", base_revision=1)
    db.session.commit()
    sign_all(world)
    with pytest.raises(Conflict) as caught:
        publishing.publish(world.lead, world.statement, date=DATE)
    assert caught.value.extra["stale_translations"] == ["be", "ru"]
    assert caught.value.extra["outstanding"] == []
    assert "Belarusian and Russian translations are not up to date" in caught.value.message
    db.session.rollback()
    edition = publishing.publish(world.lead, world.statement, date=DATE, exclude_outstanding=True)
    db.session.commit()
    assert EditionTranslation.query.filter_by(edition_id=edition.id).count() == 0


def test_outstanding_signatures_and_stale_translations_are_named_together(world: World):
    sign_all(world)
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nMore.", base_revision=1)
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        publishing.publish(world.lead, world.statement, date=DATE)
    assert len(caught.value.extra["outstanding"]) == 5
    assert caught.value.extra["stale_translations"] == ["be", "ru"]


def test_a_translation_the_lead_waits_for_must_be_current(world: World):
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nMore.", base_revision=1)
    db.session.commit()
    factories.translate(world.lead, world.ru, RU_BODY + "\n\nЕщё.")
    with pytest.raises(Conflict) as caught:
        publishing.publish(world.lead, world.statement, exclude_outstanding=True,
                           include_translations=["be"])
    assert caught.value.extra["stale_translations"] == ["be"]
    db.session.rollback()
    preparation = publishing.prepare(world.statement, exclude_outstanding=True)
    assert [t.language for t in preparation.translations] == ["ru"]
    assert preparation.left_out_translations == ("be",)


def test_publication_freezes_each_translation_and_its_collated_list(world: World):
    # Revised: a typo fix leaves the translations current, a substantive change does not.
    drafting.save_revision(world.lead, world.statement, body=BODY.replace("must", "must "),
                           base_revision=1, substantive=False)
    db.session.commit()
    assert all(s.current for s in _states(world))
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nRelease them now.",
                           base_revision=2)
    db.session.commit()
    assert not any(s.current for s in _states(world))
    factories.translate(world.lead, world.ru, RU_BODY + "\n\nОсвободите их сейчас.")
    factories.translate(world.lead, world.be, "Мы, {{signatories}} арганізацыі, заклікаем.")
    sign_all(world)

    edition = publishing.publish(world.lead, world.statement, date=DATE)
    db.session.commit()
    translated = {t.language: t for t in db.session.scalars(select(EditionTranslation))}
    assert set(translated) == {"ru", "be"}
    ru = translated["ru"]
    assert (ru.translation_revision, ru.source_revision) == (2, 3)
    assert ru.title == RU_TITLE
    assert ru.body.startswith("Мы, 5 нижеподписавшиеся")  # the count filled in
    assert ru.sha256 == hashlib.sha256(f"{ru.title}\n\n{ru.body}".encode()).hexdigest()
    assert [row.name for row in edition.signatories] == ORDER["en"]
    for language in ("ru", "be"):
        assert [row.name for row in translated[language].signatories] == ORDER[language]
    # Every line points at the source list's line for the same signatory.
    viasna = next(r for r in translated["be"].signatories if "Вясна" in r.name)
    assert viasna.edition_signatory.name == "Viasna Human Rights Centre"
    # Frozen: the ORM refuses to rewrite them.
    ru.body = "changed"
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()
    row = db.session.scalar(select(EditionTranslationSignatory))
    row.name = "changed"
    with pytest.raises(ImmutableRecordError):
        db.session.flush()


def _states(world: World):
    from coalition.translations import services

    return services.states(world.statement)


def test_the_publish_page_lets_the_lead_leave_a_translation_out(app: Flask, client: FlaskClient):
    with app.app_context():
        world = make_world()
        signatures = sign_all(world)
        drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nMore.",
                               base_revision=1)
        db.session.commit()
        # Everyone re-confirms and the Belarusian translation is updated; Russian is not.
        for signature in signatures:
            signing.reconfirm(signature.invitation)
        factories.translate(world.lead, world.be, "Новы тэкст {{signatories}}.")
        statement_id = world.id
        factories.login(client, world.lead)

    page = client.get(f"/statements/{statement_id}/publish").get_data(as_text=True)
    assert 'name="leave_out_translations" value="ru"' in page
    refused = client.post(f"/statements/{statement_id}/publish",
                          data={"date": "2026-12-03", "review": "Review"})
    assert refused.status_code == 422
    assert "Russian translation is not up to date" in refused.get_data(as_text=True)

    review = client.post(f"/statements/{statement_id}/publish",
                         data={"date": "2026-12-03", "leave_out_translations": "ru",
                               "review": "Review"})
    text = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "Translations left out" in text and "Belarusian" in text
    assert 'name="leave_out_translations" value="ru"' in text  # carried to the confirmation
    done = client.post(f"/statements/{statement_id}/publish",
                       data={"date": "2026-12-03", "leave_out_translations": "ru",
                             "confirm": "Publish", "fingerprint": _hidden(text, "fingerprint")})
    assert done.status_code == 302
    with app.app_context():
        edition = db.session.scalar(select(Edition))
        assert [t.language for t in db.session.scalars(select(EditionTranslation))] == ["be"]
        assert edition.signatory_count == 5


def test_be_title_is_published_with_its_own_date(world: World):
    sign_all(world)
    edition = publishing.publish(world.lead, world.statement, date=DATE)
    db.session.commit()
    from coalition.translations import editions

    be = editions.find(edition, "be")
    document = editions.document(edition, be)
    assert document.title == BE_TITLE and document.language == "be"
    assert document.url.endswith("/editions/1?lang=be")


def _blocked_publish_page(app: Flask, client: FlaskClient, language: str | None) -> str:
    """The publish form sent with outstanding signatures and stale translations unticked."""
    with app.app_context():
        world = make_world()
        sign_all(world)
        drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nMore.",
                               base_revision=1)
        world.lead.language = language
        db.session.commit()
        factories.login(client, world.lead)
        statement_id = world.id
    response = client.post(f"/statements/{statement_id}/publish",
                           data={"date": DATE.isoformat(), "review": "Review"})
    assert response.status_code == 422
    return response.get_data(as_text=True)


def test_the_translations_reason_is_shown_once(app: Flask, client: FlaskClient):
    """Issue 24, point 10: with signatures outstanding too, it was shown twice."""
    page = _blocked_publish_page(app, client, None)
    assert page.count("translations are not up to date with the current text") == 1
    assert page.count("must re-confirm before being listed") == 1


def test_the_publish_errors_are_in_french(app: Flask, client: FlaskClient):
    """Issue 24, point 6: messages built from values go through the catalogue."""
    page = _blocked_publish_page(app, client, "fr")
    assert "must re-confirm" not in page and "not up to date" not in page
    assert "5\u00a0signataires" in page or "5 signataires" in page
    assert "biélorusse et russe" in page
