"""Step counters (issue 19): after any writer's changes they equal a GROUP BY over step.

Seeded random sequences of ORM and raw-SQL inserts, status and municipality updates,
deletes, sweeps, completions and folds, on SQLite and PostgreSQL; after each round the
counters (folded plus pending deltas) must equal the counts from scratch.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from domain.roadmap.sweep import sweep_municipalities
from models import Roadmap, StepStatus
from models.db import make_engine, session_scope
from models.status_counts import current_counts, fold_backlog, fold_counts, rebuild_counts
from tests.factories import make_municipality, make_step, pk
from tests.sweep_helpers import roadmap_for

NOW = dt.datetime(2025, 3, 20, 9, tzinfo=dt.UTC)
STATUSES = [s.value for s in StepStatus]
Counts = dict[tuple[int, str], int]


def _truth(conn: Connection) -> Counts:
    rows = conn.execute(
        text("SELECT municipality_id, status, count(*) FROM step GROUP BY municipality_id, status")
    ).all()
    return {(int(m), str(getattr(s, "value", s))): int(n) for m, s, n in rows}


def _counters(conn: Connection) -> Counts:
    return {
        (int(m), str(s)): int(n)
        for m, s, n in conn.execute(current_counts(dialect=conn.dialect.name)).all()
    }


def _cast(conn: Connection) -> str:
    return "::stepstatus" if conn.dialect.name == "postgresql" else ""


def _raw_sql(conn: Connection, rng: random.Random, mids: list[int]) -> None:
    c = _cast(conn)
    kind = rng.randrange(4)
    if kind == 0:  # bulk status change, several municipalities in one statement
        conn.execute(
            text(f"UPDATE step SET status = CAST(:s AS VARCHAR){c} WHERE id % 3 = :r"),
            {"s": rng.choice(STATUSES), "r": rng.randrange(3)},
        )
    elif kind == 1:  # steps move to another municipality (and roadmap)
        conn.execute(
            text("UPDATE step SET municipality_id = :m WHERE id % 5 = :r"),
            {"m": rng.choice(mids), "r": rng.randrange(5)},
        )
    elif kind == 2:
        conn.execute(text("DELETE FROM step WHERE id % 7 = :r"), {"r": rng.randrange(7)})
    else:  # an update that changes no status nor municipality
        conn.execute(text("UPDATE step SET title = title || '.' WHERE id % 2 = 0"))


def _orm(s: Session, rng: random.Random, roadmaps: list[int], seq: list[int]) -> None:
    for _ in range(rng.randrange(1, 8)):
        seq[0] += 1
        make_step(
            s,
            roadmap=_get(s, rng.choice(roadmaps)),
            key=f"k{seq[0]}",
            due=NOW.date() + dt.timedelta(days=rng.randrange(-40, 40)),
            status=rng.choice(list(StepStatus)),
        )
    steps = s.execute(text("SELECT id FROM step ORDER BY id")).all()
    for (sid,) in rng.sample(steps, min(3, len(steps))):  # web-like completion
        s.execute(
            text(f"UPDATE step SET status = 'done'{_cast(s.connection())} WHERE id = :i"),
            {"i": sid},
        )


def _get(s: Session, roadmap_id: int) -> Roadmap:
    r = s.get(Roadmap, roadmap_id)
    assert r is not None
    return r


def test_counters_equal_group_by_after_random_writes(db_url: str) -> None:
    engine = make_engine(db_url)
    rng = random.Random(19)
    seq = [0]
    with session_scope(engine) as s:
        muns = [make_municipality(s, code=f"m{i}") for i in range(4)]
        roadmaps = [pk(roadmap_for(s, municipality=m)) for m in muns]
        mids = [pk(m) for m in muns]
    for _round in range(25):
        with session_scope(engine) as s:
            action = rng.randrange(4)
            if action == 0:
                _orm(s, rng, roadmaps, seq)
            elif action == 1:
                _raw_sql(s.connection(), rng, mids)
            elif action == 2:
                batch = rng.sample(mids, 2)
                sweep_municipalities(s, municipality_ids=batch, now=NOW, window_working_days=5)
            else:
                fold_counts(s.connection(), rng.sample(mids, rng.randrange(1, 5)))
        with engine.connect() as conn:
            assert _counters(conn) == _truth(conn), f"round {_round}, action {action}"
    with engine.begin() as conn:
        assert _truth(conn), "the sequence left no steps: it tested nothing"
        fold_counts(conn, mids)
        if conn.dialect.name == "postgresql":
            assert conn.execute(text("SELECT count(*) FROM step_count_delta")).scalar() == 0
        assert _counters(conn) == _truth(conn)
        rebuild_counts(conn)
        assert _counters(conn) == _truth(conn)
    engine.dispose()


def test_deleting_a_municipality_drops_its_counts(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        m = make_municipality(s, code="gone")
        r = roadmap_for(s, municipality=m)
        for i in range(3):
            make_step(s, roadmap=r, key=f"s{i}")
        mid = pk(m)
    with engine.connect() as conn:
        assert _counters(conn) == {(mid, "planned"): 3}
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM step WHERE municipality_id = :m"), {"m": mid})
        conn.execute(text("DELETE FROM roadmap WHERE municipality_id = :m"), {"m": mid})
        conn.execute(text("DELETE FROM municipality WHERE id = :m"), {"m": mid})
    with engine.connect() as conn:
        assert _counters(conn) == {}
    engine.dispose()


def test_backlog_of_per_row_inserts_is_folded_exactly(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        m = make_municipality(s, code="bulk")
        rm = roadmap_for(s, municipality=m)
        mid = pk(m)
        for i in range(30):  # one INSERT statement per row: one delta per row
            make_step(s, roadmap=rm, key=f"b{i}", status=list(StepStatus)[i % 7])
    folded = fold_backlog(engine, above=10)
    with engine.connect() as conn:
        assert _counters(conn) == _truth(conn)
        left = conn.execute(text("SELECT count(*) FROM step_count_delta")).scalar()
    if engine.dialect.name == "postgresql":
        assert (folded, left) == (1, 0)
        assert fold_backlog(engine, above=10) == 0  # nothing waits any more
    else:
        assert (folded, left) == (0, 0)
    assert sum(_truth_of(engine, mid).values()) == 30
    engine.dispose()


def _truth_of(engine: Engine, mid: int) -> dict[str, int]:
    with engine.connect() as conn:
        return {s: n for (m, s), n in _counters(conn).items() if m == mid}


@pytest.mark.backends("postgresql")  # SQLite triggers update the counts directly
def test_a_fold_skips_municipalities_another_fold_holds(db_url: str) -> None:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        a, b = make_municipality(s, code="a"), make_municipality(s, code="b")
        for m in (a, b):
            make_step(s, roadmap=roadmap_for(s, municipality=m), key="x")
        ida, idb = pk(a), pk(b)
    with engine.begin() as first, engine.begin() as second:
        assert fold_counts(first, [ida]) == 1
        assert fold_counts(second, [ida, idb]) == 1  # a is held: skipped, no wait
        pending = second.execute(text("SELECT municipality_id FROM step_count_delta")).scalars()
        assert set(pending) == {ida}  # first has not committed: second still sees a's delta
        assert _counters(second) == _truth(second)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM step_count_delta")).scalar() == 0
        assert _counters(conn) == _truth(conn)
    engine.dispose()


@pytest.mark.backends("postgresql")  # SQLite has one writer at a time
def test_postgres_writers_of_one_municipality_do_not_wait_for_each_other(db_url: str) -> None:
    """Two open transactions change statuses in the same municipality: neither waits
    (the counters are appended deltas, no shared counter row is locked); then TRUNCATE."""
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        m = make_municipality(s, code="busy")
        rm = roadmap_for(s, municipality=m)
        a, b = pk(make_step(s, roadmap=rm, key="a")), pk(make_step(s, roadmap=rm, key="b"))
        mid = pk(m)
    done = "UPDATE step SET status = 'done'::stepstatus WHERE id = :i"
    with engine.begin() as first, engine.begin() as second:
        first.execute(text(done), {"i": a})
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        second.execute(text(done), {"i": b})  # would time out on a locked counter row
    with engine.begin() as conn:
        assert _counters(conn) == _truth(conn) == {(mid, "done"): 2}
        conn.execute(text("TRUNCATE step CASCADE"))
        assert _counters(conn) == {}
    engine.dispose()
