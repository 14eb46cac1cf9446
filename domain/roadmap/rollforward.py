"""Roll recurring steps forward: create the occurrence of the current period.

The loader instantiates every occurrence of the roadmap year. When a sweep's local
date enters a period for which a series (roadmap, key) has no occurrence yet — next
year's Q1, say — the missing occurrences up to the current period are created from
the latest one (same key, next period, own due date). Idempotent through the unique
(roadmap_id, key, period) constraint: ``INSERT ... ON CONFLICT DO NOTHING``.
Past occurrences are never touched: they stay as history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

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

_LATEST_SQL = """
SELECT s.* FROM step AS s JOIN (
  SELECT roadmap_id, key, max(period) AS period FROM step
  WHERE municipality_id IN :ids AND recurrence = :rec
  GROUP BY roadmap_id, key HAVING max(period) < :current
) AS latest ON latest.roadmap_id = s.roadmap_id AND latest.key = s.key
  AND latest.period = s.period
"""


def _new_rows(latest: Any, *, current: str, now: dt.datetime) -> list[dict[str, Any]]:
    recurrence = Recurrence(getattr(latest.recurrence, "value", latest.recurrence))
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
    conn: Connection, *, municipality_ids: list[int], today: dt.date, now: dt.datetime
) -> int:
    """Create missing occurrences up to the period containing ``today``; count created."""
    created = 0
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for recurrence in _RECURRING:
        current = period_of(today, recurrence)
        stmt = text(_LATEST_SQL).bindparams(bindparam("ids", expanding=True))
        latest_rows = conn.execute(
            stmt, {"ids": municipality_ids, "rec": recurrence.value, "current": current}
        ).all()
        rows = [r for latest in latest_rows for r in _new_rows(latest, current=current, now=now)]
        if not rows:
            continue
        result = conn.execute(
            insert(STEP_TABLE)
            .on_conflict_do_nothing(index_elements=["roadmap_id", "key", "period"])
            .returning(STEP_TABLE.c.id),
            rows,
        )
        created += len(result.all())
    return created
