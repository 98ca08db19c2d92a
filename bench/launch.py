"""Launch day (issue 18): the public side under load, the open sign-on, and scale-out.

- ``public``: the page and every public export of the published statement with 10,000
  signatories, 32 clients, beside the baseline app serving the very same bytes from
  memory (``/baseline/bytes/<name>``) under the same gunicorn settings.
- ``open``: the open sign-on form (``POST /open/<token>``) from 2,000 distinct addresses
  and e-mail domains, mail confirmation queued; then the confirmation button of each of
  the 2,000 pending signatures (``POST /open/confirm/<token>``), beside the one-INSERT
  baseline. Both forms carry a CSRF token: one session (cookie and token) is fetched first
  and used by every request, as a visitor's browser would after loading the form.
- ``scale``: PostgreSQL only. Coalition's sign-on through haproxy to one gunicorn process,
  then to two on different ports, the rate limits in a shared redis-server; every
  signature must be stored once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import balancer
from bench.load import Request, Run, load, one
from bench.server import Server, Workers

PUBLIC_RATIO = 0.8
OPEN_RATIO = 0.35
SCALE_GROWTH = 1.3  # two processes against one, on a machine with cores to spare
CLIENTS = 32



def public_addresses() -> list[tuple[str, str]]:
    """The page, every registered export format of the newest edition, the frame, the feed."""
    from coalition.domain import formats

    own = {"embed": "/s/{slug}/embed", "csv": "/s/{slug}/signatories.csv"}
    found = [("page", "/s/{slug}")]
    for fmt in formats.every():
        found.append((fmt.name, f"/s/{{slug}}.{fmt.name}" if fmt.dotted else own[fmt.name]))
    return [*found, ("frame", "/s/{slug}/frame"), ("feed", "/feed.atom")]


def _ratio(ours: Run, base: Run) -> float:
    return ours.throughput / base.throughput if base.throughput else 0.0


def measure_public(
    kind: str, port: int, loaded: Any, requests: int, limit: float, folder: Path,
    workers: Workers, env: dict[str, str], add: Callable[..., Any],
) -> None:
    """Each public address under 32 clients, ours beside the same bytes served bare."""
    kept = folder / "bytes"
    kept.mkdir(exist_ok=True)
    for name, path in public_addresses():
        first = one(port, Request("GET", path.format(slug=loaded.big_slug)), timeout=600)
        if first.status != 200:
            raise RuntimeError(f"{path}: {first.status} {first.body[:200]!r}")
        (kept / name).write_bytes(first.body)
        (kept / f"{name}.type").write_text(first.headers.get("content-type", ""))
    with Server("bench.baseline_app:application", workers=workers,
                env={**env, "COALITION_BENCH_BYTES": str(kept)},
                log_path=folder / "baseline-bytes.log", ready_path="/baseline/ready") as bare:
        for name, path in public_addresses():
            ours_request = Request("GET", path.format(slug=loaded.big_slug))
            bare_request = Request("GET", f"/baseline/bytes/{name}")
            # Warm: every worker keeps the answer (ours) and reads the file (bare).
            load(port, [ours_request] * 2 * CLIENTS, concurrency=CLIENTS, time_limit=limit)
            load(bare.port, [bare_request] * 2 * CLIENTS, concurrency=CLIENTS, time_limit=limit)
            base = load(bare.port, [bare_request] * requests, concurrency=CLIENTS,
                        time_limit=limit)
            ours = load(port, [ours_request] * requests, concurrency=CLIENTS, time_limit=limit)
            ratio = _ratio(ours, base)
            size = (kept / name).stat().st_size
            add(kind, f"public {name} ({size / 1024:,.0f} KB), {CLIENTS} clients / bare bytes",
                ratio, "x", f">= {PUBLIC_RATIO}",
                ratio >= PUBLIC_RATIO and _complete(ours) and _complete(base),
                {"ours": round(ours.throughput, 1), "baseline": round(base.throughput, 1),
                 "p99_ms": round(ours.p99, 1), "queries": _queries(ours),
                 "statuses": dict(ours.statuses)})


def _queries(run: Run) -> int | None:
    value = run.header_median("x-bench-queries")
    return int(value) if value is not None else None


def _complete(run: Run) -> bool:
    return run.ok == run.sent and not run.unfinished and run.ok > 0


def _form_session(port: int, path: str) -> tuple[str, str]:
    """A session cookie and its CSRF token, from the form's page."""
    page = one(port, Request("GET", path))
    if page.status != 200:
        raise RuntimeError(f"{path}: {page.status}")
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', page.body
    )
    cookies = [line.split(";", 1)[0] for line in page.headers.get("set-cookie", "").split("\n")]
    return "; ".join(c for c in cookies if c), match.group(1).decode() if match else ""


def _posts(paths: list[str], forms: list[dict[str, str]], cookie: str,
           offset: int) -> list[Request]:
    requests = []
    for n, (path, form) in enumerate(zip(paths, forms, strict=True), start=offset):
        address = f"10.{100 + ((n >> 16) & 127)}.{(n >> 8) & 255}.{n & 255}"
        requests.append(Request(
            "POST", path,
            (("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", cookie),
             ("X-Forwarded-For", address)),
            urlencode(form).encode(),
        ))
    return requests


def measure_open(
    kind: str, port: int, loaded: Any, count: int, limit: float, baseline: Run,
    confirm_tokens: Callable[[], list[str]], add: Callable[..., Any],
) -> None:
    """The open sign-on form from `count` addresses, then each confirmation button."""
    path = f"/open/{loaded.open_token}"
    cookie, csrf = _form_session(port, path)
    forms = [
        {"csrf_token": csrf, "name": f"Open Organisation {n}", "kind": "organisation",
         "country": "FR", "signer_name": f"Signer {n}", "signer_role": "",
         "signer_email": f"signer{n}@open{n}.example.org", "visibility": "named",
         "website": f"https://open{n}.example.org", "fax_number": ""}
        for n in range(count)
    ]
    requests = _posts([path] * count, forms, cookie, 0)
    ours = load(port, requests, concurrency=CLIENTS, time_limit=limit, ok_statuses=(200,))
    _report_open(kind, "open sign-on form", ours, baseline, add)
    tokens = confirm_tokens()
    confirms = _posts([f"/open/confirm/{token}" for token in tokens],
                      [{"csrf_token": csrf}] * len(tokens), cookie, 500_000)
    confirmed = load(port, confirms, concurrency=CLIENTS, time_limit=limit, ok_statuses=(200,))
    _report_open(kind, "open sign-on confirmation", confirmed, baseline, add,
                 expected=count)


def _report_open(kind: str, label: str, ours: Run, baseline: Run, add: Callable[..., Any],
                 expected: int | None = None) -> None:
    ratio = _ratio(ours, baseline)
    complete = _complete(ours) and (expected is None or ours.ok == expected)
    add(kind, f"{label}, {CLIENTS} clients / baseline", ratio, "x", f">= {OPEN_RATIO}",
        ratio >= OPEN_RATIO and complete,
        {"ours": round(ours.throughput, 1), "baseline": round(baseline.throughput, 1),
         "requests": ours.ok, "statuses": dict(ours.statuses), "queries": _queries(ours)})
    add(kind, f"{label} latency p99", ours.p99, "ms", "< 250 ms",
        ours.p99 < 250 and complete, {"p50_ms": round(ours.p50, 1), "requests": ours.ok})


def _sign_requests(tokens: list[str], offset: int) -> list[Request]:
    requests = []
    for n, token in enumerate(tokens, start=offset):
        body = {"name": f"Scale Partner {n}", "signer_name": f"Signer {n}",
                "signer_email": f"signer{n}@scale{n}.example.org", "country": "FR"}
        address = f"10.{200 + ((n >> 16) & 31)}.{(n >> 8) & 255}.{n & 255}"
        requests.append(Request.json("POST", f"/api/v1/invitations/{token}/signature", body,
                                     **{"X-Forwarded-For": address}))
    return requests


def measure_scale(
    kind: str, loaded: Any, limit: float, folder: Path, per_process: Workers,
    env: dict[str, str], stored: Callable[[list[str]], int], add: Callable[..., Any],
) -> None:
    """Sign-on through haproxy to one gunicorn process, then to two, over one database."""
    lacking = balancer.missing()
    if lacking:
        print(f"  · scale-out skipped: {', '.join(lacking)} not installed "
              "(apt-get install -y haproxy redis-server)", flush=True)
        return
    tokens = loaded.extra_tokens
    half = len(tokens) // 2
    warm = CLIENTS * 2
    runs: dict[int, Run] = {}
    warmed = 0
    with balancer.redis(folder) as redis:
        shared = {**env, "COALITION_BENCH_RATELIMIT_STORAGE_URI":
                  f"redis://127.0.0.1:{redis.port}/0"}
        for processes, batch in ((1, tokens[:half]), (2, tokens[half:])):
            servers = [
                Server("bench.wsgi:application", workers=per_process, env=shared,
                       log_path=folder / f"scale-{processes}-{n}.log", ready_path="/login")
                for n in range(processes)
            ]
            for server in servers:
                server.start()
            try:
                with balancer.haproxy(folder, [s.port for s in servers]) as front:
                    warmed += load(
                        front.port, _sign_requests(batch[:warm], processes * 100_000),
                        concurrency=CLIENTS, time_limit=limit, ok_statuses=(201,)).ok
                    runs[processes] = load(
                        front.port, _sign_requests(batch[warm:], processes * 100_000 + warm),
                        concurrency=CLIENTS, time_limit=limit, ok_statuses=(201,))
            finally:
                for server in servers:
                    server.stop()
    one_run, two_run = runs[1], runs[2]
    growth = two_run.throughput / one_run.throughput if one_run.throughput else 0.0
    label = f"{per_process.count} {per_process.worker_class} worker(s) each"
    add(kind, f"scale-out sign-on, 1 process ({label})", one_run.throughput,
        "signatures/s", "", None,
        {"p99_ms": round(one_run.p99, 1), "statuses": dict(one_run.statuses)})
    add(kind, "scale-out sign-on, 2 processes behind haproxy", two_run.throughput,
        "signatures/s", "", None,
        {"p99_ms": round(two_run.p99, 1), "statuses": dict(two_run.statuses)})
    add(kind, "scale-out growth, 2 processes / 1", growth, "x", f">= {SCALE_GROWTH}",
        growth >= SCALE_GROWTH and _complete(one_run) and _complete(two_run),
        {"ours": round(two_run.throughput, 1), "baseline": round(one_run.throughput, 1)})
    sent = one_run.ok + two_run.ok + warmed
    rows = stored(tokens)
    add(kind, "scale-out signatures stored once (rows / 201s)", rows / sent if sent else 0.0,
        "x", "= 1", rows == sent, {"requests": sent, "rows": rows})
