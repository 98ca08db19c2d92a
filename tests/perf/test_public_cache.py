"""A published edition's page and exports come from kept bytes (publishing/frozen.py).

Every public address of a published edition runs as many SQL statements at many
signatories as at few; once kept, an answer costs one statement (the statement's public
version) and renders no template; a conditional request gets its 304 from the kept answer;
and anything that changes what the public sees (a new edition, a retraction shown in it,
an update, an embargo lifting) changes the ETag at once, in every worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from coalition import create_app
from coalition.domain import formats
from coalition.drafting import services as drafting
from coalition.extensions import db
from coalition.publishing import services as publishing
from tests import factories
from tests.perf.test_query_counts import SMALL, _listed, counting

# Exports render PDF and DOCX: a few hundred names show the same growth a thousand would.
MANY = 300

# Formats served at their own path rather than /s/<slug>.<name>.
OWN_PATHS = {
    "embed": ("/s/{slug}/embed", "/s/{slug}/editions/1/embed"),
    "csv": ("/s/{slug}/signatories.csv", "/s/{slug}/editions/1/signatories.csv"),
}


def _addresses() -> dict[str, str]:
    """Every public address of a published edition: one per registered export format (the
    newest edition's and edition 1's), the page, the permalink, the frame, source.txt."""
    found = {
        "page": "/s/{slug}",
        "edition page": "/s/{slug}/editions/1",
        "frame": "/s/{slug}/frame",
        "source": "/s/{slug}/editions/1/source.txt",
    }
    for fmt in formats.every():
        if fmt.dotted:
            found[fmt.name] = f"/s/{{slug}}.{fmt.name}"
            found[f"edition {fmt.name}"] = f"/s/{{slug}}/editions/1.{fmt.name}"
        else:
            # A new format at its own path needs its addresses here.
            found[fmt.name], found[f"edition {fmt.name}"] = OWN_PATHS[fmt.name]
    return found


ADDRESSES = _addresses()


@pytest.fixture
def slugs(app: Flask) -> dict[str, str]:
    """A published statement with few signatories and one with many (no client logged in)."""
    with app.app_context():
        owner = factories.user()
        few = _listed(owner, SMALL, publish=True)
        many = _listed(owner, MANY, publish=True)
    return {"few": few.slug, "many": many.slug}


@pytest.fixture
def rendered(app: Flask) -> Iterator[list[str]]:
    """The templates rendered inside the block."""
    names: list[str] = []

    def record(_sender: Any, template: Any, **_extra: Any) -> None:
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


@pytest.fixture
def other_worker(app: Flask) -> Iterator[Flask]:
    """A second app on the same database: another gunicorn worker, with its own caches."""
    other = create_app(app.config.copy())
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _statements(app: Flask, client: FlaskClient, path: str, **headers: str) -> tuple[int, Any]:
    with counting(app) as statements:
        response = client.get(path, headers=headers)
    return len(statements), response


@pytest.mark.parametrize("name", list(ADDRESSES))
def test_public_answers_cost_one_statement_once_kept(
    app: Flask, client: FlaskClient, slugs: dict[str, str], rendered: list[str], name: str
):
    counts = {}
    for size, slug in slugs.items():
        path = ADDRESSES[name].format(slug=slug)
        first, made = _statements(app, client, path)
        assert made.status_code == 200, made.get_data(as_text=True)[:300]
        rendered.clear()
        second, kept = _statements(app, client, path)
        assert kept.status_code == 200 and kept.data == made.data
        assert kept.headers["ETag"] == made.headers["ETag"]
        assert kept.headers["Cache-Control"] == made.headers["Cache-Control"]
        assert kept.headers.get("Content-Disposition") == made.headers.get("Content-Disposition")
        assert kept.headers["Content-Security-Policy"] == made.headers["Content-Security-Policy"]
        assert second <= 1 and rendered == [], (name, second, rendered)
        counts[size] = (first, second)
    assert counts["few"] == counts["many"], counts


def test_a_conditional_request_gets_its_304_without_rendering(
    app: Flask, client: FlaskClient, slugs: dict[str, str], rendered: list[str],
    other_worker: Flask,
):
    page = client.get(f"/s/{slugs['many']}")
    rendered.clear()
    count, again = _statements(app, client, f"/s/{slugs['many']}",
                               **{"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert count == 1 and rendered == []
    # A worker that has not kept the page yet renders it once, then answers 304 too.
    cold = other_worker.test_client().get(
        f"/s/{slugs['many']}", headers={"If-None-Match": page.headers["ETag"]}
    )
    assert cold.status_code == 304


def test_a_head_request_gets_the_kept_headers_without_the_body(
    app: Flask, client: FlaskClient, slugs: dict[str, str]
):
    page = client.get(f"/s/{slugs['few']}")
    with counting(app) as statements:
        head = client.head(f"/s/{slugs['few']}")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(page.data))
    assert head.headers["ETag"] == page.headers["ETag"]
    assert len(statements) == 1


def test_the_feed_is_kept_and_validated(app: Flask, client: FlaskClient, slugs: dict[str, str]):
    feed = client.get("/feed.atom")
    assert feed.status_code == 200 and "stale-while-revalidate" in feed.headers["Cache-Control"]
    count, again = _statements(app, client, "/feed.atom", **{"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 304 and count == 1


def test_a_signed_in_lead_never_gets_the_kept_page(
    app: Flask, client: FlaskClient, slugs: dict[str, str]
):
    anonymous = client.get(f"/s/{slugs['few']}")
    assert "private" not in anonymous.headers["Cache-Control"]
    assert "Cookie" in anonymous.headers.get("Vary", "")
    with app.app_context():
        lead = factories.user(organisation="Another Lead")
        factories.login(client, lead)
    page = client.get(f"/s/{slugs['few']}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"


@pytest.fixture
def world(app: Flask) -> Iterator[Any]:
    """An open statement with two signatures, not published yet."""
    with app.app_context():
        lead = factories.user()
        statement = factories.statement(lead, title="Free the press", state="open")
        factories.signature_row(statement, "Beta Network")
        factories.signature_row(statement, "Gamma Forum")
        db.session.commit()
        made = (app, lead.id, statement.id, statement.slug)
    yield made  # outside the app context: each request has its own session


def _publish(app: Flask, lead_id: int, statement_id: int, **kw: Any) -> None:
    from coalition.models import Statement, User

    with app.app_context():
        lead, statement = db.session.get(User, lead_id), db.session.get(Statement, statement_id)
        assert lead is not None and statement is not None
        if statement.state == "published":
            drafting.change_state(lead, statement, "open")
            db.session.commit()
        publishing.publish(lead, statement, exclude_outstanding=True, **kw)
        db.session.commit()


def test_a_new_edition_or_a_retraction_changes_the_etag_at_once_in_every_worker(
    app: Flask, world: Any, other_worker: Flask
):
    _, lead_id, statement_id, slug = world
    _publish(app, lead_id, statement_id)
    workers = [app.test_client(), other_worker.test_client()]
    first = [worker.get(f"/s/{slug}") for worker in workers]
    assert first[0].headers["ETag"] == first[1].headers["ETag"]
    assert all(worker.get(f"/s/{slug}").status_code == 200 for worker in workers)  # kept

    # A signatory retracts: the next edition shows it, at once, whichever worker answers.
    with app.app_context():
        from coalition.models import Signature

        gone = db.session.scalars(
            db.select(Signature).where(Signature.statement_id == statement_id,
                                       Signature.name == "Gamma Forum")
        ).one()
        gone.status, gone.ended_at = "withdrawn", publishing.now()
        db.session.commit()
    _publish(app, lead_id, statement_id)
    for worker, before in zip(workers, first, strict=True):
        after = worker.get(f"/s/{slug}", headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
        assert "retracted" not in before.get_data(as_text=True)
        assert "Signature of Gamma Forum retracted." in after.get_data(as_text=True)
        csv = worker.get(f"/s/{slug}/signatories.csv").get_data(as_text=True)
        assert "Gamma Forum" not in csv and "Beta Network" in csv


def test_an_embargo_lifting_changes_the_kept_answers(
    app: Flask, world: Any, monkeypatch: pytest.MonkeyPatch
):
    _, lead_id, statement_id, slug = world
    start = publishing.now()
    _publish(app, lead_id, statement_id, public_from=start + dt.timedelta(hours=1))
    client = app.test_client()
    assert client.get(f"/s/{slug}").status_code == 404
    assert client.get(f"/s/{slug}.md").status_code == 404
    monkeypatch.setattr(publishing, "now", lambda: start + dt.timedelta(hours=2))
    assert client.get(f"/s/{slug}").status_code == 200
    assert client.get(f"/s/{slug}.md").status_code == 200
