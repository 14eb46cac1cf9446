"""Crash test: a dispatcher process killed with SIGKILL at random points loses nothing
and duplicates at most one message per sender thread per kill (counted by the receiver's
Idempotency-Key log). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter

import pendulum
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from models import OutboxMessage
from models.db import session_scope
from notifications.outbox import enqueue_many
from tests.notifications_fixtures import start_http_sink

MESSAGES = 1200
KILLS = 20


def _spawn(env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "jobs.dispatch", "--batch-size", "10", "--workers", str(workers)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 4])
def test_sigkill_at_random_points_loses_nothing(engine: Engine, db_url: str, workers: int) -> None:
    """With N sender threads a kill may duplicate up to N messages (one per thread)."""
    sink = start_http_sink(delay=0.008)
    messages = MESSAGES * workers  # N threads drain N times faster: as many kills fit
    past = pendulum.datetime(2025, 1, 1, tz="UTC")
    rows = [
        dict(
            dedupe_key=f"crash:{i}",
            municipality_id=None,
            step_id=None,
            person_id=None,
            rule="on_day",
            channel="webhook",
            target=sink.url(),
            subject=f"Сообщение {i}",
            body_text="Текст",
            body_html="",
            body_short="",
            not_before=past,
        )
        for i in range(messages)
    ]
    with session_scope(engine) as s:
        assert enqueue_many(s, rows) == messages
    env = {
        **os.environ,
        "SOCZAKAZ_DATABASE_URL": db_url,
        "SOCZAKAZ_OUTBOX_LEASE_SECONDS": "1",
        "SOCZAKAZ_OUTBOX_MAX_ATTEMPTS": "100",
    }
    rng = random.Random(20250313)
    kills = 0
    try:
        while kills < KILLS:
            before = len(sink.keys())
            proc = _spawn(env, workers)
            deadline = time.monotonic() + 60
            while len(sink.keys()) == before and proc.poll() is None:
                assert time.monotonic() < deadline, "dispatcher never started sending"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.3))
            if proc.poll() is not None:
                break  # finished on its own: everything was sent
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
        assert kills >= KILLS, f"only {kills} kills before the queue drained"
        time.sleep(1.2)  # leases of rows left in "sending" expire
        final = _spawn(env, workers)
        _out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err.decode()[-2000:]
    finally:
        sink.server.shutdown()
        sink.server.server_close()
    received = Counter(sink.keys())
    expected = {r["dedupe_key"] for r in rows}
    lost = expected - set(received)
    duplicates = sum(n - 1 for n in received.values())
    print(
        f"\ncrash test: workers={workers} kills={kills} received={sum(received.values())} "
        f"unique={len(received)} lost={len(lost)} duplicates={duplicates}"
    )
    assert not lost
    assert set(received) == expected
    assert duplicates <= kills * workers
    with session_scope(engine) as s:
        statuses: dict[str, int] = dict(
            s.execute(  # type: ignore[arg-type]
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
    assert statuses == {"sent": messages}
