"""Shared set-up for the invitation tests: a lead, a statement and a logged-in client."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories


@dataclass
class Setup:
    owner_id: int
    statement_id: int
    client: FlaskClient  # logged in as the lead


@pytest.fixture
def make_setup(app: Flask):
    """Build a lead with a statement in `state`, its client logged in (no app context left)."""

    def build(state: str | None = "review", organisation: str = "Rights Watch", **kw) -> Setup:
        client = app.test_client()
        with app.app_context():
            owner = factories.user(organisation)
            statement = factories.statement(owner, state=state, **kw)
            factories.login(client, owner)
            return Setup(owner.id, statement.id, client)

    return build
