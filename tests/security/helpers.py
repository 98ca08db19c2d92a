"""Helpers shared by the security tests: database snapshots, CSRF tokens, clients."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from coalition.extensions import db
from tests.factories import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal snapshots, nothing changed."""
    with app.app_context():
        dump = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            dump[table.name] = [tuple(row) for row in db.session.execute(
                select(table).order_by(*order))]
        db.session.remove()
    return dump


def row_counts(app: Flask) -> dict[str, int]:
    """How many rows each table holds (cheaper than a snapshot, for fuzzing)."""
    with app.app_context():
        counts = {
            table.name: int(db.session.scalar(select(func.count()).select_from(table)) or 0)
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the first form on the page at `url`, for this client's session."""
    page = client.get(url)
    found = CSRF_FIELD.search(page.get_data(as_text=True))
    assert found is not None, f"no CSRF token on {url} ({page.status_code})"
    return html.unescape(found.group(1))


def login_with_csrf(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    """Log in through the form as a browser does, CSRF token included."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
