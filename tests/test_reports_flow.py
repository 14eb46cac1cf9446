"""The build-reports flow under the real Prefect harness writes every municipality's files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from sqlalchemy.engine import Engine

from flows.reports import build_reports, previous_quarter
from models.db import session_scope
from tests.factories import make_municipality
from tests.report_builders import populate_seed001, seed001

NOW = dt.datetime(2021, 1, 15, 9, tzinfo=dt.UTC)


def test_previous_quarter() -> None:
    assert previous_quarter(dt.date(2025, 1, 10)) == (2024, 4)
    assert previous_quarter(dt.date(2025, 7, 1)) == (2025, 2)


@pytest.mark.slow
def test_flow_builds_reports_of_every_municipality(
    prefect_harness: None, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    with session_scope(engine) as s:
        populate_seed001(s)
        for code in ("lodeynoe", "tihoretsk", "kamchatka"):
            make_municipality(
                s, code=code, tz="Asia/Kamchatka" if code == "kamchatka" else "Europe/Moscow"
            )
    out = tmp_path / "reports"
    counts = build_reports(
        out_dir=str(out),
        year=2020,
        formats=["docx", "xlsx"],
        kinds=["annual", "quarterly"],
        quarter=4,
        batch_size=2,
        database_url=db_url,
        now=NOW,
    )
    assert counts["municipalities"] == 4 and counts["batches"] == 2
    assert counts["files"] == 16
    names = sorted(p.name for p in out.iterdir())
    assert "krylovsky-2020-annual.docx" in names and "kamchatka-2020-q4.xlsx" in names
    table = docx.Document(str(out / "krylovsky-2020-annual.docx")).tables[0]
    cells = [c.text.replace("\u202f", " ") for c in table.rows[1].cells]  # «№ 233»: narrow space
    assert cells == seed001()["expected_table"][1]
