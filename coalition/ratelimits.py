"""The rate limiter's in-process storage (``RATELIMIT_STORAGE_URI = "memory://"``).

The ``limits`` library's memory storage forgets expired counters on a ``threading.Timer``
that stops after each sweep and is started again by the next request: under load nearly
every request started a thread (about 0.4 ms of a worker, measured with bench.profile).
This storage takes the ``memory`` scheme over (the library's own registry of schemes,
``limits.storage.SCHEMES``) and sweeps in the calling thread at most once a second
instead. Counters still expire exactly: ``get`` drops an expired key before reading it.
Redis (``redis://``) is unaffected.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage


class LeanMemoryStorage(MemoryStorage):
    """limits' MemoryStorage without a timer thread per sweep."""

    STORAGE_SCHEME = ["memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS
        self._sweep_lock = threading.Lock()

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides the mangled name
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweep_lock.release()
