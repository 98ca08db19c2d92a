"""Many partners signing at once against a real threaded server: nothing lost, nothing doubled.

Runs on the file SQLite database of the `app` fixture, or on PostgreSQL when
COALITION_TEST_DATABASE_URL is set. Marked slow: `pytest -m slow tests/signing`.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from coalition.extensions import db
from coalition.models import Invitation, Signature
from tests import factories

DISTINCT = 50
DOUBLE = 10

pytestmark = pytest.mark.slow


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def _body(n: int) -> dict[str, str]:
    return {"name": f"Partner Organisation {n}", "signer_name": f"Signer {n}",
            "signer_email": f"signer{n}@partner{n}.example.org", "country": "FR"}


def test_burst_of_signatures_loses_and_doubles_nothing(app: Flask, server: str):
    with app.app_context():
        owner = factories.user()
        statement = factories.statement(owner, state="open")
        tokens = [factories.partner_invitation(statement, f"Partner Organisation {n}")[1]
                  for n in range(DISTINCT)]
        _, api_twice = factories.partner_invitation(statement, "Clicks Twice (API)")
        _, form_twice = factories.partner_invitation(statement, "Clicks Twice (form)")
        statement_id = statement.id

    jobs: list[tuple[str, str, dict[str, str], bool]] = []
    for n, token in enumerate(tokens):
        jobs.append(("distinct", f"{server}/api/v1/invitations/{token}/signature", _body(n), True))
    for _ in range(DOUBLE):
        jobs.append(("api_twice", f"{server}/api/v1/invitations/{api_twice}/signature",
                     _body(900), True))
        jobs.append(("form_twice", f"{server}/i/{form_twice}/sign",
                     {**_body(901), "kind": "organisation"}, False))
    start = threading.Barrier(len(jobs))

    def fire(job: tuple[str, str, dict[str, str], bool]) -> tuple[str, int]:
        kind, url, body, as_json = job
        start.wait(timeout=30)
        if as_json:
            response = requests.post(url, json=body, timeout=60)
        else:
            response = requests.post(url, data=body, timeout=60, allow_redirects=False)
        return kind, response.status_code

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(fire, jobs))

    by_kind: dict[str, Counter[int]] = {}
    for kind, status in results:
        by_kind.setdefault(kind, Counter())[status] += 1
    assert all(status < 500 for _, status in results), by_kind
    assert by_kind["distinct"] == Counter({201: DISTINCT}), by_kind
    # One of the simultaneous submits creates, the others replace it: never a second live row.
    assert by_kind["api_twice"] == Counter({201: 1, 200: DOUBLE - 1}), by_kind
    assert by_kind["form_twice"] == Counter({302: DOUBLE}), by_kind

    with app.app_context():
        live_per_invitation = dict(
            db.session.execute(
                select(Signature.invitation_id, func.count(Signature.id))
                .where(Signature.statement_id == statement_id, Signature.status == "live")
                .group_by(Signature.invitation_id)
            ).all()
        )
        invitations = db.session.scalars(
            select(Invitation.id).where(Invitation.statement_id == statement_id)
        ).all()
        assert len(invitations) == DISTINCT + 2
        assert all(live_per_invitation.get(i) == 1 for i in invitations), live_per_invitation
        rows = db.session.scalar(
            select(func.count(Signature.id)).where(Signature.statement_id == statement_id)
        )
        assert rows == DISTINCT + 2 * DOUBLE  # every replace kept its superseded row
        superseded = db.session.scalars(
            select(Signature).where(Signature.status == "superseded")
        ).all()
        assert len(superseded) == 2 * (DOUBLE - 1)
        assert all(s.ended_at is not None for s in superseded)
        # Every replacement points at a distinct predecessor: a clean chain, no forks.
        replaced = [s.replaces_id for s in db.session.scalars(
            select(Signature).where(Signature.replaces_id.is_not(None)))]
        assert len(replaced) == len(set(replaced)) == 2 * (DOUBLE - 1)
