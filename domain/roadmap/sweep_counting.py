"""Step counters during a sweep that rewrites much of its batch (SQLite, issue 19).

SQLite's row triggers (``models.status_counts``) add -1 and +1 to ``step_count`` for
every status change: two upserts per row, about a fifth of the first sweep's cost. When
a batch is about to change more than one step in ``RECOUNT_SHARE`` of its steps, the
sweep drops those triggers inside its own transaction, recounts the batch's
municipalities with one ``GROUP BY`` over the (municipality, status) index at the end
and puts the triggers back before the commit. SQLite has one writer at a time and the
sweep holds the write lock from the first DROP on, so no other write can go uncounted;
DDL is transactional there, so a rollback restores the triggers as well.

A quiet day changes under 1 % of the steps and keeps the row triggers (a recount of
every step of the batch would cost more than the few upserts). PostgreSQL's statement
triggers aggregate per statement already and are left alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection

from models.status_counts import SQLITE_DDL, TRIGGERS

# A recount reads every step of the batch (~0.1 us each), the triggers cost ~2 us per
# changed row: recounting pays off above one change in ~20 steps; 16 leaves a margin.
RECOUNT_SHARE = 16


def _count(conn: Connection, sql: str, params: dict[str, Any], *dates: str) -> int:
    dates_used = [d for d in dates if f":{d}" in sql]
    stmt = text(sql).bindparams(
        bindparam("ids", expanding=True), *(bindparam(d, type_=Date) for d in dates_used)
    )
    used = {k: v for k, v in params.items() if k == "ids" or k in dates_used}
    return int(conn.execute(stmt, used).scalar() or 0)


def bulk_change(
    conn: Connection,
    municipality_ids: list[int],
    moves: list[tuple[str, str]],
    *,
    today: dt.date,
    cutoff: dt.date,
) -> bool:
    """Whether the time moves (target status, date condition) of one local date change
    more than one step in ``RECOUNT_SHARE`` of the municipalities' steps (SQLite only)."""
    if conn.dialect.name == "postgresql" or not municipality_ids:
        return False
    parts = [
        f"(SELECT count(*) FROM step WHERE municipality_id IN :ids"
        f" AND status <> '{target}' AND status IN ('overdue', 'due', 'due_soon', 'planned')"
        f" AND {condition})"
        for target, condition in moves
    ]
    params = {"ids": municipality_ids, "today": today, "cutoff": cutoff}
    moving = _count(conn, "SELECT " + " + ".join(parts), params, "today", "cutoff")
    steps = _count(
        conn, "SELECT coalesce(sum(n), 0) FROM step_count WHERE municipality_id IN :ids", params
    )
    return moving * RECOUNT_SHARE > steps


def recount(conn: Connection, municipality_ids: list[int]) -> None:
    """The counters of these municipalities from their steps (one GROUP BY)."""
    for sql in (
        "DELETE FROM step_count WHERE municipality_id IN :ids",
        "INSERT INTO step_count (municipality_id, status, n)"
        " SELECT municipality_id, status, count(*) FROM step WHERE municipality_id IN :ids"
        " GROUP BY municipality_id, status",
    ):
        conn.execute(
            text(sql).bindparams(bindparam("ids", expanding=True)), {"ids": municipality_ids}
        )


@contextmanager
def counted_by_recount(
    conn: Connection, municipality_ids: list[int], *, bulk: bool
) -> Iterator[None]:
    """Inside: no count triggers when ``bulk`` (SQLite); after, even on an error, the
    municipalities recounted and the triggers back. Only these municipalities' steps
    may be written inside."""
    if not bulk or conn.dialect.name == "postgresql":
        yield
        return
    for name in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        recount(conn, municipality_ids)
        for statement in SQLITE_DDL:
            conn.exec_driver_sql(statement)
