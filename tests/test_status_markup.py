"""``roadmap status`` prints user text as text: rich markup in a name is not interpreted.

A municipality is named by people (``roadmap municipality add --name``) and step titles
come from templates; a "[bold]" or "[/]" in them must reach the screen as written, on
the SQLite fast path (cli.status_read) and on the ORM path alike.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

import cli.status_read as status_read
from cli.main import app
from models import Step
from models.db import session_scope
from tests.factories import make_municipality

runner = CliRunner()
NAME = "Город [bold]N[/bold] [red]«x»[/] [/]"
TITLE = "[i]Отчёт[/]"


def _load(cli_env: dict[str, str], engine: Engine) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="mk", name=NAME)
    done = runner.invoke(app, ["load", "test-small", "-m", "mk", "-y", "2026"], env=cli_env)
    assert done.exit_code == 0, done.output
    with session_scope(engine) as s:
        step = s.exec(select(Step).order_by(col(Step.due_date), col(Step.key))).first()
        assert step is not None
        step.title = TITLE
        s.add(step)


@pytest.mark.parametrize("path", ["fast", "orm"])
def test_markup_in_the_name_and_a_title_is_printed_as_written(
    cli_env: dict[str, str], engine: Engine, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _load(cli_env, engine)
    if path == "orm":
        monkeypatch.setattr(status_read, "read_status", lambda url, code, year: None)
    args = ["status", "-m", "mk", "--as-of", "2026-01-12", "--upcoming", "50"]
    result = runner.invoke(app, args, env=cli_env, terminal_width=200)
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]
    assert header.startswith(f"{NAME} (mk, Europe/Moscow) — на 12.01.2026 12:00"), header
    assert TITLE in result.stdout
