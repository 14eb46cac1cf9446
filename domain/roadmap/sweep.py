"""The deadline sweep: set-based status updates for a batch of municipalities.

A handful of SQL statements per batch, whatever the number of steps:

1. lock the municipalities of the batch (PostgreSQL advisory locks; on SQLite the
   caller holds ``BEGIN IMMEDIATE``), so concurrent sweeps never double-update;
2. roll recurring steps forward into the current period (``domain.roadmap.rollforward``);
3. collect unfinished dependencies into a temporary table and mark those steps
   ``blocked`` with ``blocked_by``;
4. per local date of the municipalities (at most two dates across Russia at any
   instant), four UPDATEs: overdue / due / due_soon / planned.

Every UPDATE skips rows already in the target status and never touches done/waived,
so running it twice changes nothing and ``status_changed_at`` moves only on change.
No Prefect here, and no step is ever loaded into Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Date, TextClause, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session

from domain.calendar.workdays import add_working_days
from domain.roadmap.deadlines import local_date
from domain.roadmap.rollforward import roll_forward
from models.roadmap import StepStatus
from models.types import UTCDateTime

CLOSED_SQL = "('done', 'waived')"
TIME_STATUSES = (StepStatus.overdue, StepStatus.due, StepStatus.due_soon, StepStatus.planned)
# Namespace of our advisory locks (first int4 key), the municipality id is the second.
SWEEP_LOCK_NAMESPACE = 4_242

_BLOCKERS_FROM = {
    # CROSS JOIN fixes SQLite's join order: s, its dependency keys, then the
    # (roadmap_id, key, period) index for d — not every step of the roadmap per key.
    "sqlite": "FROM step AS s CROSS JOIN json_each(s.depends_on) AS j CROSS JOIN step AS d"
    " ON d.roadmap_id = s.roadmap_id AND d.key = j.value",
    # OFFSET 0 keeps the lateral subquery a per-key probe of (roadmap_id, key, period)
    # instead of a hash join over every step of the roadmap.
    "postgresql": "FROM step AS s CROSS JOIN LATERAL json_array_elements_text(s.depends_on)"
    " AS j(value) CROSS JOIN LATERAL (SELECT dd.status, dd.recurrence, dd.period, dd.due_date"
    " FROM step AS dd WHERE dd.roadmap_id = s.roadmap_id AND dd.key = j.value OFFSET 0) AS d",
}

# A dependency occurrence blocks when it is open and is either the one-time step,
# the occurrence of the same period, or (no such occurrence) any occurrence due on
# or before the dependent step.
_BLOCKERS_WHERE = f"""
WHERE s.municipality_id IN :ids
  AND s.status NOT IN {CLOSED_SQL}
  AND json_array_length(s.depends_on) > 0
  AND d.status NOT IN {CLOSED_SQL}
  AND (d.recurrence = 'once' OR d.period = s.period OR (
        d.due_date <= s.due_date AND NOT EXISTS (
          SELECT 1 FROM step AS d2 WHERE d2.roadmap_id = s.roadmap_id
            AND d2.key = j.value AND d2.period = s.period)))
"""

_BLOCKED_AGG = {
    "sqlite": "(SELECT json_group_array(k) FROM (SELECT DISTINCT b.dep_key AS k"
    " FROM sweep_blocker AS b WHERE b.step_id = step.id ORDER BY b.dep_key))",
    "postgresql": "(SELECT json_agg(DISTINCT b.dep_key ORDER BY b.dep_key)"
    " FROM sweep_blocker AS b WHERE b.step_id = step.id)",
}
_JSON_DIFFERS = {
    "sqlite": "json(coalesce(blocked_by, '[]')) <> json({new})",
    "postgresql": "coalesce(blocked_by::jsonb, '[]'::jsonb) IS DISTINCT FROM ({new})::jsonb",
}


def _ids(sql: str) -> TextClause:
    return text(sql).bindparams(bindparam("ids", expanding=True))


def lock_municipalities(conn: Connection, municipality_ids: list[int]) -> None:
    """Serialise sweeps of the same municipalities until the transaction ends.

    PostgreSQL: transaction-scoped advisory locks taken in id order (no deadlocks).
    SQLite has one writer at a time; the caller opens the transaction with
    ``session_scope(immediate=True)``.
    """
    if conn.dialect.name == "postgresql":
        # The planner overestimates JSON rows and would spend seconds JIT-compiling.
        conn.execute(text("SET LOCAL jit = off"))
        conn.execute(
            text(
                "SELECT count(pg_advisory_xact_lock(:ns, m)) FROM"
                " (SELECT unnest(CAST(:ids AS integer[])) AS m ORDER BY m) AS t"
            ),
            {"ns": SWEEP_LOCK_NAMESPACE, "ids": sorted(municipality_ids)},
        )


def _fill_blockers(conn: Connection, municipality_ids: list[int]) -> None:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(
            text(
                "CREATE TEMP TABLE IF NOT EXISTS sweep_blocker"
                " (step_id integer NOT NULL, dep_key text NOT NULL) ON COMMIT DELETE ROWS"
            )
        )
        conn.execute(
            text("CREATE INDEX IF NOT EXISTS sweep_blocker_step ON sweep_blocker (step_id)")
        )
    else:
        conn.execute(
            text(
                "CREATE TEMP TABLE IF NOT EXISTS sweep_blocker"
                " (step_id INTEGER NOT NULL, dep_key TEXT NOT NULL)"
            )
        )
        conn.execute(
            text("CREATE INDEX IF NOT EXISTS temp.sweep_blocker_step ON sweep_blocker (step_id)")
        )
    conn.execute(text("DELETE FROM sweep_blocker"))
    conn.execute(
        _ids(
            "INSERT INTO sweep_blocker (step_id, dep_key) SELECT DISTINCT s.id, j.value "
            + _BLOCKERS_FROM[dialect]
            + _BLOCKERS_WHERE
        ),
        {"ids": municipality_ids},
    )


def _mark_blocked(conn: Connection, municipality_ids: list[int], now: dt.datetime) -> int:
    dialect = conn.dialect.name
    agg = _BLOCKED_AGG[dialect]
    sql = f"""
UPDATE step SET status = 'blocked', blocked_by = {agg},
  status_changed_at = CASE WHEN status = 'blocked' THEN status_changed_at ELSE :now END
WHERE municipality_id IN :ids
  AND id IN (SELECT step_id FROM sweep_blocker)
  AND (status <> 'blocked' OR {_JSON_DIFFERS[dialect].format(new=agg)})
"""
    stmt = _ids(sql).bindparams(bindparam("now", type_=UTCDateTime))
    result = conn.execute(stmt, {"ids": municipality_ids, "now": now})
    return int(result.rowcount or 0)


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
) -> int:
    sql = f"""
UPDATE step SET status = '{status.value}', blocked_by = '[]', status_changed_at = :now
WHERE municipality_id IN :ids
  AND status NOT IN ('done', 'waived', '{status.value}')
  AND {_date_condition(status)}
  AND id NOT IN (SELECT step_id FROM sweep_blocker)
"""
    binds: list[BindParameter[Any]] = [bindparam("now", type_=UTCDateTime)]
    params: dict[str, object] = {"ids": municipality_ids, "now": now}
    for name, value in (("today", today), ("cutoff", cutoff)):
        if f":{name}" in sql:
            binds.append(bindparam(name, type_=Date))
            params[name] = value
    stmt = _ids(sql).bindparams(*binds)
    return int(conn.execute(stmt, params).rowcount or 0)


def local_dates(
    conn: Connection, municipality_ids: list[int], *, now: dt.datetime, as_of: dt.date | None
) -> dict[dt.date, list[int]]:
    """Municipality ids grouped by their local date at ``now`` (or all at ``as_of``)."""
    rows: Any = conn.execute(
        _ids("SELECT id, timezone FROM municipality WHERE id IN :ids"), {"ids": municipality_ids}
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
    """Number of steps per status over the municipalities (index-only on PostgreSQL)."""
    rows: Any = conn.execute(
        _ids("SELECT status, count(*) FROM step WHERE municipality_id IN :ids GROUP BY status"),
        {"ids": municipality_ids},
    ).all()
    totals = {s.value: 0 for s in StepStatus}
    for status, count in rows:
        totals[str(getattr(status, "value", status))] = int(count)
    return totals


def counts_by_municipality(
    session: Session, *, municipality_ids: list[int]
) -> dict[int, dict[str, int]]:
    """Steps per status for each municipality (one GROUP BY)."""
    rows: Any = session.connection().execute(
        _ids(
            "SELECT municipality_id, status, count(*) FROM step WHERE municipality_id IN :ids"
            " GROUP BY municipality_id, status"
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
    counts["created"] = sum(
        roll_forward(conn, municipality_ids=mids, today=today, now=now)
        for today, mids in groups.items()
    )
    _fill_blockers(conn, ids)
    counts["to_blocked"] = _mark_blocked(conn, ids, now)
    for status in TIME_STATUSES:
        counts[f"to_{status.value}"] = 0
    for today, mids in groups.items():
        cutoff = due_soon_cutoff(today, window_working_days)
        for status in TIME_STATUSES:
            counts[f"to_{status.value}"] += _mark_by_date(
                conn, mids, status=status, today=today, cutoff=cutoff, now=now
            )
    conn.execute(text("DELETE FROM sweep_blocker"))
    counts["changed"] = sum(v for k, v in counts.items() if k.startswith("to_"))
    counts.update(status_totals(conn, ids))
    return counts
