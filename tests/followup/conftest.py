"""A published joint letter with three partners: one signer asked for updates, one did not,
and one partner was invited but has not signed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from coalition.extensions import db
from coalition.models import Signature, Statement, User
from coalition.publishing import services as publishing
from tests import factories


@dataclass
class Letter:
    lead: User
    statement: Statement
    informed: Signature  # ticked "keep me informed"
    quiet: Signature  # did not

    @property
    def id(self) -> int:
        return self.statement.id


def make_letter(*, publish: bool = True) -> Letter:
    """A lead, an open joint letter, two signatures and an unsigned invitation (committed)."""
    lead = factories.user(organisation="Liberty Lead")
    statement = factories.statement(
        lead, title="Withdraw the Bill", state="open",
        body="We, the {{signatories}} undersigned, ask you to withdraw the bill.",
    )
    statement.letter_addressee_name = "Rt Hon Jane Doe MP"
    statement.letter_salutation = "Dear Home Secretary,"
    db.session.commit()
    informed = factories.signed(
        statement, "Alpha Rights", signer_email="informed@alpha.example", wants_updates=True
    )
    quiet = factories.signed(statement, "Beta Watch", signer_email="quiet@beta.example")
    factories.partner_invitation(statement, "Gamma Network")
    if publish:
        publishing.publish(lead, statement)
        db.session.commit()
    return Letter(lead, statement, informed, quiet)


@pytest.fixture
def letter(ctx: Flask) -> Letter:
    return make_letter()
