"""Builders of report data: the seed-001 municipality (acts, programmes, НОК, events)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlmodel import Session

from domain.audit import log as audit_log
from domain.indicators import catalogue as indicators
from models import (
    Evidence,
    Focus,
    Municipality,
    Organisation,
    Programme,
    ReviewCampaign,
    ReviewCase,
    ReviewState,
    Roadmap,
    RoadmapTemplate,
    Step,
    StepKind,
    StepStatus,
)
from tests.factories import end_of_day_utc, make_step, pk

FIXTURE = Path(__file__).parent / "fixtures" / "seed001_acts.json"
UTC = dt.UTC


def seed001() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def make_roadmap_for(
    s: Session, *, municipality: Municipality, year: int, parameters: dict[str, Any] | None = None
) -> Roadmap:
    t = RoadmapTemplate(key="moc-test", version=1, title="Тест", sha256=f"{year:064d}", source="")
    s.add(t)
    s.flush()
    r = Roadmap(
        municipality_id=pk(municipality),
        template_id=pk(t),
        template_key="moc-test",
        year=year,
        parameters=parameters or {},
    )
    s.add(r)
    s.flush()
    return r


def add_act(s: Session, step: Step, act: dict[str, Any]) -> Evidence:
    extra: dict[str, Any] = {k: act[k] for k in ("title", "result") if k in act}
    day = dt.date.fromisoformat(act["act_date"])
    ev = Evidence(
        step_id=pk(step),
        municipality_id=step.municipality_id,
        kind=StepKind.normative_act,
        act_type=act["act_type"],
        act_number=act["act_number"],
        act_date=day,
        issuer=act["issuer"],
        data=extra,
        effective_date=day,
        submitted_at=dt.datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        submitted_by="Иванова А. П.",
    )
    s.add(ev)
    s.flush()
    return ev


def done(step: Step, day: dt.date) -> Step:
    step.status = StepStatus.done
    step.done_at = dt.datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return step


def populate_seed001(s: Session, *, with_next_year: bool = True) -> Municipality:
    """The Krylovsky district of seed 001 with its acts, catalogue, НОК and events."""
    f = seed001()
    mf = f["municipality"]
    m = Municipality(code=mf["code"], name=mf["name"], region=mf["region"], timezone=mf["timezone"])
    s.add(m)
    s.flush()
    assert m.id is not None
    year = f["year"]
    rm = make_roadmap_for(s, municipality=m, year=year, parameters={"target_coverage_5_18": 75})
    for spec in f["steps"]:
        st = make_step(
            s,
            roadmap=rm,
            key=spec["key"],
            title=spec["title"],
            due=dt.date.fromisoformat(spec["due"]),
            kind=StepKind.normative_act,
        )
        done(st, dt.date.fromisoformat(spec["acts"][-1]["act_date"]))
        for act in spec["acts"]:
            add_act(s, st, act)
    # An act step still open (must not appear in the acts table, but in the overdue list).
    make_step(
        s,
        roadmap=rm,
        key="npa-pfdo",
        title="Положение о ПФДО",
        due=dt.date(2020, 9, 1),
        status=StepStatus.overdue,
    )
    ev_step = done(
        make_step(
            s,
            roadmap=rm,
            key="meeting-oct",
            title="Районное рабочее совещание",
            due=dt.date(2020, 10, 12),
            kind=StepKind.event,
        ),
        dt.date(2020, 10, 12),
    )
    s.add(
        Evidence(
            step_id=pk(ev_step),
            municipality_id=m.id,
            kind="event",
            data={"participants": 34, "event_date": "2020-10-12"},
            effective_date=dt.date(2020, 10, 12),
            submitted_by="Иванова А. П.",
        )
    )
    orgs = []
    for i in range(17):
        o = Organisation(municipality_id=m.id, code=f"org{i:02d}", name=f"Организация {i + 1}")
        s.add(o)
        orgs.append(o)
    s.flush()
    n = 0
    programmes: list[Programme] = []
    for focus, count in f["programmes_by_focus"].items():
        for _ in range(count):
            p = Programme(
                municipality_id=m.id,
                organisation_id=pk(orgs[n % 17]),
                title=f"Программа {n + 1}",
                focus=Focus(focus),
            )
            programmes.append(p)
            s.add(p)
            n += 1
    s.flush()
    camp = ReviewCampaign(
        municipality_id=m.id,
        title="НОК 2020",
        year=year,
        starts_on=dt.date(2020, 6, 1),
        ends_on=dt.date(2020, 10, 31),
    )
    s.add(camp)
    s.flush()
    at = dt.datetime(2020, 7, 1, tzinfo=UTC)
    states = {"positive": ReviewState.IN_REGISTER, "negative": ReviewState.NEGATIVE}
    for i, p in enumerate(programmes[:31]):
        outcome = None if i >= 18 else ("negative" if i < 2 else "positive")
        s.add(
            ReviewCase(
                campaign_id=pk(camp),
                programme_id=pk(p),
                submitted_at=at,
                state=states.get(outcome or "", ReviewState.UNDER_REVIEW),
                expert_outcome=outcome,
                regional_at=at if outcome == "positive" else None,
                registered_at=at if outcome == "positive" else None,
            )
        )
    for key, v in f["indicators"].items():
        indicators.upsert(
            s,
            municipality_id=m.id,
            year=year,
            period="Y",
            key=key,
            target=v.get("target"),
            actual=v.get("actual"),
            source="seed 001",
        )
    indicators.upsert(
        s, municipality_id=m.id, year=2019, period="Y", key="coverage_5_18", target=70, actual=68.5
    )
    if with_next_year:
        nxt = make_roadmap_for(s, municipality=m, year=year + 1)
        make_step(
            s,
            roadmap=nxt,
            key="work-plan",
            title="План работы МОЦ на 2021 год",
            due=dt.date(2021, 1, 29),
            kind=StepKind.report,
        )
    s.flush()
    audit_log.append(
        s,
        municipality_id=m.id,
        actor="Иванова А. П.",
        action="step.complete",
        entity="step:1",
        payload={"note": "seed"},
        at=dt.datetime(2020, 12, 1, tzinfo=UTC),
    )
    return m


def end_of(day: dt.date, tz: str) -> dt.datetime:
    return end_of_day_utc(day, tz)
