"""Signing services: sign, replace, withdraw, re-sign, deadline, re-confirmation, sort keys."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select

from coalition import roster
from coalition.domain import collation
from coalition.domain.errors import Conflict, NotFound, ValidationError
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import (
    AuditEvent,
    Edition,
    EditionSignatory,
    OutboxMessage,
    Signature,
    Statement,
    utcnow,
)
from coalition.signing import services
from coalition.signing.services import SignatureInput, SigningClosed
from tests import factories


def _data(name: str = "Amnesty International", **kw: object) -> SignatureInput:
    kw.setdefault("signer_name", "Jane Doe")
    kw.setdefault("signer_email", "jane@amnesty.example.org")
    return SignatureInput(name=name, **kw)  # type: ignore[arg-type]


def _count(*where: object) -> int:
    return db.session.scalar(select(func.count(Signature.id)).where(*where)) or 0


@pytest.fixture
def setup(ctx: Flask):
    owner = factories.user()
    statement = factories.statement(owner, state="open")
    invitation, token = factories.partner_invitation(statement, "Amnesty International")
    return owner, statement, invitation, token


def test_sign_creates_live_signature_with_revision_hash_and_key(setup):
    owner, statement, invitation, token = setup
    signature, created = services.sign(invitation, _data(country="fr"), token=token)
    db.session.commit()
    assert created is True
    assert signature.status == "live"
    assert signature.revision_number == 1
    assert signature.revision_sha256 == drafting.latest_revision(statement).sha256
    assert signature.sort_key == collation.sort_key("Amnesty International", "en", None)
    assert signature.sort_rules == collation.RULES_VERSION
    assert signature.country == "FR"
    assert db.session.scalar(
        select(AuditEvent.action).where(AuditEvent.action == "signature.signed")
    )
    receipt = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "signature_receipt")
    )
    assert receipt.to_address == "jane@amnesty.example.org"
    assert f"/i/{token}" in receipt.body_text
    assert signature.revision_sha256 in receipt.body_text


def test_signing_again_supersedes_and_never_duplicates(setup):
    _, statement, invitation, token = setup
    first, created = services.sign(invitation, _data(), token=token)
    db.session.commit()
    second, created_again = services.sign(invitation, _data("Amnesty Intl"), token=token)
    db.session.commit()
    assert (created, created_again) == (True, False)
    db.session.refresh(first)
    assert first.status == "superseded" and first.ended_at is not None
    assert second.replaces_id == first.id and second.status == "live"
    assert _count(Signature.invitation_id == invitation.id, Signature.status == "live") == 1
    assert _count(Signature.invitation_id == invitation.id) == 2  # history kept


def test_change_without_contacts_keeps_the_previous_ones(setup):
    _, _, invitation, token = setup
    services.sign(invitation, _data(signer_role="Director"), token=token)
    db.session.commit()
    second, _ = services.sign(invitation, SignatureInput(name="Amnesty"), token=token)
    assert second.signer_email == "jane@amnesty.example.org"
    assert second.signer_name == "Jane Doe" and second.signer_role == "Director"


def test_withdraw_then_sign_again_counts_as_created(setup):
    _, _, invitation, token = setup
    first, _ = services.sign(invitation, _data(), token=token)
    db.session.commit()
    withdrawn = services.withdraw(invitation)
    db.session.commit()
    assert withdrawn.status == "withdrawn" and withdrawn.ended_at is not None
    assert roster.live_signature(invitation) is None
    again, created = services.sign(invitation, _data(), token=token)
    db.session.commit()
    assert created is True and again.replaces_id is None
    assert _count(Signature.invitation_id == invitation.id) == 2
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"signature.signed", "signature.withdrawn"} <= actions


def test_withdraw_without_live_signature_is_a_conflict(setup):
    _, _, invitation, _ = setup
    with pytest.raises(Conflict):
        services.withdraw(invitation)


def test_withdrawal_after_publication_is_a_retraction(setup):
    owner, statement, invitation, token = setup
    signature, _ = services.sign(invitation, _data(), token=token)
    db.session.flush()
    edition = Edition(statement_id=statement.id, number=1, revision_number=1, title="T", body="B",
                      date=dt.date(2026, 11, 22), sha256="0" * 64)
    db.session.add(edition)
    db.session.flush()
    db.session.add(EditionSignatory(edition_id=edition.id, position=1, signature_id=signature.id,
                                    name=signature.name, revision_number=1))
    db.session.commit()
    # A change after publication is a new row; the partner was still published.
    services.sign(invitation, _data("Amnesty International UK"), token=token)
    db.session.commit()
    assert services.withdraw(invitation).status == "retracted"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("name", "", "is required"),
        ("name", "   \t  ", "is required"),
        ("name", "\x00\x07\u200b\x1f", "cannot be kept: U+0000"),
        ("name", "\u200b\u200d ", "is required"),
        ("name", "x" * 201, "too long"),
        ("signer_name", "", "is required"),
        ("signer_email", "not-an-address", "not valid"),
        ("signer_email", "", "is required"),
        ("kind", "robot", "organisation or individual"),
        ("country", "y" * 101, "too long"),
        ("board_approved_on", "2099-01-01", "future"),
        ("board_approved_on", "yesterday", "date"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(setup, field, value, message):
    _, _, invitation, token = setup
    data = _data()
    setattr(data, field, value)
    with pytest.raises(ValidationError) as caught:
        services.sign(invitation, data, token=token)
    db.session.rollback()
    assert field in caught.value.fields
    assert message in caught.value.message
    assert _count() == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_signing_refused_unless_open(ctx):
    owner = factories.user()
    for state in ("draft", "review", "closed"):
        statement = factories.statement(owner, title=f"S {state}", state=state)
        invitation, token = factories.partner_invitation(statement)
        with pytest.raises(SigningClosed) as caught:
            services.sign(invitation, _data(), token=token)
        assert caught.value.status == 409
    db.session.rollback()
    assert _count() == 0


def test_revoked_invitation_cannot_sign(setup):
    _, _, invitation, token = setup
    invitation.revoked_at = utcnow()
    db.session.commit()
    with pytest.raises(NotFound):
        services.sign(invitation, _data(), token=token)


def test_deadline_passed_closes_statement_with_audit(setup):
    owner, statement, invitation, token = setup
    statement.sign_deadline = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert not services.signing_open(statement)
    with pytest.raises(SigningClosed):
        services.sign(invitation, _data(), token=token)
    db.session.rollback()
    closed = services.close_due_statements()
    db.session.commit()
    assert [s.id for s in closed] == [statement.id]
    assert db.session.get(Statement, statement.id).state == "closed"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "statement.state_changed")
        .order_by(AuditEvent.id.desc())
    )
    assert event.detail["reason"] == "deadline" and event.detail["new"] == "closed"
    assert services.close_due_statements() == []  # idempotent


def test_extended_deadline_reopens(setup):
    owner, statement, invitation, token = setup
    statement.sign_deadline = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    services.close_due_statements()
    db.session.commit()
    drafting.set_sign_deadline(owner, statement, utcnow() + dt.timedelta(days=3))
    drafting.change_state(owner, statement, "open")
    db.session.commit()
    _, created = services.sign(invitation, _data(), token=token)
    assert created


def test_close_due_command(app, runner):
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        statement.sign_deadline = utcnow() - dt.timedelta(hours=1)
        db.session.commit()
        statement_id = statement.id
    result = runner.invoke(args=["close-due"])
    assert result.exit_code == 0, result.output
    assert "1 statement(s) closed" in result.output
    with app.app_context():
        assert db.session.get(Statement, statement_id).state == "closed"


# --- re-confirmation ---------------------------------------------------------------------


def _reconfirm_mails() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reconfirm")))


def test_substantive_revision_asks_signers_to_reconfirm_with_redline(setup):
    owner, statement, invitation, token = setup
    services.sign(invitation, _data(), token=token)
    db.session.commit()
    drafting.save_revision(owner, statement, body=factories.BODY.replace(
        "all prisoners", "every prisoner"), base_revision=1, note="Wider call")
    db.session.commit()
    mails = _reconfirm_mails()
    assert len(mails) == 1
    assert mails[0].to_address == "jane@amnesty.example.org"
    assert "<del>" in mails[0].body_html and "<ins>" in mails[0].body_html
    assert "every" in mails[0].body_html
    assert "{+every" in mails[0].body_text or "{+every prisoner" in mails[0].body_text
    signature = roster.live_signature(invitation)
    assert not roster.covers(signature, statement)
    plan = roster.plan(statement)
    assert [s.name for s in plan.outstanding] == ["Amnesty International"]


def test_non_substantive_revision_keeps_endorsements(setup):
    owner, statement, invitation, token = setup
    services.sign(invitation, _data(), token=token)
    db.session.commit()
    drafting.save_revision(owner, statement, body=factories.BODY + " ", base_revision=1,
                           note="typo", substantive=False)
    db.session.commit()
    assert _reconfirm_mails() == []
    signature = roster.live_signature(invitation)
    assert roster.covers(signature, statement)
    assert roster.plan(statement).outstanding == []


def test_reconfirm_moves_endorsement_to_current_revision(setup):
    owner, statement, invitation, token = setup
    services.sign(invitation, _data(sort_as="Amnesty"), token=token)
    db.session.commit()
    drafting.save_revision(owner, statement, body="New text entirely.", base_revision=1)
    db.session.commit()
    signature, created = services.reconfirm(invitation, token=token)
    db.session.commit()
    assert created is False and signature.revision_number == 2
    assert signature.sort_as == "Amnesty" and signature.signer_email == "jane@amnesty.example.org"
    assert roster.covers(signature, statement)


def test_signers_already_reconfirmed_are_not_asked_again(setup):
    owner, statement, invitation, token = setup
    services.sign(invitation, _data(), token=token)
    other = factories.signed(statement, "Human Rights Watch")
    drafting.save_revision(owner, statement, body="Second text.", base_revision=1)
    db.session.commit()
    services.reconfirm(invitation, token=token)
    db.session.commit()
    drafting.save_revision(owner, statement, body="Second text, corrected.", base_revision=2,
                           substantive=False)
    db.session.commit()
    # Only the first substantive save asked both; the typo fix asked nobody.
    assert sorted(m.to_address for m in _reconfirm_mails()) == sorted(
        ["jane@amnesty.example.org", other.signer_email]
    )


# --- sort keys ---------------------------------------------------------------------------


def test_sort_as_override_recomputes_key_in_place(setup):
    owner, statement, invitation, token = setup
    signature, _ = services.sign(invitation, _data("Ales Bialiatski", kind="individual"),
                                 token=token)
    db.session.commit()
    services.set_sort_as(owner, signature, "Bialiatski Ales")
    db.session.commit()
    assert signature.sort_key == collation.sort_key("Ales Bialiatski", "en", "Bialiatski Ales")
    assert _count() == 1  # an in-place edit, recorded in the audit log
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "signature.sort_as_changed")
    ).detail["new"] == "Bialiatski Ales"
    stranger = factories.user(organisation="Other Org")
    with pytest.raises(NotFound):
        services.set_sort_as(stranger, signature, "X")


def test_resort_recomputes_keys_of_older_rules(setup, runner):
    _, statement, invitation, token = setup
    signature, _ = services.sign(invitation, _data(), token=token)
    signature.sort_key = b"stale"
    signature.sort_rules = 0
    db.session.commit()
    result = runner.invoke(args=["resort"])
    assert result.exit_code == 0, result.output
    assert "1 sort key(s)" in result.output
    db.session.refresh(signature)
    assert signature.sort_rules == collation.RULES_VERSION
    assert signature.sort_key == collation.sort_key("Amnesty International", "en")


def test_grouping_puts_organisations_first_keeping_order(setup):
    _, statement, _, _ = setup
    for name, kind in [("Zeta Org", "organisation"), ("Anna Müller", "individual"),
                       ("Alpha Org", "organisation"), ("Boris Ivanov", "individual")]:
        factories.signed(statement, name, kind=kind)
    assert [s.name for s in roster.published(statement)] == [
        "Alpha Org", "Anna Müller", "Boris Ivanov", "Zeta Org"]
    statement.group_individuals = True
    db.session.commit()
    assert [s.name for s in roster.published(statement)] == [
        "Alpha Org", "Zeta Org", "Anna Müller", "Boris Ivanov"]


def test_changing_the_language_re_sorts_the_list_at_once(setup):
    owner, statement, _, _ = setup
    for name in ["Zeta Org", "Ängel Org", "Oslo Org", "Östra Org"]:
        factories.signed(statement, name)
    db.session.commit()
    # English collation puts Ä with A and Ö with O.
    assert [s.name for s in roster.published(statement)] == [
        "Ängel Org", "Oslo Org", "Östra Org", "Zeta Org"]
    drafting.update_settings(owner, statement, language="sv")
    db.session.commit()
    # Swedish puts Ä and Ö after Z, with no resort command run.
    assert [s.name for s in roster.published(statement)] == [
        "Oslo Org", "Zeta Org", "Ängel Org", "Östra Org"]
    assert all(
        s.sort_key == collation.sort_key(s.name, "sv")
        for s in roster.published(statement)
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "signatures.resorted")
    )
    assert event is not None and event.detail["count"] == 4
    assert event.actor_user_id == owner.id


def test_other_settings_leave_the_sort_keys_alone(setup):
    owner, statement, _, _ = setup
    factories.signed(statement, "Zeta Org")
    db.session.commit()
    drafting.update_settings(owner, statement, timezone="Europe/Paris")
    db.session.commit()
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "signatures.resorted")
    ) == 0


def _meanwhile(monkeypatch: pytest.MonkeyPatch, change) -> None:
    """Run `change` in another connection between the signer's reads and its lock."""
    real = services._lock_invitation
    pending = [change]

    def lock_after_the_change(invitation):
        if pending:
            pending.pop()()  # once: the other request locks as usual
        return real(invitation)

    monkeypatch.setattr(services, "_lock_invitation", lock_after_the_change)


def test_signing_closed_while_the_signer_waited_is_refused(setup, monkeypatch):
    _, statement, invitation, token = setup
    db.session.commit()

    def close() -> None:
        with db.engine.begin() as other:
            other.execute(
                Statement.__table__.update()
                .where(Statement.__table__.c.id == statement.id)
                .values(state="closed")
            )

    _meanwhile(monkeypatch, close)
    with pytest.raises(SigningClosed):
        services.sign(invitation, _data(), token=token)
    db.session.rollback()
    assert _count() == 0
    assert not db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "signature_receipt")
    )


def test_a_signature_made_in_another_tab_meanwhile_is_replaced_not_doubled(
    setup, app: Flask, monkeypatch
):
    _, statement, invitation, token = setup
    db.session.commit()

    def sign_elsewhere() -> None:
        response = app.test_client().post(
            f"/api/v1/invitations/{token}/signature",
            json={"name": "Amnesty (other tab)", "signer_name": "Jane Doe",
                  "signer_email": "jane@amnesty.example.org"},
        )
        assert response.status_code == 201

    _meanwhile(monkeypatch, sign_elsewhere)
    signature, created = services.sign(invitation, _data(), token=token)
    db.session.commit()
    other = db.session.scalar(select(Signature).where(Signature.name == "Amnesty (other tab)"))
    assert created is False and signature.replaces_id == other.id
    assert other.status == "superseded"
    assert _count(Signature.invitation_id == invitation.id, Signature.status == "live") == 1
    receipts = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.kind == "signature_receipt")
        .order_by(OutboxMessage.id)
    ).all()
    # The second receipt says what happened: a change of the signature made meanwhile.
    assert receipts[-1].startswith("You changed your signature")
