"""A real ``prefect server start`` on loopback: deploy prefect.yaml, run it, see it complete.

Starts its own server (own PREFECT_HOME, SQLite), a process work pool and a process
worker, deploys the ``daily`` deployment from ``prefect.yaml`` with ``prefect deploy``,
triggers a run with ``prefect deployment run --watch`` and checks both Prefect's final
state and the step statuses the flow wrote into our test database.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import Step, StepStatus
from models.db import session_scope
from tests.factories import make_municipality, make_step
from tests.sweep_helpers import roadmap_for

REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOCZAKAZ_"))},
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "SOCZAKAZ_PROJECT_DIR": str(REPO),
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "Prefect server did not become healthy"
            time.sleep(1)
        yield env
    finally:
        _stop(server)
        log.close()


def _run(args: list[str], env: dict[str, str], timeout: int = 300) -> str:
    done = subprocess.run(
        args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.mark.server
@pytest.mark.slow
def test_deployed_daily_sweep_completes_on_a_real_server(
    engine: Engine, db_url: str, prefect_server: dict[str, str], tmp_path: Path
) -> None:
    with session_scope(engine) as s:
        for code, tz in (("kld", "Europe/Kaliningrad"), ("kam", "Asia/Kamchatka")):
            m = make_municipality(s, code=code, tz=tz)
            make_step(s, roadmap=roadmap_for(s, municipality=m), due=dt.date(2025, 12, 30))
    env = prefect_server | {"SOCZAKAZ_DATABASE_URL": db_url}
    _run([PREFECT, "work-pool", "create", "soczakaz-process", "--type", "process"], env)
    out = _run([PREFECT, "--no-prompt", "deploy", "--name", "daily"], env)
    assert "daily-sweep/daily" in out
    listed = _run([PREFECT, "deployment", "inspect", "daily-sweep/daily"], env)
    assert "Europe/Moscow" in listed and "0 6 * * *" in listed
    assert "'concurrency_limit': 1" in listed or "concurrency_limit" in listed
    worker_log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [PREFECT, "worker", "start", "--pool", "soczakaz-process"],
        env=env,
        cwd=REPO,
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    try:
        run = _run(
            [
                PREFECT,
                "deployment",
                "run",
                "daily-sweep/daily",
                "--param",
                "as_of=2025-12-31",
                "--watch",
                "--watch-timeout",
                "400",
            ],
            env,
            timeout=480,
        )
    finally:
        _stop(worker)
        worker_log.close()
    assert "Completed" in run, run[-2000:] + (tmp_path / "worker.log").read_text()[-3000:]
    with Session(engine) as s:
        statuses = sorted(r.status for r in s.exec(select(Step)).all())
    assert statuses == [StepStatus.overdue, StepStatus.overdue]
