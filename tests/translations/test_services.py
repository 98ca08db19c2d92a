"""Translation services: adding, versioning, staleness, translators, name forms."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coalition.domain.errors import NotFound, StaleRevision, TransitionNotAllowed, ValidationError
from coalition.domain.revisions import text_sha256
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.immutability import ImmutableRecordError
from coalition.models import AuditEvent, OutboxMessage, SignatureName, TranslationRevision
from coalition.signing import services as signing
from coalition.signing.services import SignatureInput
from coalition.translations import services
from tests import factories
from tests.translations.conftest import BODY, RU_BODY, RU_TITLE, World, make_world


def _status(world: World) -> dict[str, str]:
    return {state.language: state.status for state in services.states(world.statement)}


def test_a_translation_records_the_source_revision_it_translates(world: World):
    revision = services.latest(world.ru)
    assert revision is not None
    assert (revision.number, revision.source_revision) == (1, 1)
    assert revision.title == RU_TITLE
    assert revision.sha256 == text_sha256(RU_TITLE, RU_BODY)
    assert _status(world) == {"be": "current", "ru": "current"}
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("translation.added") == 2
    assert actions.count("translation.revision_saved") == 2


def test_substantive_source_revision_marks_every_translation_stale(world: World):
    drafting.save_revision(
        world.lead, world.statement, body=BODY + "\n\nA new demand.", base_revision=1
    )
    db.session.commit()
    assert _status(world) == {"be": "stale", "ru": "stale"}
    state = services.state_of(world.ru)
    assert state.baseline == 2 and state.stale
    stale_events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "translation.stale")
    ).all()
    assert sorted(e.detail["language"] for e in stale_events) == ["be", "ru"]


def test_non_substantive_source_revision_leaves_translations_current(world: World):
    drafting.save_revision(
        world.lead, world.statement, body=BODY.replace("Belarus.", "Belarus. "),
        base_revision=1, substantive=False, note="typo",
    )
    db.session.commit()
    assert _status(world) == {"be": "current", "ru": "current"}


def test_updating_a_stale_translation_makes_it_current_again(world: World):
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nMore.", base_revision=1)
    db.session.commit()
    factories.translate(world.lead, world.ru, RU_BODY + "\n\nЕщё.")
    assert _status(world) == {"be": "stale", "ru": "current"}
    assert services.latest(world.ru).source_revision == 2


def test_a_translation_of_an_older_source_revision_is_stale_at_once(world: World):
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nMore.", base_revision=1)
    db.session.commit()
    # The translator worked from revision 1 while revision 2 was saved.
    factories.translate(world.lead, world.be, "Новы тэкст.", source_revision=1)
    assert services.state_of(world.be).status == "stale"


def test_a_stale_base_revision_is_refused(world: World):
    with pytest.raises(StaleRevision) as caught:
        services.save_revision(
            world.lead, world.ru, title="T", body="Текст", base_revision=0, source_revision=1
        )
    assert caught.value.current_revision == 1


def test_source_revision_must_exist(world: World):
    with pytest.raises(ValidationError) as caught:
        services.save_revision(
            world.lead, world.ru, title="T", body="Текст", base_revision=1, source_revision=9
        )
    assert "source_revision" in caught.value.fields


def test_translations_do_not_change_once_signing_closed(ctx):
    world = make_world()
    drafting.change_state(world.lead, world.statement, "closed")
    db.session.commit()
    with pytest.raises(TransitionNotAllowed):
        factories.translate(world.lead, world.ru, "Текст")


@pytest.mark.parametrize(
    ("language", "field"),
    [("en", "language"), ("ru", "language"), ("not a tag", "language"), ("", "language")],
)
def test_new_translation_language_is_checked(world: World, language: str, field: str):
    with pytest.raises(ValidationError) as caught:
        services.add_translation(world.lead, world.statement, language)
    assert field in caught.value.fields


def test_language_tags_are_normalised(world: World):
    made = services.add_translation(world.lead, world.statement, "PT_br")
    assert made.language == "pt-BR"
    assert services.find(world.statement, "pt-br") is made


def test_other_organisations_cannot_add_translations(world: World):
    stranger = factories.user(organisation="Elsewhere")
    with pytest.raises(NotFound):
        services.add_translation(stranger, world.statement, "uk")


def test_named_partner_may_save_only_its_translation(world: World):
    invitation, _ = factories.partner_invitation(world.statement, "Viasna")
    services.set_translator(world.lead, world.be, invitation)
    db.session.commit()
    revision = services.save_revision(
        invitation, world.be, title="Т", body="Новы тэкст", base_revision=1, source_revision=1
    )
    assert revision.author_invitation_id == invitation.id and revision.author_id is None
    with pytest.raises(NotFound):
        services.save_revision(
            invitation, world.ru, title="Т", body="Текст", base_revision=1, source_revision=1
        )
    other, _ = factories.partner_invitation(world.statement, "Other")
    with pytest.raises(NotFound):
        services.save_revision(
            other, world.be, title="Т", body="Тэкст", base_revision=2, source_revision=1
        )


def test_translator_must_belong_to_the_statement(world: World):
    elsewhere = factories.statement(world.lead, title="Another")
    invitation, _ = factories.partner_invitation(elsewhere, "Partner")
    with pytest.raises(ValidationError):
        services.set_translator(world.lead, world.ru, invitation)
    stranger = factories.user(organisation="Elsewhere")
    with pytest.raises(ValidationError):
        services.set_translator(world.lead, world.ru, stranger)


def test_naming_a_partner_and_stale_source_mail_the_translator(world: World):
    invitation, _ = factories.partner_invitation(
        world.statement, "Viasna", email="translate@viasna.example.org"
    )
    services.set_translator(world.lead, world.be, invitation)
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nNew.", base_revision=1)
    db.session.commit()
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == "translate@viasna.example.org")
    ).all()
    assert [m.kind for m in mails] == ["translator_named", "translation_stale"]
    assert "Belarusian" in mails[1].subject
    assert "revision 2" in mails[1].body_text
    # A second substantive revision does not mail again: the translation was already stale.
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nNewer.", base_revision=2)
    db.session.commit()
    assert db.session.scalar(
        select(db.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "translation_stale"
        )
    ) == 1


def test_translation_revisions_are_write_once(world: World):
    revision = db.session.scalar(select(TranslationRevision))
    revision.body = "rewritten"
    with pytest.raises(ImmutableRecordError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(TranslationRevision)))
    with pytest.raises(ImmutableRecordError):
        db.session.flush()


def test_name_forms_are_stored_and_copied_on_reconfirmation(world: World):
    invitation, token = factories.partner_invitation(world.statement, "Viasna")
    first, _ = signing.sign(
        invitation,
        SignatureInput(
            name="Viasna", signer_name="A", signer_email="a@viasna.example.org",
            names={"ru": " Весна ", "be": "Вясна"},
        ),
        token=token,
    )
    db.session.commit()
    assert services.names_of({first.id}) == {first.id: {"be": "Вясна", "ru": "Весна"}}
    drafting.save_revision(world.lead, world.statement, body=BODY + "\n\nNew.", base_revision=1)
    db.session.commit()
    second, _ = signing.reconfirm(invitation, token=token)
    db.session.commit()
    assert second.id != first.id
    assert services.names_of({second.id})[second.id] == {"be": "Вясна", "ru": "Весна"}
    # Signing again with other forms: the new row has only those; the old rows are kept.
    third, _ = signing.sign(invitation, SignatureInput(name="Viasna", names={"ru": "Весна!"}))
    db.session.commit()
    assert services.names_of({third.id})[third.id] == {"ru": "Весна!"}
    assert db.session.scalar(select(db.func.count()).select_from(SignatureName)) == 5


def test_name_forms_only_for_translation_languages(world: World):
    with pytest.raises(ValidationError) as caught:
        services.clean_names(world.statement, {"fr": "Nom", "ru": "x" * 201})
    assert set(caught.value.fields) == {"names.fr", "names.ru"}
    assert services.clean_names(world.statement, {"RU": "Имя", "be": "  "}) == {"ru": "Имя"}
    assert services.clean_names(world.statement, None) is None


def test_ordered_names_collate_each_language(world: World):
    from tests.translations.conftest import ORDER, sign_all

    signatures = sign_all(world)
    for language in ("ru", "be"):
        ordered = services.ordered_names(world.statement, signatures, language)
        assert [name for _, name in ordered] == ORDER[language]


def test_the_source_language_cannot_become_a_translation_language(world: World):
    with pytest.raises(ValidationError) as caught:
        drafting.update_settings(world.lead, world.statement, language="ru")
    assert "language" in caught.value.fields
    db.session.rollback()
    drafting.update_settings(world.lead, world.statement, language="uk")
    assert world.statement.language == "uk"
