"""The lead's signatories list a page at a time: counts, one page of rows, where a row is.

A statement may gather tens of thousands of signatures. The lead's page reads its counts
with one grouped query and one page of rows with one indexed query (ix_signature_order),
so the number of queries and the work of a request do not grow with the list
(docs/performance.md). Read-only: nothing here changes a row.

Who is live, the published order and what covers the current text are the roster's
(coalition/roster.py). While a statement's stored sort keys may be stale (after an upgrade
that changes the collation rules, until `flask resort`), the published filters take the
roster's list, ordered in Python, so this page orders names as every other page does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Select, case, func, not_, select, tuple_

from coalition import roster
from coalition.domain.lifecycle import State
from coalition.domain.signatures import AWAITING, ENDED, SignatureStatus
from coalition.extensions import db
from coalition.models import AuditEvent, Signature, Statement

PAGE_SIZE = 100
# Filters that list live signatures in published order.
PUBLISHED = ("list", "endorsed", "outstanding")
STATUSES = {"withdrawn": ENDED, "pending": AWAITING}


def published_rows(statement: Statement) -> list[tuple[str, str | None, str, int]]:
    """Every live signature named publicly, in published order, as (name, country, kind,
    revision): one query.

    Unpacked as tuples: several times cheaper than reading a Row's attributes by name,
    which counts at tens of thousands of signatories (docs/performance.md).
    """
    if roster.stale_keys(statement):
        return [
            (s.name, s.country, s.kind, s.revision_number)
            for s in roster.published(statement)
            if s.public
        ]
    rows = db.session.execute(
        select(Signature.name, Signature.country, Signature.kind, Signature.revision_number)
        .where(Signature.statement_id == statement.id, Signature.live, Signature.public)
        .order_by(*roster.order_by(statement))
    )
    return cast(list[tuple[str, str | None, str, int]], rows.all())


def withheld_descriptions(statement: Statement) -> list[str]:
    """One entry per live signature not named publicly: its public description (maybe "")."""
    return list(
        db.session.scalars(
            select(Signature.public_description).where(
                Signature.statement_id == statement.id,
                Signature.live,
                ~Signature.public,
            )
        )
    )


def counts(statement: Statement, floor: int) -> dict[str, int]:
    """How many rows each filter shows, from one grouped query."""
    covers = case((roster.covering(statement, floor), 1), else_=0)
    found = dict.fromkeys(("list", "endorsed", "outstanding", "withdrawn", "pending"), 0)
    total = 0
    rows = db.session.execute(
        select(Signature.status, covers, func.count())
        .where(Signature.statement_id == statement.id)
        .group_by(Signature.status, covers)
    )
    for status, covering, number in rows:
        total += number
        if status is SignatureStatus.LIVE:
            found["list"] += number
            found["endorsed" if covering else "outstanding"] += number
        for key, statuses in STATUSES.items():
            if status in statuses:
                found[key] += number
    found["history"] = total
    return found


def query(statement: Statement, show: str, floor: int) -> Select[Any]:
    """The rows a filter shows, in the order it shows them."""
    rows = select(Signature).where(Signature.statement_id == statement.id)
    if show in PUBLISHED:
        rows = rows.where(Signature.live)
        if show == "endorsed":
            rows = rows.where(roster.covering(statement, floor))
        elif show == "outstanding":
            rows = rows.where(not_(roster.covering(statement, floor)))
        return rows.order_by(*roster.order_by(statement))
    if show == "withdrawn":
        return rows.where(Signature.status.in_(STATUSES["withdrawn"])).order_by(
            Signature.ended_at.desc(), Signature.id.desc()
        )
    if show == "pending":
        return rows.where(Signature.status.in_(STATUSES["pending"])).order_by(
            Signature.status, Signature.id
        )
    return rows.order_by(Signature.id.desc())


def pages(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages `total` rows fill (at least one, so an empty list has a page)."""
    return max(1, -(-total // size))


def page_number(value: object, total: int) -> int:
    """The page asked for in the query string, kept within the pages there are."""
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return min(max(1, number), pages(total))


def page(
    statement: Statement, show: str, floor: int, number: int, size: int = PAGE_SIZE
) -> list[Signature]:
    """One page of a filter's rows."""
    if show in PUBLISHED and roster.stale_keys(statement):
        return _in_order(statement, show, floor)[(number - 1) * size : number * size]
    return list(
        db.session.scalars(
            query(statement, show, floor).limit(size).offset((number - 1) * size)
        )
    )


def page_of(statement: Statement, show: str, floor: int, signature: Signature) -> int:
    """The page of a filter on which `signature` appears (1 when the filter has no order)."""
    if show not in PUBLISHED or not signature.live:
        return 1
    if roster.stale_keys(statement):
        place = roster.sort_position(signature, statement)
        rows = _in_order(statement, show, floor)
        before = sum(1 for row in rows if roster.sort_position(row, statement) < place)
    else:
        before = db.session.scalar(
            select(func.count()).select_from(
                query(statement, show, floor)
                .order_by(None)
                .where(
                    tuple_(*roster.order_by(statement))
                    < tuple_(*roster.order_values(signature, statement))
                )
                .subquery()
            )
        ) or 0
    return before // PAGE_SIZE + 1


def _in_order(statement: Statement, show: str, floor: int) -> list[Signature]:
    """A published filter's rows in the roster's order (while the stored keys may be stale)."""
    rows = roster.published(statement)
    if show == "endorsed":
        return [s for s in rows if roster.covers(s, statement, floor)]
    if show == "outstanding":
        return [s for s in rows if not roster.covers(s, statement, floor)]
    return rows


@dataclass(frozen=True)
class Closing:
    """When and why signing closed: "deadline", "published" or "by_hand"."""

    why: str
    when: dt.datetime


def closing(statement: Statement) -> Closing | None:
    """When and why signing closed, read from the audit log; None unless it is closed.

    The deadline alone does not say it: a statement published, or closed by hand, before
    its deadline stopped taking signatures then, not at the deadline.
    """
    if statement.state not in (State.CLOSED.value, State.PUBLISHED.value):
        return None
    event = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.statement_id == statement.id,
            AuditEvent.action == "statement.state_changed",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        when = statement.published_at or statement.updated_at
        why = "published" if statement.state == State.PUBLISHED.value else "by_hand"
        return Closing(why, when)
    if event.detail.get("new") == State.PUBLISHED.value:
        return Closing("published", event.created_at)
    if event.detail.get("reason") == "deadline" and statement.sign_deadline is not None:
        return Closing("deadline", statement.sign_deadline)
    return Closing("by_hand", event.created_at)
