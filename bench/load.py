"""A small HTTP/1.1 load generator on asyncio: bounded, loopback only, no dependencies.

Each request opens its own connection and sends ``Connection: close`` (gunicorn's sync
workers close after every response anyway), so ours and the baseline pay the same
connection cost. A run is bounded twice: a fixed list of requests and a time limit after
which whatever has not finished is abandoned and counted as such.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    """One HTTP request to send."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def json(cls, method: str, path: str, payload: Any, **headers: str) -> Request:
        return cls(
            method,
            path,
            (("Content-Type", "application/json"), *headers.items()),
            json.dumps(payload).encode(),
        )


@dataclass
class Response:
    """What came back: status, headers (lower-cased names), body, seconds taken."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Run:
    """The outcome of a bounded load."""

    sent: int
    seconds: float  # from the first request's start to the last response
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    statuses: Counter[int] = field(default_factory=Counter)  # 0: connection error
    unfinished: int = 0  # abandoned at the time limit
    headers: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, share: float) -> float:
        """A latency percentile in milliseconds (nearest rank), NaN without data."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    def header_median(self, name: str) -> float | None:
        """The median of a numeric response header (the bench's query counter)."""
        values = [float(h[name]) for h in self.headers if name in h]
        return statistics.median(values) if values else None


async def _send(port: int, request: Request, timeout: float) -> Response:
    start = time.perf_counter()
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(LOOPBACK, port), timeout=timeout
    )
    try:
        lines = [
            f"{request.method} {request.path} HTTP/1.1",
            f"Host: {LOOPBACK}:{port}",
            "Connection: close",
            "User-Agent: coalition-bench",
            f"Content-Length: {len(request.body)}",
            *(f"{name}: {value}" for name, value in request.headers),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=timeout)
    finally:
        writer.close()
    seconds = time.perf_counter() - start
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ConnectionError(f"not an HTTP response: {status_line[:80]!r}")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name in headers:  # repeated headers (Set-Cookie) are kept, one per line
            headers[name] += "\n" + value.strip()
        else:
            headers[name] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _unchunk(body)
    return Response(int(parts[1]), headers, body, seconds)


def _unchunk(data: bytes) -> bytes:
    out = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += data[:size]
        data = data[size + 2 :]
    return bytes(out)


async def _run(
    port: int,
    requests: list[Request],
    concurrency: int,
    time_limit: float,
    ok_statuses: tuple[int, ...],
    request_timeout: float,
) -> Run:
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    run = Run(sent=0, seconds=0.0)
    first_start = time.perf_counter()
    last_end = first_start

    async def client() -> None:
        nonlocal last_end
        while True:
            try:
                request = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            run.sent += 1
            try:
                response = await _send(port, request, request_timeout)
            except (TimeoutError, OSError, ConnectionError) as error:
                run.statuses[0] += 1
                if len(run.errors) < 5:
                    run.errors.append(f"{request.method} {request.path}: {error!r}")
                continue
            last_end = time.perf_counter()
            run.statuses[response.status] += 1
            if response.status in ok_statuses:
                run.latencies.append(response.seconds)
                run.headers.append(response.headers)
            elif len(run.errors) < 5:
                run.errors.append(
                    f"{request.method} {request.path}: {response.status} {response.body[:200]!r}"
                )

    tasks = [asyncio.create_task(client()) for _ in range(max(1, concurrency))]
    done, pending = await asyncio.wait(tasks, timeout=time_limit)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        task.result()
    run.unfinished = len(requests) - run.ok - sum(
        count for status, count in run.statuses.items() if status not in ok_statuses
    )
    run.seconds = last_end - first_start
    return run


def load(
    port: int,
    requests: list[Request],
    *,
    concurrency: int,
    time_limit: float,
    ok_statuses: tuple[int, ...] = (200,),
    request_timeout: float = 30.0,
) -> Run:
    """Send `requests` with `concurrency` clients in a closed loop; stop at `time_limit` s."""
    return asyncio.run(
        _run(port, requests, concurrency, time_limit, ok_statuses, request_timeout)
    )


def one(port: int, request: Request, timeout: float = 60.0) -> Response:
    """Send one request and return its response (raises on a connection error)."""
    return asyncio.run(_send(port, request, timeout))
