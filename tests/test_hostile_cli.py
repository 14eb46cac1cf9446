"""Hostile input through the CLI (issue 14): refused fast, exit 2, nothing written.

The YAML cases (alias bomb, 20,000 nested brackets, a file past the size limit)
are in tests/fixtures/bad_yaml (the loader corpus, tests/test_loader.py); here
they go through ``roadmap validate`` / ``roadmap load`` as a user runs them.
Markup in user text ('[/bold]' in a name, '[/oops]' as a code) is printed as
it is, never interpreted by rich.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli.main import app
from models import Municipality, Roadmap, Step
from models.db import session_scope

BAD = Path(__file__).parent / "fixtures" / "bad_yaml"
HOSTILE = ["hostile_alias_bomb", "hostile_deep_nesting", "hostile_too_large"]
POSITION = re.compile(r"^\S+\.yaml:\d+:\d+: ")
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("fixture", HOSTILE)
def test_hostile_template_validate_exits_2_in_under_a_second(fixture: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["validate", str(BAD / "empty_file.yaml")])  # imports warmed up
    started = time.perf_counter()
    r = runner.invoke(app, ["validate", str(BAD / f"{fixture}.yaml")])
    elapsed = time.perf_counter() - started
    assert r.exit_code == 2, r.output
    assert elapsed < 1.0, elapsed
    assert any(POSITION.match(line) for line in r.output.splitlines()), r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("fixture", HOSTILE)
def test_hostile_template_load_writes_nothing(
    fixture: str, engine: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["municipality", "add", "krylovsky", "--name", "К"], env=cli_env)
    assert ok.exit_code == 0, ok.output
    path = str(BAD / f"{fixture}.yaml")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **cli_env}
    r = subprocess.run(
        [sys.executable, "-m", "cli.main", "load", path, "-m", "krylovsky", "-y", "2025"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    assert any(POSITION.match(line) for line in r.stderr.splitlines()), r.stderr
    with session_scope(engine) as s:
        for table in (Roadmap, Step):
            assert s.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_markup_in_user_text_is_printed_not_interpreted(
    engine: Engine, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    name = "[/bold] Крыловский [red]район"
    r = runner.invoke(app, ["municipality", "add", "mx", "--name", name], env=cli_env)
    assert r.exit_code == 0 and name in r.output, r.output
    listed = runner.invoke(app, ["municipality", "list"], env=cli_env)
    assert listed.exit_code == 0 and name in listed.output, listed.output
    with session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(Municipality)).scalar_one() == 1
    bad = runner.invoke(app, ["status", "-m", "[/oops]"], env=cli_env)
    assert bad.exit_code == 2 and "«[/oops]»" in bad.output, bad.output
    assert "MarkupError" not in bad.output
