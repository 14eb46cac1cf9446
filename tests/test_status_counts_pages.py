"""The overview and the regional page read the counters: same rows as grouping the steps.

Random steps in two zones, every status, due dates from 60 days late to 30 ahead, after
raw-SQL and sweep changes; an administrator's rows from the counters must equal the rows
the GROUP BY path computes for the same steps (forced by a scope that claims to see a
subset), heat buckets and the latest lateness included.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from domain.audit import log as audit_log
from domain.roadmap.sweep import sweep_municipalities
from models import Municipality, Role, StepStatus
from models.db import make_engine, session_scope
from tests.factories import make_municipality, make_step, pk
from tests.sweep_helpers import roadmap_for
from web import overview_queries, regional
from web.access import Scope

NOW = dt.datetime(2025, 6, 20, 9, tzinfo=dt.UTC)
REGION = "Тестовый край"


@dataclass(frozen=True)
class GroupingScope(Scope):
    """Sees what an administrator sees, but takes the GROUP BY path of the readers."""

    @property
    def sees_whole_municipalities(self) -> bool:
        return False


def _fill(s: Session, rng: random.Random) -> list[int]:
    ids = []
    for i, tz in enumerate(["Europe/Moscow", "Asia/Irkutsk", "Europe/Moscow", "Asia/Irkutsk"]):
        m = make_municipality(s, code=f"m{i}", tz=tz)
        m.region = REGION
        rm = roadmap_for(s, municipality=m)
        for k in range(rng.randrange(0 if i == 3 else 5, 60)):
            make_step(
                s,
                roadmap=rm,
                key=f"k{k}",
                due=NOW.date() + dt.timedelta(days=rng.randrange(-60, 30)),
                status=rng.choice(list(StepStatus)),
            )
        ids.append(pk(m))
        if i < 2:  # the last action column: an entry with microseconds, one without
            for minute in (5, 7):
                audit_log.append(
                    s,
                    municipality_id=pk(m),
                    actor="Иванова А. П.",
                    action="step.complete",
                    entity="step:1",
                    payload={"n": minute},
                    at=dt.datetime(2025, 6, 1, 8, minute, 0, i * 123_456, tzinfo=dt.UTC),
                )
    s.add(Municipality(code="elsewhere", name="МО вне края", region="Другой", timezone="UTC"))
    return ids


def _compare(s: Session, seen: set[str]) -> None:
    admin = Scope(person_id=0, actor="t", role=Role.admin, municipality_ids=None)
    grouping = GroupingScope(person_id=0, actor="t", role=Role.admin, municipality_ids=None)
    # 18:00 UTC: Irkutsk is already on the next day, Moscow is not (two local dates).
    for now in (NOW, NOW.replace(hour=18)):
        fast = regional.region_rows(s, admin, REGION, now=now, year=2025)
        slow = regional.region_rows(s, grouping, REGION, now=now, year=2025)
        assert sorted(fast, key=lambda r: r.id) == sorted(slow, key=lambda r: r.id)
    fast = regional.region_rows(s, admin, REGION, now=NOW, year=2025)
    assert sum(1 for r in fast if r.last_activity) == 2
    for r in fast:
        seen.update(str(i) for i, n in enumerate(r.heat) if n)
    assert [m.as_dict() for m in overview_queries.overview(s, admin)] == [
        m.as_dict() for m in overview_queries.overview(s, grouping)
    ]
    some = frozenset(r.id for r in fast[:2])
    rmc = Scope(person_id=0, actor="t", role=Role.rmc, municipality_ids=some)
    rmc_slow = GroupingScope(person_id=0, actor="t", role=Role.rmc, municipality_ids=some)
    assert [m.as_dict() for m in overview_queries.overview(s, rmc)] == [
        m.as_dict() for m in overview_queries.overview(s, rmc_slow)
    ]
    for mid in some:
        assert overview_queries.counts_for(s, rmc, mid) == overview_queries.counts_for(
            s, rmc_slow, mid
        )


def test_counters_give_the_rows_of_grouping(db_url: str) -> None:
    engine = make_engine(db_url)
    rng = random.Random(7)
    with session_scope(engine) as s:
        ids = _fill(s, rng)
    seen: set[str] = set()
    with session_scope(engine) as s:
        _compare(s, seen)
    cast = "::stepstatus" if engine.dialect.name == "postgresql" else ""
    with session_scope(engine) as s:
        s.execute(text(f"UPDATE step SET status = 'overdue'{cast} WHERE id % 4 = 1"))
        s.execute(text("DELETE FROM step WHERE id % 9 = 2"))
    with session_scope(engine) as s:
        _compare(s, seen)
    with session_scope(engine) as s:
        sweep_municipalities(s, municipality_ids=ids, now=NOW, window_working_days=5)
    with session_scope(engine) as s:
        _compare(s, seen)
    assert seen == {"0", "1", "2", "3"}, "every heat bucket must be exercised"
    engine.dispose()
