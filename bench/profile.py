"""Profile one of the benchmark's requests in-process with pyinstrument.

``.venv/bin/python -m bench.profile TARGET [--count N] [--big N]`` loads the bench's data
into a temporary SQLite database (or ``--postgres URL``'s throwaway schema), sends the
request N times through Flask's test client, and prints pyinstrument's call tree and the
SQL statements of one request. TARGET is one of: sign, public, api, lead, diff, pdf, docx,
cached-pdf. pyinstrument is a dev extra (``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

TARGETS = ("sign", "floor", "public", "api", "lead", "diff", "pdf", "docx", "cached-pdf")


def main(argv: list[str] | None = None) -> int:
    from pyinstrument import Profiler

    from bench import data
    from bench.run import postgres_database, sqlite_database
    from coalition import create_app
    from coalition.extensions import db

    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("target", choices=TARGETS)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    parser.add_argument("--limits", action="store_true",
                        help="keep the rate limiter on (off by default: the count would hit it)")
    parser.add_argument("--time", action="store_true",
                        help="time the requests without the profiler (its hooks slow calls)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="coalition-profile-") as name:
        database = (
            postgres_database(args.postgres) if args.postgres else sqlite_database(Path(name))
        )
        try:
            app = create_app({**database.settings, "RATELIMIT_ENABLED": args.limits})
            if args.target == "floor":
                from bench.baseline_app import create_table
                from bench.wsgi import add_floor_route

                add_floor_route(app)
                create_table(database.settings)
            with app.app_context():
                db.create_all()
                loaded = data.load(
                    signon=args.count + 1, warmup=0, big=args.big, small=1_000,
                    words=20_000, edits=200,
                )
                db.session.remove()
            client = app.test_client()
            bearer = {"Authorization": f"Bearer {loaded.api_token}"}
            if args.target == "lead":
                client.post("/login", data={
                    "email": loaded.lead_email, "password": loaded.lead_password,
                })  # CSRF is on: fetch the form first
                page = client.get("/login").get_data(as_text=True)
                token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"')[0]
                client.post("/login", data={
                    "email": loaded.lead_email, "password": loaded.lead_password,
                    "csrf_token": token,
                })
            tokens = iter(loaded.signon_tokens)
            sent = itertools.count()

            def request() -> Any:
                if args.target == "sign":
                    n = next(tokens)
                    return client.post(f"/api/v1/invitations/{n}/signature", json={
                        "name": f"Partner {n}", "signer_name": "Signer",
                        "signer_email": "signer@partner.example.org", "country": "FR",
                    })
                if args.target == "floor":
                    n = next(tokens)
                    count = next(sent)
                    return client.post(f"/bench/floor/{n}/signature", json={
                        "name": f"Partner {n}", "signer_name": "Signer",
                        "signer_email": "signer@partner.example.org", "country": "FR",
                    }, headers={"X-Forwarded-For": f"10.1.{count // 250}.{count % 250}"})
                if args.target == "public":
                    return client.get(f"/s/{loaded.big_slug}")
                if args.target == "api":
                    return client.get(f"/api/v1/statements/{loaded.big_id}/signatories",
                                      headers=bearer)
                if args.target == "lead":
                    return client.get(f"/statements/{loaded.big_id}/signatories")
                if args.target == "diff":
                    return client.get(f"/api/v1/statements/{loaded.long_id}/diff?from=1&to=2",
                                      headers=bearer)
                fmt = "pdf" if args.target in ("pdf", "cached-pdf") else "docx"
                return client.get(f"/s/{loaded.small_slug}.{fmt}")

            if args.target == "cached-pdf":
                request()
            statements: list[str] = []

            def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
                statements.append(" ".join(statement.split())[:160])

            with app.app_context():
                engine = db.engine
            once = args.target in ("pdf", "docx")  # the first export is the one to see
            if not once:
                event.listen(engine, "before_cursor_execute", record)
                response = request()
                event.remove(engine, "before_cursor_execute", record)
            profiler = Profiler(interval=0.0005)
            count = 1 if once else args.count
            timings, cpu = [], []
            with contextlib.nullcontext() if args.time else profiler:
                for _ in range(count):
                    if once:
                        event.listen(engine, "before_cursor_execute", record)
                    start, start_cpu = time.perf_counter(), time.process_time()
                    response = request()
                    timings.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
            print(f"median {statistics.median(timings):.1f} ms, best {min(timings):.1f} ms "
                  f"of {count} requests; CPU median {statistics.median(cpu):.1f} ms "
                  f"(the machine's load inflates wall time, not CPU time)")
            print(f"{response.status_code}, {len(response.data):,} bytes, "
                  f"{len(statements)} SQL statements:")
            for line in statements:
                print("   ", line)
            if not args.time:
                print(profiler.output_text(unicode=True, color=False, show_all=args.all))
        finally:
            database.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
