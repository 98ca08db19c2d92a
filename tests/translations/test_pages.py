"""The lead's Translations tab and editor, and the partner translator's editor."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Statement, Translation, TranslationRevision
from coalition.translations import services
from tests import factories
from tests.translations.conftest import BODY, RU_BODY, RU_TITLE, make_world


def _lead_world(app: Flask, client: FlaskClient, **kw: object) -> int:
    with app.app_context():
        world = make_world(**kw)  # type: ignore[arg-type]
        factories.login(client, world.lead)
        return world.id


def _revise(app: Flask, statement_id: int, body: str, substantive: bool = True) -> None:
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        drafting.save_revision(
            statement.organisation.users[0], statement, body=body,
            base_revision=statement.current_revision, substantive=substantive,
        )
        db.session.commit()


def test_the_tab_lists_languages_status_and_translator(app: Flask, client: FlaskClient):
    statement_id = _lead_world(app, client)
    page = client.get(f"/statements/{statement_id}/translations").get_data(as_text=True)
    assert 'aria-current="page">Translations</a>' in page
    assert "Russian" in page and "Belarusian" in page and "Беларуская" in page
    assert page.count("Up to date") == 2
    assert "translating source revision 1" in page
    _revise(app, statement_id, BODY + "\n\nMore.")
    page = client.get(f"/statements/{statement_id}/translations").get_data(as_text=True)
    assert page.count("Out of date") == 2
    assert "the source changed substantively in revision 2" in page
    assert "Update it" in page


def test_the_lead_adds_a_translation_and_names_a_partner(app: Flask, client: FlaskClient):
    statement_id = _lead_world(app, client)
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        invitation, _ = factories.partner_invitation(statement, "Ukrainian Partner")
        invitation_id = invitation.id
    page = client.get(f"/statements/{statement_id}/translations").get_data(as_text=True)
    assert "Ukrainian — Українська" in page and "Russian — " not in page  # taken ones hidden
    assert "Ukrainian Partner (partner)" in page
    response = client.post(
        f"/statements/{statement_id}/translations",
        data={"language": "uk", "translator": f"invitation:{invitation_id}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/statements/{statement_id}/translations/uk")
    with app.app_context():
        made = db.session.scalar(select(Translation).where(Translation.language == "uk"))
        assert made.translator_invitation_id == invitation_id and made.current_revision == 0
    editor = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No text yet" in editor and "Translator: Ukrainian Partner (partner)" in editor


def test_adding_refuses_a_taken_or_bad_language_and_keeps_the_form(
    app: Flask, client: FlaskClient
):
    statement_id = _lead_world(app, client)
    response = client.post(f"/statements/{statement_id}/translations",
                           data={"language": "", "other_language": "ru"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already a translation into Russian" in page
    assert 'value="ru"' in page  # the typed tag survives
    response = client.post(f"/statements/{statement_id}/translations",
                           data={"language": "", "other_language": "not a tag!"})
    assert response.status_code == 422 and "BCP 47" in response.get_data(as_text=True)
    response = client.post(f"/statements/{statement_id}/translations",
                           data={"language": "uk", "translator": "invitation:999"})
    assert response.status_code == 422 and "Choose a translator" in response.get_data(as_text=True)


def test_the_editor_shows_the_source_redline_when_stale(app: Flask, client: FlaskClient):
    statement_id = _lead_world(app, client)
    _revise(app, statement_id, BODY.replace("end the persecution", "stop persecuting"))
    page = client.get(f"/statements/{statement_id}/translations/ru").get_data(as_text=True)
    assert "The source text changed since the revision you translated" in page
    assert "<del>end the persecution of</del>" in page or "<del>end" in page
    assert "<ins>stop persecuting</ins>" in page or "<ins>stop" in page
    assert "source revision 1" in page and "revision 2" in page
    assert RU_TITLE in page  # the form holds the newest translation
    assert 'name="source_revision" type="hidden" value="2"' in page


def test_a_non_substantive_change_is_shown_without_marking_stale(app: Flask, client: FlaskClient):
    statement_id = _lead_world(app, client)
    _revise(app, statement_id, BODY.replace("Belarus.", "Belarus. "), substantive=False)
    page = client.get(f"/statements/{statement_id}/translations/ru").get_data(as_text=True)
    assert "Small corrections to the source" in page and "Up to date" in page


def test_saving_through_the_editor_records_the_source_revision(app: Flask, client: FlaskClient):
    statement_id = _lead_world(app, client)
    _revise(app, statement_id, BODY + "\n\nMore.")
    response = client.post(
        f"/statements/{statement_id}/translations/ru",
        data={"base_revision": "1", "source_revision": "2", "title": RU_TITLE,
              "body": RU_BODY + "\r\n\r\nЕщё.", "note": "Новый абзац"},
    )
    assert response.status_code == 302
    with app.app_context():
        revision = db.session.scalar(
            select(TranslationRevision).where(TranslationRevision.number == 2)
        )
        assert revision.source_revision == 2 and revision.body.endswith("\n\nЕщё.")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved as revision 2 of the Russian translation" in page
    assert "The source text changed since" not in page


def test_a_stale_base_keeps_the_typed_text_and_shows_what_changed(
    app: Flask, client: FlaskClient
):
    statement_id = _lead_world(app, client)
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        factories.translate(statement.organisation.users[0], services.get(statement, "ru"),
                            RU_BODY + "\n\nКоллега.")
    response = client.post(
        f"/statements/{statement_id}/translations/ru",
        data={"base_revision": "1", "source_revision": "1", "title": RU_TITLE,
              "body": "Мой текст"},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone saved a newer revision of this translation" in page
    assert "Мой текст" in page and "<ins>Коллега.</ins>" in page
    assert 'name="base_revision" type="hidden" value="2"' in page


def test_form_mistakes_are_shown_and_nothing_is_saved(app: Flask, client: FlaskClient):
    statement_id = _lead_world(app, client)
    response = client.post(
        f"/statements/{statement_id}/translations/ru",
        data={"base_revision": "1", "source_revision": "1", "title": "", "body": "Текст"},
    )
    assert response.status_code == 422
    assert "Текст" in response.get_data(as_text=True)
    response = client.post(
        f"/statements/{statement_id}/translations/ru",
        data={"base_revision": "1", "source_revision": "77", "title": "T", "body": "Текст"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(TranslationRevision).count() == 2


def test_unknown_languages_and_other_organisations_get_404(app: Flask, client: FlaskClient):
    statement_id = _lead_world(app, client)
    assert client.get(f"/statements/{statement_id}/translations/fr").status_code == 404
    assert client.get(f"/statements/{statement_id}/translations/%3Cx%3E").status_code == 404
    stranger = app.test_client()
    with app.app_context():
        factories.login(stranger, factories.user(organisation="Elsewhere"))
    assert stranger.get(f"/statements/{statement_id}/translations").status_code == 404
    assert stranger.get(f"/statements/{statement_id}/translations/ru").status_code == 404
    assert stranger.post(f"/statements/{statement_id}/translations/ru",
                         data={}).status_code == 404
    visitor = app.test_client()
    assert visitor.get(f"/statements/{statement_id}/translations").status_code == 302


def test_the_named_partner_translates_through_its_invitation(app: Flask, client: FlaskClient):
    with app.app_context():
        world = make_world()
        invitation, token = factories.partner_invitation(world.statement, "Viasna")
        other, other_token = factories.partner_invitation(world.statement, "Other")
        services.set_translator(world.lead, world.be, invitation)
        db.session.commit()
        drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nNew.",
                               base_revision=1)
        db.session.commit()
    home = client.get(f"/i/{token}").get_data(as_text=True)
    assert "Your translations" in home and f"/i/{token}/translate/be" in home
    assert "Your translations" not in client.get(f"/i/{other_token}").get_data(as_text=True)
    editor = client.get(f"/i/{token}/translate/be")
    assert editor.status_code == 200
    assert editor.headers["Referrer-Policy"] == "no-referrer"
    page = editor.get_data(as_text=True)
    assert "Translation into Belarusian" in page and "<ins>New.</ins>" in page
    assert "statement-head" not in page  # no lead tabs for a partner
    response = client.post(
        f"/i/{token}/translate/be",
        data={"base_revision": "1", "source_revision": "2", "title": "Свабоду",
              "body": "Новы тэкст.\n\nНовае."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/i/{token}/translate/be")
    with app.app_context():
        revision = db.session.scalar(
            select(TranslationRevision).where(TranslationRevision.author_invitation_id.is_not(None))
        )
        assert (revision.number, revision.source_revision) == (2, 2)
    # Only the translation it was named for, only with a live link.
    assert client.get(f"/i/{token}/translate/ru").status_code == 404
    assert client.get(f"/i/{other_token}/translate/be").status_code == 404
    assert client.post(f"/i/{other_token}/translate/be", data={}).status_code == 404
    assert client.get("/i/not-a-token/translate/be").status_code == 404


def test_the_lead_sees_each_language_list_collated(app: Flask, client: FlaskClient):
    from tests.translations.conftest import ORDER, sign_all

    with app.app_context():
        world = make_world()
        sign_all(world)
        factories.login(client, world.lead)
        statement_id = world.id
    page = client.get(f"/statements/{statement_id}/translations/be/signatories").get_data(
        as_text=True
    )
    positions = [page.index(name) for name in ORDER["be"]]
    assert positions == sorted(positions)
    assert "The list in Belarusian (5)" in page
