"""Template rule of an event step: done when at least N events are held in its period.

The rule comes from the template (``done_when: {events_at_least: N, kinds: [...]}``)
and is kept in the step's ``due_rule`` JSON under ``done_when``.
"""

from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Roadmap, Step
from models.records import EventRecord
from models.roadmap import OPEN_STATUSES, StepKind


def period_range(period: str, roadmap_year: int) -> tuple[dt.date, dt.date]:
    """Dates of a step's period label: "" (the roadmap year), "2025", "2025-Q1", "2025-03"."""
    if not period:
        return dt.date(roadmap_year, 1, 1), dt.date(roadmap_year, 12, 31)
    year = int(period[:4])
    if period[4:5] == "/":  # school year "2020/2021" or its quarter "2020/2021-Q2"
        if "-Q" not in period:
            return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
        q = int(period.rsplit("-Q", 1)[1])
        # Q1 Sep–Nov, Q2 Dec–Feb, Q3 Mar–May, Q4 Jun–Aug (as roadmaps.planning.school_periods)
        (y0, m0), (y1, m1) = {
            1: ((0, 9), (0, 11)),
            2: ((0, 12), (1, 2)),
            3: ((1, 3), (1, 5)),
            4: ((1, 6), (1, 8)),
        }[q]
        end_year = year + y1
        return dt.date(year + y0, m0, 1), dt.date(
            end_year, m1, calendar.monthrange(end_year, m1)[1]
        )
    rest = period[5:]
    if not rest:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if rest.startswith("Q"):
        q = int(rest[1:])
        last = 3 * q
        return dt.date(year, last - 2, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    month = int(rest)
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def satisfied_steps(s: Session, *, municipality_id: int, day: dt.date) -> list[Step]:
    """Open event steps with a ``done_when`` rule, covering ``day``, that the register meets."""
    rows = s.exec(
        select(Step, Roadmap.year)
        .join(Roadmap, col(Roadmap.id) == Step.roadmap_id)
        .where(
            Step.municipality_id == municipality_id,
            Step.kind == StepKind.event,
            col(Step.status).in_(OPEN_STATUSES),
        )
    ).all()
    out: list[Step] = []
    for step, year in rows:
        rule = (step.due_rule or {}).get("done_when")
        if not isinstance(rule, dict) or "events_at_least" not in rule:
            continue
        start, end = period_range(step.period, year)
        if not start <= day <= end:
            continue
        q = (
            select(func.count())
            .select_from(EventRecord)
            .where(
                EventRecord.municipality_id == municipality_id,
                col(EventRecord.held_on) >= start,
                col(EventRecord.held_on) <= end,
            )
        )
        if kinds := rule.get("kinds"):
            q = q.where(col(EventRecord.kind).in_(list(kinds)))
        if int(s.exec(q).one()) >= int(rule["events_at_least"]):
            out.append(step)
    return out
