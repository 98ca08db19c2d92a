"""The lead's partner list: inviting one and many, duplicates, actions, tracking, CSV, outbox."""

from __future__ import annotations

import csv
import io
import re

from flask import Flask
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import AuditEvent, Invitation, OutboxMessage, Signature
from tests import factories


def _invitations(app: Flask) -> list[Invitation]:
    with app.app_context():
        rows = list(db.session.scalars(select(Invitation).order_by(Invitation.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def _token_from_last_mail(app: Flask, email: str) -> str:
    with app.app_context():
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email)
            .order_by(OutboxMessage.id.desc())
        )
        match = re.search(r"/i/([A-Za-z0-9_-]+)", message.body_text)
        assert match, message.body_text
        return match.group(1)


def test_invite_one_queues_mail_with_a_link_whose_token_is_not_stored(app, make_setup):
    s = make_setup()
    response = s.client.post(
        f"/statements/{s.statement_id}/invitations",
        data={"organisation": "  Human Rights House ", "email": "Press@HRH.org",
              "message": "Dear friends,\nplease join."},
    )
    assert response.status_code == 302
    [invitation] = _invitations(app)
    assert invitation.organisation == "Human Rights House"
    assert invitation.email == "press@hrh.org"
    token = _token_from_last_mail(app, "press@hrh.org")
    assert len(token) >= 22  # at least 128 bits of URL-safe base64
    # Derived from a salt and the secret key: the row holds no usable link.
    assert invitation.token_hash is None
    assert token.startswith(invitation.link_salt) and len(token) > len(invitation.link_salt) + 20
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert "please join." in message.body_text
        assert "please join." in message.body_html and "<a href=" in message.body_html
        assert message.invitation_id == invitation.id and message.kind == "invitation"
        assert db.session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "invitation.created")
        )


def test_invite_same_email_twice_is_reported_not_doubled(app, make_setup):
    s = make_setup()
    url = f"/statements/{s.statement_id}/invitations"
    s.client.post(url, data={"organisation": "One", "email": "press@one.org"})
    response = s.client.post(url, data={"organisation": "Other name", "email": "PRESS@one.org"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already invited" in page and "Other name" in page  # the typed text survives
    assert len(_invitations(app)) == 1


def test_invite_with_bad_address_or_long_name_shows_field_errors(app, make_setup):
    s = make_setup()
    url = f"/statements/{s.statement_id}/invitations"
    page = s.client.post(url, data={"organisation": "Org", "email": "nope"}).get_data(True)
    assert 'id="email-error"' in page and 'value="Org"' in page
    response = s.client.post(url, data={"organisation": "x" * 201, "email": "a@b.org"})
    assert response.status_code == 422
    assert _invitations(app) == []


def test_bulk_paste_invites_good_lines_lists_bad_ones_and_keeps_them_to_fix(app, make_setup):
    s = make_setup()
    s.client.post(f"/statements/{s.statement_id}/invitations",
                  data={"organisation": "Existing", "email": "old@example.org"})
    lines = "\n".join([
        "Alpha <alpha@example.org>",
        "just words",
        "Existing again <old@example.org>",
        "Beta <beta@@example.org>",
        "Gamma, gamma@example.org",
        "Alpha twice <ALPHA@example.org>",
    ])
    response = s.client.post(
        f"/statements/{s.statement_id}/invitations/bulk",
        data={"lines": lines, "message": "Join us"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422  # some lines need fixing
    assert "2 invited" in page and "1 already invited" in page
    assert "Line 2:" in page and "no e-mail address" in page
    assert "Line 4:" in page and "Line 6:" in page and "already on line 1" in page
    # The box now holds exactly the lines still to fix.
    textarea = re.search(r'<textarea[^>]*name="lines"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea is not None
    assert "just words" in textarea.group(1) and "Alpha &lt;alpha" not in textarea.group(1)
    emails = sorted(i.email for i in _invitations(app))
    assert emails == ["alpha@example.org", "gamma@example.org", "old@example.org"]
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.to_address == "gamma@example.org")
        )
        assert "Join us" in message.body_text


def test_bulk_csv_upload(app, make_setup):
    s = make_setup()
    data = {
        "lines": "",
        "csv_file": (io.BytesIO(b"organisation,email\nOne,one@example.org\nTwo,bad\n"),
                     "partners.csv"),
    }
    response = s.client.post(
        f"/statements/{s.statement_id}/invitations/bulk", data=data,
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "1 invited" in page and "Line 3:" in page
    assert [i.email for i in _invitations(app)] == ["one@example.org"]


def test_bulk_with_nothing_says_what_to_do(app, make_setup):
    s = make_setup()
    response = s.client.post(f"/statements/{s.statement_id}/invitations/bulk",
                             data={"lines": "  \n"})
    assert response.status_code == 422
    assert "Paste at least one line" in response.get_data(as_text=True)


def test_revoke_resend_and_remind_are_posts_with_audit(app, make_setup):
    s = make_setup()
    with app.app_context():
        owner = db.session.get(factories.User, s.owner_id)
        statement = db.session.get(factories.Statement, s.statement_id)
        invitation, first_token = factories.invite(owner, statement, email="p@example.org")
        iid = invitation.id
    base = f"/statements/{s.statement_id}/invitations/{iid}"
    assert s.client.get(base + "/revoke").status_code == 405  # never on GET
    assert s.client.post(base + "/remind").status_code == 302
    second = _token_from_last_mail(app, "p@example.org")
    assert second == first_token  # one link for the invitation's whole life
    assert s.client.get(f"/i/{first_token}").status_code == 200
    s.client.post(base + "/revoke")
    [invitation] = _invitations(app)
    assert invitation.revoked_at is not None
    ended = s.client.get(f"/i/{second}")
    assert ended.status_code == 404 and "withdrawn" in ended.get_data(as_text=True)
    # Reminding a revoked invitation is refused with a message.
    page = s.client.post(base + "/remind", follow_redirects=True).get_data(as_text=True)
    assert "invitation is revoked" in page
    s.client.post(base + "/resend")
    third = _token_from_last_mail(app, "p@example.org")
    assert third != second  # reinstated with a new link: the withdrawn one stays closed
    assert s.client.get(f"/i/{third}").status_code == 200
    assert s.client.get(f"/i/{second}").status_code == 404
    [invitation] = _invitations(app)
    assert invitation.revoked_at is None
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"invitation.reminded", "invitation.revoked", "invitation.reinstated",
            "invitation.resent"} <= actions


def test_remind_all_reaches_only_those_without_answer_and_not_twice(app, make_setup):
    s = make_setup()
    with app.app_context():
        owner = db.session.get(factories.User, s.owner_id)
        statement = db.session.get(factories.Statement, s.statement_id)
        silent, _ = factories.invite(owner, statement, "Silent", "silent@example.org")
        declined, _ = factories.invite(owner, statement, "Declined", "declined@example.org")
        declined.declined_at = declined.created_at
        db.session.commit()
    page = s.client.post(f"/statements/{s.statement_id}/invitations/remind",
                         follow_redirects=True).get_data(as_text=True)
    assert "1 reminder on its way" in page
    page = s.client.post(f"/statements/{s.statement_id}/invitations/remind",
                         follow_redirects=True).get_data(as_text=True)
    assert "0 reminders on their way" in page and "left out" in page
    with app.app_context():
        kinds = list(db.session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.kind == "reminder")))
    assert kinds == ["silent@example.org"]


def _signature(app: Flask, invitation_id: int, statement_id: int) -> None:
    with app.app_context():
        db.session.add(Signature(
            statement_id=statement_id, invitation_id=invitation_id, status="live",
            name="Signed Org", sort_key=b"s", signer_name="S", signer_email="s@example.org",
            revision_number=1, revision_sha256="0" * 64,
        ))
        db.session.commit()


def test_tracking_filters_counts_and_csv_export_with_escaped_cells(app, make_setup):
    s = make_setup()
    with app.app_context():
        owner = db.session.get(factories.User, s.owner_id)
        statement = db.session.get(factories.Statement, s.statement_id)
        signed, _ = factories.invite(owner, statement, "=HYPERLINK(\"x\")", "signed@example.org")
        opened, _ = factories.invite(owner, statement, "Opened Org", "opened@example.org")
        opened.opened_at = opened.created_at
        factories.invite(owner, statement, "Quiet Org", "quiet@example.org")
        db.session.commit()
        signed_id = signed.id
    _signature(app, signed_id, s.statement_id)
    page = s.client.get(f"/statements/{s.statement_id}/invitations").get_data(as_text=True)
    assert "No answer" in page and "Signed" in page and "Opened" in page
    only_signed = s.client.get(
        f"/statements/{s.statement_id}/invitations?status=signed").get_data(as_text=True)
    assert "signed@example.org" in only_signed and "quiet@example.org" not in only_signed
    no_answer = s.client.get(
        f"/statements/{s.statement_id}/invitations?status=no_answer").get_data(as_text=True)
    assert "quiet@example.org" in no_answer and "opened@example.org" in no_answer
    assert "signed@example.org" not in no_answer
    # An unknown filter shows everything rather than failing.
    assert s.client.get(f"/statements/{s.statement_id}/invitations?status=x").status_code == 200

    response = s.client.get(f"/statements/{s.statement_id}/invitations.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_email = {row["email"]: row for row in rows}
    assert by_email["signed@example.org"]["status"] == "signed"
    assert by_email["signed@example.org"]["organisation"].startswith("'=")  # formula escaped
    assert by_email["signed@example.org"]["signed_at"].endswith("Z")
    assert by_email["opened@example.org"]["status"] == "opened"
    assert by_email["quiet@example.org"]["status"] == "invited"


def test_other_organisations_cannot_see_or_touch_the_invitations(app, make_setup):
    s = make_setup()
    with app.app_context():
        owner = db.session.get(factories.User, s.owner_id)
        statement = db.session.get(factories.Statement, s.statement_id)
        invitation, _ = factories.invite(owner, statement, email="p@example.org")
        iid = invitation.id
    other = make_setup(organisation="Another Organisation")
    for url in (f"/statements/{s.statement_id}/invitations",
                f"/statements/{s.statement_id}/invitations.csv",
                f"/statements/{s.statement_id}/comments",
                f"/statements/{s.statement_id}/outbox"):
        assert other.client.get(url).status_code == 404
    assert other.client.post(
        f"/statements/{s.statement_id}/invitations/{iid}/revoke").status_code == 404
    # An invitation id of another statement is not reachable through one's own statement.
    assert other.client.post(
        f"/statements/{other.statement_id}/invitations/{iid}/revoke").status_code == 404
    assert _invitations(app)[0].revoked_at is None
    anonymous = app.test_client()
    assert anonymous.get(f"/statements/{s.statement_id}/invitations").status_code == 302


def test_outbox_page_shows_waiting_mail_readable_without_smtp(app, make_setup):
    s = make_setup()
    s.client.post(f"/statements/{s.statement_id}/invitations",
                  data={"organisation": "One", "email": "one@example.org"})
    page = s.client.get(f"/statements/{s.statement_id}/outbox").get_data(as_text=True)
    assert "No mail server is configured" in page
    assert "one@example.org" in page and "Waiting" in page
    with app.app_context():
        message_id = db.session.scalar(select(OutboxMessage.id))
    page = s.client.get(
        f"/statements/{s.statement_id}/outbox/{message_id}").get_data(as_text=True)
    assert "/i/" in page and "Open the statement here" in page


def test_failed_mail_is_visible_and_can_be_retried(app, make_setup):
    s = make_setup()
    s.client.post(f"/statements/{s.statement_id}/invitations",
                  data={"organisation": "One", "email": "one@example.org"})
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        message.failed_at = message.created_at
        message.attempts = 8
        message.last_error = "SMTPRecipientsRefused: mailbox unavailable"
        db.session.commit()
        message_id = message.id
    page = s.client.get(f"/statements/{s.statement_id}/invitations").get_data(as_text=True)
    assert "Mail failed" in page
    page = s.client.get(f"/statements/{s.statement_id}/outbox").get_data(as_text=True)
    assert "Failed" in page and "mailbox unavailable" in page
    s.client.post(f"/statements/{s.statement_id}/outbox/{message_id}/retry")
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert message.failed_at is None and message.attempts == 0
