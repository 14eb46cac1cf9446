"""School-year roadmaps: ``year_kind: school``, ``--year 2020/2021``, periods Sep–Aug."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from domain.errors import InputError
from domain.inputs import parse_year
from domain.records.event_rules import period_range
from models import Step
from models.db import session_scope
from models.roadmap import Recurrence
from roadmaps.planning import periods
from tests.records_helpers import Cli

TEMPLATE = """\
key: school-plan
version: 1
title: План МОЦ на учебный год
year_kind: school
steps:
  - key: work-plan
    title: План работы МОЦ на учебный год
    kind: normative_act
    due: {date: "{year}-08-31"}
    evidence: [act_type, act_number, act_date, issuer]
  - key: rmc-quarterly
    title: Отчёт в РМЦ за четверть
    kind: report
    recurrence: quarterly
    due: {period_end: true, working_days: 5}
  - key: annual
    title: Отчёт МОЦ за учебный год
    kind: report
    recurrence: yearly
    due: {date: "{year+1}-06-15"}
"""


def test_years_as_written() -> None:
    assert parse_year("2024") == (2024, False)
    assert parse_year("2020/2021") == (2020, True) == parse_year("2020–2021")
    assert parse_year("2020/21") == (2020, True)
    with pytest.raises(InputError, match="учебный год"):
        parse_year("2020/2022")
    labels = [(p.label, p.start, p.end) for p in periods(Recurrence.quarterly, 2020, school=True)]
    assert labels[0] == ("2020/2021-Q1", dt.date(2020, 9, 1), dt.date(2020, 11, 30))
    assert labels[1][1:] == (dt.date(2020, 12, 1), dt.date(2021, 2, 28))
    assert period_range("2020/2021", 2020) == (dt.date(2020, 9, 1), dt.date(2021, 8, 31))


def test_school_year_roadmap_from_the_cli(
    cli_env: dict[str, str], tmp_path: Path, engine: Engine
) -> None:
    template = tmp_path / "school.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    calendar = tmp_path / "calendar.yaml"
    calendar.write_text(TEMPLATE.replace("year_kind: school\n", ""), encoding="utf-8")
    cli = Cli(cli_env, tmp_path / "home")
    cli.run("municipality", "add", "kr", "--name", "Крыловский район")
    refused = cli.run("load", str(calendar), "-m", "kr", "--year", "2020/2021", code=2)
    assert "ведётся по календарным годам" in refused.stderr
    done = cli.run("load", str(template), "-m", "kr", "--year", "2020/2021")
    assert "2020/2021 учебный год" in done.stdout
    with session_scope(engine) as s:
        steps = s.exec(select(Step).order_by(col(Step.due_date))).all()
    got = [(st.key, st.period, st.due_date) for st in steps]
    assert got[0] == ("work-plan", "", dt.date(2020, 8, 31))
    assert ("rmc-quarterly", "2020/2021-Q1", dt.date(2020, 12, 7)) in got
    assert ("annual", "2020/2021", dt.date(2021, 6, 15)) in got
    out = tmp_path / "r.md"
    cli.run(
        "report",
        "annual",
        "--municipality",
        "kr",
        "--year",
        "2020",
        "--format",
        "md",
        "--out",
        str(out),
    )
    assert "за 2020/2021 учебный год" in out.read_text(encoding="utf-8").splitlines()[0]
