"""Claim due outbox rows and deliver them: the two steps of jobs.dispatch's loop.

Each message is marked in its own short transaction right after its send, so a
crash can duplicate only the messages in flight (one per sender thread).
One pass without Prefect: ``python -m jobs.dispatch``.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.outbox import OutboxMessage, OutboxStatus
from models.settings import Settings
from models.types import utcnow
from notifications.channels import send
from notifications.outbox import claim, mark_failed, mark_sent, release

Clock = Callable[[], dt.datetime]
OT: Any = OutboxMessage.__table__  # type: ignore[attr-defined]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def claim_ids(
    engine: Engine, settings: Settings, *, limit: int, worker: str, now: dt.datetime
) -> list[int]:
    """Claim one batch (SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""
    with session_scope(engine, immediate=True) as s:
        rows = claim(
            s, now=now, limit=limit, worker=worker, lease_seconds=settings.outbox_lease_seconds
        )
        return [m.id for m in rows if m.id is not None]


def _deliver_one(
    engine: Engine, settings: Settings, msg: OutboxMessage, clock: Clock, deadline: float
) -> str:
    if time.monotonic() > deadline:
        return "released"  # our lease is half gone: leave the row to a fresh claim
    result = send(msg, settings)
    assert msg.id is not None
    with session_scope(engine, immediate=True) as s:
        if result.ok:
            mark_sent(s, message_id=msg.id, now=clock())
            return "sent"
        status = mark_failed(
            s, message_id=msg.id, error=result.error, now=clock(), settings=settings
        )
    return "dead" if status == OutboxStatus.dead else "retry"


def deliver_ids(
    engine: Engine,
    settings: Settings,
    ids: list[int],
    *,
    workers: int | None = None,
    clock: Clock = utcnow,
) -> dict[str, int]:
    """Send the claimed rows; counts of sent / retry / dead / released.

    Rows not started before half of the lease has elapsed (slow or failing servers)
    go back to the queue instead of racing a worker that re-claims them.
    """
    if not ids:
        return {}
    deadline = time.monotonic() + settings.outbox_lease_seconds / 2
    with session_scope(engine) as s:
        q = select(OutboxMessage).where(OT.c.id.in_(ids)).order_by(OT.c.id)
        msgs = [m for (m,) in s.execute(q)]
    n = max(1, workers or settings.outbox_workers)
    if n == 1:
        outcomes = [_deliver_one(engine, settings, m, clock, deadline) for m in msgs]
    else:
        with ThreadPoolExecutor(max_workers=n) as pool:
            outcomes = list(
                pool.map(lambda m: _deliver_one(engine, settings, m, clock, deadline), msgs)
            )
    left = [m.id for m, o in zip(msgs, outcomes, strict=True) if o == "released" and m.id]
    if left:
        with session_scope(engine, immediate=True) as s:
            release(s, ids=left)
    return dict(Counter(outcomes))
