"""init, municipality, calendar and status through CliRunner, on both databases."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from cli.main import app
from models import Municipality, StepStatus
from models.db import session_scope
from tests.factories import make_municipality, make_roadmap, make_step

runner = CliRunner()


def test_init_is_idempotent(cli_env: dict[str, str]) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["init"], env=cli_env)
        assert result.exit_code == 0, result.output
        assert "База данных готова" in result.output


def test_municipality_add_and_list(cli_env: dict[str, str], engine: Engine) -> None:
    args = ["municipality", "add", "irk", "--name", "Иркутск", "--tz", "Asia/Irkutsk"]
    result = runner.invoke(app, args, env=cli_env)
    assert result.exit_code == 0, result.output
    again = runner.invoke(app, args, env=cli_env)
    assert again.exit_code == 2
    assert "уже есть" in again.output
    listed = runner.invoke(app, ["municipality", "list", "--json"], env=cli_env)
    data = json.loads(listed.stdout)
    assert [(m["code"], m["timezone"]) for m in data] == [("irk", "Asia/Irkutsk")]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["municipality", "add", "x", "--name", "X", "--tz", "Mars/Olympus"], "--tz"),
        (["municipality", "add", "x"], "--name"),
        (["calendar", "add", "2025-02-30", "1"], "ГГГГ-ММ-ДД"),
        (["calendar", "add", "2025-01-01", "x"], "«n»: ожидается целое число"),
        (["calendar", "workdays", "1800"], "1992"),
        (["status", "--municipality", "nowhere"], "не найден"),
        (
            ["status", "--municipality", "m", "--as-of", "31.02.2025"],
            "--as-of",
        ),  # issue 15: DD.MM.YYYY is read
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    cli_env: dict[str, str], engine: Engine, args: list[str], fragment: str
) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="m")
    result = runner.invoke(app, args, env=cli_env)
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Municipality)).one() == 1


@pytest.mark.parametrize(("year", "count"), [(2024, 248), (2025, 247), (2026, 247)])
def test_calendar_workdays(year: int, count: int) -> None:
    result = runner.invoke(app, ["calendar", "workdays", str(year), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["working_days"] == count
    assert sum(data["by_month"]) == count


def test_calendar_add_across_new_year() -> None:
    result = runner.invoke(app, ["calendar", "add", "2024-12-28", "1", "--json"])
    assert json.loads(result.stdout)["result"] == "2025-01-09"
    back = runner.invoke(app, ["calendar", "add", "--", "2025-01-09", "-1"])
    assert "2024-12-28" in back.output


def test_status_as_of_in_the_municipality_zone(cli_env: dict[str, str], engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="kamchatka", tz="Asia/Kamchatka")
        r = make_roadmap(s, municipality=m, year=2025)
        make_step(s, roadmap=r, key="a", due=dt.date(2025, 3, 14))
        make_step(s, roadmap=r, key="b", due=dt.date(2025, 3, 20), depends_on=["a"])
        make_step(s, roadmap=r, key="c", due=dt.date(2025, 3, 3), status=StepStatus.done)
        make_step(s, roadmap=r, key="d", due=dt.date(2025, 6, 2))
    result = runner.invoke(
        app, ["status", "-m", "kamchatka", "--as-of", "2025-03-17", "--json"], env=cli_env
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_key = {st["key"]: st for st in data["steps"]}
    assert by_key["a"]["status"] == "overdue"
    assert by_key["b"]["status"] == "blocked"
    assert by_key["b"]["blocked_by"] == ["a"]
    assert by_key["c"]["status"] == "done"
    assert by_key["d"]["status"] == "planned"
    assert data["counts"] == {"overdue": 1, "blocked": 1, "done": 1, "planned": 1}
    table = runner.invoke(app, ["status", "-m", "kamchatka", "--as-of", "2025-03-14"], env=cli_env)
    assert "срок сегодня: 1" in table.output  # count line
    assert "Срок сегодня и скоро" in table.output


def test_console_script_runs_in_a_real_process(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("roadmap")
    out = subprocess.run(
        [str(exe), "calendar", "workdays", "2025"],
        capture_output=True,
        text=True,
        check=True,
        env={"SOCZAKAZ_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"},
    )
    assert "247" in out.stdout
