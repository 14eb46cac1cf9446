"""The oldest overdue due date per municipality (issue 19) equals a GROUP BY over step.

Seeded random sequences of the writers of ``tests/test_status_counts.py`` (ORM and raw
SQL inserts, status and municipality updates, deletes, sweeps, completions, folds) plus
re-plans that move due dates of overdue steps, on SQLite and PostgreSQL: after each
round, the date the regional page reads (stored, or sought for a marked municipality)
must be the minimum from scratch; a filled 0007 database gets its dates on upgrade.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from domain.roadmap.sweep import sweep_municipalities
from models import Municipality, Roadmap, StepStatus
from models.db import init_db, make_engine, session_scope
from models.migrate import upgrade
from models.overdue_oldest import join_oldest_overdue, rebuild_oldest
from models.status_counts import current_counts, fold_backlog, fold_counts
from tests.factories import make_municipality, make_step, pk
from tests.sweep_helpers import roadmap_for
from tests.test_status_counts import NOW, _orm, _raw_sql

Dates = dict[int, dt.date]


def _day(value: Any) -> dt.date:
    day: dt.date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day


def _truth(conn: Connection) -> Dates:
    rows = conn.execute(
        text(
            "SELECT municipality_id, min(due_date) FROM step WHERE status = 'overdue'"
            " GROUP BY municipality_id"
        )
    ).all()
    return {int(m): _day(d) for m, d in rows}


def _read(conn: Connection) -> Dates:
    table: Any = Municipality.__table__  # type: ignore[attr-defined]
    frm, oldest = join_oldest_overdue(table, table.c.id, conn.dialect.name)
    rows = conn.execute(select(table.c.id, oldest).select_from(frm)).all()
    return {int(m): _day(d) for m, d in rows if d is not None}


def _replan(conn: Connection, rng: random.Random) -> None:
    """Due dates of some steps move, overdue ones included (earlier or later)."""
    days = rng.choice([-9, -2, 3, 30])
    moved = (
        f"due_date + {days}"
        if conn.dialect.name == "postgresql"
        else f"date(due_date, '{days:+d} days')"
    )
    conn.execute(
        text(f"UPDATE step SET due_date = {moved} WHERE id % 4 = :r"), {"r": rng.randrange(4)}
    )


def test_oldest_equals_group_by_after_random_writes(db_url: str) -> None:
    engine = make_engine(db_url)
    rng = random.Random(23)
    seq = [0]
    with session_scope(engine) as s:
        muns = [make_municipality(s, code=f"m{i}") for i in range(4)]
        roadmaps = [pk(roadmap_for(s, municipality=m)) for m in muns]
        mids = [pk(m) for m in muns]
    seen = 0
    for _round in range(30):
        with session_scope(engine) as s:
            action = rng.randrange(5)
            if action == 0:
                _orm(s, rng, roadmaps, seq)
            elif action == 1:
                _raw_sql(s.connection(), rng, mids)
            elif action == 2:
                batch = rng.sample(mids, 2)
                sweep_municipalities(s, municipality_ids=batch, now=NOW, window_working_days=5)
            elif action == 3:
                _replan(s.connection(), rng)
            else:
                fold_counts(s.connection(), rng.sample(mids, rng.randrange(1, 5)))
        with engine.connect() as conn:
            truth = _truth(conn)
            assert _read(conn) == truth, f"round {_round}, action {action}"
            seen += len(truth)
    assert seen >= 10, "the sequence made few overdue steps: it tested little"
    with engine.begin() as conn:
        fold_counts(conn, mids)
        if conn.dialect.name == "postgresql":  # folded: the stored dates alone are right
            assert conn.execute(text("SELECT count(*) FROM overdue_oldest_mark")).scalar() == 0
        stored = {
            int(m): _day(d)
            for m, d in conn.execute(text("SELECT municipality_id, due_date FROM overdue_oldest"))
            if d is not None
        }
        assert stored == _truth(conn) == _read(conn)
        rebuild_oldest(conn)
        assert _read(conn) == _truth(conn)
    engine.dispose()


def test_a_backlog_of_marks_is_folded_by_readers(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        m = make_municipality(s, code="bulk")
        rm = roadmap_for(s, municipality=m)
        for i in range(12):  # one INSERT statement per row: one mark per row
            due = NOW.date() - dt.timedelta(days=i + 1)
            make_step(s, roadmap=rm, key=f"b{i}", due=due, status=StepStatus.overdue)
        mid = pk(m)
    fold_backlog(engine, above=5)
    with engine.connect() as conn:
        marks = conn.execute(text("SELECT count(*) FROM overdue_oldest_mark")).scalar()
        assert marks == 0
        assert _read(conn) == _truth(conn) == {mid: NOW.date() - dt.timedelta(days=12)}
    engine.dispose()


def test_0007_database_gets_its_dates_on_upgrade(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    upgrade(engine, "0007_status_counts")
    with session_scope(engine) as s:
        m1, m2 = make_municipality(s, code="m1"), make_municipality(s, code="m2")
        r1, r2 = roadmap_for(s, municipality=m1), roadmap_for(s, municipality=m2)
        for k, days in enumerate([5, 40, 12]):
            due = NOW.date() - dt.timedelta(days=days)
            make_step(s, roadmap=r1, key=f"o{k}", due=due, status=StepStatus.overdue)
        make_step(s, roadmap=r1, key="old-done", due=NOW.date() - dt.timedelta(days=90),
                  status=StepStatus.done)  # fmt: skip
        make_step(s, roadmap=r2, key="p", status=StepStatus.planned)
        mid1, rid2 = pk(m1), pk(r2)
    init_db(engine)  # what every entry point does: upgrade to head
    with engine.connect() as conn:
        assert _read(conn) == {mid1: NOW.date() - dt.timedelta(days=40)}
        counts = conn.execute(current_counts(dialect=conn.dialect.name)).all()
        assert sum(int(n) for _m, _s, n in counts) == 5  # SQLite rebuilt step_count
    with session_scope(engine) as s:  # the triggers work on the upgraded database
        rm = s.get(Roadmap, rid2)
        assert rm is not None
        due = NOW.date() - dt.timedelta(days=3)
        make_step(s, roadmap=rm, key="late", due=due, status=StepStatus.overdue)
    with engine.connect() as conn:
        assert _read(conn) == _truth(conn)
        assert len(_truth(conn)) == 2
    engine.dispose()
