"""Outbox on both databases: idempotent enqueue, claiming, backoff, dead letters."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pendulum
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from domain.errors import ConflictError, NotFoundError
from models import OutboxMessage, OutboxStatus
from models.db import session_scope
from models.settings import Settings
from notifications.outbox import (
    backoff_seconds,
    claim,
    enqueue,
    list_messages,
    mark_failed,
    mark_sent,
    retry,
)

NOW = pendulum.datetime(2025, 3, 13, 7, 0, tz="UTC")


def _enqueue(s: object, key: str, *, not_before: dt.datetime = NOW) -> bool:
    return enqueue(
        s,  # type: ignore[arg-type]
        dedupe_key=key,
        municipality_id=None,
        step_id=None,
        person_id=None,
        rule="before:1",
        channel="webhook",
        target="json://127.0.0.1:9/x",
        subject="Тема",
        body_text="Текст",
        body_html="<p>Текст</p>",
        body_short="Коротко",
        not_before=not_before,
    )


def _count(engine: Engine, status: str | None = None) -> int:
    with session_scope(engine) as s:
        q = select(func.count()).select_from(OutboxMessage)
        if status:
            q = q.where(OutboxMessage.status == status)
        return int(s.exec(q).one())


def test_enqueue_twice_is_one_row(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert _enqueue(s, "k1") is True
    with session_scope(engine) as s:
        assert _enqueue(s, "k1") is False
        assert _enqueue(s, "k2") is True
    assert _count(engine) == 2


def test_claim_takes_only_due_rows_and_marks_them_sending(engine: Engine) -> None:
    with session_scope(engine) as s:
        _enqueue(s, "due")
        _enqueue(s, "later", not_before=NOW + dt.timedelta(hours=2))
    with session_scope(engine, immediate=True) as s:
        got = claim(s, now=NOW, limit=10, worker="w1")
    assert [m.dedupe_key for m in got] == ["due"]
    assert got[0].status == OutboxStatus.sending and got[0].claimed_by == "w1"
    with session_scope(engine, immediate=True) as s:
        assert claim(s, now=NOW, limit=10, worker="w2") == []


def test_expired_lease_returns_row_to_the_queue(engine: Engine) -> None:
    with session_scope(engine) as s:
        _enqueue(s, "k")
    with session_scope(engine, immediate=True) as s:
        assert len(claim(s, now=NOW, limit=5, worker="dead", lease_seconds=60)) == 1
    with session_scope(engine, immediate=True) as s:
        assert (
            claim(s, now=NOW + dt.timedelta(seconds=30), limit=5, worker="w", lease_seconds=60)
            == []
        )
    with session_scope(engine, immediate=True) as s:
        again = claim(s, now=NOW + dt.timedelta(seconds=61), limit=5, worker="w", lease_seconds=60)
    assert [m.claimed_by for m in again] == ["w"]


def test_concurrent_claims_never_share_a_row(engine: Engine) -> None:
    with session_scope(engine) as s:
        for i in range(60):
            _enqueue(s, f"k{i}")
    got: dict[str, list[int]] = {}
    barrier = threading.Barrier(3)

    def worker(name: str) -> None:
        barrier.wait()
        ids: list[int] = []
        while True:
            with session_scope(engine, immediate=True) as s:
                batch = claim(s, now=NOW, limit=7, worker=name)
            if not batch:
                break
            ids += [m.id for m in batch if m.id is not None]
        got[name] = ids

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    all_ids = [i for ids in got.values() for i in ids]
    assert len(all_ids) == 60 and len(set(all_ids)) == 60


def test_failures_back_off_then_dead_letter_with_last_error(engine: Engine) -> None:
    cfg = Settings(
        outbox_max_attempts=3, outbox_backoff_base_seconds=10, outbox_backoff_cap_seconds=15
    )
    with session_scope(engine) as s:
        _enqueue(s, "k")
    rng = random.Random(1)
    now: dt.datetime = NOW
    statuses = []
    for attempt in range(3):
        with session_scope(engine, immediate=True) as s:
            (msg,) = claim(s, now=now, limit=1, worker="w")
            statuses.append(
                mark_failed(
                    s,
                    message_id=msg.id or 0,
                    error=f"451 попытка {attempt}",
                    now=now,
                    settings=cfg,
                    rng=rng,
                )
            )
        with session_scope(engine) as s:
            row = s.get(OutboxMessage, msg.id)
            assert row is not None
            if attempt < 2:
                delay = (row.next_attempt_at - now).total_seconds()
                cap = min(10 * 2**attempt, 15)
                assert cap / 2 <= delay <= cap
                now = row.next_attempt_at
    assert statuses == [OutboxStatus.pending, OutboxStatus.pending, OutboxStatus.dead]
    with session_scope(engine) as s:
        (dead,) = list_messages(s, status=["dead"])
        assert dead.attempts == 3 and dead.last_error == "451 попытка 2"
        retried = retry(s, message_id=dead.id or 0, now=now)
        assert retried.status == OutboxStatus.pending and retried.attempts == 0
    with session_scope(engine, immediate=True) as s:
        (msg,) = claim(s, now=now, limit=1, worker="w")
        assert mark_sent(s, message_id=msg.id or 0, now=now)
    with session_scope(engine) as s:
        with pytest.raises(ConflictError, match="уже доставлено"):
            retry(s, message_id=msg.id or 0, now=now)
        with pytest.raises(NotFoundError, match="не найдено"):
            retry(s, message_id=999999, now=now)
    assert _count(engine, "sent") == 1


@pytest.mark.parametrize(
    ("attempts", "lo", "hi"),
    [
        (1, 15.0, 30.0),
        (2, 30.0, 60.0),
        (3, 60.0, 120.0),
        (10, 1800.0, 3600.0),
        (30, 1800.0, 3600.0),
    ],
)
def test_backoff_is_exponential_capped_and_jittered(attempts: int, lo: float, hi: float) -> None:
    cfg = Settings(outbox_backoff_base_seconds=30, outbox_backoff_cap_seconds=3600)
    values = {backoff_seconds(attempts, cfg, random.Random(seed)) for seed in range(20)}
    assert all(lo <= v <= hi for v in values)
    assert len(values) > 1  # jitter
