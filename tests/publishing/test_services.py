"""Publishing services: the plan, frozen editions, outstanding signatures, embargoes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from coalition import roster
from coalition.domain.errors import Conflict, NotFound, TransitionNotAllowed, ValidationError
from coalition.domain.revisions import text_sha256
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import AuditEvent, Edition, EditionSignatory, OutboxMessage, Signature
from coalition.publishing import services
from tests import factories
from tests.publishing.conftest import ORDER, World, make_world


def _actions(statement_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.statement_id == statement_id)
            .order_by(AuditEvent.id)
        )
    )


def _revise(world: World, body: str, substantive: bool = True) -> None:
    drafting.save_revision(
        world.lead, world.statement, body=body,
        base_revision=world.statement.current_revision, substantive=substantive,
    )
    db.session.commit()


def _reopen(world: World) -> None:
    drafting.change_state(world.lead, world.statement, "open")
    db.session.commit()


def test_plan_lists_endorsing_signatures_in_published_order(world: World) -> None:
    plan = roster.plan(world.statement)
    assert [s.name for s in plan.endorsing] == ORDER
    assert plan.outstanding == [] and plan.revision == 1


def test_a_substantive_revision_makes_earlier_signatures_outstanding(world: World) -> None:
    _revise(world, "A typo fixed.", substantive=False)
    assert roster.plan(world.statement).outstanding == []  # a typo keeps endorsements
    _revise(world, "A new demand.")
    plan = roster.plan(world.statement)
    assert plan.endorsing == [] and len(plan.outstanding) == len(ORDER)
    assert plan.baseline == 3


def test_grouping_puts_organisations_before_individuals(world: World) -> None:
    world.statement.group_individuals = True
    db.session.commit()
    names = [s.name for s in roster.plan(world.statement).endorsing]
    assert names[-1] == "Анна Петрова"
    assert names[:-1] == [n for n in ORDER if n != "Анна Петрова"]


def test_publish_freezes_the_edition(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # 23:30 UTC on 22 November is already 23 November in Auckland: today is the statement's.
    monkeypatch.setattr(
        services, "now", lambda: dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.UTC)
    )
    world.statement.timezone = "Pacific/Auckland"
    world.statement.letter_addressee_name = "Rt Hon Jane Doe MP"
    world.statement.letter_salutation = "Dear Minister,"
    db.session.commit()

    edition = services.publish(world.lead, world.statement, note="First publication")
    db.session.commit()

    assert edition.number == 1 and edition.revision_number == 1
    assert edition.date == dt.date(2026, 11, 23)
    assert edition.body.startswith("We, the 7 undersigned organisations")
    assert "{{signatories}}" not in edition.body
    assert edition.sha256 == text_sha256(edition.title, edition.body)
    assert edition.signatory_count == 7 and edition.note == "First publication"
    assert edition.letter == {
        "addressee_name": "Rt Hon Jane Doe MP", "addressee_title": "",
        "addressee_address": "", "salutation": "Dear Minister,",
    }
    assert [row.name for row in edition.signatories] == ORDER
    assert [row.position for row in edition.signatories] == list(range(1, 8))
    assert edition.public_from == edition.published_at  # no embargo: public at once
    assert world.statement.state == "published"
    assert world.statement.published_at == edition.published_at
    assert _actions(world.id)[-2:] == ["statement.state_changed", "edition.published"]
    notices = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "publication_notice")
    ))
    assert sorted(m.to_address for m in notices) == sorted(
        s.signer_email for s in world.signatures
    )
    assert "http://coalition.test/s/withdraw-the-public-assemblies-bill" in notices[0].body_text


def test_the_count_placeholder_is_filled_in_title_and_body(ctx: object) -> None:
    world = make_world(
        title="{{ signatories }} groups call for the bill's withdrawal",
        body="Today {{signatories}} organisations said: withdraw it. {{SIGNATORIES}} of us.",
    )
    preparation = services.prepare(world.statement)
    assert preparation.title == "7 groups call for the bill's withdrawal"
    assert preparation.body == "Today 7 organisations said: withdraw it. 7 of us."
    assert preparation.sha256 == text_sha256(preparation.title, preparation.body)
    # Nothing is written by a preparation.
    assert db.session.scalar(select(func.count(Edition.id))) == 0


@pytest.mark.parametrize("state", ["draft", "review"])
def test_publication_needs_an_open_or_closed_statement(ctx: object, state: str) -> None:
    lead = factories.user()
    statement = factories.statement(lead, state=state)
    with pytest.raises(TransitionNotAllowed) as caught:
        services.publish(lead, statement)
    assert caught.value.status == 409


def test_a_closed_statement_can_be_published_but_a_published_one_not_again(world: World) -> None:
    drafting.change_state(world.lead, world.statement, "closed")
    services.publish(world.lead, world.statement)
    db.session.commit()
    with pytest.raises(TransitionNotAllowed):
        services.publish(world.lead, world.statement)


def test_outstanding_signatures_block_publication_naming_them(world: World) -> None:
    _revise(world, "Revised text: {{signatories}} of us.")
    # Two signers re-confirm by signing the new revision.
    for old in world.signatures[:2]:
        old.status = "superseded"
        db.session.flush()
        factories.signature_row(world.statement, old.name, invitation=old.invitation)
    with pytest.raises(Conflict) as caught:
        services.publish(world.lead, world.statement)
    assert caught.value.status == 409
    outstanding = caught.value.extra["outstanding"]
    assert sorted(outstanding) == sorted(s.name for s in world.signatures[2:])
    db.session.rollback()
    assert db.session.scalar(select(func.count(Edition.id))) == 0


def test_exclude_outstanding_leaves_them_out_but_live(world: World) -> None:
    _revise(world, "Revised text.")
    late = factories.signature_row(world.statement, "Late Signer Trust")
    edition = services.publish(world.lead, world.statement, exclude_outstanding=True)
    db.session.commit()
    assert [row.name for row in edition.signatories] == ["Late Signer Trust"]
    assert late.status == "live"
    statuses = {s.status for s in world.signatures}
    assert statuses == {"live"}  # left out, not withdrawn: they can re-confirm for next time
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "edition.published"))
    assert sorted(event.detail["left_out"]) == sorted(s.name for s in world.signatures)


def test_include_asks_for_a_re_confirmation(world: World) -> None:
    _revise(world, "Revised text.")
    wanted = world.signatures[0]
    with pytest.raises(Conflict) as caught:
        services.publish(
            world.lead, world.statement, exclude_outstanding=True, include=[wanted.id]
        )
    assert caught.value.extra["outstanding"] == [wanted.name]
    db.session.rollback()
    # Once it has signed the current text, the same request publishes it.
    wanted.status = "superseded"
    db.session.flush()
    factories.signature_row(world.statement, wanted.name, invitation=wanted.invitation)
    edition = services.publish(
        world.lead, world.statement, exclude_outstanding=True, include=[wanted.id]
    )
    assert [row.name for row in edition.signatories] == [wanted.name]


def test_a_second_edition_keeps_the_first_and_says_what_changed(world: World) -> None:
    first = services.publish(world.lead, world.statement, date=dt.date(2026, 11, 20))
    db.session.commit()
    _reopen(world)
    factories.signature_row(world.statement, "Aardvark Alliance")
    factories.signature_row(world.statement, "Young Lawyers", kind="individual")

    with pytest.raises(Conflict) as caught:  # a date the statement's history rules out
        services.publish(world.lead, world.statement, date=dt.date(2026, 11, 19))
    assert "date" in caught.value.fields
    db.session.rollback()

    second = services.publish(world.lead, world.statement, date=dt.date(2026, 12, 3))
    db.session.commit()
    assert second.number == 2 and second.note == "2 signatories added."
    assert second.signatory_count == 9 and "the 9 undersigned" in second.body
    assert [row.name for row in second.signatories][0] == "Aardvark Alliance"
    assert first.signatory_count == 7 and "the 7 undersigned" in first.body
    assert len(first.signatories) == 7
    assert first.sha256 != second.sha256


def test_a_withdrawal_after_publication_is_a_retraction_shown_next(world: World) -> None:
    first = services.publish(world.lead, world.statement)
    db.session.commit()
    _reopen(world)
    gone = world.signatures[0]  # Zeta Foundation
    gone.status = "withdrawn"
    gone.ended_at = services.now()
    db.session.commit()

    second = services.publish(world.lead, world.statement)
    db.session.commit()
    assert gone.status == "retracted"
    assert "Zeta Foundation" not in [row.name for row in second.signatories]
    assert "Zeta Foundation" in [row.name for row in first.signatories]
    assert second.note == "Signature of Zeta Foundation retracted."
    assert "signature.retracted" in _actions(world.id)


def test_a_withdrawal_before_any_publication_stays_a_withdrawal(world: World) -> None:
    gone = world.signatures[0]
    gone.status = "withdrawn"
    gone.ended_at = services.now()
    db.session.commit()
    edition = services.publish(world.lead, world.statement)
    assert gone.status == "withdrawn"
    assert gone.name not in [row.name for row in edition.signatories]


def test_an_embargo_hides_the_edition_until_its_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "now", lambda: start)
    lift = start + dt.timedelta(days=1)
    edition = services.publish(world.lead, world.statement, public_from=lift)
    db.session.commit()
    assert world.statement.state == "published"  # signing ends at publication
    assert not services.is_public(edition)
    assert services.public_editions(world.statement) == []
    # The notices wait for the embargo: the link would answer 404 before.
    waiting = db.session.scalars(
        select(OutboxMessage.next_attempt_at).where(OutboxMessage.kind == "publication_notice")
    ).all()
    assert waiting and set(waiting) == {lift}
    assert services.lift_due_embargoes() == []

    monkeypatch.setattr(services, "now", lambda: lift + dt.timedelta(seconds=1))
    assert services.is_public(edition)
    assert services.public_editions(world.statement) == [edition]
    assert services.lift_due_embargoes() == [edition]
    db.session.commit()
    assert services.lift_due_embargoes() == []  # once only
    assert _actions(world.id).count("edition.embargo_lifted") == 1


def test_an_embargo_in_the_past_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        services.publish(
            world.lead, world.statement,
            public_from=services.now() - dt.timedelta(minutes=1),
        )
    assert "public_from" in caught.value.fields


def test_a_correction_under_embargo_waits_for_the_embargo(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(services, "now", lambda: start)
    lift = start + dt.timedelta(hours=5)
    services.publish(world.lead, world.statement, public_from=lift)
    db.session.commit()
    _reopen(world)
    _revise(world, "Corrected text.", substantive=False)
    with pytest.raises(ValidationError):
        services.prepare(world.statement, public_from=lift - dt.timedelta(hours=1))
    second = services.publish(world.lead, world.statement)
    assert second.public_from == lift
    assert second.note == "Text corrected."


def test_a_changed_fingerprint_refuses_to_publish(world: World) -> None:
    reviewed = services.prepare(world.statement)
    factories.signature_row(world.statement, "Arrived Meanwhile")
    with pytest.raises(services.PublicationChanged) as caught:
        services.publish(world.lead, world.statement, expected_fingerprint=reviewed.fingerprint)
    assert caught.value.status == 409
    assert caught.value.preparation.count == 8
    db.session.rollback()
    fresh = services.prepare(world.statement)
    edition = services.publish(
        world.lead, world.statement, expected_fingerprint=fresh.fingerprint
    )
    assert edition.signatory_count == 8


def test_another_organisation_cannot_publish(world: World) -> None:
    stranger = factories.user(organisation="Other Org")
    with pytest.raises(NotFound):
        services.publish(stranger, world.statement)


def test_preview_links_are_stored_hashed_and_can_be_stopped(world: World) -> None:
    edition = services.publish(
        world.lead, world.statement, public_from=services.now() + dt.timedelta(days=1)
    )
    token = services.create_preview_link(world.lead, world.statement, edition)
    db.session.commit()
    assert token not in (edition.preview_token_hash or "")
    assert services.edition_for_preview(world.statement.slug, token) is edition
    with pytest.raises(NotFound):
        services.edition_for_preview(world.statement.slug, token + "x")
    services.revoke_preview_link(world.lead, world.statement, edition)
    db.session.commit()
    with pytest.raises(NotFound):
        services.edition_for_preview(world.statement.slug, token)
    assert {"edition.preview_link_created", "edition.preview_link_revoked"} <= set(
        _actions(world.id)
    )


def test_edition_rows_hold_no_contacts(world: World) -> None:
    services.publish(world.lead, world.statement)
    db.session.commit()
    columns = set(EditionSignatory.__table__.columns.keys())
    assert not columns & {"signer_name", "signer_email", "signer_role"}
    assert db.session.scalar(select(func.count(Signature.id))) == 7
