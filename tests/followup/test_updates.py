"""Updates: on the public page and in the feed, mailed to who asked, one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.domain.errors import Conflict
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.followup import updates
from coalition.models import (
    Invitation,
    OutboxMessage,
    Signature,
    Statement,
    UpdateOptOut,
    User,
)
from coalition.signing import services as signing
from coalition.signing.services import SignatureInput
from coalition.web import iso
from tests import factories
from tests.followup.conftest import Letter, make_letter


def _mails() -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == updates.KIND).order_by(OutboxMessage.id)
    ))


def _contacts(statement: Statement) -> list[str]:
    return sorted(db.session.scalars(
        select(Invitation.email).where(Invitation.statement_id == statement.id)
    ))


def test_an_update_reaches_the_signers_who_opted_in_and_the_partners(letter: Letter) -> None:
    update = updates.post_update(
        letter.lead, letter.statement, title="The Minister replied",
        body="She will meet us on **Monday**.",
    )
    db.session.commit()
    addresses = sorted(mail.to_address for mail in _mails())
    assert addresses == sorted(["informed@alpha.example", *_contacts(letter.statement)])
    assert "quiet@beta.example" not in addresses  # signed without ticking the box
    assert update.mailed_count == len(addresses)
    mail = next(m for m in _mails() if m.to_address == "informed@alpha.example")
    assert mail.subject == "Update: The Minister replied"
    assert "She will meet us on **Monday**." in mail.body_text
    assert "<strong>Monday</strong>" in mail.body_html
    assert mail.unsubscribe_url.startswith("http://coalition.test/unsubscribe/u")
    assert mail.unsubscribe_url in mail.body_text and mail.unsubscribe_url in mail.body_html
    assert "asked to be kept informed" in mail.body_text
    # No signatory is named: a mail goes to one address and says nothing of the others.
    for other in ("Alpha Rights", "Beta Watch", "quiet@beta.example"):
        assert other not in mail.body_text


def test_an_update_needs_a_public_edition(ctx: Flask) -> None:
    made = make_letter(publish=False)
    with pytest.raises(Conflict):
        updates.post_update(made.lead, made.statement, title="Too soon", body="Not yet.")


def test_the_update_is_on_the_public_page_and_in_the_feed(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        made = make_letter()
        updates.post_update(
            made.lead, made.statement, title="We met the Minister",
            body="A good meeting.\n\n<script>alert(1)</script>",
        )
        db.session.commit()
        slug = made.statement.slug
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "We met the Minister" in page and "A good meeting." in page
    assert "<script>alert(1)</script>" not in page  # the one sanitising path
    assert "&lt;script&gt;" in page
    feed = client.get("/feed.atom").get_data(as_text=True)
    assert "Update on “Withdraw the Bill”: We met the Minister" in feed
    assert f"/s/{slug}#update-" in feed
    assert "&lt;p&gt;A good meeting.&lt;/p&gt;" in feed
    with app.app_context():
        posted = updates.recent_public_updates(limit=1)[0].created_at
    assert f"<updated>{iso(posted)}</updated>" in feed.split("<entry>")[0]  # the feed's own


def test_one_click_unsubscribe_is_scanner_safe(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        made = make_letter()
        updates.post_update(made.lead, made.statement, title="First", body="One.")
        db.session.commit()
        ids = (made.lead.id, made.id)
        link = next(
            m.unsubscribe_url for m in _mails() if m.to_address == "informed@alpha.example"
        )
    path = link.removeprefix("http://coalition.test")
    page = client.get(path)  # a link scanner, or the person reading first
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    assert "informed@alpha.example" not in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(UpdateOptOut)) is None
    # What a mail client sends for List-Unsubscribe-Post (RFC 8058), with no CSRF token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more updates" in done.get_data(as_text=True)
    assert client.post(path).status_code == 200  # twice is harmless
    with app.app_context():
        lead, statement = db.session.get(User, ids[0]), db.session.get(Statement, ids[1])
        assert lead is not None and statement is not None
        opt_out = db.session.scalars(select(UpdateOptOut)).one()
        assert opt_out.address_hash == updates.address_hash("informed@alpha.example")
        updates.post_update(lead, statement, title="Second", body="Two.")
        db.session.commit()
        second = [m.to_address for m in _mails() if m.subject == "Update: Second"]
        assert "informed@alpha.example" not in second and second
    assert client.get("/unsubscribe/u1-" + "0" * 32).status_code == 404
    assert client.post(path[:-1] + ("0" if path[-1] != "0" else "1")).status_code == 404


def test_ticking_the_box_again_subscribes_again(letter: Letter) -> None:
    token = updates.update_token(letter.id, "informed@alpha.example")
    updates.unsubscribe(updates.resolve(token))
    db.session.commit()
    assert "informed@alpha.example" not in [r.address for r in updates.recipients(letter.statement)]
    invitation = letter.informed.invitation
    assert invitation is not None
    drafting.change_state(letter.lead, letter.statement, "open")  # to gather late signatories
    signing.sign(invitation, SignatureInput(name="Alpha Rights", wants_updates=True))
    db.session.commit()
    assert "informed@alpha.example" in [r.address for r in updates.recipients(letter.statement)]
    updates.unsubscribe(updates.resolve(token))
    db.session.commit()
    assert "informed@alpha.example" not in [r.address for r in updates.recipients(letter.statement)]


def test_a_withdrawn_signer_hears_no_more(letter: Letter) -> None:
    invitation = letter.informed.invitation
    assert invitation is not None
    # Reopened to gather late signatories, the signer retracts.
    drafting.change_state(letter.lead, letter.statement, "open")
    signing.withdraw(invitation)
    db.session.commit()
    addresses = [r.address for r in updates.recipients(letter.statement)]
    assert "informed@alpha.example" not in addresses


def test_the_sign_form_asks_with_the_box_off_by_default(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        lead = factories.user()
        statement = factories.statement(lead, state="open")
        _, token = factories.partner_invitation(statement, "Epsilon Org")
    page = client.get(f"/i/{token}").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="wants_updates"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    answer = client.post(f"/i/{token}/sign", data={
        "name": "Epsilon Org", "kind": "organisation", "country": "",
        "signer_name": "Eve", "signer_email": "eve@epsilon.example", "wants_updates": "y",
    })
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)[:500]
    with app.app_context():
        signature = db.session.scalars(select(Signature)).one()
        assert signature.wants_updates is True
