"""The roster (coalition/roster.py): who is live, in what order, who endorses what, one signer.

Unit tests on the service layer, without HTTP: every feature reads the signatory list
through these functions, so each answer is pinned here once.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from coalition import roster
from coalition.domain import collation, integrity
from coalition.domain.integrity import RevisionMark
from coalition.domain.signatures import AWAITING, ENDED, SignatureStatus
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.models import SIGNATURE_STATUSES, Signature, Statement, User
from coalition.publishing import services as publishing
from coalition.signing import listing
from coalition.signing import services as signing
from tests import factories


@pytest.fixture
def owner(ctx: Flask) -> User:
    return factories.user()


@pytest.fixture
def statement(owner: User) -> Statement:
    return factories.statement(owner, state="open")


def _names(signatures: list[Signature]) -> list[str]:
    return [s.name for s in signatures]


def _substantive_revision(owner: User, statement: Statement) -> None:
    drafting.save_revision(owner, statement, body=statement.title + " — a new text.",
                           base_revision=statement.current_revision, note="new")
    db.session.commit()


# --- the status -----------------------------------------------------------------------------


def test_the_status_is_stored_as_the_same_strings_as_before():
    # No data migration: the enum's values are exactly the column's CHECK list.
    assert SIGNATURE_STATUSES == (
        "live", "superseded", "withdrawn", "retracted", "unconfirmed", "pending", "rejected"
    )
    assert [s.value for s in SignatureStatus] == list(SIGNATURE_STATUSES)
    assert set(ENDED) == {SignatureStatus.WITHDRAWN, SignatureStatus.RETRACTED}
    assert set(AWAITING) == {SignatureStatus.PENDING, SignatureStatus.UNCONFIRMED}


def test_a_status_reads_back_as_the_enum_and_is_written_as_its_string(statement: Statement):
    made = factories.signature_row(statement, "Amnesty International")
    stored = db.session.execute(
        text("SELECT status FROM signature WHERE id = :id"), {"id": made.id}
    ).scalar_one()
    assert stored == "live" and type(stored) is str
    db.session.expire_all()
    loaded = db.session.get(Signature, made.id)
    assert loaded is not None
    assert loaded.status is SignatureStatus.LIVE
    # A StrEnum: templates, JSON and f-strings read the string they always read.
    assert loaded.status == "live" and f"signature.{loaded.status}" == "signature.live"


def test_an_unknown_status_is_refused_before_the_database(statement: Statement):
    made = factories.signature_row(statement, "Amnesty International")
    made.status = "lost"  # type: ignore[assignment]
    with pytest.raises(StatementError):
        db.session.flush()
    db.session.rollback()


def test_live_is_one_rule_in_python_and_in_sql(statement: Statement):
    live = factories.signature_row(statement, "Live")
    ended = factories.signature_row(statement, "Ended", status="withdrawn")
    assert live.live and not ended.live
    found = db.session.scalars(
        select(Signature.id).where(Signature.statement_id == statement.id, Signature.live)
    ).all()
    assert found == [live.id]


# --- one signer -------------------------------------------------------------------------------


def test_the_live_signature_of_an_invitation(statement: Statement):
    invitation, token = factories.partner_invitation(statement, "Amnesty International")
    assert roster.live_signature(invitation) is None
    assert not roster.has_live_signature(invitation)
    first, _ = signing.sign(invitation, signing.SignatureInput(
        name="Amnesty", signer_name="Jane", signer_email="jane@example.org"), token=token)
    second, _ = signing.sign(invitation, signing.SignatureInput(name="Amnesty International"),
                             token=token)
    db.session.commit()
    assert roster.live_signature(invitation) == second
    assert roster.has_live_signature(invitation)
    assert first.status is SignatureStatus.SUPERSEDED
    signing.withdraw(invitation)
    db.session.commit()
    assert roster.live_signature(invitation) is None
    assert not roster.has_live_signature(invitation)


def test_one_signer_across_changes_with_and_without_an_invitation(statement: Statement):
    invited = factories.signature_row(statement, "Invited", status="superseded")
    again = factories.signature_row(statement, "Invited again", invitation=invited.invitation,
                                     replaces_id=invited.id)
    first = factories.signature_row(statement, "Open", invitation=False, status="superseded")
    later = factories.signature_row(statement, "Open later", invitation=False,
                                    replaces_id=first.id)
    signers = roster.signers(statement)
    by_id = {signer.id: signer for signer in signers}
    assert set(by_id) == {invited.id, again.id, first.id, later.id}
    assert [s.withdrawn for s in signers] == [False] * 4
    assert integrity.identity(by_id[again.id], by_id) == integrity.identity(
        by_id[invited.id], by_id) == ("invitation", invited.invitation_id)
    assert integrity.identity(by_id[later.id], by_id) == integrity.identity(
        by_id[first.id], by_id) == ("signature", first.id)
    assert roster.signer_ids(again) == [invited.id, again.id]
    assert roster.signer_ids(later) == [first.id, later.id]


def test_a_withdrawal_is_a_retraction_once_an_edition_listed_the_signer(
    owner: User, statement: Statement
):
    invitation, token = factories.partner_invitation(statement, "Amnesty International")
    listed, _ = signing.sign(invitation, signing.SignatureInput(
        name="Amnesty", signer_name="Jane", signer_email="jane@example.org"), token=token)
    db.session.commit()
    assert roster.withdrawal_status(listed) is SignatureStatus.WITHDRAWN
    publishing.publish(owner, statement)
    drafting.change_state(owner, statement, "open")  # reopened to gather more
    db.session.commit()
    # A later change of the same signer is still the signer an edition listed.
    changed, _ = signing.sign(invitation, signing.SignatureInput(name="Amnesty International"),
                              token=token)
    db.session.commit()
    assert roster.withdrawal_status(changed) is SignatureStatus.RETRACTED


# --- which texts an endorsement covers ----------------------------------------------------------


def test_revision_marks_floor_and_covers(owner: User, statement: Statement):
    old = factories.signature_row(statement, "Old")
    assert roster.revision_marks(statement) == [RevisionMark(1, True)]
    assert roster.floor(statement) == 1 and roster.covers(old, statement)
    drafting.save_revision(owner, statement, body=factories.BODY + " ", base_revision=1,
                           note="typo", substantive=False)
    db.session.commit()
    assert roster.revision_marks(statement) == [RevisionMark(1, True), RevisionMark(2, False)]
    assert roster.floor(statement) == 1 and roster.covers(old, statement)
    _substantive_revision(owner, statement)
    assert roster.floor(statement) == 3
    assert not roster.covers(old, statement)
    assert roster.covers(old, statement, 1)  # the caller's floor, read once for a list
    new = factories.signature_row(statement, "New")
    # The same rule in SQL.
    covering = db.session.scalars(
        select(Signature.name).where(
            Signature.statement_id == statement.id, roster.covering(statement, 3)
        )
    ).all()
    assert covering == ["New"] and roster.covers(new, statement)


def test_plan_splits_endorsing_and_outstanding_in_published_order(
    owner: User, statement: Statement
):
    for name in ("Zeta", "Alpha", "Mu"):
        factories.signature_row(statement, name)
    _substantive_revision(owner, statement)
    factories.signature_row(statement, "Beta")
    factories.signature_row(statement, "Gone", status="withdrawn")
    plan = roster.plan(statement)
    assert plan.revision == 2 and plan.baseline == 2
    assert _names(plan.endorsing) == ["Beta"]
    assert _names(plan.outstanding) == ["Alpha", "Mu", "Zeta"]
    assert _names(roster.outstanding(statement)) == ["Alpha", "Mu", "Zeta"]


# --- the published order ------------------------------------------------------------------------


def _listed_everywhere(owner: User, statement: Statement) -> dict[str, list[str]]:
    """The order of the list as each page, export and service reads it."""
    floor = roster.floor(statement)
    return {
        "roster": _names(roster.published(statement)),
        "plan": _names(roster.plan(statement).endorsing),
        "lead page": _names(listing.page(statement, "list", floor, 1)),
        "lead page, endorsed": _names(listing.page(statement, "endorsed", floor, 1)),
        "API rows": [row[0] for row in listing.published_rows(statement)],
        "publication": publishing.prepare(statement).names,
    }


def test_every_reader_lists_in_one_order_grouped_or_not(owner: User, statement: Statement):
    factories.signature_row(statement, "Zeta Org")
    factories.signature_row(statement, "Anna Person", kind="individual", affiliation="Uni")
    factories.signature_row(statement, "Alpha Org")
    orders = _listed_everywhere(owner, statement)
    assert all(order == ["Alpha Org", "Anna Person", "Zeta Org"] for order in orders.values()), (
        orders
    )
    statement.group_individuals = True
    db.session.commit()
    orders = _listed_everywhere(owner, statement)
    assert all(order == ["Alpha Org", "Zeta Org", "Anna Person"] for order in orders.values()), (
        orders
    )


def _as_after_an_upgrade(statement: Statement, signature: Signature) -> None:
    """The state an upgrade that changes the collation rules leaves until `flask resort`:
    the statement's keys are from older rules, one of them ordering differently now."""
    signature.sort_key = b"\x00"  # what older rules might have made: first of all
    signature.sort_rules = collation.RULES_VERSION - 1
    statement.sort_rules = collation.RULES_VERSION - 1
    db.session.commit()


def test_a_stale_sort_key_does_not_make_two_pages_disagree(owner: User, statement: Statement):
    # Before the roster, publishing re-sorted keys made under older collation rules while
    # the lead's page, its CSV, re-confirmation and the API read the stored keys: the
    # edition listed Alpha first, the lead's page Zeta first.
    factories.signature_row(statement, "Alpha")
    zeta = factories.signature_row(statement, "Zeta")
    mu = factories.signature_row(statement, "Mu")
    assert not roster.stale_keys(statement)
    _as_after_an_upgrade(statement, zeta)
    assert roster.stale_keys(statement)
    assert roster.current_key(zeta, statement) == collation.sort_key("Zeta", "en", None)
    orders = _listed_everywhere(owner, statement)
    assert all(order == ["Alpha", "Mu", "Zeta"] for order in orders.values()), orders
    floor = roster.floor(statement)
    assert listing.page(statement, "list", floor, 1, size=2) == roster.published(statement)[:2]
    assert _names(listing.page(statement, "list", floor, 2, size=2)) == ["Zeta"]
    assert listing.page_of(statement, "list", floor, mu) == 1
    assert listing.page_of(statement, "outstanding", floor, mu) == 1
    # Once re-sorted, SQL reads the stored keys, in the same order.
    assert signing.resort(statement=statement) == 1
    db.session.commit()
    assert not roster.stale_keys(statement)
    assert zeta.sort_key == collation.sort_key("Zeta", "en", None)
    orders = _listed_everywhere(owner, statement)
    assert all(order == ["Alpha", "Mu", "Zeta"] for order in orders.values()), orders


def test_resort_of_every_statement_marks_each_sorted_under_the_current_rules(
    owner: User, statement: Statement
):
    other = factories.statement(owner, title="Another")
    zeta = factories.signature_row(statement, "Zeta")
    _as_after_an_upgrade(statement, zeta)
    other.sort_rules = collation.RULES_VERSION - 1  # no signatures, still from older rules
    db.session.commit()
    assert signing.resort() == 1
    db.session.commit()
    assert not roster.stale_keys(statement) and not roster.stale_keys(other)


def test_a_new_statement_is_sorted_under_the_current_rules(statement: Statement):
    assert statement.sort_rules == collation.RULES_VERSION
    assert not roster.stale_keys(statement)


def test_sort_position_is_the_sql_order(statement: Statement):
    statement.group_individuals = True
    rows = [
        factories.signature_row(statement, name, kind=kind)
        for name, kind in (("Émile", "individual"), ("Zed", "organisation"),
                           ("Ada", "individual"), ("Bee", "organisation"))
    ]
    in_sql = db.session.scalars(
        roster.live(statement).order_by(*roster.order_by(statement))
    ).all()
    assert list(in_sql) == roster.in_order(rows, statement)
    assert _names(list(in_sql)) == ["Bee", "Zed", "Ada", "Émile"]
    bee = rows[3]
    assert roster.sort_position(bee, statement) == (0, bee.sort_key, bee.id)
    assert roster.order_values(bee, statement) == [0, bee.sort_key, bee.id]
    assert roster.current_key(bee, statement) == bee.sort_key
