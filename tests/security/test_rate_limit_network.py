"""Many partners on one network (a conference Wi-Fi, an umbrella's office, a lead's server
entering sign-ons through the API) all sign: invitation-token routes count per invitation,
never per address (DESIGN.md), with the shipped default of RATELIMIT_SIGN."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from coalition.config import Defaults
from coalition.extensions import db
from tests import factories
from tests.conftest import base_config


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    # The shipped limit, not a test's small one: the promise is about the real default.
    return {**base_config(tmp_path), "RATELIMIT_ENABLED": True,
            "RATELIMIT_SIGN": Defaults.RATELIMIT_SIGN}


def _tokens(app: Flask, count: int) -> list[str]:
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        tokens = [
            factories.invite(owner, statement, organisation=f"Partner {n:02d}",
                             email=f"partner{n}@network.example")[1]
            for n in range(count)
        ]
        db.session.commit()
        return tokens


def _body(n: int) -> dict[str, str]:
    return {"name": f"Partner Org {n:02d}", "signer_name": "Signer",
            "signer_email": f"signer{n}@network.example"}


def test_sixty_invitations_sign_from_one_address_within_a_minute(app: Flask):
    tokens = _tokens(app, 60)
    client = app.test_client()
    codes = [
        client.post(f"/api/v1/invitations/{token}/signature", json=_body(n)).status_code
        for n, token in enumerate(tokens)
    ]
    assert codes == [201] * 60


def test_one_invitation_signing_sixty_times_is_limited(app: Flask):
    (token,) = _tokens(app, 1)
    codes = [
        app.test_client().post(f"/api/v1/invitations/{token}/signature", json=_body(n),
                               environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"}).status_code
        for n in range(60)
    ]
    # Even from sixty addresses: the token cannot hammer.
    assert codes[0] == 201 and set(codes[1:30]) == {200}
    assert set(codes[30:]) == {429}
