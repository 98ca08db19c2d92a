"""The browser forms refuse what can never be kept (a control character, a bidirectional
override) beside the field, with the typed text kept; joiners and marks are kept as typed."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from coalition.extensions import db
from coalition.models import Comment, Signature, Statement
from tests import factories
from tests.typed_names import HEBREW, MALAYALAM, PERSIAN_ZWNJ


def _partner(app: Flask) -> str:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        from coalition.drafting import services as drafting

        drafting.update_settings(owner, statement, comments_when_open=True)
        db.session.commit()
        return factories.partner_invitation(statement, "Partner")[1]


def _sign(name: str) -> dict[str, str]:
    return {"name": name, "kind": "organisation", "country": "", "signer_name": "Jana",
            "signer_email": "jana@example.org"}


def _error_beside(page: str, field: str) -> str:
    """The text of the error block that follows the field's input."""
    start = page.index(f'name="{field}"')
    return page[start : start + 1500]


def test_the_sign_form_refuses_an_override_beside_the_name_and_keeps_the_text(
    app: Flask, client: FlaskClient
):
    token = _partner(app)
    typed = "Amnesty \u202eInternational"
    response = client.post(f"/i/{token}/sign", data=_sign(typed))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "U+202E" in _error_beside(page, "name")
    assert f'value="{html.escape(typed)}"' in page  # the typed text is kept in the field
    nul = client.post(f"/i/{token}/sign", data=_sign("Org\x00Name"))
    assert nul.status_code == 422 and "U+0000" in nul.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Signature.id)) is None


def test_the_sign_form_keeps_joiners_and_marks(app: Flask, client: FlaskClient):
    token = _partner(app)
    for name in (PERSIAN_ZWNJ, MALAYALAM, HEBREW):
        response = client.post(f"/i/{token}/sign", data=_sign(name))
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        with app.app_context():
            live = db.session.scalar(select(Signature).where(Signature.status == "live"))
            assert live is not None and live.name == name
        assert html.escape(name) in client.get(f"/i/{token}").get_data(as_text=True)


def test_a_comment_with_a_control_is_refused_with_its_text_kept(app: Flask, client: FlaskClient):
    token = _partner(app)
    typed = f"{PERSIAN_ZWNJ} \x1b[31m red"
    response = client.post(f"/i/{token}/comments",
                           data={"body": typed, "anchor": "", "visibility": "private"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "U+001B" in page and PERSIAN_ZWNJ in page
    kept = client.post(f"/i/{token}/comments",
                       data={"body": f"{PERSIAN_ZWNJ}\tok", "anchor": "", "visibility": "private"})
    assert kept.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Comment.body)) == f"{PERSIAN_ZWNJ}\tok"


def test_the_new_statement_form_refuses_an_isolate_beside_the_title(
    app: Flask, client: FlaskClient
):
    with app.app_context():
        factories.login(client, factories.user())
    typed = "Free \u2067them\u2069"
    response = client.post("/statements/new",
                           data={"title": typed, "body": "Body", "language": "en"})
    page = response.get_data(as_text=True)
    assert "U+2067" in _error_beside(page, "title")
    assert html.escape(typed) in page
    with app.app_context():
        assert db.session.scalar(select(Statement.id)) is None


def test_letter_settings_refuse_controls(app: Flask, client: FlaskClient):
    with app.app_context():
        owner = factories.user()
        statement_id = factories.statement(owner).id
        factories.login(client, owner)
    response = client.post(f"/statements/{statement_id}/settings", data={
        "language": "en", "timezone": "UTC", "letter_addressee_name": "Minister\x00",
        "letter_addressee_address": "1 Road\nTown"})
    assert "U+0000" in response.get_data(as_text=True)
    with app.app_context():
        statement = db.session.get(Statement, statement_id)
        assert statement is not None and statement.letter_addressee_name == ""
