"""Raw list rows (web/raw_rows.py) equal what the ORM column types return (issue 19)."""

from __future__ import annotations

import datetime as dt
import random

import orjson
from sqlalchemy import select
from sqlmodel import Session, col

from models import Step, StepKind, StepStatus
from models.db import make_engine, session_scope
from models.roadmap import Recurrence
from tests.factories import make_municipality, make_roadmap, make_step
from web import queries
from web.raw_rows import RawColumns
from web.step_json import PUBLIC_COLUMNS

LISTS = [[], ["npa-moc"], ["шаг «один»", 'b"q', "c\\d"], ["x"] * 3]


def _seed(url: str, n: int) -> None:
    rnd = random.Random(19)
    with session_scope(make_engine(url)) as s:
        m = make_municipality(s, code="raw", tz="Asia/Kamchatka")
        r = make_roadmap(s, municipality=m)
        for i in range(n):
            done = dt.datetime(2025, 1, 1, 1, 2, 3, rnd.choice([0, 7, 345678]), tzinfo=dt.UTC)
            make_step(
                s,
                roadmap=r,
                key=f"k{i}",
                title=rnd.choice(["Шаг", "Step <b>&", "«кавычки»"]) + str(i),
                due=dt.date(2024, 12, 25) + dt.timedelta(days=rnd.randrange(400)),
                kind=rnd.choice(list(StepKind)),
                status=rnd.choice(list(StepStatus)),
                recurrence=rnd.choice(list(Recurrence)),
                period=rnd.choice(["", "2025-Q1", "2025-03"]),
                blocked_by=rnd.choice(LISTS),
                evidence_required=rnd.choice(LISTS),
                depends_on=rnd.choice(LISTS),
                done_at=done if rnd.random() < 0.5 else None,
                due_rule=rnd.choice([{}, {"rule": "последний рабочий день", "n": 3}]),
            )


def test_raw_columns_decode_to_the_orm_values(db_url: str) -> None:
    _seed(db_url, 120)
    raw = RawColumns(PUBLIC_COLUMNS)
    with Session(make_engine(db_url)) as s:
        got = raw.fetch(s, select(*raw.select_columns(s)).order_by(col(Step.id)))
        want = [tuple(r) for r in s.execute(select(*PUBLIC_COLUMNS).order_by(col(Step.id)))]
    assert len(got) == 120
    assert got == want
    for g, w in zip(got, want, strict=True):  # same types too (enum members, aware UTC)
        assert [type(x) for x in g] == [type(x) for x in w]
        assert all(x.tzinfo is dt.UTC for x in g if isinstance(x, dt.datetime))


def test_for_json_rows_encode_to_the_same_bytes(db_url: str) -> None:
    """JSON mode (enum values, SQLite's date and UTC text as they are) writes the same
    JSON as the ORM values, microseconds included."""
    _seed(db_url, 120)
    raw = RawColumns(PUBLIC_COLUMNS, for_json=True)
    i = raw.names.index("status")
    with Session(make_engine(db_url)) as s:
        got = raw.fetch(s, select(*raw.select_columns(s)).order_by(col(Step.id)))
        want = s.execute(select(*PUBLIC_COLUMNS).order_by(col(Step.id))).all()
    assert all(type(r[i]) is str for r in got)
    for g, w in zip(got, want, strict=True):
        assert orjson.dumps(list(g), option=orjson.OPT_UTC_Z) == orjson.dumps(
            list(w), option=orjson.OPT_UTC_Z
        )
    at = raw.names.index("done_at")
    done = {orjson.dumps(r[at], option=orjson.OPT_UTC_Z).decode() for r in got}
    assert '"2025-01-01T01:02:03.345678Z"' in done  # microseconds kept
    assert '"2025-01-01T01:02:03Z"' in done  # zero ones dropped, as orjson does


def test_list_rows_equal_the_orm_steps(db_url: str) -> None:
    _seed(db_url, 60)
    with Session(make_engine(db_url)) as s:
        rows = queries.step_rows(s, queries.list_select(s).order_by(col(Step.id)))
        steps = s.execute(select(Step).order_by(col(Step.id))).scalars().all()
        for r, st in zip(rows, steps, strict=True):
            assert (r.id, r.key, r.period, r.title, r.kind, r.owner_role) == (
                st.id,
                st.key,
                st.period,
                st.title,
                st.kind,
                st.owner_role,
            )
            assert (r.organisation_id, r.due_date, r.status) == (
                st.organisation_id,
                st.due_date,
                st.status,
            )
            assert (r.blocked_by, r.evidence_required) == (st.blocked_by, st.evidence_required)
            assert type(r.due_date) is dt.date and type(r.status) is StepStatus
