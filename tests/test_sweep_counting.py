"""A sweep that rewrites much of its batch recounts instead of counting per row (SQLite).

The first sweep drops the count triggers inside its transaction, recounts its
municipalities and restores the triggers; a quiet next day keeps the triggers. Either
way the counters equal a GROUP BY over ``step``, the triggers are back afterwards, and a
rolled-back sweep leaves the triggers and counts as they were.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

import domain.roadmap.sweep_counting as counting
from domain.roadmap.sweep import sweep_municipalities
from models import StepStatus
from models.db import make_engine, session_scope
from models.status_counts import current_counts
from tests.factories import make_municipality, make_step, pk
from tests.sweep_helpers import roadmap_for

DAY = dt.date(2025, 3, 20)


def _counts(conn: Connection) -> dict[tuple[int, str], int]:
    rows = conn.execute(current_counts(dialect=conn.dialect.name)).all()
    return {(int(m), str(s)): int(n) for m, s, n in rows}


def _truth(conn: Connection) -> dict[tuple[int, str], int]:
    rows = conn.execute(
        text("SELECT municipality_id, status, count(*) FROM step GROUP BY municipality_id, status")
    ).all()
    return {(int(m), str(getattr(s, "value", s))): int(n) for m, s, n in rows}


def _triggers(conn: Connection) -> set[str]:
    rows = conn.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'step_count_%'")
    ).all()
    return {str(r[0]) for r in rows}


def _build(engine: Engine, n: int = 40) -> list[int]:
    with session_scope(engine) as s:
        mids = []
        for code in ("a", "b"):
            m = make_municipality(s, code=code)
            r = roadmap_for(s, municipality=m)
            for i in range(n):  # due dates from 30 days ago to 50 days ahead
                make_step(
                    s,
                    roadmap=r,
                    key=f"k{i}",
                    due=DAY + dt.timedelta(days=2 * i - 30),
                    depends_on=[f"k{i - 1}"] if i % 4 == 3 else [],
                    status=StepStatus.done if i % 5 == 0 else StepStatus.planned,
                )
            mids.append(pk(m))
    return mids


def _sweep(engine: Engine, mids: list[int], day: dt.date) -> dict[str, int]:
    now = dt.datetime(day.year, day.month, day.day, 6, tzinfo=dt.UTC)
    with session_scope(engine, immediate=True) as s:
        return sweep_municipalities(
            s, municipality_ids=mids, now=now, window_working_days=5, as_of=day
        )


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []
    real = counting.counted_by_recount

    def spy(conn: Connection, ids: list[int], *, bulk: bool) -> object:
        seen.append(bulk)
        return real(conn, ids, bulk=bulk)

    monkeypatch.setattr("domain.roadmap.sweep.counted_by_recount", spy)
    return seen


@pytest.mark.backends("sqlite")
def test_first_sweep_recounts_and_next_day_counts_per_row(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    mids = _build(engine)
    seen = _spy(monkeypatch)
    with engine.connect() as conn:
        before = _triggers(conn)
    assert before == {"step_count_ins", "step_count_del", "step_count_upd"}
    first = _sweep(engine, mids, DAY)
    assert first["changed"] > 20 and seen == [True]  # a large share moved: recounted
    with engine.connect() as conn:
        assert _counts(conn) == _truth(conn)
        assert _triggers(conn) == before
    nxt = _sweep(engine, mids, DAY + dt.timedelta(days=1))
    assert seen == [True, False] and nxt["changed"] <= 4  # a quiet day: row triggers
    with engine.begin() as conn:  # the triggers count other writers again
        conn.execute(
            text("UPDATE step SET status = 'waived' WHERE municipality_id = :m"), {"m": mids[0]}
        )
        assert _counts(conn) == _truth(conn)
    engine.dispose()


@pytest.mark.backends("sqlite")
def test_a_failing_bulk_sweep_rolls_back_triggers_and_counts(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    mids = _build(engine)
    with engine.connect() as conn:
        counts_before, triggers_before = _counts(conn), _triggers(conn)

    def boom(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("mark_blocked failed")

    monkeypatch.setattr("domain.roadmap.sweep.mark_blocked", boom)
    with pytest.raises(RuntimeError):
        _sweep(engine, mids, DAY)
    with engine.connect() as conn:
        assert _triggers(conn) == triggers_before
        assert _counts(conn) == counts_before == _truth(conn)
    engine.dispose()


def test_bulk_change_share(db_url: str) -> None:
    engine = make_engine(db_url)
    mids = _build(engine)
    moves = [("overdue", "due_date < :today")]
    with engine.connect() as conn:
        pg = conn.dialect.name == "postgresql"
        cutoff = DAY + dt.timedelta(days=7)
        # 15 of 40 steps per municipality are past and open: above 1 in 16 (SQLite).
        assert counting.bulk_change(conn, mids, moves, today=DAY, cutoff=cutoff) is not pg
        # 30 days back nothing is past: no recount.
        early = DAY - dt.timedelta(days=31)
        assert not counting.bulk_change(conn, mids, moves, today=early, cutoff=cutoff)
    engine.dispose()
