"""The lead's drafting pages, through the test client."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from coalition.models import AuditEvent, Revision, Statement
from tests import factories


def _setup(app: Flask, client: FlaskClient) -> tuple[int, int]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner)
        factories.login(client, owner)
        return owner.id, statement.id


def test_dashboard_lists_statements_with_state_and_revision(app: Flask, client: FlaskClient):
    _, statement_id = _setup(app, client)
    page = client.get("/").get_data(as_text=True)
    assert "Free the defenders" in page
    assert f"/statements/{statement_id}" in page
    assert "Draft" in page


def test_dashboard_empty_state_tells_what_to_do(app: Flask, client: FlaskClient):
    with app.app_context():
        factories.login(client, factories.user())
    page = client.get("/").get_data(as_text=True)
    assert "No statements yet" in page
    assert "/statements/new" in page


def test_create_statement_makes_revision_one(app: Flask, client: FlaskClient):
    with app.app_context():
        factories.login(client, factories.user())
    response = client.post(
        "/statements/new",
        data={"title": "  A title  ", "body": "Line one\r\n\r\nLine two", "language": "en"},
    )
    assert response.status_code == 302
    with app.app_context():
        revision = db.session.scalar(select(Revision))
        assert revision.number == 1
        assert revision.title == "A title"
        assert revision.body == "Line one\n\nLine two"  # browser CRLF stored as LF


def test_preview_renders_sanitised_markdown_without_saving(app: Flask, client: FlaskClient):
    with app.app_context():
        factories.login(client, factories.user())
    page = client.post(
        "/statements/new",
        data={"title": "T", "body": "**bold** <script>alert(1)</script>", "preview": "Preview"},
    ).get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_edit_saves_new_revision_with_note_and_flag(app: Flask, client: FlaskClient):
    _, sid = _setup(app, client)
    response = client.post(
        f"/statements/{sid}/edit",
        data={
            "base_revision": "1",
            "title": "Free the defenders",
            "body": "New text",
            "note": "typo",
            "substantive": "",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        revision = db.session.scalar(select(Revision).where(Revision.number == 2))
        assert revision.body == "New text" and revision.note == "typo"
        assert revision.substantive is False
        assert db.session.get(Statement, sid).current_revision == 2
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "revision.saved")
            )
            == 1
        )


def test_stale_edit_keeps_typed_text_and_shows_the_newer_changes(app: Flask, client: FlaskClient):
    _, sid = _setup(app, client)
    client.post(
        f"/statements/{sid}/edit",
        data={"base_revision": "1", "title": "Free the defenders", "body": "Theirs wins"},
    )
    response = client.post(
        f"/statements/{sid}/edit",
        data={"base_revision": "1", "title": "Free the defenders", "body": "My careful words"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "My careful words" in page  # nothing typed is lost
    assert "<ins>" in page and "Theirs" in page  # what the newer revision changed
    assert 'name="base_revision" type="hidden" value="2"' in page
    with app.app_context():
        assert db.session.get(Statement, sid).current_revision == 2


def test_history_compare_and_restore(app: Flask, client: FlaskClient):
    _, sid = _setup(app, client)
    client.post(
        f"/statements/{sid}/edit",
        data={
            "base_revision": "1",
            "title": "Free the defenders",
            "body": "We, the undersigned, demand the release.",
        },
    )
    history = client.get(f"/statements/{sid}/revisions").get_data(as_text=True)
    assert (
        f"/statements/{sid}/revisions/1" in history and f"/statements/{sid}/revisions/2" in history
    )
    redline = client.get(f"/statements/{sid}/compare?from=1&to=2").get_data(as_text=True)
    assert "<ins>demand" in redline.replace("<ins> ", "<ins>") or "<ins>" in redline
    assert "<del>" in redline
    response = client.post(f"/statements/{sid}/revisions/1/restore", data={"base_revision": "2"})
    assert response.status_code == 302
    with app.app_context():
        revisions = db.session.scalars(select(Revision).order_by(Revision.number)).all()
        assert [r.number for r in revisions] == [1, 2, 3]
        assert revisions[2].body == revisions[0].body
        assert revisions[2].restored_from == 1
        assert revisions[1].body == "We, the undersigned, demand the release."  # history intact


def test_compare_unknown_revision_is_404(app: Flask, client: FlaskClient):
    _, sid = _setup(app, client)
    assert client.get(f"/statements/{sid}/compare?from=1&to=9").status_code == 404
    assert client.get(f"/statements/{sid}/compare?from=x&to=1").status_code == 400


def test_state_moves_follow_the_life_cycle(app: Flask, client: FlaskClient):
    _, sid = _setup(app, client)
    client.post(f"/statements/{sid}/state", data={"state": "closed"})
    with app.app_context():
        assert db.session.get(Statement, sid).state == "draft"  # draft -> closed refused
    client.post(f"/statements/{sid}/state", data={"state": "review"})
    client.post(f"/statements/{sid}/state", data={"state": "open"})
    with app.app_context():
        assert db.session.get(Statement, sid).state == "open"


def test_settings_set_deadline_in_statement_timezone(app: Flask, client: FlaskClient):
    _, sid = _setup(app, client)
    response = client.post(
        f"/statements/{sid}/settings",
        data={"language": "en", "timezone": "Europe/Berlin", "sign_deadline": "2030-03-01T18:00"},
    )
    assert response.status_code == 302
    with app.app_context():
        deadline = db.session.get(Statement, sid).sign_deadline
        assert deadline.isoformat() == "2030-03-01T17:00:00+00:00"


def test_other_organisations_statements_are_hidden(app: Flask, client: FlaskClient):
    with app.app_context():
        owner = factories.user(organisation="Org A")
        sid = factories.statement(owner).id
        factories.login(client, factories.user(organisation="Org B"))
    for path in ("", "/edit", "/revisions", "/revisions/1", "/compare?from=1&to=1", "/settings"):
        assert client.get(f"/statements/{sid}{path}").status_code == 404
    assert client.post(f"/statements/{sid}/state", data={"state": "review"}).status_code == 404
