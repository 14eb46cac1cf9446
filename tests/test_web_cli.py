"""``roadmap serve`` as a real subprocess, and ``roadmap token auditor``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli.main import app as cli_app
from models import Person
from models.db import session_scope
from tests.web_fixtures import World
from web.auth_tokens import issue_token
from web.server import free_port

pytest_plugins = ["tests.web_fixtures"]

ROADMAP = Path(sys.executable).parent / "roadmap"


def test_serve_subprocess_answers_with_the_dashboard(
    cli_env: dict[str, str], world: World, engine: Engine
) -> None:
    # The served app runs on the wall clock, not the fixtures' frozen NOW: a token
    # issued now (``roadmap token issue`` does the same) is valid for it.
    with session_scope(engine) as s:
        token = issue_token(s, world.person_ids["moc_head"], days=1)
    port = free_port()
    proc = subprocess.Popen(
        [str(ROADMAP), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **cli_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        bearer = {"Authorization": f"Bearer {token}"}
        overview = httpx.get(f"{base}/", headers=bearer, timeout=10)
        assert overview.status_code == 200 and "Муниципалитет krylovsky" in overview.text
        # Signed out: the page sends the browser to sign in and back here.
        anonymous = httpx.get(f"{base}/", timeout=10)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith("/login")
        spec = httpx.get(f"{base}/openapi.json", timeout=10).json()
        assert "/api/steps/{step_id}/complete" in spec["paths"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert f"Панель: http://127.0.0.1:{port}/" in out


def test_token_auditor_sets_municipalities(
    cli_env: dict[str, str], world: World, engine: Engine
) -> None:
    pid = world.person_ids["auditor"]
    args = [
        "token",
        "auditor",
        "--person",
        str(pid),
        "--municipality",
        "krylovsky",
        "--municipality",
        "irkutsk",
    ]
    result = CliRunner().invoke(cli_app, args, env=cli_env)
    assert result.exit_code == 0, result.output
    with session_scope(engine) as s:
        person = s.get(Person, pid)
        assert person is not None
        assert sorted(person.auditor_municipality_ids) == sorted(
            [world.own.municipality_id, world.other.municipality_id]
        )
    not_auditor = [
        "token",
        "auditor",
        "--person",
        str(world.person_ids["moc_head"]),
        "--municipality",
        "krylovsky",
    ]
    bad = CliRunner().invoke(cli_app, not_auditor, env=cli_env)
    assert bad.exit_code == 2 and "не аудитор" in bad.output
    unknown = ["token", "auditor", "--person", str(pid), "--municipality", "nowhere"]
    missing = CliRunner().invoke(cli_app, unknown, env=cli_env)
    assert missing.exit_code == 2 and "nowhere" in missing.output
