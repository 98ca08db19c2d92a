"""Start and stop gunicorn on loopback, and read its workers' memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import LOOPBACK, Request, one

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Workers:
    """gunicorn's worker settings, the same for ours and the baseline."""

    count: int = 4
    worker_class: str = "sync"
    threads: int = 1
    timeout: int = 120  # a first PDF export of a long list takes seconds

    def describe(self) -> str:
        threads = f", {self.threads} threads each" if self.worker_class == "gthread" else ""
        return f"gunicorn {self.count} {self.worker_class} workers{threads}"


_handed_out: set[int] = set()


def free_port() -> int:
    """A port nobody listens on now: the kernel's choice, or on a shared machine the first
    free one of ``COALITION_BENCH_PORTS`` (e.g. ``5270-5289``) not handed out yet."""
    ports = os.environ.get("COALITION_BENCH_PORTS", "")
    if ports:
        low, _, high = ports.partition("-")
        for port in range(int(low), int(high or low) + 1):
            if port in _handed_out:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind((LOOPBACK, port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
        _handed_out.clear()  # every port used once: start again from the first free one
        return free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """One gunicorn master serving `app_spec` on 127.0.0.1, stopped on exit."""

    def __init__(
        self,
        app_spec: str,
        *,
        workers: Workers,
        env: dict[str, str],
        log_path: Path,
        ready_path: str,
    ) -> None:
        self.app_spec = app_spec
        self.workers = workers
        self.env = env
        self.log_path = log_path
        self.ready_path = ready_path
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self, boot_timeout: float = 90.0) -> None:
        command = [
            sys.executable, "-m", "gunicorn",
            "--bind", f"{LOOPBACK}:{self.port}",
            "--workers", str(self.workers.count),
            "--worker-class", self.workers.worker_class,
            "--threads", str(self.workers.threads),
            "--timeout", str(self.workers.timeout),
            "--graceful-timeout", "5",
            "--backlog", "2048",
            "--log-level", "warning",
            "--error-logfile", str(self.log_path),
            "--chdir", str(ROOT),
            self.app_spec,
        ]
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + boot_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log_path}")
            if len(self.worker_pids()) >= self.workers.count:
                try:
                    if one(self.port, Request("GET", self.ready_path), timeout=5).status == 200:
                        return
                except (OSError, ConnectionError, TimeoutError):
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {boot_timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def worker_pids(self) -> list[int]:
        """The master's child processes (the workers), from /proc."""
        if self.process is None:
            return []
        master = self.process.pid
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command may hold spaces and parentheses: fields start after the last ')'.
            fields = stat[stat.rfind(")") + 2 :].split()
            if len(fields) > 1 and int(fields[1]) == master:
                children.append(int(entry.name))
        return sorted(children)

    def worker_rss_mb(self) -> list[float]:
        """Each worker's resident memory (VmRSS), in MB."""
        sizes = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes
