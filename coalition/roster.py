"""The signatory list: who is live, in what order, who endorses what, who is one signer.

The one home for what every feature asks of the signatures (issue 19). Signing and the
lead's list, re-confirmation, publishing, translations, follow-up and the API read it
here, so two pages can never disagree on who is listed or in which order.

It sits below the feature packages, beside the models: it imports the models and the pure
domain rules only, so every feature may use it (Translations as well as Signing, which
imports Translations; a ``signing/roster.py`` would make that a circle). Read-only:
nothing here changes a row.

The published order, in one rule: organisations before individuals when the statement
groups them, then the collation key under the current rules, then the row id. SQL reads
it from the stored keys (:func:`order_by`, on ix_signature_order). After an upgrade that
changes the collation rules, until ``flask resort`` runs, a statement's keys may be stale
(``Statement.sort_rules``, :func:`stale_keys`): then every key is made again in Python
(:func:`published`), and callers that page in SQL take that list instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, select

from coalition.domain import collation, integrity
from coalition.domain.integrity import Endorsement, RevisionMark, baseline, plan_publication
from coalition.domain.signatures import SignatureStatus
from coalition.extensions import db
from coalition.models import EditionSignatory, Invitation, Revision, Signature, Statement

# --- one signer ---------------------------------------------------------------------------


def live_signature(invitation: Invitation) -> Signature | None:
    """The invitation's live signature, if it has one (at most one: a unique index)."""
    return db.session.scalar(
        select(Signature).where(Signature.invitation_id == invitation.id, Signature.live)
    )


def has_live_signature(invitation: Invitation) -> bool:
    """Whether the invitation's partner has signed (reads the id only)."""
    return db.session.scalar(
        select(Signature.id).where(Signature.invitation_id == invitation.id, Signature.live)
    ) is not None


def signers(statement: Statement) -> tuple[integrity.Signer, ...]:
    """Every signature row of the statement, whatever its status, as what tells one signer
    across its changes (invitation, replaced row) and its withdrawal: for
    :func:`coalition.domain.integrity.identity` and the decisions of an edition."""
    return tuple(
        integrity.Signer(
            id=row.id,
            name=row.name,
            invitation_id=row.invitation_id,
            replaces_id=row.replaces_id,
            withdrawn=row.status is SignatureStatus.WITHDRAWN,
            ended_at=row.ended_at,
        )
        for row in db.session.execute(
            select(
                Signature.id, Signature.name, Signature.invitation_id, Signature.replaces_id,
                Signature.status, Signature.ended_at,
            ).where(Signature.statement_id == statement.id)
        )
    )


def _row(signature_id: int) -> Signature | None:
    return db.session.get(Signature, signature_id)


def signer_ids(signature: Signature) -> list[int]:
    """Every row of the same signer: the invitation's rows, or the replaces chain."""
    if signature.invitation_id is not None:
        return list(
            db.session.scalars(
                select(Signature.id).where(Signature.invitation_id == signature.invitation_id)
            )
        )
    return sorted(integrity.chain(signature, _row))


def withdrawal_status(signature: Signature) -> SignatureStatus:
    """RETRACTED when an edition lists this signer (any of its rows), else WITHDRAWN."""
    published = db.session.scalar(
        select(EditionSignatory.id)
        .where(EditionSignatory.signature_id.in_(signer_ids(signature)))
        .limit(1)
    )
    return SignatureStatus.RETRACTED if published is not None else SignatureStatus.WITHDRAWN


# --- which texts an endorsement covers ----------------------------------------------------


def revision_marks(statement: Statement) -> list[RevisionMark]:
    """Every revision's number and whether the lead marked it substantive, oldest first."""
    rows = db.session.execute(
        select(Revision.number, Revision.substantive)
        .where(Revision.statement_id == statement.id)
        .order_by(Revision.number)
    )
    return [RevisionMark(number, bool(substantive)) for number, substantive in rows]


def floor(statement: Statement, marks: Sequence[RevisionMark] | None = None) -> int:
    """The oldest revision whose endorsement still covers the current text."""
    return baseline(
        marks if marks is not None else revision_marks(statement), statement.current_revision
    )


def covers(signature: Signature, statement: Statement, lowest: int | None = None) -> bool:
    """Whether the signature endorses a text that covers the current one.

    `lowest` is the statement's :func:`floor`, when the caller has it (read once for a list).
    """
    if lowest is None:
        lowest = floor(statement)
    return lowest <= signature.revision_number <= statement.current_revision


def covering(statement: Statement, lowest: int) -> ColumnElement[bool]:
    """SQL for :func:`covers`: the signature endorses a revision that covers the current text."""
    return and_(
        Signature.revision_number >= lowest,
        Signature.revision_number <= statement.current_revision,
    )


# --- the published order ------------------------------------------------------------------


def order_by(statement: Statement) -> list[Any]:
    """The published order in SQL, on the stored keys (see the module's rule)."""
    keys: list[Any] = [Signature.sort_key, Signature.id]
    if statement.group_individuals:
        return [case((Signature.kind == "individual", 1), else_=0), *keys]
    return keys


def order_values(signature: Signature, statement: Statement) -> list[object]:
    """The signature's values of :func:`order_by`'s columns (to count the rows before it)."""
    values: list[object] = [signature.sort_key, signature.id]
    if statement.group_individuals:
        values.insert(0, 1 if signature.kind == "individual" else 0)
    return values


def current_key(signature: Signature, statement: Statement) -> bytes:
    """The signature's collation key under the current rules (its stored one when current)."""
    if signature.sort_rules == collation.RULES_VERSION:
        return signature.sort_key
    return collation.sort_key(signature.name, statement.language or "en", signature.sort_as)


def live(statement: Statement) -> Select[Signature]:
    """The statement's live signatures, unordered (add :func:`order_by`)."""
    return select(Signature).where(Signature.statement_id == statement.id, Signature.live)


def stale_keys(statement: Statement) -> bool:
    """Whether the statement's stored keys may be from older collation rules (no query).

    ``Statement.sort_rules`` holds the oldest rules its keys were made under; it falls
    behind ``collation.RULES_VERSION`` with an upgrade that changes the rules, and
    ``flask resort`` (signing.services.resort) brings it level again.
    """
    return statement.sort_rules != collation.RULES_VERSION


def sort_position(signature: Signature, statement: Statement) -> tuple[int, bytes, int]:
    """Where the signature stands in the published order, as a value to sort by."""
    group = 1 if statement.group_individuals and signature.kind == "individual" else 0
    return (group, current_key(signature, statement), signature.id)


def in_order(signatures: Sequence[Signature], statement: Statement) -> list[Signature]:
    """Signatures of the statement in published order, by keys under the current rules."""
    return sorted(signatures, key=lambda s: sort_position(s, statement))


def published(statement: Statement) -> list[Signature]:
    """Every live signature in published order: one query on ix_signature_order.

    While the statement's keys may be stale, they are made again under the current rules
    and the rows sorted here; the lead's paged list (signing.listing) does the same.
    """
    rows = list(db.session.scalars(live(statement).order_by(*order_by(statement))))
    return in_order(rows, statement) if stale_keys(statement) else rows


# --- who endorses the current text --------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Who a publication of the current revision may list, and who must re-confirm first."""

    revision: int
    baseline: int  # the oldest revision whose endorsement still covers the current text
    endorsing: list[Signature]  # in published order
    outstanding: list[Signature]  # in published order


def plan(statement: Statement) -> Plan:
    """Split the live signatures into those endorsing the current text and those outstanding."""
    signatures = published(statement)
    marks = revision_marks(statement)
    target = statement.current_revision
    result = plan_publication(
        (Endorsement(s.id, s.name, s.revision_number) for s in signatures), marks, target
    )
    endorsing = {endorsement.signature_id for endorsement in result.endorsing}
    return Plan(
        revision=target,
        baseline=baseline(marks, target),
        endorsing=[s for s in signatures if s.id in endorsing],
        outstanding=[s for s in signatures if s.id not in endorsing],
    )


def outstanding(statement: Statement) -> list[Signature]:
    """Live signatures whose endorsement does not cover the current text, in published order."""
    return plan(statement).outstanding
