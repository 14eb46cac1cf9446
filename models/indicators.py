"""Indicator values against roadmap targets, per municipality and period."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class IndicatorValue(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("municipality_id", "year", "period", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    year: int
    period: str = "Y"  # "Y" for the year, "Q1".."Q4" for quarters
    key: str
    target: float | None = None
    actual: float | None = None
    source: str = "manual"
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
