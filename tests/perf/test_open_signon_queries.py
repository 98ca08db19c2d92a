"""The open sign-on form and its confirmation button read nothing after their commit.

Reading the statement or the signature for the answer after the commit opened a second
transaction to load the expired rows again (on SQLite a second wait at the database);
the answers are now made before the commit (bench part ``open``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from coalition.extensions import db
from tests.signing.test_open_signon import REQUEST, _confirm_link, _enable


@contextmanager
def ordered(app: Flask) -> Iterator[list[str]]:
    """The SQL statements and commits of the block, in order."""
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, text: str, *_rest: Any) -> None:
        seen.append(text.split(None, 1)[0].upper())

    def commit(_conn: Any) -> None:
        seen.append("COMMIT")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)


def test_the_open_signon_and_its_confirmation_read_nothing_after_their_commit(
    app: Flask, client: FlaskClient
):
    _, token = _enable(app, client)
    visitor = app.test_client()  # no lead's session: the public's request
    assert visitor.get(f"/open/{token}").status_code == 200
    with ordered(app) as events:
        asked = visitor.post(f"/open/{token}", data=REQUEST)
    assert asked.status_code == 200 and "Check your e-mail" in asked.get_data(as_text=True)
    assert events[-1] == "COMMIT" and events.count("COMMIT") == 1, events
    link = _confirm_link(app)
    with ordered(app) as events:
        confirmed = visitor.post(link)
    assert "Request confirmed" in confirmed.get_data(as_text=True)
    assert events[-1] == "COMMIT" and events.count("COMMIT") == 1, events
