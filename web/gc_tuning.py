"""The garbage collector of a serving process, settled once at start.

Measured at 1M steps (benchmarks/web.py, SQLite, one uvicorn worker, 30 req/s beside):
the regional page takes 25 ms, yet its p95 was 120-310 ms. The tail was CPython's full
(generation 2) collection: every ~0.6 s it walked the ~130,000 objects that the imports
of FastAPI, SQLAlchemy, pydantic and jinja2 leave behind, 80-90 ms each, in the middle
of whatever request was running. ``gc.freeze()`` after start moves those long-lived
objects out of the collector's sight (full collections fell to ~10 ms), and a larger
first-generation threshold makes collections rarer: the regional page's p95 fell from
121 to 31 ms, its worst request from 130 to 42 ms, the overview's p95 at 1M from 192 to
111 ms.

Only the serving entry points call it (``roadmap serve``, ``roadmap up``, ``uvicorn
web.asgi:app``): frozen objects are never collected, so a process that creates and
drops many apps (the tests) must not freeze each one.
"""

from __future__ import annotations

import gc

# The first generation collects after this many net allocations (CPython's default is
# 700): a request allocates thousands of short-lived objects, and a collection in the
# middle of one promotes them to older generations, which are then collected in full.
FIRST_GENERATION_THRESHOLD = 10_000


def settle_heap() -> int:
    """Collect once, freeze what survives (imports, the app, its engine, templates) and
    raise the first-generation threshold. Returns the number of frozen objects."""
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, second, third)
    return gc.get_freeze_count()
