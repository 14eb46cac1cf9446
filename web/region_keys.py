"""Sort keys of a whole region, read lean (issue 19): the regional page orders all the
region's municipalities but shows 50 of them.

For the default order (worst first) and the order by name, one statement reads per
municipality only what the order needs: its name, zone, overdue count (the counter
row, a key lookup) and, for the worst-first order, its oldest overdue due date (kept
by triggers: ``models/overdue_oldest.py``). The rows stay tuples (no ``RegionRow`` per municipality);
the region's totals are one aggregate over the counters, summed in SQL. The page's
rows are then read in full for the page only (``web/region_table.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, Protocol, TypeVar

from sqlalchemy import Integer, and_, case, func, select, union_all
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from domain.roadmap.deadlines import local_date
from models import Municipality, ReviewCase
from models.overdue_oldest import join_oldest_overdue
from models.review import ReviewCampaign, ReviewState
from models.roadmap import StepStatus
from models.status_counts import StepCount, StepCountDelta, fold_backlog
from web.access import Scope
from web.regional import _as_date, _late, name_key

LEAN_SORTS = ("late", "name")  # orders read from keys alone; the others need every row
OVERDUE = StepStatus.overdue.value


class Key(NamedTuple):
    """What the order of one municipality needs (name and code for the filter too)."""

    id: int
    code: str
    name: str
    late: int  # working days of its oldest overdue step (0: none, or not read)
    overdue: int


@dataclass
class RegionKeys:
    keys: list[Key]  # every visible municipality of the region, unordered
    total: int  # steps of the region
    overdue: int
    register: int  # НОК programmes in the register


@lru_cache(maxsize=32768)
def _name_key(name: str) -> str:
    return name_key(name)


def order(keys: list[Key], sort: str, desc: bool) -> list[Key]:
    """``regional.sort_rows`` on keys: ties by name and id, ascending either way."""
    if sort == "late":  # one pass: the numbers' sign carries the direction
        sign = -1 if desc else 1
        return sorted(
            keys, key=lambda k: (sign * k.late, sign * k.overdue, _name_key(k.name), k.id)
        )
    ordered = sorted(keys, key=lambda k: (_name_key(k.name), k.id))
    if desc:
        ordered.sort(key=lambda k: _name_key(k.name), reverse=True)
    return ordered


class Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def code(self) -> str: ...


N = TypeVar("N", bound=Named)
T = TypeVar("T")


def matching(rows: list[N], q: str) -> list[N]:
    """Rows (or keys) whose name or code contains ``q`` (case and ё/е aside)."""
    needle = name_key(q.strip())
    if not needle:
        return rows
    return [r for r in rows if needle in name_key(r.name) or needle in name_key(r.code)]


def paged(items: list[T], page: int, size: int) -> tuple[list[T], int, int]:
    """The items of page ``page`` clamped to the pages there are, that page, the pages."""
    pages = max(1, -(-len(items) // size))
    page = min(max(1, page), pages)
    return items[(page - 1) * size : page * size], page, pages


def _join_overdue(frm: Any, mid: Any, dialect: str) -> tuple[Any, Any]:
    """``frm`` joined to each municipality's overdue counter, and the column of its
    overdue steps now (plus the pending deltas on PostgreSQL: ``models/status_counts``)."""
    count: Any = StepCount.__table__  # type: ignore[attr-defined]
    frm = frm.outerjoin(count, and_(count.c.municipality_id == mid, count.c.status == OVERDUE))
    if dialect != "postgresql":
        return frm, func.coalesce(count.c.n, 0)
    delta: Any = StepCountDelta.__table__  # type: ignore[attr-defined]
    pending = (
        select(delta.c.municipality_id, func.sum(delta.c.n).label("n"))
        .where(delta.c.status == OVERDUE)
        .group_by(delta.c.municipality_id)
        .subquery("pending")
    )
    frm = frm.outerjoin(pending, pending.c.municipality_id == mid)
    return frm, (func.coalesce(count.c.n, 0) + func.coalesce(pending.c.n, 0)).cast(Integer)


def region_keys(
    session: Session, scope: Scope, region: str, *, now: dt.datetime, sort: str
) -> RegionKeys | None:
    """Keys of every visible municipality of ``region`` for ``sort`` (one of
    ``LEAN_SORTS``), and the region's totals; ``None``: no such region (or none visible)."""
    bind = session.get_bind()
    if isinstance(bind, Engine):
        fold_backlog(bind)  # never sum a long backlog of deltas (PostgreSQL, bulk loads)
    conn = session.connection()
    dialect = conn.dialect.name
    table: Any = Municipality.__table__  # type: ignore[attr-defined]
    mid = table.c.id
    columns: list[Any] = [mid, table.c.code, table.c.name]
    frm: Any = table
    if sort == "late":
        frm, overdue = _join_overdue(frm, mid, dialect)
        frm, oldest = join_oldest_overdue(frm, mid, dialect)
        columns += [table.c.timezone, overdue, oldest]
    stmt = scope.municipalities(select(*columns).select_from(frm).where(table.c.region == region))
    rows = conn.execute(stmt).all()
    if sort != "late":
        keys = [Key(i, code, name, 0, 0) for i, code, name in rows]
    else:
        todays = {tz: local_date(now, tz) for tz in {r[3] for r in rows}}
        days: dict[tuple[Any, str], int] = {}  # (oldest due date, zone): working days late

        def late(first: Any, tz: str) -> int:
            got = days.get((first, tz))
            if got is None:
                got = days[first, tz] = _late(_as_date(first), todays[tz])
            return got

        keys = [
            Key(i, code, name, late(first, tz) if n and first is not None else 0, n)
            for i, code, name, tz, n, first in rows
        ]
    if not keys:
        return None
    ids: Any = sorted(k.id for k in keys)
    if scope.municipality_ids is None:  # a subquery plans better than 2,500 parameters
        ids = select(mid).where(table.c.region == region)
    return RegionKeys(keys, *_totals(conn, scope, region, _register(ids)))


def _totals(conn: Any, scope: Scope, region: str, register: Any) -> tuple[int, int, int]:
    """Steps and overdue steps of the region's visible municipalities, summed in SQL
    over the counters (and the pending deltas on PostgreSQL), joined to the region; and
    the scalar ``register`` (one round trip for all three)."""
    tables: list[Any] = [StepCount.__table__]  # type: ignore[attr-defined]
    if conn.dialect.name == "postgresql":
        tables.append(StepCountDelta.__table__)  # type: ignore[attr-defined]
    both = union_all(*(select(t.c.municipality_id, t.c.status, t.c.n) for t in tables))
    counts = both.subquery("counts")
    table: Any = Municipality.__table__  # type: ignore[attr-defined]
    n = counts.c.n
    stmt = scope.municipalities(
        select(
            func.coalesce(func.sum(n), 0),
            func.coalesce(func.sum(case((counts.c.status == OVERDUE, n), else_=0)), 0),
            register,
        )
        .select_from(counts.join(table, table.c.id == counts.c.municipality_id))
        .where(table.c.region == region)
    )
    total, overdue, in_register = conn.execute(stmt).one()
    return int(total), int(overdue), int(in_register)


def _register(ids: Any) -> Any:
    """НОК programmes in the register of the municipalities ``ids`` (a scalar subquery)."""
    return (
        select(func.count())
        .select_from(ReviewCase)
        .join(ReviewCampaign, col(ReviewCampaign.id) == col(ReviewCase.campaign_id))
        .where(
            col(ReviewCampaign.municipality_id).in_(ids),
            col(ReviewCase.state) == ReviewState.IN_REGISTER,
        )
        .scalar_subquery()
    )
