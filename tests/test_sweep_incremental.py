"""The sweep touches only what changed, and its result equals a from-scratch sweep.

Days pass while people complete, reopen, waive, re-plan, add and delete steps; after
every incremental sweep a from-scratch sweep (every roadmap logged again, no
roll-forward watermark) must find nothing left to change. Also: the change log is
filled by database triggers for any writer, the next-day sweep changes only the rows
whose moment passed, and data written under revision 0004 survives the upgrade.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.roadmap.sweep import sweep_municipalities
from models import Recurrence, Roadmap, Step, StepStatus
from models.db import init_db, make_engine, session_scope
from models.migrate import current_revision, head_revision, upgrade
from models.sweep_state import mark_all_pending
from tests.factories import make_municipality, make_step
from tests.sweep_helpers import roadmap_for

D = dt.date
AT = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)


def _sweep(engine: Engine, mid: int, day: dt.date) -> dict[str, int]:
    now = dt.datetime(day.year, day.month, day.day, 6, tzinfo=dt.UTC)
    with session_scope(engine, immediate=True) as s:
        return sweep_municipalities(
            s, municipality_ids=[mid], now=now, window_working_days=7, as_of=day
        )


def _from_scratch_changes(engine: Engine, mid: int, day: dt.date) -> tuple[int, int]:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sweep_watermark"))
        mark_all_pending(conn)
    counts = _sweep(engine, mid, day)
    return counts["changed"], counts["created"]


def _pending(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM sweep_pending")).scalar() or 0)


def _build(engine: Engine) -> int:
    with session_scope(engine) as s:
        m = make_municipality(s, tz="Asia/Irkutsk")
        r = roadmap_for(s, municipality=m)
        for i in range(24):
            deps = [f"k{i - 1}"] if i % 3 == 2 else []
            make_step(
                s,
                roadmap=r,
                key=f"k{i}",
                due=D(2025, 1, 13) + dt.timedelta(days=9 * i),
                depends_on=deps,
            )
        q = Recurrence.quarterly
        make_step(s, roadmap=r, key="ind", period="2025-Q1", recurrence=q, due=D(2025, 4, 7))
        make_step(
            s,
            roadmap=r,
            key="rep",
            period="2025-Q1",
            recurrence=q,
            due=D(2025, 4, 10),
            depends_on=["ind"],
        )
        assert m.id is not None
        return m.id


def _mutate(engine: Engine, rnd: random.Random, day: dt.date) -> str:
    with session_scope(engine) as s:
        steps = s.exec(select(Step).order_by(col(Step.id))).all()
        step = rnd.choice(steps)
        action = rnd.choice(["done", "reopen", "waive", "replan", "add", "delete", "none"])
        if action == "done" and step.status not in (StepStatus.done, StepStatus.waived):
            step.status, step.done_at = StepStatus.done, AT
        elif action == "reopen" and step.status in (StepStatus.done, StepStatus.waived):
            step.status, step.done_at = StepStatus.planned, None
        elif action == "waive":
            step.status = StepStatus.waived
        elif action == "replan":
            step.due_date = day + dt.timedelta(days=rnd.randint(-20, 40))
        elif action == "add":
            rm = s.get(Roadmap, step.roadmap_id)
            assert rm is not None
            make_step(
                s,
                roadmap=rm,
                key=f"new{rnd.randrange(10**9)}",
                due=day + dt.timedelta(days=3),
                depends_on=[rnd.choice(steps).key],
            )
            return action
        elif action == "delete" and not step.depends_on:
            s.delete(step)
            return action
        s.add(step)
        return action


def test_incremental_sweeps_equal_a_sweep_from_scratch(engine: Engine) -> None:
    mid = _build(engine)
    rnd = random.Random(19)
    day = D(2025, 2, 3)
    for _ in range(30):
        _mutate(engine, rnd, day)
        _mutate(engine, rnd, day)
        _sweep(engine, mid, day)
        assert _pending(engine) == 0
        assert _from_scratch_changes(engine, mid, day) == (0, 0), f"diverged on {day}"
        day += dt.timedelta(days=rnd.choice([1, 1, 2, 5, 17]))


def test_next_day_changes_only_the_rows_whose_moment_passed(engine: Engine) -> None:
    mid = _build(engine)
    _sweep(engine, mid, D(2025, 3, 7))
    with Session(engine) as s:
        before = {r.id: (r.status, r.status_changed_at) for r in s.exec(select(Step))}
    counts = _sweep(engine, mid, D(2025, 3, 8))  # k6 falls due
    with Session(engine) as s:
        after = {r.id: (r.status, r.status_changed_at) for r in s.exec(select(Step))}
    moved = [i for i in before if before[i] != after[i]]
    assert counts["changed"] == len(moved) > 0
    assert all(before[i][0] != after[i][0] for i in moved)


def test_triggers_log_changes_of_any_writer(engine: Engine) -> None:
    mid = _build(engine)
    _sweep(engine, mid, D(2025, 3, 3))
    assert _pending(engine) == 0
    with engine.begin() as conn:  # a time-only status change logs nothing
        conn.execute(text("UPDATE step SET status = 'due_soon' WHERE key = 'k20'"))
    assert _pending(engine) == 0
    with engine.begin() as conn:  # a raw SQL completion is logged
        conn.execute(text("UPDATE step SET status = 'done' WHERE key = 'k1'"))
    assert _pending(engine) >= 1
    counts = _sweep(engine, mid, D(2025, 3, 3))
    assert _pending(engine) == 0
    with Session(engine) as s:
        k2 = s.exec(select(Step).where(Step.key == "k2")).one()
    assert k2.status == StepStatus.overdue and k2.blocked_by == []
    assert counts["changed"] >= 1


def test_data_of_revision_0004_survives_and_is_swept(blank_db_url: str) -> None:
    engine = make_engine(blank_db_url)
    upgrade(engine, "0004_audit_merkle")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO municipality (id, code, name, region, timezone, created_at)"
                " VALUES (1, 'irk', 'Город Иркутск', 'Иркутская область', 'Asia/Irkutsk', :at)"
            ),
            {"at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO roadmaptemplate (id, key, version, title, sha256, source, loaded_at)"
                " VALUES (1, 't', 1, 'Т', :sha, '', :at)"
            ),
            {"sha": "0" * 64, "at": AT},
        )
        conn.execute(
            text(
                "INSERT INTO roadmap (id, municipality_id, template_id, template_key, year,"
                " parameters, created_at) VALUES (1, 1, 1, 't', 2025, '{}', :at)"
            ),
            {"at": AT},
        )
        for key, deps in (("a", "[]"), ("b", '["a"]')):
            conn.execute(
                text(
                    "INSERT INTO step (key, period, title, kind, owner_role, due_date, due_at,"
                    " timezone, recurrence, status, reminder_policy, roadmap_id,"
                    " municipality_id, description, due_rule, depends_on, evidence_required,"
                    " blocked_by, status_changed_at) VALUES (:k, '', :k, 'report', 'moc_head',"
                    " :due, :at, 'Asia/Irkutsk', 'once', 'planned', 'default', 1, 1, '', '{}',"
                    " :deps, '[]', '[]', :at)"
                ),
                {"k": key, "deps": deps, "due": D(2025, 2, 3), "at": AT},
            )
    init_db(engine)
    assert current_revision(engine) == head_revision()
    counts = _sweep(engine, 1, D(2025, 3, 3))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key, status FROM step ORDER BY key")).all()
    assert {str(k): str(getattr(v, "value", v)) for k, v in rows} == {
        "a": "overdue",
        "b": "blocked",
    }
    assert counts["changed"] == 2
    engine.dispose()
