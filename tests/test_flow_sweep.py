"""The daily-sweep flow under the Prefect harness, and ``roadmap sweep`` via CliRunner."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.main import app
from models import Recurrence, Step, StepStatus
from models.db import session_scope
from models.settings import Settings
from tests.factories import make_municipality, make_step
from tests.sweep_helpers import roadmap_for

D = dt.date
runner = CliRunner()


def _three_zones(engine: Engine) -> None:
    with session_scope(engine) as s:
        for code, tz in (
            ("kld", "Europe/Kaliningrad"),
            ("msk", "Europe/Moscow"),
            ("kam", "Asia/Kamchatka"),
        ):
            m = make_municipality(s, code=code, tz=tz)
            r = roadmap_for(s, municipality=m)
            make_step(
                s,
                roadmap=r,
                key="q4",
                period="2025-Q4",
                recurrence=Recurrence.quarterly,
                due=D(2025, 12, 31),
                due_rule={"period_end": True, "after_period_end": 0},
            )
            make_step(s, roadmap=r, key="npa", due=D(2025, 3, 14), status=StepStatus.done)


def _statuses(engine: Engine) -> dict[tuple[str, str], str]:
    with Session(engine) as s:
        return {
            (r.timezone, r.period): r.status.value
            for r in s.exec(select(Step)).all()
            if r.key == "q4"
        }


@pytest.mark.slow
def test_flow_at_frozen_new_year_eve(
    engine: Engine, settings: Settings, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client

    from flows.daily_sweep import daily_sweep

    monkeypatch.setenv("SOCZAKAZ_DATABASE_URL", settings.database_url)
    _three_zones(engine)
    # 31 Dec 2025 13:00 UTC: Kaliningrad 15:00 and Moscow 16:00 on 31 Dec, Kamchatka 1 Jan 01:00.
    with time_machine.travel(dt.datetime(2025, 12, 31, 13, tzinfo=dt.UTC), tick=True):
        counts = daily_sweep(batch_size=1)
    assert counts["batches"] == 3 and counts["municipalities"] == 3
    assert counts["created"] == 1 and counts["done"] == 3
    assert _statuses(engine) == {
        ("Europe/Kaliningrad", "2025-Q4"): "due",
        ("Europe/Moscow", "2025-Q4"): "due",
        ("Asia/Kamchatka", "2025-Q4"): "overdue",
        ("Asia/Kamchatka", "2026-Q1"): "planned",
    }
    assert "reminders" in counts
    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
    summary = [a for a in artifact if a.key == "daily-sweep-summary"]
    assert summary and "Ежедневная проверка сроков" in str(summary[0].data)
    assert "| просрочено | 1 |" in str(summary[0].data)


@pytest.mark.slow
def test_cli_sweep_as_of_is_the_local_date_everywhere(
    engine: Engine, cli_env: dict[str, str], prefect_harness: None
) -> None:
    _three_zones(engine)
    res = runner.invoke(app, ["sweep", "--as-of", "2025-12-31", "--json"], env=cli_env)
    assert res.exit_code == 0, res.output
    counts = json.loads(res.stdout)
    assert counts["due"] == 3 and counts["created"] == 0 and counts["batches"] == 1
    assert set(_statuses(engine).values()) == {"due"}
    table = runner.invoke(app, ["sweep", "--as-of", "2026-01-12"], env=cli_env)
    assert table.exit_code == 0, table.output
    assert "просрочено" in table.stdout and "новых повторений: 3" in table.stdout
    bad = runner.invoke(app, ["sweep", "--as-of", "31.02.2025"], env=cli_env)
    assert bad.exit_code == 2 and "ГГГГ-ММ-ДД" in bad.output
