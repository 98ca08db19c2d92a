"""The rate limiter's memory:// storage counts and forgets like the library's, without a
timer thread started by each request (coalition/ratelimits.py)."""

from __future__ import annotations

import threading
import time

import pytest
from limits.storage import storage_from_string

from coalition.ratelimits import LeanMemoryStorage


def test_memory_storage_is_the_lean_one() -> None:
    assert isinstance(storage_from_string("memory://"), LeanMemoryStorage)


def test_requests_far_apart_start_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = storage_from_string("memory://")
    time.sleep(0.05)  # the timer made at start has run out
    started: list[object] = []
    monkeypatch.setattr(threading.Timer, "start", lambda timer: started.append(timer))
    for _ in range(3):
        storage.incr("key", expiry=60)
        time.sleep(0.02)  # the library started a new Timer when the last one had finished
    assert started == []
    assert storage.get("key") == 3


def test_counters_expire_and_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = storage_from_string("memory://")
    assert isinstance(storage, LeanMemoryStorage)
    storage.incr("gone", expiry=0.05)
    storage.incr("kept", expiry=60)
    time.sleep(0.06)
    assert storage.get("gone") == 0 and storage.get("kept") == 1
    storage.incr("other", expiry=0.01)
    time.sleep(0.02)
    monkeypatch.setattr(storage, "_next_sweep", 0.0)
    storage.incr("kept", expiry=60)  # sweeps in the calling thread
    assert "other" not in storage.storage and storage.get("kept") == 2
