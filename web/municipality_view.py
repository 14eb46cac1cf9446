"""The read model of the municipality page (issue 19).

One query reads every step of the (filtered, scoped) roadmap as raw list rows
(web/queries.py, web/raw_rows.py); the counts, the chart, the owners, the short lists
and the plan page are computed from them. Reading the blocks apart (a GROUP BY, the
short lists, one plan page in SQL) was measured slower at 500 steps on SQLite and
PostgreSQL: the extra statements cost more than decoding the rows they spare.
``tests/test_web_municipality_view.py`` compares every field with a from-scratch answer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from domain.calendar.time import local_date
from models import Municipality, Organisation, Step
from models.roadmap import OPEN_STATUSES, StepStatus
from web.access import Scope
from web.overview_queries import STATUS_ORDER, counts_for
from web.queries import (
    BLOCKED_LIMIT,
    OPEN,
    PAGE_SIZE,
    LateStep,
    Responsible,
    StepFilters,
    late_steps,
    list_select,
    responsible_people,
    sort_key,
    step_rows,
)

OPEN_VALUES = [s.value for s in OPEN_STATUSES]
# Built once (SQLAlchemy keeps a statement's cache key): the municipality's organisations.
ORGANISATIONS = select(
    col(Organisation.id), col(Organisation.short_name), col(Organisation.name)
).where(col(Organisation.municipality_id) == bindparam("m"))


@dataclass
class MunicipalityView:
    municipality: Municipality
    today: dt.date
    counts: dict[str, int]
    months: list[tuple[str, list[Any]]]  # the (filtered) rows by due month, for the chart
    next_week: list[Any]
    blocked: list[Any]
    owners: list[tuple[str, str]]
    organisations: dict[int, str]
    titles: dict[str, str]  # step key -> title, for the blockers of blocked steps
    late: list[LateStep] = field(default_factory=list)
    people: dict[str, Responsible] = field(default_factory=dict)
    plan: list[Any] = field(default_factory=list)  # one page of the list, in the chosen order
    page: int = 1
    pages: int = 1
    total: int = 0
    sort: str = "due"


def municipality_view(
    session: Session,
    scope: Scope,
    m: Municipality,
    *,
    filters: StepFilters,
    now: dt.datetime,
    sort: str = "due",
    page: int = 1,
) -> MunicipalityView:
    assert m.id is not None
    today = local_date(now, m.timezone)
    mine = col(Step.municipality_id) == m.id
    due, sid, status = col(Step.due_date), col(Step.id), col(Step.status)
    base = scope.steps(list_select(session).where(mine))
    steps = step_rows(session, filters.apply(base).order_by(due, sid))
    months: dict[str, list[Any]] = {}
    for (year, month), group in groupby(steps, key=lambda r: (r.due_date.year, r.due_date.month)):
        months[f"{year:04d}-{month:02d}"] = list(group)
    week_end = today + dt.timedelta(days=7)
    unfiltered = not (filters.status or filters.kind or filters.owner)
    if unfiltered:  # the rows already loaded (in due order) hold both short lists
        next_week = [s for s in steps if today <= s.due_date <= week_end and s.status in OPEN]
        blocked = [s for s in steps if s.status == StepStatus.blocked][:BLOCKED_LIMIT]
    else:
        next_week = step_rows(
            session,
            base.where(due >= today, due <= week_end, status.in_(OPEN_VALUES)).order_by(due, sid),
        )
        blocked = step_rows(
            session,
            base.where(status == StepStatus.blocked).order_by(due, sid).limit(BLOCKED_LIMIT),
        )
    orgs = {
        int(i): short or name
        for i, short, name in session.connection()
        .execute(scope.organisations(ORGANISATIONS), {"m": m.id})  # core: a read, no flush
        .all()
    }
    counts: dict[str, int] = {}
    if unfiltered:  # the rows already loaded are the whole (scoped) roadmap
        roles: Any = {s.owner_role for s in steps}
        # Members of a StrEnum are equal to (and hash as) their values: no .value per row.
        by_status: Counter[str] = Counter(s.status for s in steps)
        counts = {k: by_status[k] for k in STATUS_ORDER if k in by_status}
    else:
        roles = session.execute(
            scope.steps(select(col(Step.owner_role)).where(mine).distinct())
        ).scalars()
        counts = counts_for(session, scope, m.id)
    owners = [(r, r) for r in sorted(roles)] + [(f"org:{i}", n) for i, n in orgs.items()]
    counts = {k: counts[k] for k in STATUS_ORDER if k in counts}
    keys = sorted({k for b in blocked for k in b.blocked_by})
    titles: dict[str, str] = {}
    if keys and unfiltered and scope.sees_whole_municipalities:
        wanted = set(keys)  # every step of the municipality is loaded: no query
        for s in steps:
            if s.key in wanted:
                titles.setdefault(s.key, s.title)
    elif keys:  # blockers may lie outside the scope or the filter: their titles are shown
        titles = dict(
            session.execute(  # type: ignore[arg-type]
                select(col(Step.key), col(Step.title))
                .where(mine, col(Step.key).in_(keys))
                .distinct()
            ).all()
        )
    people = responsible_people(session, m.id)
    view = MunicipalityView(
        m, today, counts, sorted(months.items()), next_week, blocked, owners, orgs, titles
    )
    view.people = people
    view.late = late_steps(steps, today, people)
    ordered = steps if sort == "due" else sorted(steps, key=sort_key(sort))
    view.total, view.sort = len(ordered), sort
    view.pages = max(1, -(-len(ordered) // PAGE_SIZE))
    view.page = min(max(1, page), view.pages)
    view.plan = ordered[(view.page - 1) * PAGE_SIZE : view.page * PAGE_SIZE]
    return view
