"""Records a МОЦ keeps beside its steps: the events register and narrative texts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import JSONType, UTCDateTime, utcnow


class EventKind(StrEnum):
    meeting = "meeting"  # совещание
    seminar = "seminar"
    webinar = "webinar"
    consultation = "consultation"
    parent_meeting = "parent_meeting"
    open_day = "open_day"
    course = "course"  # курсы, обучение
    contest = "contest"


class Audience(StrEnum):
    teachers = "teachers"  # педагоги и руководители
    parents = "parents"
    pupils = "pupils"


class EventRecord(SQLModel, table=True):
    """One dated event held by the МОЦ, optionally under an event step of a roadmap."""

    __table_args__ = (Index("ix_eventrecord_municipality_held", "municipality_id", "held_on"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    step_id: int | None = Field(default=None, foreign_key="step.id", index=True)
    kind: str = Field(max_length=32)  # an EventKind value
    title: str
    held_on: dt.date
    # Audience values (EventKind-like strings), in the order given.
    audiences: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    # Optional participant counts by audience; the total may be given without a split.
    participants: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    participants_total: int | None = None
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    file_sha256: str | None = Field(default=None, max_length=64)
    file_name: str | None = None
    file_size: int | None = None
    content_type: str | None = None
    recorded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by: str


class Narrative(SQLModel, table=True):
    """A text of the annual report written by the МОЦ head (Markdown), per year and part."""

    __table_args__ = (UniqueConstraint("municipality_id", "year", "part"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    year: int
    part: str = Field(max_length=32)  # goals | analysis | results | plans
    text: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str
