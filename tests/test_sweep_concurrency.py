"""Two sweeps of the same municipalities at once never double-update."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from domain.roadmap.sweep import sweep_municipalities
from models import Recurrence, Step, StepStatus
from models.db import session_scope
from tests.factories import make_municipality, make_step
from tests.sweep_helpers import roadmap_for


def test_concurrent_sweeps_change_each_row_once(engine: Engine) -> None:
    ids: list[int] = []
    with session_scope(engine) as s:
        for i, tz in enumerate(["Europe/Kaliningrad", "Asia/Omsk", "Asia/Kamchatka"]):
            m = make_municipality(s, code=f"m{i}", tz=tz)
            r = roadmap_for(s, municipality=m)
            for j in range(60):
                make_step(s, roadmap=r, key=f"s{j}", due=dt.date(2025, 1, 9) + dt.timedelta(j))
            make_step(
                s,
                roadmap=r,
                key="q",
                period="2025-Q4",
                recurrence=Recurrence.quarterly,
                due=dt.date(2026, 1, 16),
            )
            assert m.id is not None
            ids.append(m.id)
    now = dt.datetime(2025, 12, 31, 20, tzinfo=dt.UTC)  # 1 Jan 2026 in every zone but Kaliningrad
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            with session_scope(engine, immediate=True) as s:
                results.append(
                    sweep_municipalities(s, municipality_ids=ids, now=now, window_working_days=7)
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with Session(engine) as s:
        total = s.exec(select(func.count()).select_from(Step)).one()
        overdue = s.exec(select(func.count()).where(Step.status == StepStatus.overdue)).one()
    # Each step changed by exactly one of the two sweeps; one new Q1 each for 2 zones.
    assert sorted(r["created"] for r in results) == [0, 2]
    assert total == 3 * 61 + 2
    assert sum(r["changed"] for r in results) == total - 2  # new occurrences stay planned
    assert sorted(r["changed"] for r in results)[0] == 0
    assert overdue == 3 * 60
