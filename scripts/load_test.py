"""Load test on loopback: gunicorn with 4 workers, hundreds of simultaneous sign-ons and
simultaneous saves of one statement. Nothing lost, nothing doubled, no 5xx, every stale
save refused (409) with its text kept.

    .venv/bin/python scripts/load_test.py                      # SQLite (a fresh WAL file)
    .venv/bin/python scripts/load_test.py --database-url URL   # e.g. postgresql+psycopg://...

With no --database-url, it runs on SQLite and then, when COALITION_TEST_DATABASE_URL is
set, on that PostgreSQL database too (its tables are dropped and made again: use a test
database). Every request goes to 127.0.0.1; every loop is bounded in count and time, and
the server is stopped at the end whatever happens. Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET_KEY = secrets.token_hex(32)
PASSWORD = "load test password phrase"  # noqa: S105 - a throwaway account in a throwaway database
REQUEST_TIMEOUT = 120
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Seed:
    statement_id: int
    saves_statement_id: int
    tokens: list[str]
    form_tokens: list[str]
    bearer: str
    email: str


@dataclass
class Report:
    database: str
    failures: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.failures.append(message)


# --- set-up ---------------------------------------------------------------------------------


def _app_config(url: str) -> dict[str, Any]:
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "TESTING": True,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


def _env(url: str, base_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COALITION_")}
    env.update(
        PYTHONPATH=str(ROOT),
        COALITION_SQLALCHEMY_DATABASE_URI=url,
        COALITION_SECRET_KEY=SECRET_KEY,
        COALITION_RATELIMIT_ENABLED="false",  # one address sends everything here
        COALITION_HTTPS="false",  # plain http on loopback: cookies without Secure
        COALITION_BASE_URL=base_url,
    )
    return env


def make_schema(url: str) -> None:
    """A fresh schema from the models (test_migrations.py checks the migrations match them)."""
    from sqlalchemy import create_engine, text

    from coalition import create_app
    from coalition.extensions import db

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(_app_config(url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()


def seed(url: str, signers: int, form_signers: int) -> Seed:
    """A lead, an open statement with invitations whose tokens we know, a second statement."""
    from coalition import create_app
    from coalition.accounts.services import create_api_token, create_user
    from coalition.drafting import services as drafting
    from coalition.extensions import db
    from coalition.models import Invitation
    from coalition.security import hash_token, new_token

    app = create_app(_app_config(url))
    with app.app_context():
        owner = create_user("lead@load.example", PASSWORD, organisation="Load Lead", name="Lead")
        statement = drafting.create_statement(owner, title="Load test statement",
                                              body="We call for calm.\n\nSecond paragraph.")
        drafting.change_state(owner, statement, "open")
        saves = drafting.create_statement(owner, title="Saved together", body="Version zero.")
        _, bearer = create_api_token(owner, "load")
        tokens: list[str] = []
        for n in range(signers + form_signers):
            token = new_token()
            db.session.add(Invitation(statement_id=statement.id, organisation=f"Partner {n}",
                                      email=f"partner{n}@load.example",
                                      token_hash=hash_token(token)))
            tokens.append(token)
        db.session.commit()
        made = Seed(statement.id, saves.id, tokens[:signers], tokens[signers:], bearer,
                    owner.email)
        db.session.remove()
        db.engine.dispose()
    return made


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Iterator[str]:
    """gunicorn on 127.0.0.1:port; stopped (and killed if it must be) on the way out."""
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "gunicorn", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--graceful-timeout", "10",
             "--backlog", "2048", "coalition:create_app()"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn stopped: see {log}")
                try:
                    if requests.get(f"{base}/login", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s")
                time.sleep(0.2)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=REQUEST_TIMEOUT)
    found = CSRF.search(page.text)
    if found is None:
        raise RuntimeError(f"no CSRF token on {url} ({page.status_code})")
    return html.unescape(found.group(1))


def _burst(jobs: list[Any], fire: Any, limit: float) -> list[Any]:
    """Run every job in its own thread, released together; bounded by `limit` seconds."""
    barrier = threading.Barrier(len(jobs), timeout=limit)

    def run(job: Any) -> Any:
        barrier.wait()
        try:
            return fire(job)
        except requests.RequestException as error:
            return ("error", repr(error))

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs, timeout=limit))


# --- phase 1: sign-ons ----------------------------------------------------------------------


def _signature(n: int) -> dict[str, str]:
    return {"name": f"Partner Organisation {n}", "signer_name": f"Signer {n}",
            "signer_email": f"signer{n}@partner{n}.example.org", "country": "FR"}


def sign_ons(base: str, data: Seed, duplicated: int, report: Report) -> None:
    """Every invitation signs at once by the API; some twice more; some by the form twice."""
    jobs: list[tuple[str, int, str]] = [("api", n, t) for n, t in enumerate(data.tokens)]
    jobs += [("api", n, data.tokens[n]) for n in range(duplicated) for _ in range(2)]
    form_sessions = {}
    for n, token in enumerate(data.form_tokens):
        for copy in range(2):
            session = requests.Session()
            form_sessions[(n, copy)] = (session, _csrf(session, f"{base}/i/{token}/sign"))
            jobs.append(("form", n * 2 + copy, token))

    def fire(job: tuple[str, int, str]) -> tuple[str, str, int]:
        kind, n, token = job
        if kind == "api":
            response = requests.post(f"{base}/api/v1/invitations/{token}/signature",
                                     json=_signature(n), timeout=REQUEST_TIMEOUT)
        else:
            session, csrf = form_sessions[(n // 2, n % 2)]
            response = session.post(
                f"{base}/i/{token}/sign",
                data={**_signature(10_000 + n // 2), "kind": "organisation", "csrf_token": csrf},
                timeout=REQUEST_TIMEOUT, allow_redirects=False,
            )
        return kind, token, response.status_code

    started = time.monotonic()
    results = _burst(jobs, fire, limit=300)
    took = time.monotonic() - started
    errors = [r for r in results if r[0] == "error"]
    report.check(not errors, f"sign-on requests failed: {errors[:3]}")
    answers = [r for r in results if r[0] != "error"]
    statuses = Counter(status for _, _, status in answers)
    report.figures.append(
        f"{len(jobs)} simultaneous sign-ons ({len(data.tokens)} invitations by the API, "
        f"{duplicated} of them three times, {len(data.form_tokens)} by the form twice) "
        f"in {took:.1f} s: {dict(sorted(statuses.items()))}"
    )
    report.check(all(s < 500 for s in statuses), f"server errors in sign-ons: {statuses}")
    created = Counter(token for kind, token, status in answers if kind == "api" and status == 201)
    replaced = Counter(token for kind, token, status in answers if kind == "api" and status == 200)
    report.check(all(created[t] == 1 for t in data.tokens),
                 f"invitations not created exactly once: "
                 f"{[n for n, t in enumerate(data.tokens) if created[t] != 1][:10]}")
    report.check(sum(replaced.values()) == 2 * duplicated,
                 f"{sum(replaced.values())} replacements, expected {2 * duplicated}")
    forms = [status for kind, _, status in answers if kind == "form"]
    report.check(forms == [302] * len(forms), f"form sign-ons answered {Counter(forms)}")


def check_signatures(url: str, data: Seed, duplicated: int, report: Report) -> None:
    """One live signature per invitation, every replacement kept as a superseded row."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        live = dict(connection.execute(text(
            "SELECT invitation_id, COUNT(*) FROM signature WHERE statement_id = :s "
            "AND status = 'live' GROUP BY invitation_id"), {"s": data.statement_id}).all())
        invitations = connection.execute(text(
            "SELECT COUNT(*) FROM invitation WHERE statement_id = :s"),
            {"s": data.statement_id}).scalar_one()
        superseded = connection.execute(text(
            "SELECT COUNT(*) FROM signature WHERE statement_id = :s AND status = 'superseded'"),
            {"s": data.statement_id}).scalar_one()
    engine.dispose()
    report.check(len(live) == invitations, f"{len(live)} invitations signed of {invitations}")
    report.check(all(count == 1 for count in live.values()),
                 f"doubled: {[i for i, c in live.items() if c != 1][:10]}")
    expected = 2 * duplicated + len(data.form_tokens)
    report.check(superseded == expected, f"{superseded} superseded rows, expected {expected}")
    report.figures.append(f"live signatures: {sum(live.values())} for {invitations} invitations; "
                          f"superseded rows kept: {superseded}")


# --- phase 2: simultaneous saves ------------------------------------------------------------


def saves(base: str, data: Seed, api_clients: int, form_clients: int, rounds: int,
          report: Report) -> None:
    """Each round, several clients save on the same base: exactly one wins, the rest get 409."""
    statement = data.saves_statement_id
    headers = {"Authorization": f"Bearer {data.bearer}"}
    browsers = []
    for _ in range(form_clients):
        session = requests.Session()
        csrf = _csrf(session, f"{base}/login")
        session.post(f"{base}/login", data={"email": data.email, "password": PASSWORD,
                                            "csrf_token": csrf}, timeout=REQUEST_TIMEOUT)
        browsers.append(session)
    base_revision = 1
    for round_ in range(rounds):
        jobs: list[tuple[str, int, str]] = []
        for n in range(api_clients):
            jobs.append(("api", n, f"Round {round_}: text of API client {n} <{n}> & more."))
        edit_tokens = [_csrf(s, f"{base}/statements/{statement}/edit") for s in browsers]
        for n in range(form_clients):
            jobs.append(("form", n, f"Round {round_}: text of browser {n} <{n}> & more."))

        def fire(job: tuple[str, int, str], base_revision: int = base_revision,
                 edit_tokens: list[str] = edit_tokens) -> tuple:
            kind, n, text = job
            if kind == "api":
                response = requests.post(
                    f"{base}/api/v1/statements/{statement}/revisions", headers=headers,
                    json={"body": text, "base_revision": base_revision},
                    timeout=REQUEST_TIMEOUT)
                body = response.json() if response.headers.get(
                    "Content-Type", "").startswith("application/json") else {}
                return kind, text, response.status_code, body
            response = browsers[n].post(
                f"{base}/statements/{statement}/edit",
                data={"title": "Saved together", "body": text, "note": "",
                      "substantive": "y", "base_revision": str(base_revision),
                      "csrf_token": edit_tokens[n]},
                timeout=REQUEST_TIMEOUT, allow_redirects=False)
            return kind, text, response.status_code, response.text

        results = _burst(jobs, fire, limit=120)
        errors = [r for r in results if r[0] == "error"]
        report.check(not errors, f"round {round_}: requests failed: {errors[:3]}")
        answers = [r for r in results if r[0] != "error"]
        winners = [r for r in answers if (r[0], r[2]) in (("api", 201), ("form", 302))]
        stale = [r for r in answers if r[2] == 409]
        others = [(r[0], r[2]) for r in answers if r not in winners and r not in stale]
        report.check(len(winners) == 1, f"round {round_}: {len(winners)} saves won on one base")
        report.check(not others, f"round {round_}: unexpected answers {others}")
        for kind, text, _, body in stale:
            if kind == "api":
                report.check(body.get("current_revision") == base_revision + 1,
                             f"round {round_}: 409 without current_revision {body}")
            else:
                report.check(html.escape(text, quote=False) in body or text in body,
                             f"round {round_}: a refused form lost its text")
        report.figures.append(
            f"round {round_}: {len(jobs)} saves on revision {base_revision}: "
            f"{len(winners)} won, {len(stale)} refused with 409"
        )
        if len(winners) == 1:
            base_revision += 1
            check = requests.get(f"{base}/api/v1/statements/{statement}/revisions/"
                                 f"{base_revision}", headers=headers, timeout=REQUEST_TIMEOUT)
            report.check(check.status_code == 200 and check.json()["body"] == winners[0][1],
                         f"round {round_}: the saved revision is not the winner's text")
        else:
            break
    final = requests.get(f"{base}/api/v1/statements/{statement}", headers=headers,
                         timeout=REQUEST_TIMEOUT).json()
    report.check(final.get("revision") == 1 + rounds,
                 f"{final.get('revision')} revisions after {rounds} rounds")


# --- the run --------------------------------------------------------------------------------


def run(url: str, args: argparse.Namespace, workdir: Path) -> Report:
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    report = Report(label)
    port = _free_port()
    env = _env(url, f"http://127.0.0.1:{port}")
    started = time.monotonic()
    make_schema(url)
    data = seed(url, args.signers, args.form_signers)
    log = workdir / f"gunicorn-{label.lower()}.log"
    with gunicorn(env, port, args.workers, log) as base:
        sign_ons(base, data, args.duplicated, report)
        saves(base, data, args.api_savers, args.form_savers, args.rounds, report)
    check_signatures(url, data, args.duplicated, report)
    server_log = log.read_text(errors="replace")
    for marker in ("Traceback", "database is locked", "[CRITICAL]", "WORKER TIMEOUT"):
        report.check(marker not in server_log, f"the server log shows {marker!r}: see {log}")
    report.figures.append(f"{label} run took {time.monotonic() - started:.1f} s")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="run on this database only")
    parser.add_argument("--signers", type=int, default=500, help="invitations signing at once")
    parser.add_argument("--duplicated", type=int, default=50,
                        help="invitations that sign twice more at the same moment")
    parser.add_argument("--form-signers", type=int, default=10,
                        help="invitations whose sign form is sent twice at once")
    parser.add_argument("--api-savers", type=int, default=6)
    parser.add_argument("--form-savers", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)

    urls: list[str] = []
    with tempfile.TemporaryDirectory(prefix="coalition-load-") as tmp:
        workdir = Path(tmp)
        if args.database_url:
            urls.append(args.database_url)
        else:
            urls.append(f"sqlite:///{workdir / 'load.sqlite'}")
            if os.environ.get("COALITION_TEST_DATABASE_URL"):
                urls.append(os.environ["COALITION_TEST_DATABASE_URL"])
        failed = False
        for url in urls:
            report = run(url, args, workdir)
            print(f"== {report.database} ==")
            for line in report.figures:
                print("  " + line)
            for line in report.failures:
                print("  FAIL: " + line)
            if report.failures:
                failed = True
                log = workdir / f"gunicorn-{report.database.lower()}.log"
                print(log.read_text(errors="replace")[-6000:])
        print("load test: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
