"""Transactional outbox of reminders and escalations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from models.enums import OutboxStatus as OutboxStatus
from models.types import UTCDateTime, utcnow


class OutboxBase(SQLModel):
    # Deterministic: step occurrence, rule, recipient, due date. Enqueue twice -> one row.
    dedupe_key: str = Field(unique=True, max_length=255)
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id", index=True)
    step_id: int | None = Field(default=None, foreign_key="step.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    rule: str  # e.g. "before:7", "on_day", "after:1", "escalate:moc_head"
    channel: str  # email | webhook | telegram | console | ...
    # Apprise URL, or "@name" of a configured channel (secret resolved only at send time).
    target: str
    subject: str
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body_short: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: OutboxStatus = OutboxStatus.pending
    attempts: int = 0
    not_before: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    claimed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_by: str | None = None
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboxMessage(OutboxBase, table=True):
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)


class OutboxPublic(OutboxBase):
    id: int
