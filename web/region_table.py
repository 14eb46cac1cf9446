"""One page of the regional table (РМЦ, issue 19): the whole region's totals and order,
the details of the rows shown only.

Nobody reads 2,500 rows at once: the page shows the region's totals, then the
municipalities worst first (by lateness unless sorted otherwise), ``PAGE_SIZE`` at a
time, optionally filtered by name. The totals and every sort key come from the counters
and one seek per municipality (``web/region_counts.counted_base``) plus the region's
НОК cases (one grouped query: the register total); the heat map, the last audit entry
and the coverage are read for the page's rows only. The XLSX export and the API keep
every row (``regional.region_rows``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlmodel import Session, col

from models import IndicatorValue, Municipality, ReviewCase
from models.review import ReviewCampaign, ReviewState
from web.access import Scope
from web.region_counts import add_heat, counted_base, last_entry
from web.region_keys import LEAN_SORTS, matching, order, paged, region_keys
from web.regional import (
    IN_REGISTER,
    REJECTED,
    RegionRow,
    _aware,
    region_rows,
    sort_rows,
)

PAGE_SIZE = 50
QUERY_MAX = 100  # characters of the name filter kept


@dataclass
class RegionTable:
    rows: list[RegionRow]  # the page's rows, complete, in order
    municipalities: int  # visible in the region (the filter aside)
    found: int  # matching the filter
    total: int  # steps of the whole region
    overdue: int
    register: int  # НОК programmes in the register
    page: int  # 1-based, within 1..pages
    pages: int


def parse_page(raw: str | None) -> int | None:
    """The page number asked for: ``None`` if it is not a positive whole number."""
    text = (raw or "1").strip()
    return int(text) if text.isdigit() and len(text) <= 9 and int(text) >= 1 else None


def region_query(sort: str, desc: int, q: str, *, page: int = 1) -> str:
    """The query string of a regional page: page 1 and an empty filter left out."""
    params: dict[str, Any] = {"sort": sort, "desc": desc, "q": q, "page": page}
    return urlencode({k: v for k, v in params.items() if v not in ("", 1) or k == "desc"})


def page_links(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and ``around`` either side of ``page``;
    ``None`` where numbers are left out («…»)."""
    keep = {1, pages, *range(page - around, page + around + 1)}
    out: list[int | None] = []
    for n in range(1, pages + 1):
        if n in keep:
            out.append(n)
        elif out[-1] is not None:
            out.append(None)
    return out


def region_table(
    session: Session,
    scope: Scope,
    region: str,
    *,
    now: dt.datetime,
    year: int,
    sort: str,
    desc: bool,
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> RegionTable | None:
    """The page ``page`` (clamped to the pages there are); ``None``: no such region."""
    whole = scope.sees_whole_municipalities
    if whole and sort in LEAN_SORTS:
        return _lean_table(session, scope, region, now=now, year=year, sort=sort, desc=desc,
                           q=q, page=page, size=size)  # fmt: skip
    if whole:
        by_id = counted_base(session, scope, region, now=now, activity=sort == "activity")
        if not by_id:
            return None
        ids: Any = sorted(by_id)
        if scope.municipality_ids is None:  # a subquery plans better than 2,500 parameters
            ids = select(col(Municipality.id)).where(col(Municipality.region) == region)
        add_nok(session, by_id, ids)  # the register total and the "nok" order
        if sort == "coverage":
            add_coverage(session, by_id, ids, year)
        every = list(by_id.values())
    else:  # contacts and experts: few municipalities, each row complete at once
        every = region_rows(session, scope, region, now=now, year=year)
        if not every:
            return None
    ordered = sort_rows(matching(every, q), sort, desc)
    shown, page, pages = paged(ordered, page, size)
    if whole and shown:
        conn = session.connection()
        _details(conn, shown, year, activity=sort != "activity", coverage=sort != "coverage")
        add_heat(conn, scope, region, shown, now=now, whole=False)
    return RegionTable(
        rows=shown,
        municipalities=len(every),
        found=len(ordered),
        total=sum(r.total for r in every),
        overdue=sum(r.overdue for r in every),
        register=sum(r.nok_register for r in every),
        page=page,
        pages=pages,
    )


def _lean_table(
    session: Session,
    scope: Scope,
    region: str,
    *,
    now: dt.datetime,
    year: int,
    sort: str,
    desc: bool,
    q: str,
    page: int,
    size: int,
) -> RegionTable | None:
    """``region_table`` for the orders read from keys alone (``region_keys.LEAN_SORTS``):
    the keys of every municipality, the full rows of the page's only."""
    keys = region_keys(session, scope, region, now=now, sort=sort)
    if keys is None:
        return None
    ordered = order(matching(keys.keys, q), sort, desc)
    page_keys, page, pages = paged(ordered, page, size)
    ids = [k.id for k in page_keys]
    shown: list[RegionRow] = []
    if ids:
        by_id = counted_base(session, scope, region, now=now, activity=False, only=ids)
        add_nok(session, by_id, ids)
        shown = [by_id[i] for i in ids]
        conn = session.connection()
        _details(conn, shown, year, activity=True, coverage=True)
        add_heat(conn, scope, region, shown, now=now, whole=False)
    return RegionTable(
        rows=shown,
        municipalities=len(keys.keys),
        found=len(ordered),
        total=keys.total,
        overdue=keys.overdue,
        register=keys.register,
        page=page,
        pages=pages,
    )


def _details(
    conn: Any, rows: list[RegionRow], year: int, *, activity: bool, coverage: bool
) -> None:
    """The last audit entry and the year's coverage of ``rows``: one statement, correlated
    seeks per row (``ix_auditentry_municipality_at``, the indicator index)."""
    mid = col(Municipality.id)

    def indicator(column: Any) -> Any:
        return (
            select(func.sum(column))
            .where(
                col(IndicatorValue.municipality_id) == mid,
                col(IndicatorValue.year) == year,
                col(IndicatorValue.period) == "Y",
            )
            .correlate(Municipality)
            .scalar_subquery()
        )

    columns = [last_entry(mid)] if activity else []
    if coverage:
        columns += [indicator(IndicatorValue.target), indicator(IndicatorValue.actual)]
    by_id = {r.id: r for r in rows}
    stmt = select(mid, *columns).where(mid.in_(sorted(by_id)))
    for i, *values in conn.execute(stmt).all():
        r = by_id[int(i)]
        if activity:
            r.last_activity = _aware(values.pop(0))
        if coverage:
            r.target, r.actual = float(values[0] or 0), float(values[1] or 0)


def add_coverage(session: Session, rows: dict[int, RegionRow], ids: Any, year: int) -> None:
    """The year's coverage (plan and fact) of the municipalities ``ids`` (a list or a subquery)."""
    for mid, target, actual in session.execute(
        select(
            col(IndicatorValue.municipality_id),
            func.sum(IndicatorValue.target),
            func.sum(IndicatorValue.actual),
        )
        .where(
            col(IndicatorValue.municipality_id).in_(ids),
            col(IndicatorValue.year) == year,
            col(IndicatorValue.period) == "Y",
        )
        .group_by(col(IndicatorValue.municipality_id))
    ).all():
        if (r := rows.get(int(mid))) is not None:
            r.target, r.actual = float(target or 0), float(actual or 0)


def add_nok(session: Session, rows: dict[int, RegionRow], ids: Any) -> None:
    """НОК cases (all, in the register, rejected) of the municipalities ``ids``."""
    for mid, state, n in session.execute(
        select(col(ReviewCampaign.municipality_id), col(ReviewCase.state), func.count())
        .join(ReviewCampaign, col(ReviewCampaign.id) == col(ReviewCase.campaign_id))
        .where(col(ReviewCampaign.municipality_id).in_(ids))
        .group_by(col(ReviewCampaign.municipality_id), col(ReviewCase.state))
    ).all():
        if (r := rows.get(int(mid))) is None:
            continue
        r.nok_total += int(n)
        value = ReviewState(state).value
        r.nok_register += int(n) if value == IN_REGISTER else 0
        r.nok_rejected += int(n) if value in REJECTED else 0
