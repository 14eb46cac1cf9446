"""Regional rows from the maintained step counters (issue 19), for whole-municipality scopes.

One statement reads every municipality of the region with its oldest overdue due date
(kept by triggers: ``models/overdue_oldest.py``) and, when asked, its last audit entry (one seek of
``ix_auditentry_municipality_at``), a second its totals (folded counts plus pending
deltas, pivoted in SQL: one row per municipality). These are the totals and the sort
keys of the whole region. The heat map then reads, per local date and only for the rows
shown, the overdue steps less than 21 working days late (a short ``ix_step_sweep``
range per municipality): the "more than 20" bucket is the overdue count minus the others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, case, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from domain.roadmap.deadlines import local_date
from models import AuditEntry, Municipality, Step
from models.overdue_oldest import join_oldest_overdue
from models.roadmap import CLOSED_STATUSES, StepStatus
from models.status_counts import current_counts, fold_backlog
from web.access import Scope
from web.regional import RegionRow, _as_date, _aware, _late, thresholds

OVERDUE = StepStatus.overdue.value
CLOSED = [s.value for s in CLOSED_STATUSES]


def _pivot(ids: Any, dialect: str) -> Any:
    """Per municipality of ``ids``: steps, closed steps, overdue steps (one hash join)."""
    counts = current_counts(ids, dialect=dialect).subquery()
    status, n = counts.c.status, counts.c[2]
    return select(
        counts.c.municipality_id.label("mid"),
        func.sum(n).label("total"),
        func.sum(case((status.in_(CLOSED), n), else_=0)).label("done"),
        func.sum(case((status == OVERDUE, n), else_=0)).label("overdue"),
    ).group_by(counts.c.municipality_id)


def last_entry(mid: Any) -> Any:
    """The last audit entry of the municipality ``mid`` (a correlated seek), as text:
    no result processor per row (``_aware`` parses it)."""
    return (
        select(func.max(AuditEntry.at, type_=String))
        .where(col(AuditEntry.municipality_id) == mid)
        .correlate(Municipality)
        .scalar_subquery()
    )


def counted_base(
    session: Session,
    scope: Scope,
    region: str,
    *,
    now: dt.datetime,
    activity: bool,
    only: list[int] | None = None,
) -> dict[int, RegionRow]:
    """Every municipality of the region (those of ``only`` if given) with its totals and
    its lateness (``max_late``); the last audit entry too if ``activity``. No heat,
    coverage or НОК yet."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and only is None:  # (a page's rows: its keys folded)
        fold_backlog(bind)  # never sum a long backlog of deltas (PostgreSQL, bulk loads)
    mid = col(Municipality.id)
    table: Any = Municipality.__table__  # type: ignore[attr-defined]
    frm, oldest = join_oldest_overdue(table, mid, session.get_bind().dialect.name)
    columns = [mid, col(Municipality.code), col(Municipality.name), col(Municipality.timezone)]
    where = [col(Municipality.region) == region, *([mid.in_(only)] if only is not None else [])]
    extra = [last_entry(mid)] if activity else []
    stmt = scope.municipalities(select(*columns, oldest, *extra).select_from(frm).where(*where))
    conn = session.connection()  # Core rows: no ORM row processing
    rows: dict[int, RegionRow] = {}
    oldest_due: dict[int, Any] = {}
    for i, code, name, tz, first, *at in conn.execute(stmt).all():
        r = rows[int(i)] = RegionRow(int(i), code, name, tz)
        if at:
            r.last_activity = _aware(at[0])
        oldest_due[r.id] = first
    # A second statement, not a join: PostgreSQL, misjudging the region's size, would
    # rescan the pivot once per municipality.
    in_region: Any = (
        only if only is not None else select(mid).where(col(Municipality.region) == region)
    )
    for i, total, done, overdue in conn.execute(_pivot(in_region, conn.dialect.name)).all():
        if (row := rows.get(int(i))) is not None:
            row.total, row.done, row.overdue = int(total), int(done), int(overdue)
    todays: dict[str, dt.date] = {}
    for r in rows.values():
        if r.overdue and (first := oldest_due[r.id]) is not None:
            tz = r.timezone
            today = todays.get(tz) or todays.setdefault(tz, local_date(now, tz))
            r.max_late = _late(_as_date(first), today)
    return rows


def add_heat(
    conn: Any, scope: Scope, region: str, rows: list[RegionRow], *, now: dt.datetime, whole: bool
) -> None:
    """Heat buckets of ``rows`` (counted_base's); ``whole``: these are all the region's
    municipalities, selected in SQL by a subquery (plans better than many parameters)."""
    todays: dict[str, dt.date] = {}
    # By local date, not by zone: the zones of Russia share at most two dates at a time.
    late: dict[dt.date, list[RegionRow]] = {}
    zones: dict[dt.date, set[str]] = {}
    for r in rows:
        if r.overdue:
            tz = r.timezone
            today = todays.get(tz) or todays.setdefault(tz, local_date(now, tz))
            late.setdefault(today, []).append(r)
            zones.setdefault(today, set()).add(tz)
    for today, these in sorted(late.items()):
        ids: Any = sorted(r.id for r in these)
        if whole and scope.municipality_ids is None:
            ids = select(col(Municipality.id)).where(
                col(Municipality.region) == region,
                col(Municipality.timezone).in_(sorted(zones[today])),
            )
        _heat(conn, {r.id: r for r in these}, ids, today)


def counted_rows(
    session: Session, scope: Scope, region: str, *, now: dt.datetime
) -> dict[int, RegionRow]:
    """Every municipality of the region, heat and last audit entry included."""
    rows = counted_base(session, scope, region, now=now, activity=True)
    add_heat(session.connection(), scope, region, list(rows.values()), now=now, whole=True)
    return rows


def _heat(conn: Any, rows: dict[int, RegionRow], zone: Any, today: dt.date) -> None:
    """Heat buckets of the municipalities ``rows`` that share one local date ("today")
    and have overdue steps; ``zone`` selects them in SQL (their ids or a subquery)."""
    due = col(Step.due_date)
    t6, t11, t21 = thresholds(today)
    stmt = (
        select(
            col(Step.municipality_id),
            func.sum(case((due > t6, 1), else_=0)),
            func.sum(case((due <= t6, 1), else_=0)),
            func.sum(case((due <= t11, 1), else_=0)),
        )
        .where(
            col(Step.municipality_id).in_(zone),
            col(Step.status) == StepStatus.overdue,
            due > t21,
        )
        .group_by(col(Step.municipality_id))
    )
    for i, b1, ge6, ge11 in conn.execute(stmt).all():
        if (row := rows.get(int(i))) is not None:
            row.heat[:3] = [int(b1 or 0), int(ge6 or 0) - int(ge11 or 0), int(ge11 or 0)]
    for r in rows.values():
        r.heat[3] = r.overdue - r.heat[0] - r.heat[1] - r.heat[2]
