"""The lead's comments page: replies, resolving, accepting suggestions under stale-base checks."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import services
from coalition.models import AuditEvent, Comment, Invitation, Revision, Statement, User
from tests import factories


def _suggest(app: Flask, s, anchor: int = 1, suggestion: str = "A sharper second paragraph.",
             body: str = "Please sharpen."):
    with app.app_context():
        owner = db.session.get(User, s.owner_id)
        statement = db.session.get(Statement, s.statement_id)
        invitation, _ = factories.invite(owner, statement, "Partner Org")
        comment = services.add_comment(
            invitation, body=body, anchor=anchor, suggestion=suggestion, visibility="private"
        )
        db.session.commit()
        return comment.id, invitation.id


def test_accept_suggestion_saves_a_revision_crediting_the_partner(app, make_setup):
    s = make_setup()
    comment_id, invitation_id = _suggest(app, s)
    response = s.client.post(
        f"/statements/{s.statement_id}/comments/{comment_id}/accept",
        data={"base_revision": "1"}, follow_redirects=True,
    )
    assert "Accepted: saved as revision 2" in response.get_data(as_text=True)
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.number == 2))
        assert revision.body == (
            "We, the undersigned, call for the release of all prisoners of conscience.\n\n"
            "A sharper second paragraph."
        )
        assert revision.credited_invitation_id == invitation_id
        assert "Partner Org" in revision.note
        comment = db.session.get(Comment, comment_id)
        assert comment.accepted_revision == 2 and comment.resolved_at is not None
        assert db.session.scalar(select(AuditEvent.id).where(
            AuditEvent.action == "comment.suggestion_accepted"))
    # Accepting twice is refused; nothing more is saved.
    page = s.client.post(
        f"/statements/{s.statement_id}/comments/{comment_id}/accept",
        data={"base_revision": "2"}, follow_redirects=True,
    ).get_data(as_text=True)
    assert "already accepted" in page
    with app.app_context():
        assert db.session.get(Statement, s.statement_id).current_revision == 2


def test_accept_on_a_stale_base_changes_nothing_and_says_why(app, make_setup):
    s = make_setup()
    comment_id, _ = _suggest(app, s)
    # Someone else saves revision 2 while the lead reads the comments page of revision 1.
    with app.app_context():
        owner = db.session.get(User, s.owner_id)
        statement = db.session.get(Statement, s.statement_id)
        drafting.save_revision(owner, statement, body=factories.BODY + "\n\nA third.",
                               base_revision=1)
        db.session.commit()
    response = s.client.post(
        f"/statements/{s.statement_id}/comments/{comment_id}/accept",
        data={"base_revision": "1"}, follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "you were reading revision 1" in page and "revision 2 was saved since" in page
    assert "Nothing is lost" in page
    assert "A sharper second paragraph" in page  # the suggestion is still on the page
    with app.app_context():
        assert db.session.get(Statement, s.statement_id).current_revision == 2
        assert db.session.get(Comment, comment_id).accepted_revision is None
    # Accepting on the new base works, and the unchanged paragraph is found again.
    s.client.post(f"/statements/{s.statement_id}/comments/{comment_id}/accept",
                  data={"base_revision": "2"})
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.number == 3))
        assert revision.body.endswith("A sharper second paragraph.\n\nA third.")


def test_accept_when_the_paragraph_itself_changed_is_refused(app, make_setup):
    s = make_setup()
    comment_id, _ = _suggest(app, s)
    with app.app_context():
        owner = db.session.get(User, s.owner_id)
        statement = db.session.get(Statement, s.statement_id)
        drafting.save_revision(owner, statement, base_revision=1, body=factories.BODY.replace(
            "Second paragraph", "Rewritten paragraph"))
        db.session.commit()
    page = s.client.get(f"/statements/{s.statement_id}/comments").get_data(as_text=True)
    assert "On text that has changed since" in page
    page = s.client.post(
        f"/statements/{s.statement_id}/comments/{comment_id}/accept",
        data={"base_revision": "2"}, follow_redirects=True,
    ).get_data(as_text=True)
    assert "has changed since it was made" in page
    with app.app_context():
        assert db.session.get(Statement, s.statement_id).current_revision == 2


def test_comments_sit_beside_their_paragraph_and_resolve_hides_them(app, make_setup):
    s = make_setup()
    comment_id, _ = _suggest(app, s, anchor=0, suggestion=None, body="About the first one")
    page = s.client.get(f"/statements/{s.statement_id}/comments").get_data(as_text=True)
    row = page[page.index('id="p-0"'):page.index('id="p-1"')]
    assert "About the first one" in row
    assert "1 open comment" in page
    s.client.post(f"/statements/{s.statement_id}/comments/{comment_id}/resolve")
    page = s.client.get(f"/statements/{s.statement_id}/comments").get_data(as_text=True)
    assert "About the first one" not in page and "Show resolved" in page
    page = s.client.get(f"/statements/{s.statement_id}/comments?show=all").get_data(True)
    assert "About the first one" in page and "Resolved" in page
    s.client.post(f"/statements/{s.statement_id}/comments/{comment_id}/resolve",
                  data={"reopen": "1"})
    with app.app_context():
        assert db.session.get(Comment, comment_id).resolved_at is None
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"comment.resolved", "comment.reopened"} <= actions


def test_reply_needs_text_and_is_stored_as_the_lead(app, make_setup):
    s = make_setup()
    comment_id, _ = _suggest(app, s)
    page = s.client.post(f"/statements/{s.statement_id}/comments/{comment_id}/reply",
                         data={"body": "  ", "visibility": "shared"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Write a reply" in page
    s.client.post(f"/statements/{s.statement_id}/comments/{comment_id}/reply",
                  data={"body": "Thanks, taken in.", "visibility": "shared"})
    with app.app_context():
        reply = db.session.scalar(select(Comment).where(Comment.parent_id == comment_id))
        assert reply.author_id == s.owner_id and reply.invitation_id is None
        assert reply.body == "Thanks, taken in." and reply.anchor == 1


def test_comment_text_is_escaped(app, make_setup):
    s = make_setup()
    _suggest(app, s, body="<script>alert(1)</script>", suggestion="<img src=x onerror=y>")
    page = s.client.get(f"/statements/{s.statement_id}/comments").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_partner_comment_counts_as_commented_in_tracking(app, make_setup):
    s = make_setup()
    _, invitation_id = _suggest(app, s)
    with app.app_context():
        statement = db.session.get(Statement, s.statement_id)
        [row] = services.tracking(statement)
        assert row.invitation.id == invitation_id and row.state.value == "commented"
        assert db.session.get(Invitation, invitation_id).opened_at is None
