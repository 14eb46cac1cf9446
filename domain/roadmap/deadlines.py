"""Deadlines in the municipality's zone and the status of a step at a moment.

A deadline is the end of its local working day (23:59:59 in the step's zone).
Pure functions: no database, no Prefect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from domain.calendar.time import end_of_day_utc, local_date
from domain.calendar.workdays import next_working_day, working_days_between
from models.enums import StepStatus

__all__ = ["CLOSED", "deadline_for", "end_of_day_utc", "local_date", "status_at"]

CLOSED = frozenset({StepStatus.done, StepStatus.waived})


def deadline_for(day: dt.date, tz: str) -> tuple[dt.date, dt.datetime]:
    """A due date moved to a working day (Civil Code art. 193) and its UTC instant."""
    working = next_working_day(day)
    return working, end_of_day_utc(working, tz)


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
