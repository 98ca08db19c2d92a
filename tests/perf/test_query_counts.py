"""Pages that list signatories run as many SQL queries at 1,000 signatories as at 10.

The statements and their signatures are the same kind of rows the signing service makes
(sort keys in the statement's language, each through an invitation), inserted in bulk so
the test stays quick; publication goes through the publishing service. Queries are
counted with a ``before_cursor_execute`` listener on the app's engine. Timings belong in
the benchmark (``python -m bench``), not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select

from coalition.domain.collation import RULES_VERSION, sort_key
from coalition.extensions import db
from coalition.models import Invitation, Revision, Signature, Statement
from coalition.publishing import services as publishing
from coalition.security import hash_token, new_token
from tests import factories

SMALL, LARGE = 10, 1_000
COUNTRIES = ["FR", "DE", "", "Kosovo", "UA"]


@dataclass
class Listed:
    statement_id: int
    slug: str
    token: str  # an invitation of a signatory, for the partner's page


def _sign_many(statement: Statement, count: int) -> str:
    """`count` live signatures of the current revision, each through an invitation."""
    sha = db.session.scalar(
        select(Revision.sha256).where(
            Revision.statement_id == statement.id, Revision.number == statement.current_revision
        )
    )
    tokens = [new_token() for _ in range(count)]
    db.session.execute(insert(Invitation), [
        {"statement_id": statement.id, "organisation": f"Partner {n}",
         "email": f"contact{n}@partner{n}.example.org", "token_hash": hash_token(token)}
        for n, token in enumerate(tokens)
    ])
    invitations = db.session.execute(
        select(Invitation.id, Invitation.organisation)
        .where(Invitation.statement_id == statement.id)
        .order_by(Invitation.id)
    ).all()
    rows: list[dict[str, Any]] = []
    for n, (invitation_id, name) in enumerate(invitations):
        kind = "individual" if n % 7 == 0 else "organisation"
        rows.append({
            "statement_id": statement.id, "invitation_id": invitation_id, "status": "live",
            "name": f"{'The ' if n % 5 == 0 else ''}{name} Collective",
            "sort_key": sort_key(name, statement.language, None), "sort_rules": RULES_VERSION,
            "kind": kind, "affiliation": "University" if kind == "individual" else "",
            "country": COUNTRIES[n % len(COUNTRIES)], "signer_name": f"Signer {n}",
            # One address: publication queues one notice, which keeps the test quick.
            "signer_email": "signers@partner.example.org",
            "revision_number": statement.current_revision, "revision_sha256": sha,
        })
    db.session.execute(insert(Signature), rows)
    return tokens[0]


def _listed(owner: Any, count: int, *, publish: bool) -> Listed:
    statement = factories.statement(owner, title=f"{count} signatories", state="open")
    token = _sign_many(statement, count)
    if publish:
        publishing.publish(owner, statement, exclude_outstanding=True)
    db.session.commit()
    return Listed(statement.id, statement.slug, token)


@dataclass
class World:
    small: Listed
    large: Listed
    bearer: dict[str, str]


@pytest.fixture
def world(app: Flask, client: FlaskClient) -> World:
    with app.app_context():
        owner = factories.user()
        small = _listed(owner, SMALL, publish=True)
        large = _listed(owner, LARGE, publish=True)
        bearer = factories.bearer(factories.token(owner))
        factories.login(client, owner)
    # The token's first use records it (once a minute): not part of what is compared.
    assert client.get(f"/api/v1/statements/{small.statement_id}", headers=bearer).status_code == 200
    return World(small, large, bearer)


@pytest.fixture
def open_world(app: Flask, client: FlaskClient) -> World:
    """Statements still open for signing: the partner's page shows its sign panel."""
    with app.app_context():
        owner = factories.user()
        small = _listed(owner, SMALL, publish=False)
        large = _listed(owner, LARGE, publish=False)
        bearer = factories.bearer(factories.token(owner))
        factories.login(client, owner)
    return World(small, large, bearer)


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _queries(app: Flask, fetch: Callable[[], Any]) -> tuple[int, int]:
    """Queries of a first request and of the one after it (caches warm), checking each is OK."""
    counts = []
    for _ in range(2):
        with counting(app) as statements:
            response = fetch()
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        counts.append(len(statements))
    return counts[0], counts[1]


PAGES: dict[str, Callable[[FlaskClient, Listed, World], Any]] = {
    "public page": lambda c, s, w: c.get(f"/s/{s.slug}"),
    "signatories API": lambda c, s, w: c.get(
        f"/api/v1/statements/{s.statement_id}/signatories", headers=w.bearer
    ),
    "lead's signatories page": lambda c, s, w: c.get(f"/statements/{s.statement_id}/signatories"),
    "lead's outstanding filter": lambda c, s, w: c.get(
        f"/statements/{s.statement_id}/signatories?show=outstanding"
    ),
    "lead's history, last page": lambda c, s, w: c.get(
        f"/statements/{s.statement_id}/signatories?show=history&page=99"
    ),
    "lead's invitations page": lambda c, s, w: c.get(f"/statements/{s.statement_id}/invitations"),
    "public CSV": lambda c, s, w: c.get(f"/s/{s.slug}/signatories.csv"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_queries_do_not_grow_with_signatories(
    app: Flask, client: FlaskClient, world: World, name: str
):
    fetch = PAGES[name]
    small = _queries(app, lambda: fetch(client, world.small, world))
    large = _queries(app, lambda: fetch(client, world.large, world))
    assert small == large, f"{name}: {small} queries at {SMALL}, {large} at {LARGE}"


def test_partner_page_queries_do_not_grow(app: Flask, client: FlaskClient, open_world: World):
    small = _queries(app, lambda: client.get(f"/i/{open_world.small.token}"))
    large = _queries(app, lambda: client.get(f"/i/{open_world.large.token}"))
    assert small == large, f"partner page: {small} at {SMALL}, {large} at {LARGE}"


def test_lead_page_shows_one_page_of_rows(app: Flask, client: FlaskClient, world: World):
    page = client.get(f"/statements/{world.large.statement_id}/signatories").get_data(
        as_text=True
    )
    assert page.count('<tr id="sig-') == 100
    assert "Page 1 of 10" in page and "rows 1–100 of 1,000" in page
    last = client.get(f"/statements/{world.large.statement_id}/signatories?page=10").get_data(
        as_text=True
    )
    assert last.count('<tr id="sig-') == 100 and "rows 901–1,000 of 1,000" in last
    assert 'rel="next"' not in last and 'rel="prev"' in last
    # Out of range or not a number: the nearest page, never an error.
    assert client.get(
        f"/statements/{world.large.statement_id}/signatories?page=x"
    ).status_code == 200
    beyond = client.get(f"/statements/{world.large.statement_id}/signatories?page=500")
    assert "Page 10 of 10" in beyond.get_data(as_text=True)


def test_api_reads_record_token_use_once_and_do_not_write(app: Flask):
    """A GET keeps the token's last use (it was set, never committed) and then writes nothing."""
    from coalition.models import ApiToken

    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner)
        statement_id = statement.id
        bearer = factories.bearer(factories.token(owner))
    client = app.test_client()
    with counting(app) as first:
        assert client.get(f"/api/v1/statements/{statement_id}", headers=bearer).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None
    with counting(app) as second:
        assert client.get(f"/api/v1/statements/{statement_id}", headers=bearer).status_code == 200
    assert any(s.lstrip().upper().startswith("UPDATE") for s in first)
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in second)


def test_sign_on_reads_before_it_locks_and_does_not_grow(
    app: Flask, client: FlaskClient, open_world: World
):
    """The sign-on API: as many statements at 1,000 signatures as at 10, reads first.

    On SQLite the write lock (BEGIN IMMEDIATE) comes after every read the signing plan
    needs and just before the writes, so other writers wait for the writes only.
    """
    counts, orders = [], []
    for listed in (open_world.small, open_world.large):
        for n in range(2):
            with counting(app) as statements:
                response = client.post(
                    f"/api/v1/invitations/{listed.token}/signature",
                    json={"name": f"Partner, try {n}", "signer_name": "Signer",
                          "signer_email": "signer@partner.example.org"},
                )
            assert response.status_code == 200, response.get_data(as_text=True)  # replaced
            counts.append(len(statements))
            orders.append([s.lstrip().split()[0].upper() for s in statements])
    assert len(set(counts)) == 1, counts
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    for order in orders:
        if sqlite:
            lock = order.index("BEGIN")
            assert set(order[:lock]) == {"SELECT"} and "SELECT" in order[lock + 1 :], order
            assert order[lock + 2 :] and set(order[lock + 2 :]) <= {"UPDATE", "INSERT"}
        # The signature, its audit event, its receipt, and its webhook deliveries: one
        # INSERT ... SELECT over the organisation's endpoints, writing none when there are none.
        assert order.count("INSERT") == 4
