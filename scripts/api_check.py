"""The API against its own OpenAPI document: schemathesis on a live gunicorn, every check.

    .venv/bin/python scripts/api_check.py                      # SQLite (a fresh file)
    .venv/bin/python scripts/api_check.py --database-url URL   # e.g. postgresql+psycopg://...

With no --database-url, it runs on SQLite and then, when COALITION_TEST_DATABASE_URL is
set, on that PostgreSQL database too (its tables are dropped and made again: use a test
database). On each: the server is started as the load test starts it (scripts/load_test.py),
a lead and an API token are made, and schemathesis runs twice, with the token and without
one: `--checks all`, a bounded number of examples per operation, every phase including the
stateful one (the document's links lead it from a new statement to its revisions,
invitations and signatures). A fixed seed makes a run repeatable; pass --seed to explore.
Exits 1 on any finding. Every request goes to 127.0.0.1 and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import load_test  # noqa: E402 - the load test's server set-up, shared

PHASES = "examples,coverage,fuzzing,stateful"
LINE_MAX = 2000


def seed_token(url: str) -> str:
    """A lead with an API token in a fresh schema; the token."""
    from coalition import create_app
    from coalition.accounts.services import create_api_token, create_user
    from coalition.extensions import db

    load_test.make_schema(url)
    app = create_app(load_test._app_config(url))
    with app.app_context():
        owner = create_user("lead@api-check.example", load_test.PASSWORD,
                            organisation="API Check Lead", name="Lead")
        _, bearer = create_api_token(owner, "schemathesis")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return bearer


def schemathesis(base: str, token: str | None, args: argparse.Namespace, report: Path) -> int:
    # Without a token every lead route answers 401: fewer examples find what there is to find.
    examples = args.examples if token else max(5, args.examples // 3)
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file", str(ROOT / "scripts" / "schemathesis.toml"),
        "run", f"{base}/api/v1/openapi.json",
        "--url", f"{base}/api/v1",
        "--checks", "all",
        "--phases", PHASES,
        "--max-examples", str(examples),
        "--seed", str(args.seed),
        "--workers", "1",
        "--request-timeout", "30",
        "--report", "junit", "--report-junit-path", str(report),
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    shown = [c if "Bearer" not in c else "'Authorization: Bearer …'" for c in command[1:]]
    print("$ schemathesis " + " ".join(shown), flush=True)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter's tool
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace",
    )
    assert process.stdout is not None
    for output in process.stdout:  # a reproduction can hold megabytes of generated body
        print(output if len(output) <= LINE_MAX else output[:LINE_MAX] + " […]\n", end="",
              flush=True)
    return process.wait()


def run(url: str, args: argparse.Namespace, workdir: Path) -> bool:
    database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\n== {database} ==", flush=True)
    token = seed_token(url)
    port = args.port or load_test._free_port()
    log = workdir / f"gunicorn-{database.lower()}.log"
    env = load_test._env(url, f"http://127.0.0.1:{port}")
    ok = True
    with load_test.gunicorn(env, port, args.workers, log) as base:
        for label, bearer in (("with a token", token), ("without a token", None)):
            print(f"-- {database}, {label} --", flush=True)
            report = workdir / f"schemathesis-{database.lower()}-{label.split()[0]}.xml"
            if schemathesis(base, bearer, args, report) != 0:
                ok = False
    if not ok:
        print(log.read_text(errors="replace")[-6000:])
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="run on this database only")
    parser.add_argument("--examples", type=int, default=10, help="examples per operation")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    args = parser.parse_args(argv)
    urls = [args.database_url] if args.database_url else []
    with tempfile.TemporaryDirectory(prefix="coalition-api-check-") as tmp:
        workdir = Path(tmp)
        if not urls:
            urls.append(f"sqlite:///{workdir / 'api-check.sqlite'}")
            if os.environ.get("COALITION_TEST_DATABASE_URL"):
                urls.append(os.environ["COALITION_TEST_DATABASE_URL"])
        failed = [url for url in urls if not run(url, args, workdir)]
    print("api check: " + ("FAILED" if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
