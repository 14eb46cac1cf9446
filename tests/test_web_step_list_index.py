"""The step lists read one covering index on SQLite (models/web_indexes.py, issue 19)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import Session, col

from models import Step
from models.db import init_db, make_engine, session_scope
from models.migrate import upgrade
from models.web_indexes import STEP_LIST_COLUMNS
from tests.factories import make_municipality, make_roadmap, make_step
from web.queries import LIST_COLUMNS, StepFilters, list_select
from web.step_json import PUBLIC_FIELDS, public_steps_select

INDEX = "ix_step_municipality_list"


def _plans(url: str) -> list[str]:
    engine = make_engine(url)
    with session_scope(engine) as s:
        r = make_roadmap(s, municipality=make_municipality(s, code="ix"))
        for i in range(30):
            make_step(s, roadmap=r, key=f"k{i}")
    with Session(engine) as s:
        mine = col(Step.municipality_id) == 1
        page = list_select(s).where(mine).order_by(col(Step.due_date), col(Step.id))
        api = StepFilters(status="open").apply(public_steps_select(s).where(mine))
        api = api.order_by(col(Step.due_date), col(Step.id)).limit(500)
        plans = []
        for stmt in (page, api):
            sql = str(stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True}))
            rows = s.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all()
            plans.append(" ".join(str(r[-1]) for r in rows))
    engine.dispose()
    return plans


def test_the_index_holds_every_column_both_lists_read() -> None:
    columns: tuple[Any, ...] = LIST_COLUMNS
    wanted = {c.name for c in columns} | set(PUBLIC_FIELDS)
    assert wanted <= set(STEP_LIST_COLUMNS)
    assert STEP_LIST_COLUMNS[:3] == ("municipality_id", "due_date", "id")  # the ORDER BY


def test_page_and_api_lists_are_covered_on_a_new_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    init_db(make_engine(url))
    for plan in _plans(url):
        assert f"COVERING INDEX {INDEX}" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # the index order is the ORDER BY


def test_revision_0008_adds_the_index_to_an_older_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0007_status_counts")
    with engine.connect() as c:
        names = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master")}
    assert INDEX not in names
    upgrade(engine, "head")
    engine.dispose()
    for plan in _plans(url):
        assert f"COVERING INDEX {INDEX}" in plan, plan
