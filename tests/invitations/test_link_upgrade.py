"""Links sent before links were derived keep working after `flask db upgrade` (0005)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from coalition.extensions import db
from coalition.invitations import access
from coalition.invitations import services as invitations
from coalition.models import Invitation, User
from tests import factories
from tests.test_migrations import keep_loggers, migrated_app  # noqa: F401 - the fixtures

pytestmark = pytest.mark.usefixtures("keep_loggers")


def test_a_link_sent_before_the_upgrade_keeps_working(migrated_app: Flask):  # noqa: F811
    app = migrated_app
    with app.app_context():
        upgrade()
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        # A link as issued before 0005: a random token, stored only as its SHA-256.
        invitation, old_token = factories.partner_invitation(statement, "Viasna", legacy=True)
        invitation_id = invitation.id
        db.session.remove()
        downgrade(revision="0004")
        assert "link_salt" not in {c["name"] for c in inspect(db.engine).get_columns("invitation")}
        upgrade()
    client = app.test_client()
    assert client.get(f"/i/{old_token}").status_code == 200
    assert client.get(f"/api/v1/invitations/{old_token}").status_code == 200
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        assert invitation is not None and invitation.link_salt
        owner = db.session.scalar(db.select(User))
        # From now on every mail carries the derived link; the one already sent still opens.
        new_token = invitations.resend(owner, invitation)
        db.session.commit()
        assert new_token == access.link_token(invitation) != old_token
        db.session.remove()
    assert client.get(f"/i/{new_token}").status_code == 200
    assert client.get(f"/i/{old_token}").status_code == 200
    with app.app_context():
        db.session.remove()
