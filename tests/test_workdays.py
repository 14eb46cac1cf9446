"""The official Russian production calendar (table-driven)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar.workdays import (
    add_working_days,
    is_working_day,
    next_working_day,
    previous_working_day,
    working_days_between,
    working_days_in_year,
)

D = dt.date


@pytest.mark.parametrize(("year", "count"), [(2023, 247), (2024, 248), (2025, 247), (2026, 247)])
def test_official_yearly_counts(year: int, count: int) -> None:
    assert working_days_in_year(year) == count


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (D(2024, 4, 27), True, "working Saturday (transfer to 29 April)"),
        (D(2024, 11, 2), True, "working Saturday (transfer to 30 December)"),
        (D(2024, 12, 28), True, "working Saturday (transfer to 31 December)"),
        (D(2025, 11, 1), True, "working Saturday (transfer to 3 November)"),
        (D(2024, 4, 29), False, "day off transferred from 27 April"),
        (D(2024, 12, 30), False, "day off transferred from 2 November"),
        (D(2024, 12, 31), False, "day off transferred from 28 December"),
        (D(2025, 5, 2), False, "day off transferred from 4 January"),
        (D(2025, 5, 8), False, "day off transferred from 23 February"),
        (D(2025, 6, 13), False, "day off transferred from 8 March"),
        (D(2025, 11, 3), False, "day off transferred from 1 November"),
        (D(2025, 12, 31), False, "day off transferred from 5 January"),
        (D(2025, 1, 8), False, "New Year holidays"),
        (D(2025, 1, 9), True, "first working day of 2025"),
        (D(2025, 3, 10), True, "ordinary Monday"),
        (D(2025, 3, 8), False, "8 March on a Saturday"),
        (D(2025, 3, 15), False, "ordinary Saturday"),
        (D(2023, 2, 24), False, "day off transferred from 1 January 2023"),
        (D(2026, 1, 9), False, "New Year holidays 2026 (transfer from 3 January)"),
        (D(2026, 1, 12), True, "first working day of 2026"),
    ],
)
def test_known_days(day: dt.date, working: bool, why: str) -> None:
    assert is_working_day(day) is working, why


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 3, 14), 1, D(2025, 3, 17)),  # Friday + 1 = Monday
        (D(2024, 12, 27), 1, D(2024, 12, 28)),  # working Saturday
        (D(2024, 12, 28), 1, D(2025, 1, 9)),  # across New Year holidays
        (D(2025, 1, 9), -1, D(2024, 12, 28)),  # back across New Year
        (D(2025, 1, 1), 0, D(2025, 1, 9)),  # 0 moves a day off forward
        (D(2025, 5, 7), 1, D(2025, 5, 12)),  # across 8-11 May
        (D(2025, 4, 30), 2, D(2025, 5, 6)),  # across 1-4 May
        (D(2025, 3, 31), 5, D(2025, 4, 7)),  # 5th working day after Q1
        (D(2025, 12, 31), 5, D(2026, 1, 16)),  # 5th working day after the year
        (D(2024, 1, 1), 248, D(2024, 12, 28)),  # whole year forward
        (D(2025, 1, 1), -248, D(2024, 1, 9)),  # whole year back
        (D(2025, 3, 17), -5, D(2025, 3, 10)),
    ],
)
def test_add_working_days(start: dt.date, n: int, expected: dt.date) -> None:
    assert add_working_days(start, n) == expected


def test_next_and_previous_working_day() -> None:
    assert next_working_day(D(2025, 12, 31)) == D(2026, 1, 12)
    assert next_working_day(D(2025, 3, 17)) == D(2025, 3, 17)
    assert next_working_day(D(2025, 3, 17), inclusive=False) == D(2025, 3, 18)
    assert previous_working_day(D(2026, 1, 11)) == D(2025, 12, 30)
    assert previous_working_day(D(2025, 3, 17), inclusive=False) == D(2025, 3, 14)


@pytest.mark.parametrize(
    ("a", "b", "n"),
    [
        (D(2024, 12, 31), D(2025, 12, 31), 247),
        (D(2025, 3, 14), D(2025, 3, 17), 1),
        (D(2025, 3, 17), D(2025, 3, 14), -1),
        (D(2024, 12, 28), D(2025, 1, 9), 1),
        (D(2025, 1, 1), D(2025, 1, 1), 0),
    ],
)
def test_working_days_between(a: dt.date, b: dt.date, n: int) -> None:
    assert working_days_between(a, b) == n


days = st.dates(min_value=D(2022, 1, 1), max_value=D(2027, 12, 31))


@given(day=days, n=st.integers(min_value=-400, max_value=400))
def test_add_then_count_round_trips(day: dt.date, n: int) -> None:
    result = add_working_days(day, n)
    assert is_working_day(result)
    if n > 0:
        assert working_days_between(day, result) == n
    elif n < 0:
        # Going back from a working day lands exactly |n| working days earlier.
        start = next_working_day(day)
        assert working_days_between(add_working_days(start, n), start) == -n


@given(day=days)
def test_next_working_day_is_the_first(day: dt.date) -> None:
    nxt = next_working_day(day)
    assert is_working_day(nxt)
    probe = day
    while probe < nxt:
        assert not is_working_day(probe)
        probe += dt.timedelta(days=1)
