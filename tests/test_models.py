"""The tables round-trip on both backends; timestamps stay aware."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import Step
from models.db import session_scope
from tests.factories import make_municipality, make_roadmap, make_step


def test_step_round_trips_with_aware_utc_deadline(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, tz="Asia/Irkutsk")
        r = make_roadmap(s, municipality=m)
        make_step(s, roadmap=r, due=dt.date(2025, 3, 14), depends_on=["x"])
    with Session(engine) as s:
        step = s.exec(select(Step)).one()
        assert step.due_at.tzinfo is not None
        # 23:59:59 in Irkutsk (UTC+8) is 15:59:59 UTC.
        assert step.due_at == dt.datetime(2025, 3, 14, 15, 59, 59, tzinfo=dt.UTC)
        assert step.depends_on == ["x"]


def test_naive_datetime_is_refused(engine: Engine) -> None:
    with pytest.raises(Exception, match="naive"):
        with session_scope(engine) as s:
            m = make_municipality(s)
            r = make_roadmap(s, municipality=m)
            step = make_step(s, roadmap=r)
            step.done_at = dt.datetime(2025, 1, 1, 12, 0)
            s.flush()
