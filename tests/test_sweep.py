"""Set-based sweep: statuses in each municipality's zone, blocked steps, idempotency."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.roadmap.deadlines import status_at
from domain.roadmap.sweep import counts_by_municipality, sweep_municipalities
from models import Step, StepStatus
from models.db import session_scope
from tests.factories import make_municipality, make_step, pk
from tests.sweep_helpers import roadmap_for as make_roadmap

UTC = dt.UTC
D = dt.date

# (now UTC, zone, due date, window, expected) — quarter ends, New Year holidays, zones.
STATUS_CASES = [
    # 2025-03-31 10:00 UTC: Kaliningrad 12:00 on 31 Mar, Kamchatka 22:00 on 31 Mar.
    (dt.datetime(2025, 3, 31, 10, tzinfo=UTC), "Europe/Kaliningrad", D(2025, 3, 31), 7, "due"),
    (dt.datetime(2025, 3, 31, 10, tzinfo=UTC), "Asia/Kamchatka", D(2025, 3, 31), 7, "due"),
    # 2025-03-31 13:00 UTC: Kamchatka is already 1 April -> overdue; Moscow still 31 Mar.
    (dt.datetime(2025, 3, 31, 13, tzinfo=UTC), "Asia/Kamchatka", D(2025, 3, 31), 7, "overdue"),
    (dt.datetime(2025, 3, 31, 13, tzinfo=UTC), "Europe/Moscow", D(2025, 3, 31), 7, "due"),
    (dt.datetime(2025, 3, 31, 13, tzinfo=UTC), "Europe/Kaliningrad", D(2025, 3, 31), 7, "due"),
    (dt.datetime(2025, 3, 31, 16, tzinfo=UTC), "Asia/Irkutsk", D(2025, 3, 31), 7, "overdue"),
    # Quarter end -> 5th working day of Q2 (7 April 2025) is within 7 working days.
    (dt.datetime(2025, 3, 31, 9, tzinfo=UTC), "Europe/Moscow", D(2025, 4, 7), 7, "due_soon"),
    (dt.datetime(2025, 3, 31, 9, tzinfo=UTC), "Europe/Moscow", D(2025, 4, 10), 7, "planned"),
    (dt.datetime(2025, 3, 31, 9, tzinfo=UTC), "Europe/Moscow", D(2025, 4, 9), 7, "due_soon"),
    # New Year holidays: 30 Dec 2025 -> 12 Jan 2026 is 1 working day away (31 Dec is off).
    (dt.datetime(2025, 12, 30, 9, tzinfo=UTC), "Europe/Moscow", D(2026, 1, 12), 1, "due_soon"),
    (dt.datetime(2025, 12, 30, 9, tzinfo=UTC), "Europe/Moscow", D(2026, 1, 13), 1, "planned"),
    (dt.datetime(2025, 12, 31, 12, tzinfo=UTC), "Asia/Kamchatka", D(2025, 12, 31), 7, "overdue"),
    (dt.datetime(2025, 12, 31, 12, tzinfo=UTC), "Europe/Kaliningrad", D(2025, 12, 31), 7, "due"),
    (dt.datetime(2025, 12, 31, 12, tzinfo=UTC), "Europe/Moscow", D(2026, 1, 9), 0, "due_soon"),
    (dt.datetime(2025, 12, 31, 12, tzinfo=UTC), "Europe/Moscow", D(2026, 1, 12), 0, "planned"),
    (dt.datetime(2025, 6, 1, 0, tzinfo=UTC), "Asia/Vladivostok", D(2025, 5, 30), 7, "overdue"),
    (dt.datetime(2025, 6, 1, 0, tzinfo=UTC), "Europe/Samara", D(2025, 9, 1), 7, "planned"),
]


@pytest.mark.parametrize(("now", "tz", "due", "window", "expected"), STATUS_CASES)
def test_status_matches_table_and_pure_function(
    engine: Engine, now: dt.datetime, tz: str, due: dt.date, window: int, expected: str
) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, tz=tz)
        step = make_step(s, roadmap=make_roadmap(s, municipality=m), due=due)
        mid, sid = pk(m), step.id
    assert (
        status_at(
            due_date=due, tz=tz, now=now, current=StepStatus.planned, window_working_days=window
        )
        == expected
    )
    with session_scope(engine) as s:
        counts = sweep_municipalities(
            s, municipality_ids=[mid], now=now, window_working_days=window
        )
    with Session(engine) as s:
        assert s.get(Step, sid).status == expected  # type: ignore[union-attr]
    assert counts[expected] == 1
    assert counts["changed"] == (0 if expected == "planned" else 1)


def test_same_instant_gives_different_local_statuses_in_one_sweep(engine: Engine) -> None:
    now = dt.datetime(2025, 3, 31, 13, tzinfo=UTC)  # Kamchatka: 1 April 01:00
    zones = [
        "Europe/Kaliningrad",
        "Europe/Moscow",
        "Asia/Yekaterinburg",
        "Asia/Irkutsk",
        "Asia/Vladivostok",
        "Asia/Kamchatka",
    ]
    ids: dict[str, int] = {}
    with session_scope(engine) as s:
        for i, tz in enumerate(zones):
            m = make_municipality(s, code=f"m{i}", tz=tz)
            make_step(s, roadmap=make_roadmap(s, municipality=m), due=D(2025, 3, 31))
            ids[tz] = m.id  # type: ignore[assignment]
    with session_scope(engine) as s:
        counts = sweep_municipalities(
            s, municipality_ids=list(ids.values()), now=now, window_working_days=7
        )
    with Session(engine) as s:
        got = {
            s.get(Step, sid).timezone: s.get(Step, sid).status  # type: ignore[union-attr]
            for sid in s.exec(select(Step.id)).all()
        }
    # Local hour at 13:00 UTC: Irkutsk 21:00 (due), Vladivostok 23:00 (due), Kamchatka 01:00.
    assert got == {
        "Europe/Kaliningrad": "due",
        "Europe/Moscow": "due",
        "Asia/Yekaterinburg": "due",
        "Asia/Irkutsk": "due",
        "Asia/Vladivostok": "due",
        "Asia/Kamchatka": "overdue",
    }
    assert counts["due"] == 5 and counts["overdue"] == 1


def test_second_sweep_changes_nothing_and_keeps_status_changed_at(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s)
        r = make_roadmap(s, municipality=m)
        step = make_step(s, roadmap=r, due=D(2025, 3, 14))
        make_step(s, roadmap=r, key="done-one", due=D(2025, 1, 10), status=StepStatus.done)
        make_step(s, roadmap=r, key="waived-one", due=D(2025, 1, 10), status=StepStatus.waived)
        mid, sid = pk(m), step.id
    first = dt.datetime(2025, 3, 20, 8, tzinfo=UTC)
    with session_scope(engine) as s:
        c1 = sweep_municipalities(s, municipality_ids=[mid], now=first, window_working_days=7)
    with session_scope(engine) as s:
        c2 = sweep_municipalities(
            s, municipality_ids=[mid], now=first + dt.timedelta(hours=2), window_working_days=7
        )
    assert (c1["changed"], c2["changed"]) == (1, 0)
    assert c2["done"] == 1 and c2["waived"] == 1 and c2["overdue"] == 1
    with Session(engine) as s:
        row = s.get(Step, sid)
        assert row is not None and row.status == StepStatus.overdue
        assert row.status_changed_at == first


def test_blocked_lists_unfinished_dependencies_and_unblocks(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, tz="Asia/Irkutsk")
        r = make_roadmap(s, municipality=m)
        a = make_step(s, roadmap=r, key="npa-moc", due=D(2025, 2, 3))
        make_step(s, roadmap=r, key="head", due=D(2025, 2, 3), status=StepStatus.done)
        make_step(s, roadmap=r, key="poloz", due=D(2025, 2, 5))
        c = make_step(
            s, roadmap=r, key="certs", due=D(2025, 3, 3), depends_on=["poloz", "npa-moc", "head"]
        )
        mid, aid, cid = pk(m), a.id, c.id
    now = dt.datetime(2025, 2, 10, 3, tzinfo=UTC)
    with session_scope(engine) as s:
        counts = sweep_municipalities(s, municipality_ids=[mid], now=now, window_working_days=7)
    assert counts["blocked"] == 1 and counts["overdue"] == 2
    with Session(engine) as s:
        c_row = s.get(Step, cid)
        assert c_row is not None and c_row.status == StepStatus.blocked
        assert c_row.blocked_by == ["npa-moc", "poloz"]
    with session_scope(engine) as s:
        a_row = s.get(Step, aid)
        assert a_row is not None
        a_row.status = StepStatus.done
        s.add(a_row)
    with session_scope(engine) as s:
        again = sweep_municipalities(s, municipality_ids=[mid], now=now, window_working_days=7)
    assert again["to_blocked"] == 1  # blocked_by shrank, status stays blocked
    with Session(engine) as s:
        c_row = s.get(Step, cid)
        assert c_row is not None and c_row.blocked_by == ["poloz"]
        p_row = s.exec(select(Step).where(Step.key == "poloz")).one()
        p_row.status = StepStatus.waived
        s.add(p_row)
        s.commit()
    with session_scope(engine) as s:
        sweep_municipalities(s, municipality_ids=[mid], now=now, window_working_days=7)
    with Session(engine) as s:
        c_row = s.get(Step, cid)
        assert c_row is not None
        assert (c_row.status, c_row.blocked_by) == (StepStatus.planned, [])


def test_recurring_dependency_uses_same_period_or_earlier_occurrences(engine: Engine) -> None:
    from models import Recurrence

    q = Recurrence.quarterly
    with session_scope(engine) as s:
        m = make_municipality(s)
        r = make_roadmap(s, municipality=m)
        make_step(
            s,
            roadmap=r,
            key="ind",
            period="2025-Q1",
            recurrence=q,
            due=D(2025, 4, 7),
            status=StepStatus.done,
        )
        make_step(s, roadmap=r, key="ind", period="2025-Q2", recurrence=q, due=D(2025, 7, 7))
        make_step(s, roadmap=r, key="survey", period="2025-Q3", recurrence=q, due=D(2025, 10, 7))
        # Same period exists and is done -> not blocked.
        q1 = make_step(
            s,
            roadmap=r,
            key="rep",
            period="2025-Q1",
            recurrence=q,
            due=D(2025, 4, 10),
            depends_on=["ind"],
        )
        # Same period open -> blocked by it.
        q2 = make_step(
            s,
            roadmap=r,
            key="rep",
            period="2025-Q2",
            recurrence=q,
            due=D(2025, 7, 10),
            depends_on=["ind"],
        )
        # Yearly step depending on a quarterly one: all quarters due on or before it.
        y = make_step(
            s,
            roadmap=r,
            key="annual",
            period="2025",
            recurrence=Recurrence.yearly,
            due=D(2025, 8, 1),
            depends_on=["ind", "survey"],
        )
        mid, ids = pk(m), (q1.id, q2.id, y.id)
    now = dt.datetime(2025, 3, 3, 9, tzinfo=UTC)
    with session_scope(engine) as s:
        sweep_municipalities(s, municipality_ids=[mid], now=now, window_working_days=7)
    with Session(engine) as s:
        got = [(s.get(Step, i).status, s.get(Step, i).blocked_by) for i in ids]  # type: ignore[union-attr]
    assert got == [
        (StepStatus.planned, []),
        (StepStatus.blocked, ["ind"]),
        (StepStatus.blocked, ["ind"]),
    ]


def test_counts_by_municipality(engine: Engine) -> None:
    with session_scope(engine) as s:
        a = make_municipality(s, code="a")
        b = make_municipality(s, code="b", tz="Asia/Kamchatka")
        make_step(s, roadmap=make_roadmap(s, municipality=a), due=D(2025, 1, 9))
        make_step(s, roadmap=make_roadmap(s, municipality=b), due=D(2025, 12, 1))
        ids = [a.id, b.id]
    now = pendulum.datetime(2025, 2, 1, tz="UTC")
    with session_scope(engine) as s:
        sweep_municipalities(s, municipality_ids=ids, now=now, window_working_days=7)  # type: ignore[arg-type]
        per = counts_by_municipality(s, municipality_ids=ids)  # type: ignore[arg-type]
    assert per[ids[0]]["overdue"] == 1 and per[ids[1]]["planned"] == 1  # type: ignore[index]
