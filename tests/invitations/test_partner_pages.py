"""The partner's page at /i/<token>: reading, redlines, expiry, comments, privacy, declining."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import services
from coalition.models import AuditEvent, Comment, Invitation, Statement, User
from tests import factories


def _partner(app: Flask, s, organisation: str = "Partner Org", email: str | None = None):
    with app.app_context():
        owner = db.session.get(User, s.owner_id)
        statement = db.session.get(Statement, s.statement_id)
        invitation, token = factories.invite(owner, statement, organisation, email)
        return invitation.id, token


def _invitation(app: Flask, invitation_id: int) -> Invitation:
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        db.session.expunge(invitation)
        return invitation


def test_partner_page_shows_lead_text_deadline_in_statement_zone_and_records_opening(
    app, make_setup
):
    s = make_setup(state="open")
    # A winter deadline (EET, not EEST) that stays ahead of today whenever the test runs.
    year = dt.date.today().year + 2
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        statement.timezone = "Europe/Vilnius"
        statement.sign_deadline = dt.datetime(year, 1, 15, 10, 0, tzinfo=dt.UTC)
        db.session.commit()
    iid, token = _partner(app, s)
    partner = app.test_client()
    assert partner.head(f"/i/{token}").status_code == 200
    assert _invitation(app, iid).opened_at is None  # a link checker's HEAD is not an opening
    response = partner.get(f"/i/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rights Watch" in page and "Free the defenders" in page
    assert "We, the undersigned" in page
    assert f"15 January {year}, 12:00 EET" in page  # 10:00 UTC in Vilnius
    assert 'name="robots" content="noindex' in page
    invitation = _invitation(app, iid)
    assert invitation.opened_at is not None and invitation.last_seen_revision == 1
    with app.app_context():
        opened = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invitation.opened")).all()
        assert len(opened) == 1 and opened[0].actor_invitation_id == iid
    partner.get(f"/i/{token}")
    with app.app_context():
        assert len(db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "invitation.opened")).all()) == 1


def test_later_visit_shows_redline_of_what_changed_since_last_seen(app, make_setup):
    s = make_setup()
    iid, token = _partner(app, s)
    partner = app.test_client()
    assert "What changed since" not in partner.get(f"/i/{token}").get_data(as_text=True)
    with app.app_context():
        owner = db.session.get(User, s.owner_id)
        statement = db.session.get(Statement, s.statement_id)
        drafting.save_revision(owner, statement, body=factories.BODY.replace(
            "prisoners of conscience", "human rights defenders"), base_revision=1)
        db.session.commit()
    page = partner.get(f"/i/{token}").get_data(as_text=True)
    assert "What changed since you last read it" in page
    assert "<del>prisoners of conscience" in page or "<del>prisoners" in page
    assert "<ins>human rights defenders" in page or "<ins>human" in page
    assert _invitation(app, iid).last_seen_revision == 2
    assert "What changed since" not in partner.get(f"/i/{token}").get_data(as_text=True)


def test_unknown_token_is_a_plain_404(app, make_setup):
    make_setup()
    response = app.test_client().get("/i/not-a-real-token")
    assert response.status_code == 404
    assert "Rights Watch" not in response.get_data(as_text=True)
    assert app.test_client().get("/i/" + "x" * 300).status_code == 404


def test_revoked_link_gets_404_naming_whom_to_contact(app, make_setup):
    s = make_setup()
    iid, token = _partner(app, s)
    s.client.post(f"/statements/{s.statement_id}/invitations/{iid}/revoke")
    partner = app.test_client()
    response = partner.get(f"/i/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "withdrawn" in page and "contact Rights Watch" in page
    assert "We, the undersigned" not in page
    assert partner.post(f"/i/{token}/comments", data={"body": "x"}).status_code == 404
    assert partner.post(f"/i/{token}/decline", data={}).status_code == 404


def test_link_expires_after_deadline_plus_grace(app, make_setup):
    s = make_setup(state="open")
    iid, token = _partner(app, s)
    grace = app.config["INVITATION_GRACE_DAYS"]
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        # Deadline passed, but still within the grace period: the link works.
        statement.sign_deadline = dt.datetime.now(dt.UTC) - dt.timedelta(days=grace - 1)
        db.session.commit()
    partner = app.test_client()
    assert partner.get(f"/i/{token}").status_code == 200
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        statement.sign_deadline = dt.datetime.now(dt.UTC) - dt.timedelta(days=grace, hours=1)
        db.session.commit()
    response = partner.get(f"/i/{token}")
    assert response.status_code == 404
    assert "expired" in response.get_data(as_text=True)
    page = s.client.get(f"/statements/{s.statement_id}/invitations").get_data(as_text=True)
    assert "Expired" in page


def test_comment_on_paragraph_with_suggestion_reaches_the_lead(app, make_setup):
    s = make_setup()
    iid, token = _partner(app, s)
    partner = app.test_client()
    response = partner.post(f"/i/{token}/comments", data={
        "anchor": "1", "body": "Too vague.", "suggestion": "Second paragraph, sharper.",
        "visibility": "private",
    })
    assert response.status_code == 302 and response.location.endswith("#p-1")
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment.invitation_id == iid and comment.anchor == 1
        assert comment.anchor_text == "Second paragraph with more detail."
        assert comment.revision_number == 1 and comment.visibility == "private"
    lead_page = s.client.get(f"/statements/{s.statement_id}/comments").get_data(as_text=True)
    assert "Too vague." in lead_page and "Partner Org" in lead_page
    assert "Accept as revision 2" in lead_page
    tracking = s.client.get(f"/statements/{s.statement_id}/invitations").get_data(as_text=True)
    assert "Commented" in tracking


def test_invalid_comment_keeps_the_typed_text(app, make_setup):
    s = make_setup()
    _, token = _partner(app, s)
    partner = app.test_client()
    response = partner.post(f"/i/{token}/comments", data={
        "anchor": "99", "body": "My careful words", "visibility": "private"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "My careful words" in page and "no such paragraph" in page.lower()
    response = partner.post(f"/i/{token}/comments", data={
        "anchor": "", "body": "", "visibility": "private"})
    assert response.status_code == 422 and "Write a comment" in response.get_data(as_text=True)
    # A suggestion needs a paragraph to replace.
    response = partner.post(f"/i/{token}/comments", data={
        "anchor": "", "body": "", "suggestion": "New text", "visibility": "shared"})
    assert response.status_code == 422 and "New text" in response.get_data(as_text=True)


def test_comments_closed_outside_review_unless_allowed_while_open(app, make_setup):
    s = make_setup(state="draft")
    _, token = _partner(app, s)
    partner = app.test_client()
    page = partner.get(f"/i/{token}").get_data(as_text=True)
    assert "Comment or suggest" not in page and "not taking comments" in page
    response = partner.post(f"/i/{token}/comments", data={"body": "Hi", "visibility": "private"})
    assert response.status_code == 409
    assert "not being taken" in response.get_data(as_text=True)
    with app.app_context():
        owner = db.session.get(User, s.owner_id)
        statement = db.session.get(Statement, s.statement_id)
        drafting.change_state(owner, statement, "open")
        db.session.commit()
    assert partner.post(f"/i/{token}/comments",
                        data={"body": "Hi", "visibility": "private"}).status_code == 409
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        statement.comments_when_open = True
        db.session.commit()
    assert partner.post(f"/i/{token}/comments",
                        data={"body": "Hi", "visibility": "private"}).status_code == 302


def test_partner_never_sees_other_partners_emails_private_comments_or_internal_notes(
    app, make_setup
):
    s = make_setup()
    a_id, a_token = _partner(app, s, "Alpha Org", "secret-alpha@example.org")
    b_id, b_token = _partner(app, s, "Beta Org", "secret-beta@example.org")
    alpha, beta = app.test_client(), app.test_client()
    alpha.post(f"/i/{a_token}/comments", data={
        "anchor": "0", "body": "Alpha private remark", "visibility": "private"})
    alpha.post(f"/i/{a_token}/comments", data={
        "anchor": "0", "body": "Alpha shared remark", "visibility": "shared"})
    with app.app_context():
        private = db.session.scalar(select(Comment).where(Comment.body == "Alpha private remark"))
        shared = db.session.scalar(select(Comment).where(Comment.body == "Alpha shared remark"))
        private_id, shared_id = private.id, shared.id
    comments = f"/statements/{s.statement_id}/comments"
    s.client.post(f"{comments}/{shared_id}/reply",
                  data={"body": "Lead public answer", "visibility": "shared"})
    s.client.post(f"{comments}/{shared_id}/reply",
                  data={"body": "Lead internal note", "visibility": "private"})
    s.client.post(f"{comments}/{private_id}/reply",
                  data={"body": "Answer to Alpha only", "visibility": "shared"})

    beta_page = beta.get(f"/i/{b_token}").get_data(as_text=True)
    assert "Alpha shared remark" in beta_page and "Lead public answer" in beta_page
    for hidden in ("Alpha private remark", "Lead internal note", "Answer to Alpha only",
                   "secret-alpha@example.org", "secret-beta@example.org", "@example.org"):
        assert hidden not in beta_page, hidden

    alpha_page = alpha.get(f"/i/{a_token}").get_data(as_text=True)
    assert "Alpha private remark" in alpha_page and "Answer to Alpha only" in alpha_page
    assert "Lead internal note" not in alpha_page
    assert "secret-beta@example.org" not in alpha_page

    lead_page = s.client.get(comments).get_data(as_text=True)
    assert "Lead internal note" in lead_page and "Internal note" in lead_page


def test_decline_with_reason_then_take_it_back(app, make_setup):
    s = make_setup(state="open")
    iid, token = _partner(app, s)
    partner = app.test_client()
    assert partner.get(f"/i/{token}/decline").status_code == 405  # never on GET
    response = partner.post(f"/i/{token}/decline", data={"reason": "Board said no."})
    assert response.status_code == 302
    invitation = _invitation(app, iid)
    assert invitation.declined_at is not None and invitation.decline_reason == "Board said no."
    page = partner.get(f"/i/{token}").get_data(as_text=True)
    assert "You declined" in page
    tracking = s.client.get(f"/statements/{s.statement_id}/invitations").get_data(as_text=True)
    assert "Declined" in tracking and "Board said no." in tracking
    partner.post(f"/i/{token}/decline/undo")
    assert _invitation(app, iid).declined_at is None
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"invitation.declined", "invitation.decline_withdrawn"} <= actions


def test_partner_page_has_the_signing_slot(app, make_setup, tmp_path):
    s = make_setup(state="open")
    _, token = _partner(app, s)
    page = app.test_client().get(f"/i/{token}").get_data(as_text=True)
    assert 'id="sign"' in page


def test_record_visit_returns_the_revision_seen_before(app, make_setup):
    s = make_setup()
    iid, _ = _partner(app, s)
    with app.app_context():
        invitation = db.session.get(Invitation, iid)
        assert services.record_visit(invitation) is None
        assert services.record_visit(invitation) == 1
