"""``roadmap outbox list|retry`` and ``roadmap dispatch`` through CliRunner, both DBs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pendulum
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli.main import app
from models import OutboxStatus, Role
from models.db import session_scope
from notifications.outbox import enqueue
from tests.factories import make_municipality, make_person, make_roadmap, make_step
from tests.notifications_fixtures import HttpSink, http_sink  # noqa: F401

runner = CliRunner()
PAST = pendulum.datetime(2025, 3, 13, 7, tz="UTC")


def _fill(engine: Engine, target: str) -> tuple[int, int]:
    with session_scope(engine) as s:
        m = make_municipality(s)
        p = make_person(s, municipality=m, role=Role.moc_head, full_name="Иванова Анна Петровна")
        step = make_step(s, roadmap=make_roadmap(s, municipality=m), due=dt.date(2025, 3, 14))
        for i, rule in enumerate(["before:1", "on_day"]):
            enqueue(
                s,
                dedupe_key=f"k{i}",
                municipality_id=m.id,
                step_id=step.id,
                person_id=p.id,
                rule=rule,
                channel="webhook",
                target=target,
                subject=f"Тема {rule}",
                body_text="Текст",
                body_html="",
                body_short="",
                not_before=PAST,
            )
        return step.id or 0, p.id or 0


def test_outbox_list_filters_and_json(engine: Engine, cli_env: dict[str, str]) -> None:
    step_id, person_id = _fill(engine, "json://user:secret@127.0.0.1:1/hook")
    res = runner.invoke(app, ["outbox", "list", "--json", "--step", str(step_id)], env=cli_env)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [d["rule"] for d in data] == ["on_day", "before:1"]
    assert {d["person"] for d in data} == {"Иванова Анна Петровна"}
    assert all(d["target"] == "json://***" for d in data)  # secret never printed
    res = runner.invoke(app, ["outbox", "list", "--status", "sent", "--json"], env=cli_env)
    assert json.loads(res.stdout) == []
    res = runner.invoke(app, ["outbox", "list", "--person", str(person_id)], env=cli_env)
    assert res.exit_code == 0 and "в очереди" in res.stdout and "on_day" in res.stdout
    assert "secret" not in res.stdout


def test_outbox_list_rejects_unknown_status(engine: Engine, cli_env: dict[str, str]) -> None:
    res = runner.invoke(app, ["outbox", "list", "--status", "lost"], env=cli_env)
    assert res.exit_code == 2
    assert "неизвестный статус «lost»" in res.output


def test_dispatch_dead_letter_then_retry(
    engine: Engine,
    cli_env: dict[str, str],
    http_sink: HttpSink,  # noqa: F811
) -> None:
    _fill(engine, http_sink.url().replace(str(http_sink.port), "1"))  # nobody listens on :1
    env = {**cli_env, "SOCZAKAZ_OUTBOX_MAX_ATTEMPTS": "1"}
    res = runner.invoke(app, ["dispatch", "--without-prefect"], env=env)
    assert res.exit_code == 0, res.output
    assert "не доставлено: 2" in res.stdout
    res = runner.invoke(app, ["outbox", "list", "--status", "dead", "--json"], env=env)
    dead = json.loads(res.stdout)
    assert len(dead) == 2 and all("Connection" in d["last_error"] for d in dead)
    res = runner.invoke(app, ["outbox", "retry", str(dead[0]["id"])], env=env)
    assert res.exit_code == 0 and "возвращено в очередь" in res.stdout
    res = runner.invoke(app, ["outbox", "retry", "424242"], env=env)
    assert res.exit_code == 2 and "не найдено" in res.output
    with session_scope(engine) as s:
        from models import OutboxMessage

        row = s.get(OutboxMessage, dead[0]["id"])
        assert row is not None and row.status == OutboxStatus.pending and row.attempts == 0


@pytest.mark.slow
def test_dispatch_console_script_runs_the_prefect_flow(
    engine: Engine,
    cli_env: dict[str, str],
    http_sink: HttpSink,  # noqa: F811
    prefect_harness: None,
) -> None:
    """A real subprocess of the console script against the harness's Prefect API."""
    from prefect.blocks.system import Secret
    from prefect.settings import PREFECT_API_URL

    # The webhook URL is a secret: it lives in a Prefect Secret block, the row says "@hook".
    Secret(value=http_sink.url()).save("soczakaz-channel-hook", overwrite=True)
    _fill(engine, "@hook")
    env = {**os.environ, **cli_env, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    script = Path(sys.executable).parent / "roadmap"
    res = subprocess.run(
        [str(script), "dispatch", "--batch-size", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Отправлено: 2" in res.stdout and "пакетов: 2" in res.stdout
    assert sorted(http_sink.keys()) == ["k0", "k1"]
    assert f"127.0.0.1:{http_sink.port}" not in res.stdout + res.stderr
