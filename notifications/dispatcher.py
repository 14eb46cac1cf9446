"""Claim due outbox rows and deliver them: the two steps of jobs.dispatch's loop.

N sender threads each keep their own connections (``notifications.sender.Sender``).
A thread sends one message, hands its outcome to the group commit and waits until
it is recorded before it sends the next: the outcomes of all threads that finished
a send meanwhile go into one transaction (one UPDATE for the delivered ids). So at
any moment each thread has at most one message sent but not yet marked, and a crash
can duplicate at most one message per sender thread.
One pass without Prefect: ``python -m jobs.dispatch``.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.outbox import OutboxMessage
from models.settings import Settings
from models.types import utcnow
from notifications.marks import Clock as Clock
from notifications.marks import Outcome as Outcome
from notifications.marks import recorder
from notifications.outbox import claim_due_ids, release
from notifications.sender import Outgoing, Sender

OT: Any = OutboxMessage.__table__  # type: ignore[attr-defined]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def claim_ids(
    engine: Engine, settings: Settings, *, limit: int, worker: str, now: dt.datetime
) -> list[int]:
    """Claim one batch (SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""
    with session_scope(engine, immediate=True) as s:
        return claim_due_ids(
            s, now=now, limit=limit, worker=worker, lease_seconds=settings.outbox_lease_seconds
        )


class GroupCommit:
    """Outcomes handed in by several threads, recorded together: the first waiting
    thread records everything handed in so far while the others wait for it."""

    def __init__(self, record: Callable[[list[Outcome]], dict[int, str]]) -> None:
        self._record = record
        self._cond = threading.Condition()
        self._queue: list[Outcome] = []
        self._done: dict[int, str | BaseException] = {}
        self._busy = False

    def submit(self, outcome: Outcome) -> str:
        """Record one outcome (sent / retry / dead) once it is committed."""
        key = outcome[0]
        with self._cond:
            self._queue.append(outcome)
            while key not in self._done and self._busy:
                self._cond.wait()
            if key not in self._done:
                batch, self._queue, self._busy = self._queue, [], True
            else:
                batch = []
        if batch:
            got: dict[int, str | BaseException]
            try:
                got = dict(self._record(batch))
            except BaseException as exc:  # every waiter of this batch sees the error
                got = {i: exc for i, _ in batch}
            with self._cond:
                self._done.update(got)
                self._busy = False
                self._cond.notify_all()
        with self._cond:
            result = self._done.pop(key)
        if isinstance(result, BaseException):
            raise result
        return result


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
    with engine.connect() as conn:  # the columns a send reads, not ORM objects
        q = select(*(OT.c[name] for name in Outgoing._fields))
        msgs = [Outgoing(*r) for r in conn.execute(q.where(OT.c.id.in_(ids)).order_by(OT.c.id))]
    with recorder(engine, settings, clock) as record:
        commit = GroupCommit(record)
        queue: Iterator[Outgoing] = iter(msgs)
        take = threading.Lock()
        counts: Counter[str] = Counter()
        left: list[int] = []

        def sender_thread() -> None:
            with Sender(settings) as sender:
                while True:
                    with take:
                        msg = next(queue, None)
                    if msg is None:
                        return
                    if time.monotonic() > deadline:  # our lease is half gone
                        with take:
                            left.append(msg.id)
                        continue
                    status = commit.submit((msg.id, sender.send(msg)))
                    with take:
                        counts[status] += 1

        n = max(1, min(workers or settings.outbox_workers, len(msgs)))
        if n == 1:
            sender_thread()
        else:
            with ThreadPoolExecutor(max_workers=n) as pool:
                for future in [pool.submit(sender_thread) for _ in range(n)]:
                    future.result()
    if left:
        with session_scope(engine, immediate=True) as s:
            release(s, ids=left)
        counts["released"] += len(left)
    return dict(counts)
