"""Deadlines in the municipality's zone and the status of a step at a moment.

A deadline is the end of its local working day (23:59:59 in the step's zone).
Pure functions: no database, no Prefect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import pendulum

from domain.calendar.workdays import next_working_day, working_days_between
from models.roadmap import StepStatus

CLOSED = frozenset({StepStatus.done, StepStatus.waived})


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


@lru_cache(maxsize=65536)
def end_of_day_utc(day: dt.date, tz: str) -> dt.datetime:
    """The deadline instant of a local date: 23:59:59 in ``tz``, returned in UTC.

    Uses zoneinfo (cached) rather than pendulum's zone loading: this sits on the
    instantiation and sweep hot paths.
    """
    local = dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=_zone(tz))
    return local.astimezone(dt.UTC)


def deadline_for(day: dt.date, tz: str) -> tuple[dt.date, dt.datetime]:
    """A due date moved to a working day (Civil Code art. 193) and its UTC instant."""
    working = next_working_day(day)
    return working, end_of_day_utc(working, tz)


def local_date(now: dt.datetime, tz: str) -> dt.date:
    """The calendar date of an aware instant in a zone."""
    if now.tzinfo is None:
        raise ValueError("naive datetime refused")
    return pendulum.instance(now).in_timezone(tz).date()


def status_at(
    *,
    due_date: dt.date,
    tz: str,
    now: dt.datetime,
    current: StepStatus,
    unfinished_dependencies: Iterable[str] = (),
    window_working_days: int = 7,
) -> StepStatus:
    """Status of one step at ``now`` (aware), computed in the step's own zone.

    done/waived stay; unfinished dependencies -> blocked; past the deadline ->
    overdue; the deadline's own day -> due; within the window of working days
    before it -> due_soon; otherwise planned.
    """
    if current in CLOSED:
        return current
    if any(True for _ in unfinished_dependencies):
        return StepStatus.blocked
    today = local_date(now, tz)
    if today > due_date:
        return StepStatus.overdue
    if today == due_date:
        return StepStatus.due
    if working_days_between(today, due_date) <= window_working_days:
        return StepStatus.due_soon
    return StepStatus.planned
