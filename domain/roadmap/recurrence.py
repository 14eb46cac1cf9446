"""Occurrence periods of recurring steps and the due date of the next occurrence.

Period labels (``Step.period``): ``""`` once, ``"2025"`` yearly, ``"2025-Q1"``
quarterly, ``"2025-03"`` monthly. Labels of one recurrence sort chronologically as
plain strings, which lets SQL use ``max(period)``.
Pure functions: no database, no Prefect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.calendar.workdays import add_working_days, next_working_day
from models.roadmap import Recurrence

_MONTHS = {Recurrence.yearly: 12, Recurrence.quarterly: 3, Recurrence.monthly: 1}


def period_of(day: dt.date, recurrence: Recurrence) -> str:
    """The label of the period that contains a local date."""
    if recurrence == Recurrence.yearly:
        return f"{day.year}"
    if recurrence == Recurrence.quarterly:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if recurrence == Recurrence.monthly:
        return f"{day.year}-{day.month:02d}"
    return ""


def period_start(label: str, recurrence: Recurrence) -> dt.date:
    """First day of a period."""
    if recurrence == Recurrence.yearly:
        return dt.date(int(label), 1, 1)
    year, rest = label.split("-")
    if recurrence == Recurrence.quarterly:
        return dt.date(int(year), 3 * (int(rest.removeprefix("Q")) - 1) + 1, 1)
    if recurrence == Recurrence.monthly:
        return dt.date(int(year), int(rest), 1)
    raise ValueError(f"no periods for recurrence {recurrence!r}")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def next_period(label: str, recurrence: Recurrence) -> str:
    """The label of the period after ``label``."""
    start = period_start(label, recurrence)
    return period_of(_add_months(start, _MONTHS[recurrence]), recurrence)


def period_end(label: str, recurrence: Recurrence) -> dt.date:
    """Last day of a period."""
    start = period_start(label, recurrence)
    return _add_months(start, _MONTHS[recurrence]) - dt.timedelta(days=1)


def periods_between(after: str, upto: str, recurrence: Recurrence) -> list[str]:
    """Labels strictly after ``after`` up to and including ``upto``."""
    out: list[str] = []
    label = after
    while True:
        label = next_period(label, recurrence)
        if label > upto:
            return out
        out.append(label)


def _period_end_offset(rule: dict[str, Any]) -> int | None:
    """Working days after the period end, for the rule shapes the loader writes."""
    if "after_period_end" in rule:
        return int(rule["after_period_end"])
    after = rule.get("after")
    if after in ("period_end", "period-end", "@period_end") and "working_days" in rule:
        return int(rule["working_days"])
    return None


def next_due_date(
    *,
    rule: dict[str, Any],
    recurrence: Recurrence,
    previous_period: str,
    previous_due: dt.date,
    period: str,
) -> dt.date:
    """Due date of the occurrence ``period``, derived from the step's due rule.

    "N working days after the period end" is recomputed on the calendar for the new
    period; any other rule (a fixed date of the year, N days after a step) keeps the
    calendar distance from the previous occurrence: its date moved by whole periods,
    then to a working day (Civil Code art. 193).
    """
    offset = _period_end_offset(rule)
    if offset is not None:
        return add_working_days(period_end(period, recurrence), offset)
    steps = 0
    label = previous_period
    while label < period:
        label = next_period(label, recurrence)
        steps += 1
    return next_working_day(_add_months(previous_due, steps * _MONTHS[recurrence]))
