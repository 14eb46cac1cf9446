"""Pages cost a fixed number of SQL statements, whatever the number of steps (issue 19).

Each page is requested on a small and on a five times larger roadmap: the number of
statements must not grow (no N+1) and stays under a budget. The fast JSON of the
step list is compared byte for byte with what ``response_model=list[StepPublic]``
produced before.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models import Role, Step, StepKind, StepStatus
from models.db import make_engine, session_scope
from models.people import TokenScope
from models.roadmap import StepPublic
from models.settings import Settings
from tests.factories import (
    make_municipality,
    make_organisation,
    make_person,
    make_roadmap,
    make_step,
    pk,
)
from web.app import create_app
from web.auth_tokens import add_access_token

NOW = dt.datetime(2025, 3, 10, 7, 0, tzinfo=dt.UTC)
TOKEN = "perf-admin-token"
KINDS = list(StepKind)
STATUSES = list(StepStatus)
# Statements per request, the authentication included (token, person, BEGIN).
BUDGET = {"overview": 6, "municipality": 10, "api": 6, "region": 10, "step": 12}


def _seed(engine: Engine, steps: int) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="perf", tz="Asia/Yekaterinburg")
        org = make_organisation(s, municipality=m)
        r = make_roadmap(s, municipality=m)
        make_person(s, municipality=m, role=Role.moc_head)
        make_person(s, municipality=m, role=Role.org_contact, organisation=org, full_name="Б")
        admin = make_person(s, municipality=None, role=Role.admin, full_name="Админ")
        far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        add_access_token(s, pk(admin), TOKEN, scope=TokenScope.read, expires_at=far)
        for i in range(steps):
            status = STATUSES[i % len(STATUSES)]
            make_step(
                s,
                roadmap=r,
                key=f"s{i}",
                title=f"Шаг «{i}»",
                due=dt.date(2025, 1, 1) + dt.timedelta(days=(i * 7) % 360),
                kind=KINDS[i % len(KINDS)],
                status=status,
                organisation_id=pk(org) if i % 3 == 0 else None,
                blocked_by=["s0"] if status is StepStatus.blocked else [],
            )


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.n += 1


@pytest.fixture
def world(db_url: str, tmp_path: Any) -> Iterator[tuple[TestClient, Engine, Counter]]:
    settings = Settings(
        database_url=db_url, evidence_dir=tmp_path / "ev", web_overview_cache_seconds=0
    )
    app = create_app(settings, clock=lambda: NOW)
    engine: Engine = app.state.engine
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client, engine, Counter(engine)


def _paths(engine: Engine) -> dict[str, str]:
    with Session(engine) as s:
        step_id = s.execute(select(col(Step.id)).order_by(col(Step.id))).scalars().first()
    return {
        "overview": "/",
        "municipality": "/m/perf",
        "api": "/api/municipalities/perf/steps?status=open",
        "region": "/region/" + quote("Краснодарский край"),
        "step": f"/steps/{step_id}",
    }


def _statements(client: TestClient, counter: Counter, path: str) -> int:
    client.get(path)  # warm-up: the first request may read more (e.g. table reflection)
    counter.n = 0
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[:300])
    return counter.n


def test_pages_issue_a_fixed_number_of_statements(
    world: tuple[TestClient, Engine, Counter],
) -> None:
    client, engine, counter = world
    _seed(engine, 30)
    paths = _paths(engine)
    small = {name: _statements(client, counter, p) for name, p in paths.items()}
    with session_scope(engine) as s:  # five times more steps in the same roadmap
        r_id = s.execute(select(col(Step.roadmap_id))).scalars().first()
        from models import Roadmap

        roadmap = s.get(Roadmap, r_id)
        assert roadmap is not None
        for i in range(30, 150):
            make_step(s, roadmap=roadmap, key=f"s{i}", kind=KINDS[i % len(KINDS)])
    large = {name: _statements(client, counter, p) for name, p in paths.items()}
    assert large == small, "statements per page grew with the number of steps (N+1)"
    for name, n in large.items():
        assert n <= BUDGET[name], (name, n)


def test_step_list_json_is_byte_identical_to_the_response_model(
    world: tuple[TestClient, Engine, Counter],
) -> None:
    client, engine, _ = world
    _seed(engine, 40)
    with session_scope(engine) as s:  # a done step has done_at with microseconds
        done = s.execute(select(Step).where(col(Step.status) == StepStatus.done)).scalars().first()
        assert done is not None
        done.done_at = dt.datetime(2025, 3, 9, 10, 11, 12, 345678, tzinfo=dt.UTC)
        s.add(done)
    bodies: dict[str, Any] = {}
    for query in ("", "?status=open", "?status=done", "?kind=report", "?limit=3&offset=2"):
        r = client.get(f"/api/municipalities/perf/steps{query}")
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/json"
        with Session(engine) as s:
            rows = s.execute(select(Step).order_by(col(Step.due_date), col(Step.id))).scalars()
            expected = [StepPublic.model_validate(x).model_dump(mode="json") for x in rows]
        bodies[query] = body = json.loads(r.content)
        want = _filtered(expected, query)
        assert body == want
        compact = json.dumps(want, ensure_ascii=False, separators=(",", ":")).encode()
        assert r.content == compact  # what FastAPI's JSONResponse sends for the model
    assert "2025-03-09T10:11:12.345678Z" in {x["done_at"] for x in bodies["?status=done"]}


def _filtered(rows: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    open_ = {"planned", "due_soon", "due", "overdue", "blocked"}
    if query == "?status=open":
        return [r for r in rows if r["status"] in open_]
    if query == "?status=done":
        return [r for r in rows if r["status"] == "done"]
    if query == "?kind=report":
        return [r for r in rows if r["kind"] == "report"]
    if query.startswith("?limit"):
        return rows[2:5]
    return rows


def test_region_heat_map_in_sql_equals_counting_each_step(db_url: str) -> None:
    """Buckets by SQL date thresholds == lateness of every overdue step, bucketed one by one."""
    from domain.calendar.workdays import working_days_between
    from models import Person
    from web.access import build_scope
    from web.regional import BUCKETS, region_rows

    now = dt.datetime(2025, 1, 20, 9, 0, tzinfo=dt.UTC)  # after the New Year holidays
    engine = make_engine(db_url)
    dues: dict[str, list[dt.date]] = {}
    with session_scope(engine) as s:
        for code, tz in (("west", "Europe/Kaliningrad"), ("east", "Asia/Kamchatka")):
            m = make_municipality(s, code=code, tz=tz)
            r = roadmap_of(s, m)
            dues[code] = [dt.date(2024, 11, 1) + dt.timedelta(days=i) for i in range(0, 85, 2)]
            dues[code].append(dt.date(2025, 1, 25))  # "overdue" yet in the future: 0 days
            for i, day in enumerate(dues[code]):
                make_step(s, roadmap=r, key=f"k{i}", due=day, status=StepStatus.overdue)
            make_step(s, roadmap=r, key="open", due=dt.date(2024, 12, 1))  # not overdue
        admin = make_person(s, municipality=None, role=Role.admin, full_name="А")
    with Session(engine) as s:
        person = s.get(Person, pk(admin))
        assert person is not None
        rows = {
            r.code: r
            for r in region_rows(
                s, build_scope(s, person), "Краснодарский край", now=now, year=2025
            )
        }
    for code, tz in (("west", "Europe/Kaliningrad"), ("east", "Asia/Kamchatka")):
        today = pendulum_today(now, tz)
        lates = [max(0, working_days_between(d, today)) for d in dues[code]]
        heat = [0] * len(BUCKETS)
        for days in lates:
            i = next((i for i, (lo, hi) in enumerate(BUCKETS) if lo <= days <= hi), 0)
            heat[i] += 1
        assert rows[code].heat == heat and sum(heat) == len(dues[code])
        assert rows[code].overdue == len(dues[code])
        assert rows[code].max_late == max(lates)
        assert rows[code].total == len(dues[code]) + 1
    engine.dispose()


def roadmap_of(s: Session, m: Any) -> Any:
    """A roadmap of ``m`` (the factory's template is created once per database)."""
    from models import Roadmap, RoadmapTemplate

    t = s.execute(select(RoadmapTemplate)).scalars().first()
    if t is None:
        return make_roadmap(s, municipality=m)
    r = Roadmap(municipality_id=pk(m), template_id=pk(t), template_key=t.key, year=2025)
    s.add(r)
    s.flush()
    return r


def pendulum_today(now: dt.datetime, tz: str) -> dt.date:
    from domain.calendar.time import local_date

    return local_date(now, tz)
