"""haproxy and redis-server from the distribution, started and stopped by the bench.

``apt-get install -y haproxy redis-server`` (Debian). Each runs in the foreground as a
child of the bench on a free loopback port, with its configuration in the run's temporary
folder, and is stopped when the block ends. Absent binaries are reported, not installed.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from bench.load import LOOPBACK
from bench.server import free_port


def missing() -> list[str]:
    """The programs the scale-out measurement needs and this machine lacks."""
    return [name for name in ("haproxy", "redis-server") if shutil.which(name) is None]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name} did not listen on {port}")


class Child:
    """A program run in the foreground on loopback, stopped on exit."""

    def __init__(self, name: str, command: list[str], port: int, log: Path) -> None:
        self.name, self.command, self.port, self.log = name, command, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Child:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
                self.command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_for_port(self.port, self.process, self.name)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def redis(folder: Path) -> Child:
    """A throwaway redis-server: no persistence, loopback only."""
    port = free_port()
    command = [
        str(shutil.which("redis-server")), "--port", str(port), "--bind", LOOPBACK,
        "--save", "", "--appendonly", "no", "--dir", str(folder), "--daemonize", "no",
    ]
    return Child("redis-server", command, port, folder / "redis.log")


def haproxy(folder: Path, backends: list[int]) -> Child:
    """haproxy on a free port, round robin over the gunicorn ports given (HTTP mode)."""
    port = free_port()
    servers = "\n".join(
        f"    server app{n} {LOOPBACK}:{backend} maxconn 64" for n, backend in enumerate(backends)
    )
    config = folder / f"haproxy-{port}.cfg"
    config.write_text(
        "global\n    maxconn 4096\n\n"
        "defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n"
        "    timeout server 120s\n    option http-server-close\n\n"
        f"frontend bench\n    bind {LOOPBACK}:{port}\n    default_backend apps\n\n"
        f"backend apps\n    balance roundrobin\n{servers}\n"
    )
    command = [str(shutil.which("haproxy")), "-db", "-f", str(config)]
    return Child("haproxy", command, port, folder / f"haproxy-{port}.log")
