"""Co-leads (issue 17): inviting, accepting, removing; what each actor may read and change."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from coalition import security
from coalition.coleads import services as coleads
from coalition.domain.errors import Conflict, NotFound, PermissionDenied
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import AuditEvent, Invitation, OutboxMessage, User
from tests import factories


def test_first_account_is_admin_colleagues_have_their_role(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    assert lead.role == "admin"
    viewer = factories.colleague(lead, "viewer")
    assert viewer.role == "viewer" and not viewer.is_admin


def test_only_the_admin_invites_colleagues_with_a_role(ctx: Flask) -> None:
    from coalition.accounts import services as accounts

    admin = factories.user("Rights Watch")
    editor = factories.colleague(admin, "editor")
    with pytest.raises(PermissionDenied):
        accounts.invite_colleague(editor, "someone@example.org", "viewer")
    invitation, token = accounts.invite_colleague(admin, "someone@example.org", "viewer")
    user = accounts.accept_colleague_invitation(token, name="Vi", password=factories.PASSWORD)
    assert invitation.role == "viewer" and user.role == "viewer"
    with pytest.raises(Exception, match="role"):
        accounts.invite_colleague(admin, "other@example.org", "admin")


def test_invitation_makes_the_account_and_the_organisation(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    made = factories.statement(lead, state="open")
    row, token = coleads.invite(lead, made, "director@centre.example")
    db.session.commit()
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "co_lead_invitation"))
    assert mail is not None and f"/co-lead/{token}" in mail.body_text
    user = coleads.accept(token, organisation="Human Rights Centre", name="Dir",
                          password=factories.PASSWORD)
    db.session.commit()
    assert user.role == "admin" and user.organisation.name == "Human Rights Centre"
    assert row.status == "active" and row.organisation_id == user.organisation_id
    assert security.can_view(user, made) and security.can_manage(user, made)
    assert not security.can_lead(user, made)
    assert coleads.conveners(made) == ["Rights Watch", "Human Rights Centre"]
    # A co-lead signs like any partner: it has an invitation of its own.
    assert db.session.scalar(select(Invitation).where(
        Invitation.statement_id == made.id, Invitation.email == "director@centre.example"))
    assert drafting.organisation_statements(user) == [made]
    with pytest.raises(NotFound):
        coleads.invitation(token)  # used once


def test_existing_account_accepts_logged_in(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    other = factories.user("Centre", email="boss@centre.example")
    stranger = factories.user("Stranger Org")
    made = factories.statement(lead)
    _, token = coleads.invite(lead, made, "boss@centre.example")
    db.session.commit()
    with pytest.raises(Conflict):
        coleads.accept(token, organisation="New", name="x", password=factories.PASSWORD)
    with pytest.raises(PermissionDenied):
        coleads.accept(token, stranger)
    coleads.accept(token, other)
    db.session.commit()
    assert security.is_co_lead(other, made)
    assert not security.can_view(stranger, made)


def test_the_lead_only_invites_and_removes(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    made = factories.statement(lead)
    co = factories.co_lead(lead, made)
    with pytest.raises(PermissionDenied):
        coleads.invite(co, made, "third@third.example")
    with pytest.raises(Conflict):
        coleads.invite(lead, made, factories.colleague(lead).email)
    row = coleads.active(made)[0]
    with pytest.raises(PermissionDenied):
        coleads.remove(co, row)
    coleads.remove(lead, row)
    db.session.commit()
    assert not security.can_view(co, made)
    with pytest.raises(NotFound):
        security.require_manage(co, made)
    assert coleads.conveners(made) == ["Rights Watch"]
    with pytest.raises(Conflict):
        coleads.remove(lead, row)


def test_viewers_read_and_change_nothing(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    made = factories.statement(lead, state="open")
    viewer = factories.colleague(lead, "viewer")
    co = factories.co_lead(lead, made)
    co_viewer = factories.colleague(co, "viewer")
    for reader in (viewer, co_viewer):
        assert security.can_view(reader, made) and not security.can_manage(reader, made)
        with pytest.raises(PermissionDenied):
            drafting.save_revision(reader, made, body="Changed.", base_revision=1)
        with pytest.raises(PermissionDenied):
            factories.invite(reader, made, email="x@partner.example")
    assert made.current_revision == 1


def test_audit_log_names_organisation_and_person(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    made = factories.statement(lead, state="open")
    co = factories.co_lead(lead, made, organisation="Centre for Rights")
    drafting.save_revision(co, made, body="Edited by the co-lead.", base_revision=1)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "revision.saved").order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert co.email in event.actor_label and "Centre for Rights" in event.actor_label


def test_sign_off_gates_publication_and_a_substantive_change_voids_it(ctx: Flask) -> None:
    from coalition.publishing import services as publishing

    lead = factories.user("Rights Watch")
    made = factories.statement(lead, state="open")
    co = factories.co_lead(lead, made, organisation="Centre for Rights")
    coleads.set_required(lead, made, True)
    db.session.commit()
    with pytest.raises(Conflict) as waiting:
        publishing.publish(lead, made)
    assert waiting.value.extra["awaiting_sign_off"] == ["Centre for Rights"]
    db.session.rollback()
    with pytest.raises(Conflict):
        coleads.sign_off(lead, made)  # the lead does not sign off for itself
    given = coleads.sign_off(co, made, 1)
    assert given.sha256 == drafting.latest_revision(made).sha256
    drafting.save_revision(lead, made, body="A typo fixed.", base_revision=1, substantive=False)
    assert coleads.awaiting(made) == []  # a non-substantive change keeps it
    drafting.save_revision(lead, made, body="New demand.", base_revision=2)
    assert coleads.awaiting(made) == ["Centre for Rights"]
    with pytest.raises(Conflict):
        coleads.sign_off(co, made, 2)  # not the latest
    coleads.sign_off(co, made, 3)
    db.session.commit()
    with pytest.raises(PermissionDenied):
        publishing.publish(co, made)  # only the lead publishes
    db.session.rollback()
    edition = publishing.publish(lead, made)
    db.session.commit()
    assert edition.conveners == ["Rights Watch", "Centre for Rights"]


def test_removed_co_lead_is_not_awaited(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    made = factories.statement(lead, state="open")
    factories.co_lead(lead, made)
    coleads.set_required(lead, made, True)
    assert coleads.awaiting(made)
    coleads.remove(lead, coleads.active(made)[0])
    assert coleads.awaiting(made) == []


def test_user_of_lead_is_not_a_co_lead(ctx: Flask) -> None:
    lead = factories.user("Rights Watch")
    made = factories.statement(lead)
    _, token = coleads.invite(lead, made, "new@centre.example")
    colleague = factories.colleague(lead, email="late@example.org")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        coleads.accept(token, colleague)
    assert db.session.scalar(select(User).where(User.email == "new@centre.example")) is None
