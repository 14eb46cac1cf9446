"""Read model of the regional page (РМЦ): every municipality of a region in one table.

Scopes that see whole municipalities read the trigger-kept step counters
(``web/region_counts.py``: one statement for the rows, then only the overdue steps less
than 21 working days late). Contacts and experts see a subset of the steps, counted
here set-based: one grouped query per measure (steps by status, overdue steps per zone;
the last audit entry is a correlated seek per municipality). Indicators and НОК cases
are grouped queries for both. Lateness buckets are date comparisons in SQL
(``thresholds``), so no row per step or per due date reaches Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from domain.calendar.workdays import working_days_between
from domain.roadmap.deadlines import local_date
from models import AuditEntry, Municipality, Step
from models.review import ReviewState
from models.roadmap import CLOSED_STATUSES, StepStatus
from web.access import Scope

# Lateness buckets in working days: the columns of the heat map.
BUCKETS: tuple[tuple[int, int], ...] = ((1, 5), (6, 10), (11, 20), (21, 10_000))
BUCKET_TITLES = ("1–5", "6–10", "11–20", "более 20")
IN_REGISTER = ReviewState.IN_REGISTER.value
REJECTED = (ReviewState.FORMALLY_REJECTED.value, ReviewState.NEGATIVE.value)
SORTS = ("late", "name", "done", "coverage", "activity", "nok")


@dataclass
class RegionRow:
    id: int
    code: str
    name: str
    timezone: str
    total: int = 0
    done: int = 0
    overdue: int = 0
    max_late: int = 0
    heat: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    target: float = 0.0
    actual: float = 0.0
    nok_total: int = 0
    nok_register: int = 0
    nok_rejected: int = 0
    last_activity: dt.datetime | None = None

    @property
    def percent_done(self) -> float:
        return round(100.0 * self.done / self.total, 1) if self.total else 0.0

    @property
    def coverage(self) -> float | None:
        return round(100.0 * self.actual / self.target, 1) if self.target else None


@lru_cache(maxsize=8192)
def _late(due: dt.date, today: dt.date) -> int:
    return max(0, working_days_between(due, today))


def regions(session: Session, scope: Scope) -> list[tuple[str, int]]:
    stmt = scope.municipalities(
        select(col(Municipality.region), func.count()).group_by(col(Municipality.region))
    )
    return [(r or "", int(n)) for r, n in session.execute(stmt).all()]


def region_rows(
    session: Session, scope: Scope, region: str, *, now: dt.datetime, year: int
) -> list[RegionRow]:
    from web.region_table import add_coverage, add_nok

    if scope.sees_whole_municipalities:  # maintained counters (web/region_counts.py)
        from web.region_counts import counted_rows

        rows = counted_rows(session, scope, region, now=now)
    else:  # contacts and experts see a subset of the steps: count those rows
        rows = _grouped_rows(session, scope, region, now=now)
    if not rows:
        return []
    ids: Any = sorted(rows)
    if scope.municipality_ids is None:  # a subquery plans better than 2,500 parameters
        ids = select(col(Municipality.id)).where(col(Municipality.region) == region)
    add_coverage(session, rows, ids, year)
    add_nok(session, rows, ids)
    return list(rows.values())


def _grouped_rows(
    session: Session, scope: Scope, region: str, *, now: dt.datetime
) -> dict[int, RegionRow]:
    """Rows with totals, done and the overdue measures by grouping the visible steps."""
    # The last audit entry of each municipality: one seek per row (ix_auditentry_municipality_at).
    last = (
        select(func.max(AuditEntry.at))
        .where(col(AuditEntry.municipality_id) == col(Municipality.id))
        .correlate(Municipality)
        .scalar_subquery()
    )
    muns = session.execute(
        scope.municipalities(
            select(
                col(Municipality.id),
                col(Municipality.code),
                col(Municipality.name),
                col(Municipality.timezone),
                last,
            ).where(col(Municipality.region) == region)
        )
    ).all()
    rows = {int(r[0]): RegionRow(int(r[0]), r[1], r[2], r[3]) for r in muns}
    for mun in muns:
        rows[int(mun[0])].last_activity = _aware(mun[4])
    if not rows:
        return rows
    ids: Any = sorted(rows)
    if scope.municipality_ids is None:  # a subquery plans better than 2,500 parameters
        ids = select(col(Municipality.id)).where(col(Municipality.region) == region)
    todays = {tz: local_date(now, tz) for tz in {r.timezone for r in rows.values()}}
    conn = session.connection()  # Core rows: no ORM row processing for ~100k groups
    _from_steps(conn, scope, rows, ids, region, todays)
    return rows


def _from_steps(
    conn: Any,
    scope: Scope,
    rows: dict[int, RegionRow],
    ids: Any,
    region: str,
    todays: dict[str, dt.date],
) -> None:
    """Totals, done and the overdue measures by grouping the visible steps."""
    closed = [s.value for s in CLOSED_STATUSES]
    for mid, status, n in conn.execute(
        scope.steps(
            select(col(Step.municipality_id), col(Step.status), func.count())
            .where(col(Step.municipality_id).in_(ids))
            .group_by(col(Step.municipality_id), col(Step.status))
        )
    ).all():
        r = rows[int(mid)]
        r.total += int(n)
        if status in closed:
            r.done += int(n)
    zones: dict[str, list[int]] = {}
    for r in rows.values():
        zones.setdefault(r.timezone, []).append(r.id)
    for tz, zone_ids in sorted(zones.items()):  # one grouped query per zone (its "today")
        in_zone: Any = sorted(zone_ids)
        if scope.municipality_ids is None:
            in_zone = select(col(Municipality.id)).where(
                col(Municipality.region) == region, col(Municipality.timezone) == tz
            )
        _overdue_of_zone(conn, scope, rows, in_zone, todays[tz])


def thresholds(today: dt.date) -> list[dt.date]:
    """For each bucket after the first, the latest due date that is at least that late.

    Lateness in working days never grows with the due date, so "at least k days late"
    is "due on or before T_k": SQL counts each bucket with a date comparison.
    """
    out = []
    day = today
    for lo, _hi in BUCKETS[1:]:
        while _late(day, today) < lo:
            day -= dt.timedelta(days=1)
        out.append(day)
    return out


def _overdue_of_zone(
    conn: Any,
    scope: Scope,
    rows: dict[int, RegionRow],
    in_zone: Any,
    today: dt.date,
) -> None:
    """Overdue count, heat buckets and the oldest due date per municipality of one zone."""
    due = col(Step.due_date)
    marks = thresholds(today)
    at_least = [func.sum(case((due <= t, 1), else_=0)) for t in marks]
    where = col(Step.municipality_id).in_(in_zone)
    stmt = scope.steps(
        select(col(Step.municipality_id), func.count(), func.min(due), *at_least)
        .where(where, col(Step.status) == StepStatus.overdue)
        .group_by(col(Step.municipality_id))
    )
    for mid, n, oldest, *ge in conn.execute(stmt).all():
        r = rows[int(mid)]
        counts = [int(n), *(int(x or 0) for x in ge)]  # rows late >= 0, 6, 11, 21 days
        r.overdue += int(n)
        for i in range(len(BUCKETS)):
            r.heat[i] += counts[i] - (counts[i + 1] if i + 1 < len(counts) else 0)
        r.max_late = max(r.max_late, _late(_as_date(oldest), today))


def _as_date(value: Any) -> dt.date:
    day: dt.date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day


def _aware(at: Any) -> dt.datetime | None:
    if at is None:
        return None
    moment: dt.datetime = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def name_key(name: str) -> str:
    """A name as Russian readers order and search it: case aside, «ё» as «е»."""
    return name.casefold().replace("ё", "е")


def sort_rows(rows: list[RegionRow], sort: str, desc: bool) -> list[RegionRow]:
    """Rows by ``sort``; ties by name and id, ascending either way: one order for every
    request, so that pages never repeat or skip a row (a reversed sort stays stable)."""
    keys: dict[str, Any] = {
        "late": lambda r: (r.max_late, r.overdue),
        "name": lambda r: name_key(r.name),
        "done": lambda r: r.percent_done,
        "coverage": lambda r: -1.0 if r.coverage is None else r.coverage,
        "activity": lambda r: r.last_activity or dt.datetime.min.replace(tzinfo=dt.UTC),
        "nok": lambda r: (r.nok_register, r.nok_total),
    }
    ordered = sorted(rows, key=lambda r: (name_key(r.name), r.id))
    return sorted(ordered, key=keys[sort], reverse=desc)
