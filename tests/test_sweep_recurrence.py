"""Recurring steps roll forward when the sweep enters a period with no occurrence."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.roadmap.recurrence import next_due_date, next_period, period_end, period_of
from domain.roadmap.sweep import sweep_municipalities
from models import Recurrence, Step, StepStatus
from models.db import session_scope
from tests.factories import make_municipality, make_step
from tests.sweep_helpers import roadmap_for

D = dt.date
Q, M, Y = Recurrence.quarterly, Recurrence.monthly, Recurrence.yearly


@pytest.mark.parametrize(
    ("day", "rec", "label", "nxt", "end"),
    [
        (D(2025, 3, 31), Q, "2025-Q1", "2025-Q2", D(2025, 3, 31)),
        (D(2025, 12, 31), Q, "2025-Q4", "2026-Q1", D(2025, 12, 31)),
        (D(2025, 2, 10), M, "2025-02", "2025-03", D(2025, 2, 28)),
        (D(2024, 12, 1), M, "2024-12", "2025-01", D(2024, 12, 31)),
        (D(2025, 7, 1), Y, "2025", "2026", D(2025, 12, 31)),
    ],
)
def test_period_labels(day: dt.date, rec: Recurrence, label: str, nxt: str, end: dt.date) -> None:
    assert period_of(day, rec) == label
    assert next_period(label, rec) == nxt
    assert period_end(label, rec) == end


def test_due_date_after_period_end_counts_working_days_over_new_year() -> None:
    # 5th working day after 2025-Q4: 1-11 Jan 2026 are days off -> 16 Jan 2026.
    assert next_due_date(
        rule={"after": "period_end", "working_days": 5},
        recurrence=Q,
        previous_period="2025-Q3",
        previous_due=D(2025, 10, 7),
        period="2025-Q4",
    ) == D(2026, 1, 16)
    # Fixed date of the year keeps its calendar place, moved to a working day.
    assert next_due_date(
        rule={"date": "{year}-03-01"},
        recurrence=Y,
        previous_period="2025",
        previous_due=D(2025, 3, 3),
        period="2026",
    ) == D(2026, 3, 3)


def _series(engine: Engine, tz: str = "Asia/Kamchatka") -> int:
    with session_scope(engine) as s:
        m = make_municipality(s, tz=tz)
        r = roadmap_for(s, municipality=m)
        rule = {"after": "period_end", "working_days": 5}
        for label, due, status in [
            ("2025-Q3", D(2025, 10, 7), StepStatus.done),
            ("2025-Q4", D(2026, 1, 16), StepStatus.planned),
        ]:
            make_step(
                s,
                roadmap=r,
                key="ind-rmc",
                period=label,
                recurrence=Q,
                due=due,
                status=status,
                due_rule=rule,
                evidence_required=["file"],
            )
        make_step(
            s,
            roadmap=r,
            key="annual",
            period="2025",
            recurrence=Y,
            due=D(2025, 12, 26),
            status=StepStatus.done,
            due_rule={"date": "{year}-12-26"},
        )
        assert m.id is not None
        return m.id


def test_new_year_rolls_quarter_and_year_forward_once(engine: Engine) -> None:
    mid = _series(engine)
    # 31 Dec 2025 13:00 UTC = 1 Jan 2026 01:00 in Kamchatka: a new quarter and year there.
    now = dt.datetime(2025, 12, 31, 13, tzinfo=dt.UTC)
    with session_scope(engine) as s:
        first = sweep_municipalities(s, municipality_ids=[mid], now=now, window_working_days=7)
    with session_scope(engine) as s:
        second = sweep_municipalities(s, municipality_ids=[mid], now=now, window_working_days=7)
    assert (first["created"], second["created"]) == (2, 0)
    with Session(engine) as s:
        rows = s.exec(select(Step).order_by(Step.key, Step.period)).all()
        got = [(r.key, r.period, r.due_date, r.status) for r in rows]
        new_q = next(r for r in rows if r.period == "2026-Q1")
        assert new_q.evidence_required == ["file"] and new_q.blocked_by == []
        assert new_q.due_rule == {"after": "period_end", "working_days": 5}
        assert new_q.due_at == dt.datetime(2026, 4, 7, 11, 59, 59, tzinfo=dt.UTC)
    assert got == [
        ("annual", "2025", D(2025, 12, 26), StepStatus.done),
        ("annual", "2026", D(2026, 12, 28), StepStatus.planned),  # 26 Dec 2026 is Saturday
        ("ind-rmc", "2025-Q3", D(2025, 10, 7), StepStatus.done),
        ("ind-rmc", "2025-Q4", D(2026, 1, 16), StepStatus.due_soon),  # 5 working days
        ("ind-rmc", "2026-Q1", D(2026, 4, 7), StepStatus.planned),
    ]


def test_same_instant_in_moscow_rolls_nothing(engine: Engine) -> None:
    mid = _series(engine, tz="Europe/Moscow")
    now = dt.datetime(2025, 12, 31, 13, tzinfo=dt.UTC)  # 16:00 on 31 Dec in Moscow
    with session_scope(engine) as s:
        counts = sweep_municipalities(s, municipality_ids=[mid], now=now, window_working_days=7)
    assert counts["created"] == 0


def test_long_gap_creates_every_missing_period(engine: Engine) -> None:
    mid = _series(engine)
    with session_scope(engine) as s:
        counts = sweep_municipalities(
            s,
            municipality_ids=[mid],
            now=dt.datetime(2026, 8, 1, tzinfo=dt.UTC),
            window_working_days=7,
            as_of=D(2026, 8, 1),
        )
    assert counts["created"] == 4  # 2026-Q1, 2026-Q2, 2026-Q3 and the year 2026
    with Session(engine) as s:
        overdue = s.exec(select(Step.period).where(Step.status == StepStatus.overdue)).all()
    assert sorted(overdue) == ["2025-Q4", "2026-Q1", "2026-Q2"]
