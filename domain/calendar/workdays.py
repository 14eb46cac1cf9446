"""The official Russian production calendar: working days, transfers, working Saturdays.

Built on ``holidays.country_holidays("RU")``: its holidays include the government's
transfers (days off moved by decree), and its ``weekend_workdays`` set holds the
Saturdays made working days, which count as working days here.
All functions take and return plain ``datetime.date`` values (calendar days have no
zone; the caller picks the municipality's local date first).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import threading
from bisect import bisect_left, bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Any

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _russia() -> Any:
    """holidays' Russia class, loaded alone: ``country_holidays("RU")`` imports the
    package ``holidays.countries``, i.e. all ~250 countries (most of the CLI's start)."""
    import holidays  # only when a calendar is computed (importing workdays costs nothing)

    name = "holidays.countries.russia"
    with _LOCK:  # threads must never see the module half-executed
        if name in sys.modules:
            return sys.modules[name].Russia
        path = Path(holidays.__file__).parent / "countries" / "russia.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a different layout
            return holidays.country_holidays("RU").__class__
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
        return module.Russia


@lru_cache(maxsize=64)
def _year_calendar(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off that fall on weekdays or not, working weekend days) of one year."""
    cal = _russia()(years=year)
    days_off = frozenset(d for d in cal if d.year == year)
    workdays = frozenset(d for d in getattr(cal, "weekend_workdays", ()) if d.year == year)
    return days_off, workdays


@lru_cache(maxsize=64)
def _working_days_of_year(year: int) -> tuple[dt.date, ...]:
    days_off, working_weekends = _year_calendar(year)
    start = dt.date(year, 1, 1)
    out: list[dt.date] = []
    day = start
    while day.year == year:
        if day in working_weekends or (day.weekday() < 5 and day not in days_off):
            out.append(day)
        day += dt.timedelta(days=1)
    return tuple(out)


def is_working_day(day: dt.date) -> bool:
    """True for a working day of the official calendar (working Saturdays included)."""
    days_off, working_weekends = _year_calendar(day.year)
    if day in working_weekends:
        return True
    return day.weekday() < 5 and day not in days_off


def working_days_in_year(year: int) -> int:
    """Number of working days in a calendar year (2025 -> 247)."""
    return len(_working_days_of_year(year))


def next_working_day(day: dt.date, *, inclusive: bool = True) -> dt.date:
    """The first working day on or after ``day`` (strictly after if not inclusive).

    This is the Civil Code art. 193 rule: a deadline on a day off moves forward.
    """
    year_days = _working_days_of_year(day.year)
    idx = bisect_left(year_days, day) if inclusive else bisect_right(year_days, day)
    if idx < len(year_days):
        return year_days[idx]
    return _working_days_of_year(day.year + 1)[0]


def previous_working_day(day: dt.date, *, inclusive: bool = True) -> dt.date:
    """The last working day on or before ``day`` (strictly before if not inclusive)."""
    year_days = _working_days_of_year(day.year)
    idx = bisect_right(year_days, day) if inclusive else bisect_left(year_days, day)
    if idx > 0:
        return year_days[idx - 1]
    return _working_days_of_year(day.year - 1)[-1]


def add_working_days(day: dt.date, n: int) -> dt.date:
    """Move ``n`` working days from ``day`` (negative ``n`` goes back).

    ``add_working_days(d, 0)`` is ``d`` moved forward to a working day if needed; for
    n > 0 the count starts on the day after ``day`` (Friday + 1 = Monday), for n < 0
    on the day before it.
    """
    if n == 0:
        return next_working_day(day)
    year = day.year
    if n > 0:
        days = _working_days_of_year(year)
        idx = bisect_right(days, day) + n - 1
        while idx >= len(days):
            idx -= len(days)
            year += 1
            days = _working_days_of_year(year)
        return days[idx]
    days = _working_days_of_year(year)
    idx = bisect_left(days, day) + n
    while idx < 0:
        year -= 1
        days = _working_days_of_year(year)
        idx += len(days)
    return days[idx]


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in the half-open interval (start, end]; negative if end < start."""
    if end < start:
        return -working_days_between(end, start)
    total = 0
    for year in range(start.year, end.year + 1):
        days = _working_days_of_year(year)
        lo = bisect_right(days, start) if year == start.year else 0
        hi = bisect_right(days, end) if year == end.year else len(days)
        total += hi - lo
    return total
