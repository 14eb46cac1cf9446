"""Builders of test rows (keyword-only, sensible defaults)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
from sqlmodel import Session

from models import (
    Municipality,
    Organisation,
    Person,
    Recurrence,
    Roadmap,
    RoadmapTemplate,
    Role,
    Step,
    StepKind,
    StepStatus,
)


def make_municipality(
    s: Session, *, code: str = "krylovsky", tz: str = "Europe/Moscow", name: str | None = None
) -> Municipality:
    m = Municipality(code=code, name=name or f"МО {code}", region="Краснодарский край", timezone=tz)
    s.add(m)
    s.flush()
    return m


def pk(row: Any) -> int:
    """The primary key of a flushed row (mypy: ids are ``int | None`` before a flush)."""
    assert row.id is not None, "row not flushed"
    return int(row.id)


def make_organisation(s: Session, *, municipality: Municipality, code: str = "ddt") -> Organisation:
    o = Organisation(municipality_id=pk(municipality), code=code, name=f"МБУДО {code.upper()}")
    s.add(o)
    s.flush()
    return o


def make_person(
    s: Session,
    *,
    municipality: Municipality | None,
    role: Role = Role.moc_head,
    full_name: str = "Иванова Анна Петровна",
    notify: list[str] | None = None,
    organisation: Organisation | None = None,
    **extra: Any,
) -> Person:
    p = Person(
        full_name=full_name,
        role=role,
        municipality_id=municipality.id if municipality else None,
        organisation_id=organisation.id if organisation else None,
        notify=notify or [],
        **extra,
    )
    s.add(p)
    s.flush()
    return p


def make_roadmap(s: Session, *, municipality: Municipality, year: int = 2025) -> Roadmap:
    t = RoadmapTemplate(key="test", version=1, title="Тест", sha256="0" * 64, source="")
    s.add(t)
    s.flush()
    r = Roadmap(municipality_id=pk(municipality), template_id=pk(t), template_key="test", year=year)
    s.add(r)
    s.flush()
    return r


def end_of_day_utc(day: dt.date, tz: str) -> dt.datetime:
    return pendulum.datetime(day.year, day.month, day.day, 23, 59, 59, tz=tz).in_timezone("UTC")


def make_step(
    s: Session,
    *,
    roadmap: Roadmap,
    key: str = "npa-moc",
    due: dt.date = dt.date(2025, 3, 14),
    kind: StepKind = StepKind.normative_act,
    status: StepStatus = StepStatus.planned,
    depends_on: list[str] | None = None,
    period: str = "",
    recurrence: Recurrence = Recurrence.once,
    **extra: Any,
) -> Step:
    m = s.get(Municipality, roadmap.municipality_id)
    assert m is not None
    step = Step(
        roadmap_id=pk(roadmap),
        municipality_id=pk(m),
        key=key,
        period=period,
        title=extra.pop("title", f"Шаг {key}"),
        kind=kind,
        due_date=due,
        due_at=end_of_day_utc(due, m.timezone),
        timezone=m.timezone,
        status=status,
        depends_on=depends_on or [],
        recurrence=recurrence,
        **extra,
    )
    s.add(step)
    s.flush()
    return step
