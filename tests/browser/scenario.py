"""Starting points for the journeys, made through the services (what earlier steps produce)."""

from __future__ import annotations

from dataclasses import dataclass, field

from coalition.accounts.services import create_user
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.invitations import services as invitations
from coalition.models import Invitation, Statement
from coalition.signing import services as signing
from coalition.signing.services import SignatureInput
from tests.browser.conftest import Live
from tests.browser.pages import PASSWORD

LEAD_EMAIL = "amina@rightswatch.example.org"
TITLE = "Free the defenders"
BODY = (
    "We, the undersigned organisations, call on the government to release every human "
    "rights defender held for their work.\n\n"
    "Their detention breaks the State's obligations under international law.\n\n"
    "We ask the authorities to drop all charges and to end the travel bans."
)


@dataclass
class Setup:
    statement_id: int
    slug: str
    tokens: dict[str, str] = field(default_factory=dict)  # organisation -> link token


def lead_and_statement(live: Live, *, state: str = "open", comments_when_open: bool = False
                       ) -> Setup:
    """A lead organisation with one statement, moved to `state`."""
    with live.app.app_context():
        lead = create_user(LEAD_EMAIL, PASSWORD, organisation="Rights Watch",
                           name="Amina Diallo")
        statement = drafting.create_statement(lead, title=TITLE, body=BODY)
        statement.comments_when_open = comments_when_open
        if state in ("review", "open"):
            drafting.change_state(lead, statement, state)
        db.session.commit()
        return Setup(statement.id, statement.slug)


def invite(live: Live, setup: Setup, organisation: str, email: str) -> None:
    """Invite a partner as the lead does: the mail with its link waits in the outbox."""
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        invitations.invite(statement.organisation.users[0], statement,
                           organisation=organisation, email=email)
        db.session.commit()


def signed(live: Live, setup: Setup, organisation: str, **details: str) -> None:
    """A partner invited and signed on the current text (keeps its token in `setup`)."""
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        invitation, token = invitations.invite(
            statement.organisation.users[0], statement, organisation=organisation,
            email=f"office@partner{len(setup.tokens) + 1}.example.org",
        )
        db.session.flush()
        signing.sign(invitation, SignatureInput(
            name=organisation, signer_name=details.pop("signer_name", "A. Signer"),
            signer_email=details.pop("signer_email", "signer@partner.example.org"), **details,
        ), token=token)
        db.session.commit()
        setup.tokens[organisation] = token


def substantive_change(live: Live, setup: Setup, body: str, note: str) -> int:
    """The lead saves a substantive revision; earlier signers are asked to re-confirm."""
    with live.app.app_context():
        statement = db.session.get(Statement, setup.statement_id)
        assert statement is not None
        revision = drafting.save_revision(
            statement.organisation.users[0], statement, body=body,
            base_revision=statement.current_revision, note=note,
        )
        db.session.commit()
        return revision.number


def reconfirm(live: Live, setup: Setup, organisation: str) -> None:
    """A partner re-confirms through its invitation."""
    with live.app.app_context():
        invitation = db.session.scalar(
            db.select(Invitation).where(Invitation.statement_id == setup.statement_id,
                                        Invitation.organisation == organisation))
        assert invitation is not None
        signing.reconfirm(invitation, token=setup.tokens[organisation])
        db.session.commit()
