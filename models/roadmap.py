"""Roadmap templates, their instances per municipality and year, and steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import Recurrence as Recurrence
from models.enums import StepKind as StepKind
from models.enums import StepStatus as StepStatus
from models.types import JSONType, UTCDateTime, utcnow

OPEN_STATUSES = (
    StepStatus.planned,
    StepStatus.due_soon,
    StepStatus.due,
    StepStatus.overdue,
    StepStatus.blocked,
)
CLOSED_STATUSES = (StepStatus.done, StepStatus.waived)


class RoadmapTemplate(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("key", "version", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)
    version: int
    title: str
    sha256: str = Field(max_length=64)
    source: str = Field(sa_column=Column(Text, nullable=False))
    loaded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Roadmap(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("municipality_id", "template_key", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    template_id: int = Field(foreign_key="roadmaptemplate.id")
    template_key: str
    year: int
    # Parameters the instance was computed with (template defaults + overrides).
    parameters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StepBase(SQLModel):
    key: str = Field(max_length=128)
    # Occurrence label: "" for once, "2025" yearly, "2025-Q1" quarterly, "2025-03" monthly.
    period: str = Field(default="", max_length=16)
    title: str
    kind: StepKind
    owner_role: str = "moc_head"
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    # Local date of the deadline and the zone it was computed in; due_at = end of that day.
    due_date: dt.date = Field(index=True)
    due_at: dt.datetime = Field(sa_type=UTCDateTime)
    timezone: str
    recurrence: Recurrence = Recurrence.once
    status: StepStatus = StepStatus.planned
    reminder_policy: str = "default"


class Step(StepBase, table=True):
    __table_args__ = (
        UniqueConstraint("roadmap_id", "key", "period"),
        Index("ix_step_municipality_status", "municipality_id", "status"),
        Index("ix_step_municipality_due", "municipality_id", "due_date"),
        Index("ix_step_organisation", "organisation_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    roadmap_id: int = Field(foreign_key="roadmap.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id")
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # The due rule as written in the template (kept for re-planning).
    due_rule: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    depends_on: list[str] = Field(default_factory=list, sa_column=Column(JSONType))
    evidence_required: list[str] = Field(default_factory=list, sa_column=Column(JSONType))
    # Keys of unfinished dependencies while status == blocked.
    blocked_by: list[str] = Field(default_factory=list, sa_column=Column(JSONType))
    status_changed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    done_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class StepPublic(StepBase):
    id: int
    roadmap_id: int
    municipality_id: int
    depends_on: list[str]
    evidence_required: list[str]
    blocked_by: list[str]
    done_at: dt.datetime | None
