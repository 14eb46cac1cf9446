"""The transactional outbox: enqueue, claim, mark sent / failed, dead letters, retry.

Enqueue is idempotent on ``dedupe_key`` on both databases (INSERT ... ON CONFLICT
DO NOTHING). Claiming uses ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
caller holds the write lock (``session_scope(immediate=True)``). A row stays in
``sending`` while a dispatcher delivers it; if that dispatcher dies, the row goes
back to ``pending`` once its lease expires, so nothing is lost and only the row in
flight can be delivered twice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session

from domain.errors import ConflictError, NotFoundError
from models.outbox import OutboxMessage, OutboxStatus
from models.settings import Settings

T: Any = OutboxMessage.__table__  # type: ignore[attr-defined]
ENQUEUE_FIELDS = (
    "dedupe_key",
    "municipality_id",
    "step_id",
    "person_id",
    "rule",
    "channel",
    "target",
    "subject",
    "body_text",
    "body_html",
    "body_short",
    "not_before",
)
INSERT_CHUNK = 2000


def enqueue(
    session: Session,
    *,
    dedupe_key: str,
    municipality_id: int | None,
    step_id: int | None,
    person_id: int | None,
    rule: str,
    channel: str,
    target: str,
    subject: str,
    body_text: str,
    body_html: str,
    body_short: str,
    not_before: dt.datetime,
) -> bool:
    """Insert one message; False (and no change) if its key is already there."""
    row = dict(
        dedupe_key=dedupe_key,
        municipality_id=municipality_id,
        step_id=step_id,
        person_id=person_id,
        rule=rule,
        channel=channel,
        target=target,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        body_short=body_short,
        not_before=not_before,
    )
    return enqueue_many(session, [row]) == 1


def enqueue_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert many messages at once; returns how many were new."""
    inserted = 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = rows[0]["not_before"] if rows else None
    for i in range(0, len(rows), INSERT_CHUNK):
        chunk = []
        for r in rows[i : i + INSERT_CHUNK]:
            row = {k: r[k] for k in ENQUEUE_FIELDS}
            row.update(
                status=OutboxStatus.pending.value,
                attempts=0,
                next_attempt_at=r["not_before"],
                created_at=r.get("created_at", now),
            )
            chunk.append(row)
        stmt = insert(T).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(T.c.id)
        inserted += len(session.execute(stmt, chunk).all())
    return inserted


def release_expired(session: Session, *, now: dt.datetime, lease_seconds: float) -> int:
    """Rows left in ``sending`` by a dead dispatcher go back to ``pending``."""
    cutoff = now - dt.timedelta(seconds=lease_seconds)
    res = session.execute(
        update(T)
        .where(and_(T.c.status == OutboxStatus.sending.value, T.c.claimed_at < cutoff))
        .values(status=OutboxStatus.pending.value, claimed_by=None)
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def release(session: Session, *, ids: list[int]) -> int:
    """Give claimed rows back to the queue unsent (no attempt is counted)."""
    res = session.execute(
        update(T)
        .where(and_(T.c.id.in_(ids), T.c.status == OutboxStatus.sending.value))
        .values(status=OutboxStatus.pending.value, claimed_by=None)
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def claim_due_ids(
    session: Session,
    *,
    now: dt.datetime,
    limit: int,
    worker: str,
    lease_seconds: float = 300.0,
) -> list[int]:
    """Take up to ``limit`` due pending rows, mark them ``sending`` by ``worker``, in one
    UPDATE ... RETURNING (ids ascending).

    PostgreSQL: the due rows are picked ``FOR UPDATE SKIP LOCKED``, so several workers
    claim at once. SQLite: call inside ``session_scope(engine, immediate=True)``.
    """
    release_expired(session, now=now, lease_seconds=lease_seconds)
    due = (
        select(T.c.id)
        .where(and_(T.c.status == OutboxStatus.pending.value, T.c.next_attempt_at <= now))
        .order_by(T.c.next_attempt_at, T.c.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    res = session.execute(
        update(T)
        .where(T.c.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.sending.value, claimed_at=now, claimed_by=worker)
        .returning(T.c.id)
    )
    return sorted(int(r[0]) for r in res)


def claim(
    session: Session,
    *,
    now: dt.datetime,
    limit: int,
    worker: str,
    lease_seconds: float = 300.0,
) -> list[OutboxMessage]:
    """``claim_due_ids`` returning the claimed rows (by id)."""
    ids = claim_due_ids(session, now=now, limit=limit, worker=worker, lease_seconds=lease_seconds)
    if not ids:
        return []
    rows = session.execute(select(OutboxMessage).where(T.c.id.in_(ids)).order_by(T.c.id))
    return [r[0] for r in rows]


def mark_sent(session: Session, *, message_id: int, now: dt.datetime) -> bool:
    """Record a delivery (no-op if already sent)."""
    return mark_sent_many(session, ids=[message_id], now=now) == 1


_MARK_SENT = (
    update(T)
    .where(and_(T.c.id.in_(bindparam("ids", expanding=True)), T.c.status != "sent"))
    .values(status=OutboxStatus.sent.value, sent_at=bindparam("now"), last_error=None)
)  # built once: the dispatcher runs it after every group of sends


def mark_sent_many(session: Session | Connection, *, ids: Sequence[int], now: dt.datetime) -> int:
    """Record the delivery of many rows in one UPDATE (rows already sent stay as they are)."""
    if not ids:
        return 0
    res = session.execute(_MARK_SENT, {"ids": list(ids), "now": now})
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def backoff_seconds(attempts: int, settings: Settings, rng: random.Random | None = None) -> float:
    """Capped exponential backoff with jitter: base·2^(n-1), capped, times 0.5–1.0."""
    raw = settings.outbox_backoff_base_seconds * (2 ** max(attempts - 1, 0))
    capped = min(raw, settings.outbox_backoff_cap_seconds)
    return float(capped * (0.5 + 0.5 * (rng or random).random()))


def mark_failed(
    session: Session | Connection,
    *,
    message_id: int,
    error: str,
    now: dt.datetime,
    settings: Settings,
    rng: random.Random | None = None,
) -> OutboxStatus:
    """Count a failed attempt: retry later, or dead letter after the last attempt."""
    row = session.execute(select(T.c.attempts, T.c.status).where(T.c.id == message_id)).first()
    if row is None or row.status == OutboxStatus.sent.value:
        return OutboxStatus.sent if row is not None else OutboxStatus.dead
    attempts = int(row.attempts) + 1
    if attempts >= settings.outbox_max_attempts:
        status, next_at = OutboxStatus.dead, now
    else:
        status = OutboxStatus.pending
        next_at = now + dt.timedelta(seconds=backoff_seconds(attempts, settings, rng))
    session.execute(
        update(T)
        .where(T.c.id == message_id)
        .values(
            status=status.value,
            attempts=attempts,
            next_attempt_at=next_at,
            last_error=error[:2000],
            claimed_by=None,
        )
    )
    return status


def retry(session: Session, *, message_id: int, now: dt.datetime) -> OutboxMessage:
    """Put a dead (or waiting) message back to the front of the queue."""
    msg = session.get(OutboxMessage, message_id)
    if msg is None:
        raise NotFoundError(f"сообщение №{message_id} не найдено в очереди")
    if msg.status == OutboxStatus.sent:
        raise ConflictError(f"сообщение №{message_id} уже доставлено")
    if msg.status == OutboxStatus.sending:
        raise ConflictError(f"сообщение №{message_id} сейчас отправляется")
    msg.status = OutboxStatus.pending
    msg.attempts = 0
    msg.next_attempt_at = now
    session.add(msg)
    session.flush()
    return msg


def retry_dead(
    session: Session,
    *,
    now: dt.datetime,
    channel: str | None = None,
    since: dt.datetime | None = None,
) -> int:
    """Re-queue every dead letter (of one channel, and/or dead since ``since``) at once;
    attempts start again from zero. Returns how many went back to the queue."""
    if since is not None and since.tzinfo is None:
        raise ValueError("naive datetime refused")
    # A dead letter's next_attempt_at is the moment it was given up.
    cond = [T.c.status == OutboxStatus.dead.value]
    if channel:  # a kind (email, webhook, …) or a configured name (mail or @mail)
        cond.append(or_(T.c.channel == channel, T.c.target == "@" + channel.lstrip("@")))
    if since is not None:
        cond.append(T.c.next_attempt_at >= since)
    res = session.execute(
        update(T)
        .where(and_(*cond))
        .values(status=OutboxStatus.pending.value, attempts=0, next_attempt_at=now)
    )
    return int(res.rowcount or 0)  # type: ignore[attr-defined]


def list_messages(
    session: Session,
    *,
    status: Iterable[str] = (),
    step_id: int | None = None,
    person_id: int | None = None,
    limit: int = 200,
) -> list[OutboxMessage]:
    """The delivery log, newest first, filtered by status, step or person."""
    q = select(OutboxMessage)
    statuses = list(status)
    if statuses:
        q = q.where(T.c.status.in_(statuses))
    if step_id is not None:
        q = q.where(T.c.step_id == step_id)
    if person_id is not None:
        q = q.where(T.c.person_id == person_id)
    q = q.order_by(T.c.id.desc()).limit(limit)
    return [r[0] for r in session.execute(q)]
