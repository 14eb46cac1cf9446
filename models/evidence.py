"""Completion evidence of steps and the append-only, hash-chained audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import JSONType, UTCDateTime, utcnow


class EvidenceBase(SQLModel):
    step_id: int = Field(foreign_key="step.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    kind: str  # the step kind the evidence was validated for
    act_type: str | None = None  # приказ / постановление / распоряжение
    act_number: str | None = None  # as written: "№233", "№85/1"
    act_date: dt.date | None = None
    issuer: str | None = None
    url: str | None = None
    recipient: str | None = None
    # Kind-specific typed values (participant counts, certificate counts, nominal...).
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    file_sha256: str | None = Field(default=None, max_length=64)
    file_size: int | None = None
    file_name: str | None = None
    content_type: str | None = None
    # The date the result took effect (act date) — apart from the upload time.
    effective_date: dt.date | None = None
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by: str


class Evidence(EvidenceBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Set when newer evidence supersedes this one (history is kept, never deleted).
    superseded_by_id: int | None = Field(default=None, foreign_key="evidence.id")


class EvidencePublic(EvidenceBase):
    id: int
    superseded_by_id: int | None


class AuditEntry(SQLModel, table=True):
    """One entry of a per-municipality hash chain. Never updated, never deleted."""

    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    # Chain name: the municipality code, or "_global" for settings and system entries.
    chain: str = Field(index=True, max_length=64)
    municipality_id: int | None = Field(default=None, index=True)
    seq: int
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str
    action: str = Field(index=True)
    entity: str = Field(default="", index=True)  # e.g. "step:42"
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """A signed chain head (Ed25519); the public key is kept beside it."""

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(index=True)
    seq: int
    hash: str
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    public_key: str
    signature: str
