"""The deadline sweep: set-based status updates for a batch of municipalities.

A handful of SQL statements per batch, each touching only rows that change:

1. lock the municipalities of the batch (PostgreSQL advisory locks; on SQLite the
   caller holds ``BEGIN IMMEDIATE``), so concurrent sweeps never double-update;
2. roll recurring steps forward into the current period — in full once a month,
   otherwise only in roadmaps logged as changed (``domain.roadmap.rollforward``);
3. for roadmaps logged as changed since the last sweep (``sweep_pending``, filled
   by triggers), recompute unfinished dependencies and mark those steps
   ``blocked`` with ``blocked_by``; release the steps no longer blocked;
4. per local date of the municipalities (at most two dates across Russia at any
   instant), four UPDATEs: overdue / due / due_soon / planned, each over the index
   ranges (municipality, status, due date) whose transition moment has passed —
   so a day on which 0.75 % of the steps change touches 0.75 % of the rows.

Every UPDATE skips rows already in the target status and never touches done/waived,
so running it twice changes nothing and ``status_changed_at`` moves only on change.
No Prefect here, and no step is ever loaded into Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from domain.calendar.workdays import add_working_days
from domain.roadmap.blockers import (
    clear_blockers,
    fill_blockers,
    forget_pending,
    id_lists,
    mark_blocked,
    read_pending,
)
from domain.roadmap.deadlines import local_date
from domain.roadmap.rollforward import roll_forward_due
from models.roadmap import StepStatus
from models.status_counts import current_counts, fold_counts
from models.types import UTCDateTime

TIME_STATUSES = (StepStatus.overdue, StepStatus.due, StepStatus.due_soon, StepStatus.planned)
# Namespace of our advisory locks (first int4 key), the municipality id is the second.
SWEEP_LOCK_NAMESPACE = 4_242


def _ids(conn: Connection, sql: str) -> Any:
    return id_lists(conn, sql, "ids")


def lock_municipalities(conn: Connection, municipality_ids: list[int]) -> None:
    """Serialise sweeps of the same municipalities until the transaction ends.

    PostgreSQL: transaction-scoped advisory locks taken in id order (no deadlocks).
    SQLite has one writer at a time; the caller opens the transaction with
    ``session_scope(immediate=True)``.
    """
    if conn.dialect.name == "postgresql":
        # The planner overestimates JSON rows and would spend seconds JIT-compiling.
        conn.execute(text("SET LOCAL jit = off"))
        conn.execute(text("SET LOCAL work_mem = '64MB'"))  # transition tables in memory
        conn.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(:ns, m)) FROM"
                " (SELECT unnest(CAST(:ids AS integer[])) AS m ORDER BY m) AS t"
            ),
            {"ns": SWEEP_LOCK_NAMESPACE, "ids": sorted(municipality_ids)},
        )


def _date_condition(status: StepStatus) -> str:
    return {
        StepStatus.overdue: "due_date < :today",
        StepStatus.due: "due_date = :today",
        StepStatus.due_soon: "due_date > :today AND due_date < :cutoff",
        StepStatus.planned: "due_date >= :cutoff",
    }[status]


def _mark_by_date(
    conn: Connection,
    municipality_ids: list[int],
    *,
    status: StepStatus,
    today: dt.date,
    cutoff: dt.date,
    now: dt.datetime,
    released: list[int] | None = None,
) -> int:
    """Move rows to ``status``: time-status rows in its date range, or (``released``:
    roadmap ids) blocked rows of those roadmaps that have no blockers any more."""
    if released is None:
        others = ", ".join(f"'{s.value}'" for s in TIME_STATUSES if s != status)
        which = f"status IN ({others})"
    else:
        which = (
            "status = 'blocked' AND roadmap_id IN :rids"
            " AND id NOT IN (SELECT step_id FROM sweep_blocker)"
        )
    sql = f"""
UPDATE step SET status = '{status.value}', blocked_by = '[]', status_changed_at = :now
WHERE municipality_id IN :ids AND {which} AND {_date_condition(status)}
"""
    stmt = id_lists(conn, sql, "ids", *(() if released is None else ("rids",)))
    params: dict[str, object] = {"ids": municipality_ids, "now": now}
    if released is not None:
        params["rids"] = released
    binds: list[Any] = [bindparam("now", type_=UTCDateTime)]
    for name, value in (("today", today), ("cutoff", cutoff)):
        if f":{name}" in sql:
            binds.append(bindparam(name, type_=Date))
            params[name] = value
    return int(conn.execute(stmt.bindparams(*binds), params).rowcount or 0)


def local_dates(
    conn: Connection, municipality_ids: list[int], *, now: dt.datetime, as_of: dt.date | None
) -> dict[dt.date, list[int]]:
    """Municipality ids grouped by their local date at ``now`` (or all at ``as_of``)."""
    rows: Any = conn.execute(
        _ids(conn, "SELECT id, timezone FROM municipality WHERE id IN :ids"),
        {"ids": municipality_ids},
    ).all()
    groups: dict[dt.date, list[int]] = defaultdict(list)
    zone_dates: dict[str, dt.date] = {}
    for mid, tz in rows:
        if as_of is not None:
            groups[as_of].append(mid)
            continue
        if tz not in zone_dates:
            zone_dates[tz] = local_date(now, tz)
        groups[zone_dates[tz]].append(mid)
    return dict(groups)


def due_soon_cutoff(today: dt.date, window_working_days: int) -> dt.date:
    """First date that is NOT due_soon: more than ``window`` working days after today.

    Matches ``deadlines.status_at``: due_soon iff working_days_between(today, due) <= window.
    """
    return add_working_days(today, window_working_days + 1)


def status_totals(conn: Connection, municipality_ids: list[int]) -> dict[str, int]:
    """Number of steps per status over the municipalities, from the trigger-kept
    counters of ``models.status_counts`` (a few rows per municipality, not every step)."""
    totals = {s.value: 0 for s in StepStatus}
    for _mid, status, count in conn.execute(
        current_counts(municipality_ids, dialect=conn.dialect.name)
    ).all():
        totals[str(status)] += int(count)
    return totals


def counts_by_municipality(
    session: Session, *, municipality_ids: list[int]
) -> dict[int, dict[str, int]]:
    """Steps per status for each municipality (one GROUP BY)."""
    conn = session.connection()
    rows: Any = conn.execute(
        _ids(
            conn,
            "SELECT municipality_id, status, count(*) FROM step WHERE municipality_id IN :ids"
            " GROUP BY municipality_id, status",
        ),
        {"ids": municipality_ids},
    )
    out: dict[int, dict[str, int]] = {m: {s.value: 0 for s in StepStatus} for m in municipality_ids}
    for mid, status, count in rows:
        out[int(mid)][str(getattr(status, "value", status))] = int(count)
    return out


def sweep_municipalities(
    session: Session,
    *,
    municipality_ids: list[int],
    now: dt.datetime,
    window_working_days: int,
    as_of: dt.date | None = None,
) -> dict[str, int]:
    """Bring every open step of the municipalities to its status at ``now``.

    ``now`` must be aware; each municipality's "today" is its local date at ``now``,
    or ``as_of`` for all of them when given. Returns the totals per status after the
    sweep plus ``changed`` (rows whose status changed), ``to_<status>`` (changes per
    target status), ``created`` (rolled-forward occurrences) and ``municipalities``.
    Runs inside the caller's transaction.
    """
    if now.tzinfo is None:
        raise ValueError("naive datetime refused")
    ids = sorted(set(municipality_ids))
    counts: dict[str, int] = {"municipalities": len(ids), "changed": 0, "created": 0}
    if not ids:
        return counts | {s.value: 0 for s in StepStatus}
    conn = session.connection()
    lock_municipalities(conn, ids)
    groups = local_dates(conn, ids, now=now, as_of=as_of)
    logged: dict[int, set[int]] = defaultdict(set)
    for _, rid, mid in read_pending(conn, ids):
        logged[mid].add(rid)
    counts["created"] = roll_forward_due(conn, groups=groups, pending=logged, now=now)
    pending = read_pending(conn, ids)  # again: roll-forward logs the rows it created
    rids = sorted({rid for _, rid, _ in pending})
    counts["to_blocked"] = 0
    if rids:
        fill_blockers(conn, ids, rids)
        counts["to_blocked"] = mark_blocked(conn, ids, now)
    for status in TIME_STATUSES:
        counts[f"to_{status.value}"] = 0
    for today, mids in groups.items():
        cutoff = due_soon_cutoff(today, window_working_days)
        for status in TIME_STATUSES:
            for released in [None, rids] if rids else [None]:
                counts[f"to_{status.value}"] += _mark_by_date(
                    conn,
                    mids,
                    status=status,
                    today=today,
                    cutoff=cutoff,
                    now=now,
                    released=released,
                )
    if rids:
        clear_blockers(conn)
    forget_pending(conn, [entry for entry, _, _ in pending])
    fold_counts(conn, ids)  # the batch's advisory locks make the sweep their only folder
    counts["changed"] = sum(v for k, v in counts.items() if k.startswith("to_"))
    counts.update(status_totals(conn, ids))
    return counts
