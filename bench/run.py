"""The benchmark suite: ``.venv/bin/python -m bench [--quick] [--postgres URL] [--json PATH]``.

For each database (SQLite always, PostgreSQL when a URL is given) it makes a fresh
database in a temporary folder (a throwaway schema on PostgreSQL), loads the data through
the services, serves Coalition and then a minimal baseline app under the same gunicorn
settings on 127.0.0.1, runs bounded loads against them (fixed request counts, time
limits), prints one line per figure with its target and PASS/FAIL, and writes the same
figures as JSON. It stops its servers and removes its database when done.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import launch
from bench.load import Request, Run, load, one
from bench.server import ROOT, Server, Workers

RESULTS = ROOT / "bench" / "results"

# Targets (issue 7), for the 2-core machine the project runs on.
RATIO_TARGET = 0.5
FLOOR_TARGET = 0.9  # one INSERT inside Coalition's app / the baseline (issue 18)
SIGN_P99_MS = 250.0
PAGE_P50_MS = 100.0
DIFF_MS = 150.0
FIRST_EXPORT_S = 5.0
CACHED_EXPORT_MS = 20.0
RSS_MB = 200.0
CLIENTS = 32


@dataclass(frozen=True)
class Sizes:
    """How much data and how many requests: the full run, or --quick for a smoke test."""

    signon: int
    warmup: int
    big: int
    small: int
    words: int
    edits: int
    page_requests: int
    cached_requests: int
    diff_runs: int
    time_limit: float
    public_requests: int = 600  # per public address, 32 clients
    open_signons: int = 2000  # distinct addresses on the open sign-on form, then confirmed
    scale: int = 1000  # sign-ons per scale-out run (one process, then two)

    @classmethod
    def full(cls) -> Sizes:
        return cls(2000, 2 * CLIENTS, 10_000, 1_000, 20_000, 200, 100, 50, 15, 120.0)

    @classmethod
    def quick(cls) -> Sizes:
        return cls(400, 2 * CLIENTS, 10_000, 1_000, 20_000, 200, 20, 10, 5, 60.0,
                   public_requests=150, open_signons=2000, scale=400)


@dataclass
class Figure:
    """One measured figure, with its target when it has one."""

    database: str
    name: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        digits = 2 if self.unit == "x" else 1
        value = f"{self.value:,.{digits}f} {self.unit}" if self.value == self.value else "n/a"
        verdict = "" if self.passed is None else ("PASS" if self.passed else "FAIL")
        target = f"target {self.target}" if self.target else ""
        extra = ", ".join(f"{k} {v}" for k, v in self.detail.items() if k in SHOWN)
        return (
            f"{self.database:<10} {self.name:<44} {value:>18}   {target:<16} {verdict:<4}"
            + (f"   ({extra})" if extra else "")
        ).rstrip()


# Details worth a look on the printed line (the JSON has them all).
SHOWN = {
    "p50_ms", "p99_ms", "queries", "baseline", "ours", "requests", "workers_mb", "bytes",
    "errors", "best_ms", "statuses",
}


class Report:
    """Figures as they come: printed at once, kept for the JSON file."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(figure.line(), flush=True)
        return figure


def note(message: str) -> None:
    print(f"  · {message}", flush=True)


# --- the machine ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Cores, CPU model, load, versions and the date: what a figure depends on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 0
    try:
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        memory = 0
    import gunicorn
    import sqlalchemy

    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": cores,
        "cpu_model": model,
        "memory_mb": memory,
        "load_average": list(os.getloadavg()),
        "python": platform.python_version(),
        "gunicorn": gunicorn.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }


# --- databases -----------------------------------------------------------------------------


@dataclass
class Database:
    """A fresh database for one run: a file on SQLite, a throwaway schema on PostgreSQL."""

    kind: str
    settings: dict[str, Any]
    cleanup: Callable[[], None]


def sqlite_database(folder: Path) -> Database:
    url = f"sqlite:///{folder / 'coalition.sqlite'}"
    return Database("sqlite", _settings(url, {}), lambda: None)


def postgres_database(url: str) -> Database:
    from sqlalchemy import create_engine, text

    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    schema = f"coalition_bench_{os.getpid()}_{secrets.token_hex(3)}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()

    def drop() -> None:
        dropper = create_engine(url)
        with dropper.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        dropper.dispose()

    # Every connection of the run (ours, the baseline's, the loader's) works in the schema.
    options = {"connect_args": {"options": f"-c search_path={schema}"}}
    return Database("postgresql", _settings(url, options), drop)


def _settings(url: str, engine_options: dict[str, Any]) -> dict[str, Any]:
    """Production settings except what a loopback bench needs (see the comments)."""
    return {
        "SECRET_KEY": secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
        "BASE_URL": "http://127.0.0.1",
        # The clients tell their own address in X-Forwarded-For, as behind a proxy, so the
        # per-address sign-on rate limit stays on and applies to each partner apart.
        "PROXIES": 1,
    }


# --- measurements --------------------------------------------------------------------------


def _sign_requests(path: str, tokens: list[str], offset: int) -> list[Request]:
    requests = []
    for n, token in enumerate(tokens, start=offset):
        body = {
            "name": f"Load Partner Organisation {n}",
            "signer_name": f"Signer {n}",
            "signer_email": f"signer{n}@load-partner{n}.example.org",
            "country": "FR",
        }
        address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        requests.append(
            Request.json("POST", path.format(token=token), body, **{"X-Forwarded-For": address})
        )
    return requests


def sign_on(port: int, path: str, tokens: list[str], warmup: list[str], limit: float) -> Run:
    """32 clients in a closed loop, each request a different invitation."""
    load(port, _sign_requests(path, warmup, 1_000_000), concurrency=CLIENTS,
         time_limit=limit, ok_statuses=(201,))
    return load(port, _sign_requests(path, tokens, 0), concurrency=CLIENTS,
                time_limit=limit, ok_statuses=(201,))


def login(port: int, email: str, password: str) -> str:
    """A lead session cookie, from the login form (with its CSRF token)."""
    page = one(port, Request("GET", "/login"))
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page.body
    )
    cookie = _cookie(page.headers)
    form = {"email": email, "password": password}
    if match:
        form["csrf_token"] = match.group(1).decode()
    from urllib.parse import urlencode

    answer = one(port, Request(
        "POST", "/login",
        (("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie)),
        urlencode(form).encode(),
    ))
    if answer.status != 302:
        raise RuntimeError(f"login failed: {answer.status} {answer.body[:300]!r}")
    return _cookie(answer.headers) or cookie


def _cookie(headers: dict[str, str]) -> str:
    cookies = [line.split(";", 1)[0] for line in headers.get("set-cookie", "").split("\n")]
    return "; ".join(c for c in cookies if c)


def page(port: int, request: Request, count: int, limit: float, warmup: int = 3) -> Run:
    """One client after another: the time a page takes to make, not queueing."""
    load(port, [request] * warmup, concurrency=1, time_limit=limit)
    return load(port, [request] * count, concurrency=1, time_limit=limit)


def _run_detail(run: Run) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "requests": run.ok,
        "p50_ms": round(run.p50, 1),
        "p99_ms": round(run.p99, 1),
        "statuses": dict(run.statuses),
    }
    queries = run.header_median("x-bench-queries")
    if queries is not None:
        detail["queries"] = int(queries)
    if run.unfinished or run.errors:
        detail["unfinished"] = run.unfinished
        detail["errors"] = run.errors[:3]
    return detail


def _complete(run: Run) -> bool:
    return run.ok == run.sent and not run.unfinished and run.ok > 0


def measure_diff(report: Report, sizes: Sizes) -> None:
    """(3) The word diff in-process: the redline pages and the diff API run exactly this."""
    from bench.diff_bench import edit, lay_out, make_words, text
    from coalition.domain.revisions import redline_html, word_diff

    laid_out = lay_out(make_words(sizes.words, seed=1), seed=2)
    old, new = text(laid_out), text(edit(laid_out, sizes.edits, seed=3))
    for name, function in (("word diff", word_diff), ("redline HTML", redline_html)):
        timings = []
        for _ in range(sizes.diff_runs):
            start = time.perf_counter()
            function(old, new)
            timings.append((time.perf_counter() - start) * 1000)
        median = statistics.median(timings)
        report.add(Figure(
            "-", f"{name} {sizes.words:,} words, {sizes.edits} edits (median)", median, "ms",
            f"< {DIFF_MS:.0f} ms", median < DIFF_MS,
            {"best_ms": round(min(timings), 1), "runs": sizes.diff_runs},
        ))


PARTS = ("sign", "pages", "diff", "exports", "public", "open", "scale", "memory")


def run_database(
    database: Database,
    folder: Path,
    sizes: Sizes,
    workers: Workers,
    report: Report,
    parts: tuple[str, ...] = PARTS,
    scale_workers: int = 1,
) -> None:
    """Everything measured on one database (or the `parts` asked for)."""
    from bench import baseline_app, data
    from coalition import create_app
    from coalition.extensions import db

    kind = database.kind
    scaled = "scale" in parts and kind == "postgresql"
    settings_path = folder / "settings.json"
    settings_path.write_text(json.dumps(database.settings))
    env = {"COALITION_BENCH_CONFIG": str(settings_path)}

    start = time.perf_counter()
    app = create_app(database.settings)
    with app.app_context():
        db.create_all()
        loaded = data.load(
            # The one-INSERT baseline signs with these tokens too (open sign-on's ratio).
            signon=sizes.signon if ("sign" in parts or "open" in parts) else 0,
            warmup=sizes.warmup if ("sign" in parts or "open" in parts) else 0,
            big=sizes.big if ("pages" in parts or "public" in parts) else 0,
            open_signon="open" in parts,
            big_exports="public" in parts,
            extra=2 * (sizes.scale + 2 * CLIENTS) if scaled else 0,
            small=sizes.small if "exports" in parts else 0,
            words=sizes.words if "diff" in parts else 0,
            edits=sizes.edits,
        )
        db.session.remove()
        db.engine.dispose()
    baseline_app.create_table(database.settings)
    note(f"{kind}: data loaded through the services in {time.perf_counter() - start:.1f} s")

    baseline_rss: list[float] = []
    if "sign" in parts or "open" in parts:
        # (1) The baseline first, then ours, back to back: the same machine state for both.
        with Server("bench.baseline_app:application", workers=workers, env=env,
                    log_path=folder / "baseline.log", ready_path="/baseline/ready") as server:
            baseline = sign_on(server.port, "/baseline/{token}/signature",
                               loaded.signon_tokens, loaded.warmup_tokens, sizes.time_limit)
            baseline_rss = server.worker_rss_mb()

    with Server("bench.wsgi:application", workers=workers,
                env={**env, "COALITION_BENCH_COUNT_QUERIES": "1"},
                log_path=folder / "coalition.log", ready_path="/login") as server:
        port = server.port
        if "sign" in parts:
            measure_sign_on(kind, port, loaded, sizes, baseline, report)
            measure_floor(kind, port, loaded, sizes, baseline, report)
        if "open" in parts:
            launch.measure_open(kind, port, loaded, sizes.open_signons, sizes.time_limit,
                                baseline, lambda: confirm_tokens(database, loaded.open_id),
                                _add(report))
        if "public" in parts:
            launch.measure_public(kind, port, loaded, sizes.public_requests, sizes.time_limit,
                                  folder, workers, env, _add(report))
        if "pages" in parts:
            measure_pages(kind, port, loaded, sizes, report)
        if "diff" in parts:
            # (3) The diff through the API, beside the in-process figure.
            bearer = (("Authorization", f"Bearer {loaded.api_token}"),)
            run = page(port, Request(
                "GET", f"/api/v1/statements/{loaded.long_id}/diff?from=1&to=2", bearer),
                max(5, sizes.page_requests // 4), sizes.time_limit)
            report.add(Figure(kind, f"diff API {sizes.words:,} words p50", run.p50, "ms",
                              "", None, _run_detail(run)))
        if "exports" in parts:
            measure_exports(kind, port, loaded, sizes, report)
        if "memory" in parts:
            # (5) Memory of the workers after all of the above.
            sizes_mb = server.worker_rss_mb()
            largest = max(sizes_mb, default=float("nan"))
            report.add(Figure(
                kind, "worker resident memory after the load (max)", largest, "MB",
                f"< {RSS_MB:.0f} MB", bool(sizes_mb) and largest < RSS_MB,
                {"workers_mb": [round(m) for m in sizes_mb],
                 "baseline_workers_mb": [round(m) for m in baseline_rss]},
            ))
    if "scale" in parts:
        if not scaled:
            note("scale-out runs on PostgreSQL only (--postgres URL)")
        else:
            per_process = Workers(scale_workers, workers.worker_class, workers.threads)
            launch.measure_scale(kind, loaded, sizes.time_limit, folder, per_process, env,
                                 lambda tokens: stored_signatures(database, tokens),
                                 _add(report))


def _add(report: Report) -> Callable[..., Any]:
    """report.add for the launch module, which builds its figures from plain values."""
    def add(*values: Any) -> None:
        report.add(Figure(*values))
    return add


def _engine(database: Database) -> Any:
    from sqlalchemy import create_engine

    return create_engine(database.settings["SQLALCHEMY_DATABASE_URI"],
                         **database.settings["SQLALCHEMY_ENGINE_OPTIONS"])


def confirm_tokens(database: Database, statement_id: int) -> list[str]:
    """The confirmation links the open sign-on queued (read from the outbox, as a mail would be)."""
    from sqlalchemy import select

    from coalition.models import OutboxMessage

    engine = _engine(database)
    with engine.connect() as connection:
        bodies = connection.execute(
            select(OutboxMessage.body_text).where(OutboxMessage.statement_id == statement_id)
        ).scalars().all()
    engine.dispose()
    tokens = []
    for body in bodies:
        match = re.search(r"/open/confirm/([A-Za-z0-9_-]+)", body)
        if match:
            tokens.append(match.group(1))
    return tokens


def stored_signatures(database: Database, tokens: list[str]) -> int:
    """How many signature rows the invitations of `tokens` hold (each should hold one)."""
    from sqlalchemy import func, select

    from coalition.models import Invitation, Signature
    from coalition.security import hash_token

    engine = _engine(database)
    with engine.connect() as connection:
        count = connection.execute(
            select(func.count(Signature.id))
            .join(Invitation, Invitation.id == Signature.invitation_id)
            .where(Invitation.token_hash.in_([hash_token(token) for token in tokens]))
        ).scalar_one()
    engine.dispose()
    return int(count)


def measure_sign_on(
    kind: str, port: int, loaded: Any, sizes: Sizes, baseline: Run, report: Report
) -> None:
    """(1) Ours under the same load as the baseline, and the ratio."""
    ours = sign_on(port, "/api/v1/invitations/{token}/signature", loaded.signon_tokens,
                   loaded.warmup_tokens, sizes.time_limit)
    ratio = ours.throughput / baseline.throughput if baseline.throughput else 0.0
    report.add(Figure(
        kind, f"sign-on throughput, {CLIENTS} clients", ours.throughput, "signatures/s",
        "", None, _run_detail(ours),
    ))
    report.add(Figure(
        kind, "baseline throughput (one INSERT)", baseline.throughput, "requests/s",
        "", None, _run_detail(baseline),
    ))
    report.add(Figure(
        kind, "sign-on throughput ours/baseline", ratio, "x", f">= {RATIO_TARGET}",
        ratio >= RATIO_TARGET and _complete(ours) and _complete(baseline),
        {"ours": round(ours.throughput, 1), "baseline": round(baseline.throughput, 1)},
    ))
    report.add(Figure(
        kind, "sign-on latency p99", ours.p99, "ms", f"< {SIGN_P99_MS:.0f} ms",
        ours.p99 < SIGN_P99_MS and _complete(ours),
        {"p50_ms": round(ours.p50, 1), "requests": ours.ok},
    ))


def measure_floor(
    kind: str, port: int, loaded: Any, sizes: Sizes, baseline: Run, report: Report
) -> None:
    """(1, context) The baseline's one INSERT served by Coalition's own app, same load.

    No target: it shows how much of the baseline any route of this app can reach before
    doing its own work (bench/wsgi.py, add_floor_route).
    """
    from bench.baseline_app import FLOOR_PATH

    floor = sign_on(port, FLOOR_PATH, loaded.signon_tokens, loaded.warmup_tokens,
                    sizes.time_limit)
    ratio = floor.throughput / baseline.throughput if baseline.throughput else 0.0
    report.add(Figure(
        kind, "one INSERT inside Coalition's app", floor.throughput, "requests/s",
        "", None, _run_detail(floor),
    ))
    report.add(Figure(
        kind, "one INSERT inside Coalition / baseline", ratio, "x", f">= {FLOOR_TARGET}",
        ratio >= FLOOR_TARGET and _complete(floor) and _complete(baseline),
        {"ours": round(floor.throughput, 1), "baseline": round(baseline.throughput, 1)},
    ))


def measure_pages(kind: str, port: int, loaded: Any, sizes: Sizes, report: Report) -> None:
    """(2) The pages of a statement with 10,000 signatories, one request after another."""
    cookie = login(port, loaded.lead_email, loaded.lead_password)
    bearer = (("Authorization", f"Bearer {loaded.api_token}"),)
    pages = [
        ("public page /s/<slug>", Request("GET", f"/s/{loaded.big_slug}")),
        ("signatories API",
         Request("GET", f"/api/v1/statements/{loaded.big_id}/signatories", bearer)),
        ("lead's signatories page",
         Request("GET", f"/statements/{loaded.big_id}/signatories", (("Cookie", cookie),))),
    ]
    for label, request in pages:
        run = page(port, request, sizes.page_requests, sizes.time_limit)
        detail = _run_detail(run)
        detail["bytes"] = len(one(port, request).body)
        report.add(Figure(
            kind, f"{label}, {loaded.big_count:,} signatories p50", run.p50, "ms",
            f"< {PAGE_P50_MS:.0f} ms", run.p50 < PAGE_P50_MS and _complete(run), detail,
        ))


def measure_exports(kind: str, port: int, loaded: Any, sizes: Sizes, report: Report) -> None:
    """(4) PDF and DOCX of a published statement with 1,000 signatories: first, then cached."""
    for fmt in ("pdf", "docx"):
        request = Request("GET", f"/s/{loaded.small_slug}.{fmt}")
        first = one(port, request, timeout=120)
        ok = first.status == 200
        report.add(Figure(
            kind, f"{fmt.upper()} export, {loaded.small_count:,} signatories, first",
            first.seconds, "s", f"< {FIRST_EXPORT_S:.0f} s",
            ok and first.seconds < FIRST_EXPORT_S,
            {"bytes": len(first.body), "statuses": {first.status: 1}},
        ))
        run = page(port, request, sizes.cached_requests, sizes.time_limit, warmup=2)
        report.add(Figure(
            kind, f"{fmt.upper()} export, cached (p50)", run.p50, "ms",
            f"< {CACHED_EXPORT_MS:.0f} ms", run.p50 < CACHED_EXPORT_MS and _complete(run),
            _run_detail(run),
        ))


# --- the command ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Coalition's benchmark suite: figures, targets, PASS/FAIL.",
    )
    parser.add_argument("--postgres", metavar="URL",
                        help="also run on PostgreSQL (postgresql+psycopg://user:pw@host/db); "
                        "the run works in a throwaway schema it drops at the end")
    parser.add_argument("--quick", action="store_true",
                        help="fewer requests (same data sizes): a smoke test, not a record")
    parser.add_argument("--json", metavar="PATH", type=Path,
                        help="where to write the figures (default bench/results/<time>.json)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                        help="gunicorn worker class (sync)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument("--only", action="append", choices=PARTS, metavar="PART",
                        help=f"measure only these parts ({', '.join(PARTS)}); repeatable")
    parser.add_argument("--scale-workers", type=int, default=1,
                        help="gunicorn workers in each process of the scale-out runs (1)")
    parser.add_argument("--skip-sqlite", action="store_true",
                        help="with --postgres: measure PostgreSQL only")
    args = parser.parse_args(argv)

    sizes = Sizes.quick() if args.quick else Sizes.full()
    workers = Workers(args.workers, args.worker_class, args.threads)
    info = machine()
    print(
        f"Coalition benchmark, {info['date']}: {info['nproc']} cores ({info['cpu_model']}), "
        f"load average {info['load_average'][0]:.2f}, Python {info['python']}, "
        f"{workers.describe()}, {CLIENTS} clients{', QUICK' if args.quick else ''}",
        flush=True,
    )
    report = Report()
    parts = tuple(args.only or PARTS)
    if "diff" in parts:
        measure_diff(report, sizes)
    databases: list[Callable[[Path], Database]] = []
    if not args.skip_sqlite:
        databases.append(sqlite_database)
    if args.postgres:
        databases.append(lambda _folder: postgres_database(args.postgres))
    for make in databases:
        with tempfile.TemporaryDirectory(prefix="coalition-bench-") as name:
            folder = Path(name)
            database = make(folder)
            try:
                run_database(database, folder, sizes, workers, report, parts,
                             args.scale_workers)
            finally:
                database.cleanup()

    judged = [f for f in report.figures if f.passed is not None]
    failed = [f for f in judged if not f.passed]
    info["load_average_end"] = list(os.getloadavg())
    path = args.json or RESULTS / f"{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "machine": info,
        "quick": args.quick,
        "workers": asdict(workers),
        "clients": CLIENTS,
        "sizes": asdict(sizes),
        "figures": [asdict(f) for f in report.figures],
    }, indent=2, default=str))
    print(
        f"{len(judged) - len(failed)}/{len(judged)} targets met"
        + (f"; FAIL: {', '.join(f'{f.database} {f.name}' for f in failed)}" if failed else "")
        + f". Load average at the end {info['load_average_end'][0]:.2f}. Figures: {path}",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
