"""The partner's sign form through the test client: sign, change, withdraw, errors, closed."""

from __future__ import annotations

import datetime as dt
import io
import re

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import OutboxMessage, Signature, Statement, User, utcnow
from tests import factories

FORM = {
    "name": "Viasna Human Rights Centre",
    "kind": "organisation",
    "affiliation": "",
    "country": "BY",
    "signer_name": "Jana Secret",
    "signer_role": "Chair",
    "signer_email": "jana.secret@viasna.example.org",
    "board_approved_on": "2026-11-20",
    "sort_as": "",
}


def _setup(app: Flask, state: str = "open") -> tuple[int, str, int]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state=state)
        invitation, token = factories.partner_invitation(statement, "Viasna")
        return statement.id, token, invitation.id


def _live(app: Flask) -> list[Signature]:
    with app.app_context():
        return list(db.session.scalars(select(Signature).where(Signature.status == "live")))


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Signature.id))) or 0


def test_form_prefills_invited_name_and_shows_deadline(app: Flask, client: FlaskClient):
    sid, token, _ = _setup(app)
    with app.app_context():
        statement = db.session.get(Statement, sid)
        # Far ahead (a fixed winter date, so the zone shows CET), never in the past.
        statement.sign_deadline = dt.datetime(2036, 12, 1, 12, 0, tzinfo=dt.UTC)
        statement.timezone = "Europe/Paris"
        db.session.commit()
    page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    assert 'value="Viasna"' in page
    assert "Sign the statement" in page
    assert "1 Dec 2036, 13:00 CET" in page  # the deadline in the statement's time zone
    assert 'enctype="multipart/form-data"' in page


def test_sign_then_invitation_page_shows_signature_without_contacts(
    app: Flask, client: FlaskClient
):
    _, token, _ = _setup(app)
    response = client.post(f"/i/{token}/sign", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/i/{token}")
    [signature] = _live(app)
    assert signature.country == "BY" and signature.board_approved_on == dt.date(2026, 11, 20)
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "You have signed" in page and "Viasna Human Rights Centre" in page
    assert "Withdraw our signature" in page
    # Contacts never appear in anything a partner sees, even on the change form.
    assert "Jana Secret" not in page and "jana.secret@" not in page
    sign_page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    assert "Jana Secret" not in sign_page and "jana.secret@" not in sign_page


def test_double_submit_makes_one_live_row(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    assert client.post(f"/i/{token}/sign", data=FORM).status_code == 302
    assert client.post(f"/i/{token}/sign", data=FORM).status_code == 302
    assert len(_live(app)) == 1 and _count(app) == 2


def test_change_keeps_contacts_when_left_empty(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    client.post(f"/i/{token}/sign", data=FORM)
    changed = {**FORM, "name": "Viasna", "signer_name": "", "signer_email": "", "signer_role": ""}
    assert client.post(f"/i/{token}/sign", data=changed).status_code == 302
    [signature] = _live(app)
    assert signature.name == "Viasna" and signature.signer_email == FORM["signer_email"]


def test_bad_input_shows_message_keeps_text_and_saves_nothing(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    for field, value, message in [
        ("name", "   ", "is required"),
        ("name", "\u200b\x07", "cannot be kept"),
        ("name", "\u200b\u200c", "is required"),
        ("name", "N" * 201, "Too long: 201 characters, at most 200."),
        ("signer_email", "jana@", "not valid"),
        ("signer_name", "", "is required"),
    ]:
        response = client.post(f"/i/{token}/sign", data={**FORM, field: value})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, (field, response.status_code)
        assert message in page, field
        assert 'aria-invalid="true"' in page
        if field != "name":
            assert 'value="Viasna Human Rights Centre"' in page  # typed text survives
    assert _count(app) == 0


def test_unknown_and_revoked_tokens_get_404_and_save_nothing(app: Flask, client: FlaskClient):
    _, token, invitation_id = _setup(app)
    assert client.get("/i/forged-token/sign").status_code == 404
    assert client.post("/i/forged-token/sign", data=FORM).status_code == 404
    with app.app_context():
        from coalition.models import Invitation

        db.session.get(Invitation, invitation_id).revoked_at = utcnow()
        db.session.commit()
    assert client.post(f"/i/{token}/sign", data=FORM).status_code == 404
    assert _count(app) == 0


def test_closed_statement_shows_clear_page(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app, state="review")
    page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    assert "not open for signing yet" in page
    response = client.post(f"/i/{token}/sign", data=FORM)
    assert response.status_code == 409
    assert _count(app) == 0


def test_deadline_passed_closes_on_next_request(app: Flask, client: FlaskClient):
    sid, token, _ = _setup(app)
    with app.app_context():
        statement = db.session.get(Statement, sid)
        statement.sign_deadline = utcnow() - dt.timedelta(seconds=5)
        db.session.commit()
    page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    assert "Signing has closed" in page
    with app.app_context():
        assert db.session.get(Statement, sid).state == "closed"
    assert client.post(f"/i/{token}/sign", data=FORM).status_code == 409


def test_withdraw_is_a_state_and_partner_can_sign_again(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    client.post(f"/i/{token}/sign", data=FORM)
    assert client.get(f"/i/{token}/sign/withdraw").status_code == 405  # never on GET
    assert client.post(f"/i/{token}/sign/withdraw").status_code == 302
    assert _live(app) == []
    with app.app_context():
        assert db.session.scalar(select(Signature.status)) == "withdrawn"
    page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    assert "You withdrew your signature" in page
    assert client.post(f"/i/{token}/sign", data=FORM).status_code == 302
    assert len(_live(app)) == 1


def test_reconfirm_panel_shows_redline_and_one_click_reconfirms(app: Flask, client: FlaskClient):
    sid, token, _ = _setup(app)
    client.post(f"/i/{token}/sign", data=FORM)
    with app.app_context():
        statement = db.session.get(Statement, sid)
        owner = db.session.scalar(select(User))
        drafting.save_revision(owner, statement, body="A much stronger call.", base_revision=1)
        db.session.commit()
        mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reconfirm"))
    # The re-confirmation mail carries the invitation's one link, the one already used.
    assert re.search(r"/i/([\w-]+)", mail.body_text).group(1) == token
    page = client.get(f"/i/{token}").get_data(as_text=True)
    assert "The text has changed since you signed" in page
    assert "<ins>" in page
    assert client.post(f"/i/{token}/sign/reconfirm").status_code == 302
    [signature] = _live(app)
    assert signature.revision_number == 2
    assert "The text has changed since you signed" not in client.get(f"/i/{token}").get_data(
        as_text=True
    )


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_logo_upload_is_stored_reencoded_and_served_to_partner(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    data = {**FORM, "logo": (io.BytesIO(_png()), "logo.png")}
    response = client.post(f"/i/{token}/sign", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    [signature] = _live(app)
    assert signature.logo_type == "image/png" and signature.logo
    logo = client.get(f"/i/{token}/sign/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/png"


def test_svg_logo_refused_with_message_nothing_saved(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    data = {**FORM, "logo": (io.BytesIO(svg), "logo.png")}
    response = client.post(f"/i/{token}/sign", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "SVG is not accepted" in response.get_data(as_text=True)
    assert _count(app) == 0


def test_every_mistake_is_shown_at_once(app: Flask, client: FlaskClient):
    _, token, _ = _setup(app)
    response = client.post(f"/i/{token}/sign",
                           data={**FORM, "name": " ", "signer_email": "x@", "signer_name": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count('aria-invalid="true"') == 3
    assert _count(app) == 0


def test_the_sign_page_shows_the_text_it_signs(app: Flask, client: FlaskClient):
    """Issue 24, point 13: the sign form said "the text shown on this page" and only linked
    to it. The page shows the revision's text, in the statement's language."""
    sid, token, _ = _setup(app)
    with app.app_context():
        statement = db.session.get(Statement, sid)
        body = drafting.latest_revision(statement).body
    page = client.get(f"/i/{token}/sign").get_data(as_text=True)
    first_words = body.split("\n")[0][:40]
    assert first_words in page
    assert page.index(first_words) < page.index("You sign revision")
    # Issue 24, point 8: in a French interface the English text carries lang="en".
    french = client.get(f"/i/{token}/sign", headers={"Accept-Language": "fr"})
    assert re.search(r'<article[^>]*class="[^"]*statement-text[^"]*"[^>]*lang="en"',
                     french.get_data(as_text=True))


def test_english_text_on_french_partner_pages_carries_its_language(
    app: Flask, client: FlaskClient
):
    """Issue 24, point 8 (WCAG 3.1.2): every block of text in another language than the
    page's says which; in the page's own language it needs nothing."""
    _, token, _ = _setup(app)
    french = client.get(f"/i/{token}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr"' in french
    assert re.search(r'<h1 lang="en">', french)
    assert re.search(r'<div class="statement-text" lang="en">', french)
    english = client.get(f"/i/{token}").get_data(as_text=True)
    assert '<div class="statement-text">' in english and '<h1 lang="en">' not in english
