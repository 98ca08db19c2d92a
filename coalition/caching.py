"""Small in-process caches for what can never change (a published edition and what is made from it).

Each app has its own caches (in ``app.extensions``), so a test's fresh database never sees
another's entries. They are bounded LRU maps, safe under gunicorn's threaded workers;
each worker process fills its own. Only values derived from write-once rows belong here:
the key must name everything the value depends on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app

V = TypeVar("V")


class LRU:
    """A bounded least-recently-used map."""

    def __init__(self, maxsize: int, maxbytes: int | None = None) -> None:
        self.maxsize = maxsize
        self.maxbytes = maxbytes  # with sizes given to put(): a bound on their sum too
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The cached value for `key`, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value for `key`, made (outside the lock) on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                value: V = self._items[key]
                return value
        value = make()
        self.put(key, value)
        return value

    def put(self, key: Hashable, value: Any, size: int = 0) -> None:
        """Store `value` under `key`, evicting the least recently used beyond the bounds.

        A value larger than `maxbytes` on its own is not kept.
        """
        if self.maxbytes is not None and size > self.maxbytes:
            return
        with self._lock:
            self._bytes += size - self._sizes.pop(key, 0)
            self._sizes[key] = size
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize or (
                self.maxbytes is not None and self._bytes > self.maxbytes
            ):
                old, _ = self._items.popitem(last=False)
                self._bytes -= self._sizes.pop(old, 0)

    def __len__(self) -> int:
        return len(self._items)


def cache(name: str, maxsize: int, maxbytes: int | None = None) -> LRU:
    """The current app's cache called `name`, made on first use."""
    caches: dict[str, LRU] = current_app.extensions.setdefault("coalition.caches", {})
    found = caches.get(name)
    if found is None:
        found = caches.setdefault(name, LRU(maxsize, maxbytes))
    return found
