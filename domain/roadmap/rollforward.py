"""Roll recurring steps forward: create the occurrence of the current period.

The loader instantiates every occurrence of the roadmap year. When a sweep's local
date enters a period for which a series (roadmap, key) has no occurrence yet — next
year's Q1, say — the missing occurrences up to the current period are created from
the latest one (same key, next period, own due date). Idempotent through the unique
(roadmap_id, key, period) constraint: ``INSERT ... ON CONFLICT DO NOTHING``.
Past occurrences are never touched: they stay as history.

A series can only need a new occurrence when the month changes (a new period
begins) or when its own rows changed (``sweep_pending``): ``roll_forward_due``
runs the full roll-forward for a municipality once per month (``sweep_watermark``)
and otherwise only for the roadmaps logged as changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from domain.roadmap.blockers import id_lists
from domain.roadmap.deadlines import end_of_day_utc
from domain.roadmap.recurrence import next_due_date, period_of, periods_between
from models.roadmap import Recurrence, Step, StepStatus

STEP_TABLE: Any = Step.__table__  # type: ignore[attr-defined]

_RECURRING = (Recurrence.yearly, Recurrence.quarterly, Recurrence.monthly)
# Columns copied from the latest occurrence to the new one.
_COPIED = (
    "roadmap_id",
    "municipality_id",
    "key",
    "title",
    "kind",
    "owner_role",
    "organisation_id",
    "timezone",
    "recurrence",
    "reminder_policy",
    "description",
    "due_rule",
    "depends_on",
    "evidence_required",
)

# The latest occurrence of every recurring series whose newest period is before
# the current one (one scan for the three recurrences).
_LATEST_SQL = """
SELECT s.* FROM step AS s JOIN (
  SELECT roadmap_id, key, max(period) AS period FROM step
  WHERE municipality_id IN :ids AND recurrence IN ('yearly', 'quarterly', 'monthly'){only}
  GROUP BY roadmap_id, key, recurrence
  HAVING max(period) < CASE recurrence WHEN 'yearly' THEN :yearly
    WHEN 'quarterly' THEN :quarterly ELSE :monthly END
) AS latest ON latest.roadmap_id = s.roadmap_id AND latest.key = s.key
  AND latest.period = s.period
"""


def _new_rows(latest: Any, *, current: str, now: dt.datetime) -> list[dict[str, Any]]:
    recurrence = _recurrence(latest)
    table = STEP_TABLE
    rows: list[dict[str, Any]] = []
    for label in periods_between(latest.period, current, recurrence):
        due = next_due_date(
            rule=_json(table, "due_rule", latest.due_rule) or {},
            recurrence=recurrence,
            previous_period=latest.period,
            previous_due=_as_date(latest.due_date),
            period=label,
        )
        row = {c: latest._mapping[c] for c in _COPIED}
        for column in ("due_rule", "depends_on", "evidence_required"):
            row[column] = _json(table, column, row[column])
        row.update(
            period=label,
            due_date=due,
            due_at=end_of_day_utc(due, latest.timezone),
            status=StepStatus.planned,
            blocked_by=[],
            status_changed_at=now,
            done_at=None,
        )
        rows.append(row)
    return rows


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _json(table: Any, column: str, value: Any) -> Any:
    """Raw text SELECT returns JSON as a string on SQLite: decode it like the ORM does."""
    if isinstance(value, str):
        import json

        return json.loads(value)
    return value


def roll_forward(
    conn: Connection,
    *,
    municipality_ids: list[int],
    today: dt.date,
    now: dt.datetime,
    roadmap_ids: list[int] | None = None,
) -> int:
    """Create missing occurrences up to the period containing ``today``; count created.

    ``roadmap_ids`` restricts the work to those roadmaps of the municipalities.
    """
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    sql = _LATEST_SQL.format(only="" if roadmap_ids is None else " AND roadmap_id IN :rids")
    stmt = id_lists(conn, sql, "ids", *(() if roadmap_ids is None else ("rids",)))
    params: dict[str, Any] = {"ids": municipality_ids}
    if roadmap_ids is not None:
        params["rids"] = roadmap_ids
    currents = {r: period_of(today, r) for r in _RECURRING}
    latest_rows = conn.execute(stmt, params | {r.value: p for r, p in currents.items()}).all()
    rows = [
        r
        for latest in latest_rows
        for r in _new_rows(latest, current=currents[_recurrence(latest)], now=now)
    ]
    if not rows:
        return 0
    result = conn.execute(
        insert(STEP_TABLE)
        .on_conflict_do_nothing(index_elements=["roadmap_id", "key", "period"])
        .returning(STEP_TABLE.c.id),
        rows,
    )
    return len(result.all())


def _recurrence(row: Any) -> Recurrence:
    return Recurrence(getattr(row.recurrence, "value", row.recurrence))


def roll_forward_due(
    conn: Connection,
    *,
    groups: dict[dt.date, list[int]],
    pending: dict[int, set[int]],
    now: dt.datetime,
) -> int:
    """Roll forward what can need it: municipalities whose month changed since their
    last full roll-forward, and the changed roadmaps (``pending``: municipality ->
    roadmap ids) of the others. Count created occurrences."""
    ids = sorted(m for mids in groups.values() for m in mids)
    marks = {
        int(m): str(p)
        for m, p in conn.execute(
            id_lists(
                conn,
                "SELECT municipality_id, rolled_period FROM sweep_watermark"
                " WHERE municipality_id IN :ids",
                "ids",
            ),
            {"ids": ids},
        )
    }
    created = 0
    for today, mids in groups.items():
        month = period_of(today, Recurrence.monthly)
        full = [m for m in mids if marks.get(m) != month]
        if full:
            created += roll_forward(conn, municipality_ids=full, today=today, now=now)
            _set_marks(conn, full, month, fresh=[m for m in full if m not in marks])
        rest = [m for m in mids if marks.get(m) == month and pending.get(m)]
        if rest:
            rids = sorted({r for m in rest for r in pending[m]})
            created += roll_forward(
                conn, municipality_ids=rest, today=today, now=now, roadmap_ids=rids
            )
    return created


def _set_marks(conn: Connection, mids: list[int], month: str, *, fresh: list[int]) -> None:
    known = [m for m in mids if m not in set(fresh)]
    if known:
        conn.execute(
            id_lists(
                conn,
                "UPDATE sweep_watermark SET rolled_period = :p WHERE municipality_id IN :ids",
                "ids",
            ),
            {"p": month, "ids": known},
        )
    if fresh:
        conn.execute(
            text("INSERT INTO sweep_watermark (municipality_id, rolled_period) VALUES (:m, :p)"),
            [{"m": m, "p": month} for m in fresh],
        )
