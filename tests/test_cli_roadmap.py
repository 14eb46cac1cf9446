"""roadmap validate / load through CliRunner (both databases) and one real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select
from typer.testing import CliRunner

from cli.main import app
from models import Roadmap, RoadmapTemplate, Step
from models.db import session_scope
from tests.factories import make_municipality

runner = CliRunner()
BAD = Path(__file__).parent / "fixtures" / "bad_yaml"


def _counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine) as s:
        return tuple(  # type: ignore[return-value]
            int(s.exec(select(func.count()).select_from(m)).one())
            for m in (RoadmapTemplate, Roadmap, Step)
        )


def test_validate_good_templates() -> None:
    result = runner.invoke(app, ["validate", "moc-standard", "test-small"])
    assert result.exit_code == 0, result.output
    assert "moc-standard.yaml: 34 шагов" in result.stdout
    assert "test-small.yaml: 6 шагов" in result.stdout
    assert result.stdout.count("OK: ") == 2


def test_validate_reports_every_error_of_every_file() -> None:
    many, cycle = BAD / "many_errors.yaml", BAD / "cycle_depends.yaml"
    result = runner.invoke(app, ["validate", str(many), "test-small", str(cycle), "nope.yaml"])
    assert result.exit_code == 2
    err = result.stderr
    assert sum(1 for line in err.splitlines() if line.startswith(f"{many}:")) == 13
    assert f"{many}:4:1: неизвестное поле 'colour'" in err
    assert f"{cycle}:14:18: шаг «b»: циклическая зависимость: a → b → a" in err
    assert "nope.yaml: файл не найден" in err
    assert "шаблонов с ошибками: 3 из 4" in err
    assert "Traceback" not in result.output
    assert "OK: " in result.stdout and "test-small.yaml" in result.stdout


def test_load_then_load_again(cli_env: dict[str, str], engine: Engine) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="irk", tz="Asia/Irkutsk")
    args = ["load", "test-small", "--municipality", "irk", "--year", "2025"]
    first = runner.invoke(app, args, env=cli_env)
    assert first.exit_code == 0, first.output
    assert "создано шагов: 20, без изменений: 0" in first.stdout
    again = runner.invoke(app, [*args, "--json"], env=cli_env)
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert (data["created"], data["unchanged"]) == (0, 20)
    assert data["roadmap_created"] is False
    assert _counts(engine) == (1, 1, 20)


def test_load_with_parameter_override(cli_env: dict[str, str], engine: Engine) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="kld", tz="Europe/Kaliningrad")
    args = [
        "load",
        "test-small",
        "-m",
        "kld",
        "-y",
        "2026",
        "--param",
        "params_calc_date={year-1}-10-06",
        "--json",
    ]
    result = runner.invoke(app, args, env=cli_env)
    assert result.exit_code == 0, result.output
    with session_scope(engine) as s:
        step = s.exec(select(Step).where(Step.key == "params-calc")).one()
        roadmap = s.exec(select(Roadmap)).one()
    assert str(step.due_date) == "2025-10-06"
    assert roadmap.parameters["params_calc_date"] == "2025-10-06"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["load", str(BAD / "many_errors.yaml"), "-m", "m", "-y", "2025"],
            [f"{BAD / 'many_errors.yaml'}:20:18: шаг «c»: циклическая", "ошибки: 13"],
        ),
        (["load", "test-small", "-m", "nowhere", "-y", "2025"], ["«nowhere» не найден"]),
        (["load", "moc-standart", "-m", "m", "-y", "2025"], ["moc-standart: файл не найден"]),
        (["load", "test-small", "-m", "m", "-y", "2025", "--param", "x"], ["имя=значение"]),
        (
            ["load", "test-small", "-m", "m", "-y", "2025", "--param", "params_calc=2025-01-01"],
            ["неизвестный параметр «params_calc»"],
        ),
        (
            ["load", "test-small", "-m", "m", "-y", "2025", "-p", "params_calc_date=2025-02-30"],
            ["не существует"],
        ),
        (["load", "test-small", "-m", "m", "-y", "3025"], ["вне диапазона"]),
    ],
)
def test_bad_load_exits_2_and_writes_nothing(
    cli_env: dict[str, str], engine: Engine, args: list[str], fragments: list[str]
) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="m")
    result = runner.invoke(app, args, env=cli_env)
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert _counts(engine) == (0, 0, 0)


@pytest.mark.slow
def test_console_script_validate_subprocess(tmp_path: Path) -> None:
    """One real run of the installed console script: good and bad file together."""
    exe = Path(sys.executable).parent / "roadmap"
    assert exe.exists(), exe
    env = {"SOCZAKAZ_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    bad_file = BAD / "unknown_step_field.yaml"
    out = subprocess.run(
        [str(exe), "validate", "moc-standard", str(bad_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert "moc-standard.yaml: 34 шагов" in out.stdout
    assert f"{bad_file}:9:5: шаг «a»: неизвестное поле 'colour'" in out.stderr
    assert "Traceback" not in out.stderr
