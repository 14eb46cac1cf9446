"""A short-lived, per-scope cache of the overview counts.

Counting every step by municipality and status is a scan of the step index (tens
of milliseconds at 100,000 steps); the overview reuses the result for
``Settings.web_overview_cache_seconds``. Writes made through this app clear the
cache at once; writes made elsewhere (the sweep, the CLI) show up after the TTL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TTLCache(Generic[T]):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._data: dict[object, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: object, compute: Callable[[], T]) -> T:
        if self.seconds <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        with self._lock:
            self._data[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
