"""``roadmap review``: a whole case through the CLI, refusals with exit 2, status --json."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli.main import app
from models.db import session_scope
from tests.factories import make_municipality, make_organisation

runner = CliRunner()


def flat(text: str) -> str:
    """Output without rich's line wrapping."""
    return " ".join(text.split())


def _ok(args: list[str], env: dict[str, str]) -> str:
    res = runner.invoke(app, args, env=env)
    assert res.exit_code == 0, res.output
    return flat(res.output)


def test_review_cli_full_cycle(engine: Engine, cli_env: dict[str, str]) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="krylovsky")
        make_organisation(s, municipality=m, code="ddt")
        make_organisation(s, municipality=m, code="sosh1")
    env = cli_env
    out = _ok(
        [
            "review",
            "campaign",
            "create",
            "--municipality",
            "krylovsky",
            "--title",
            "НОК 2025",
            "--year",
            "2025",
            "--from",
            "2025-11-15",
            "--to",
            "2025-12-15",
            "--max-rounds",
            "2",
        ],
        env,
    )
    assert "Создана кампания №1" in out
    out = _ok(
        [
            "review",
            "programme",
            "add",
            "--municipality",
            "krylovsky",
            "--organisation",
            "ddt",
            "--title",
            "Робототехника",
            "--focus",
            "technical",
            "--hours",
            "72",
        ],
        env,
    )
    assert "программа №1" in out
    for name in ("Петров П.П.", "Сидорова С.С.", "Орлова О.О."):
        _ok(
            [
                "review",
                "expert",
                "add",
                "--municipality",
                "krylovsky",
                "--name",
                name,
                "--organisation",
                "sosh1",
                "--notify",
                "json://127.0.0.1:9/x",
            ],
            env,
        )
    _ok(
        [
            "review",
            "expert",
            "add",
            "--municipality",
            "krylovsky",
            "--name",
            "Свой Сотрудник",
            "--organisation",
            "ddt",
        ],
        env,
    )

    # Illegal: a verdict before any expert is assigned -> exit 2 with the Russian message.
    _ok(["review", "submit", "--campaign", "1", "--programme", "1"], env)
    res = runner.invoke(app, ["review", "verdict", "1", "positive", "--expert", "1"], env=env)
    assert res.exit_code == 2
    assert "недопустимо в состоянии «подана»" in flat(res.output)
    allowed = "допустимо: «отклонить по формальным основаниям», «назначить экспертов»"
    assert allowed in flat(res.output)

    # Own organisation's staff cannot be an expert; quorum is two.
    res = runner.invoke(app, ["review", "assign", "1", "--expert", "1", "--expert", "4"], env=env)
    assert res.exit_code == 2 and "организации-разработчика" in flat(res.output)
    out = _ok(["review", "assign", "1", "--expert", "1", "--expert", "2"], env)
    assert "на экспертизе" in out
    _ok(["review", "verdict", "1", "positive", "--expert", "1"], env)
    out = _ok(
        [
            "review",
            "verdict",
            "1",
            "отрицательное",
            "--expert",
            "2",
            "--comment",
            "нет диагностики",
        ],
        env,
    )
    assert "разногласие экспертов" in out
    _ok(["review", "assign", "1", "--tiebreaker", "--expert", "3"], env)
    out = _ok(["review", "verdict", "1", "positive", "--expert", "3"], env)
    assert "положительное заключение" in out
    res = runner.invoke(app, ["review", "decide", "1", "council"], env=env)
    assert res.exit_code == 2 and "--protocol" in flat(res.output)
    _ok(["review", "decide", "1", "council", "--protocol", "№3", "--date", "2025-12-10"], env)
    _ok(["review", "decide", "1", "regional"], env)
    out = _ok(["review", "decide", "1", "register"], env)
    assert "в реестре" in out

    res = runner.invoke(app, ["review", "status", "--municipality", "krylovsky", "--json"], env=env)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    camp = data["campaigns"][0]
    assert camp["counts"] == {
        "applied": 1,
        "reviewed": 1,
        "positive": 1,
        "negative": 0,
        "regional_stage": 1,
        "in_register": 1,
    }
    assert camp["states"]["IN_REGISTER"] == 1 and sum(camp["states"].values()) == 1
    out = _ok(["review", "status", "--municipality", "krylovsky"], env)
    assert "Включено в реестр: 1" in out and "в реестре" in out


def test_review_status_unknown_campaign_exit_2(engine: Engine, cli_env: dict[str, str]) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="krylovsky")
    res = runner.invoke(
        app, ["review", "status", "--municipality", "krylovsky", "--campaign", "9"], env=cli_env
    )
    assert res.exit_code == 2 and "кампания №9 не найдена" in flat(res.output)


def test_review_console_script_subprocess(engine: Engine, cli_env: dict[str, str]) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="krylovsky")
    roadmap = str(__import__("pathlib").Path(sys.executable).with_name("roadmap"))
    proc = subprocess.run(
        [roadmap, "review", "status", "--municipality", "krylovsky"],
        env={**cli_env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "нет кампаний экспертизы" in proc.stdout
