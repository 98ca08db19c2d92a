"""Small data factories with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from flask.testing import FlaskClient

from coalition.accounts.services import create_api_token, create_user
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import Statement, User

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)

BODY = "We, the undersigned, call for the release of all prisoners of conscience.\n\n" \
    "Second paragraph with more detail."


def user(organisation: str = "Rights Watch", email: str | None = None, **kw: Any) -> User:
    """A lead user (committed)."""
    n = next(_counter)
    made = create_user(
        email or f"lead{n}@example.org", kw.pop("password", PASSWORD),
        organisation=organisation, name=kw.pop("name", f"Lead {n}"),
    )
    db.session.commit()
    return made


def statement(owner: User, title: str = "Free the defenders", body: str = BODY,
              state: str | None = None, **kw: Any) -> Statement:
    """A statement with one revision, optionally moved to `state` (committed)."""
    made = drafting.create_statement(owner, title=title, body=body, **kw)
    if state in ("review", "open", "closed"):
        if state == "review":
            drafting.change_state(owner, made, "review")
        else:
            drafting.change_state(owner, made, "open")
        if state == "closed":
            drafting.change_state(owner, made, "closed")
    db.session.commit()
    return made


def token(owner: User) -> str:
    """A fresh API token secret for `owner` (committed)."""
    _, secret = create_api_token(owner, "tests")
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def login(client: FlaskClient, owner: User, password: str = PASSWORD) -> None:
    """Log `owner` in through the login form."""
    response = client.post("/login", data={"email": owner.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
