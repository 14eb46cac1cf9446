"""A real `prefect server start` on loopback, on SQLite or on PostgreSQL as Prefect's
own database, shared by the tests of one module; real process workers."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PG_ADMIN_DSN, _pg_available, _pg_state
from tests.notifications_fixtures import free_port
from tests.prefect_server_log import judge

REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
POOL = "soczakaz-process"  # the work pool of prefect.yaml's deployments


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT (Ctrl-C) first: a Prefect worker ignores SIGTERM for a long while."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class PrefectServer:
    env: dict[str, str]
    api: str
    log: Path
    started_in: float
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, args: list[str], env: dict[str, str] | None = None, timeout: int = 300) -> str:
        done = subprocess.run(
            [PREFECT, *args],
            env=env or self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout + done.stderr

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        res = httpx.post(f"{self.api}{path}", json=body or {}, timeout=30)
        res.raise_for_status()
        return res.json()

    def deployments(self) -> dict[str, str]:
        """id -> "flow-name/deployment-name"."""
        flows = {f["id"]: f["name"] for f in self.post("/flows/filter")}
        return {
            d["id"]: f"{flows[d['flow_id']]}/{d['name']}" for d in self.post("/deployments/filter")
        }

    def runs(self, **flow_runs: Any) -> list[dict[str, Any]]:
        return list(self.post("/flow_runs/filter", {"flow_runs": flow_runs, "limit": 200}))

    def worker(self, log: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
        out = log.open("wb")
        proc = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", POOL, *extra],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(proc)
        return proc

    @property
    def on_sqlite(self) -> bool:
        return "PREFECT_SERVER_DATABASE_CONNECTION_URL" not in self.env

    def error_lines(self) -> list[str]:
        """ERROR and traceback lines; a tolerated heartbeat conflict (see
        tests/prefect_server_log.py) only once a later heartbeat is persisted."""
        verdict = judge(self.log.read_text(), prefect_on_sqlite=self.on_sqlite)
        if verdict.tolerated:
            since = dt.datetime.now(dt.UTC)
            wait_for(
                "a worker heartbeat persisted after the conflict",
                lambda: any(
                    dt.datetime.fromisoformat(w["last_heartbeat_time"]) > since
                    for w in self.post(f"/work_pools/{POOL}/workers/filter")
                ),
                120,
                every=2.0,
            )
        return verdict.errors


def _pg_database() -> Iterator[str]:
    if not _pg_available():
        msg = f"PostgreSQL unreachable at {PG_ADMIN_DSN}: {_pg_state.get('why')}"
        if os.environ.get("SOCZAKAZ_REQUIRE_POSTGRES") == "1":
            pytest.fail(msg)
        pytest.skip("SKIPPING POSTGRESQL: " + msg)
    import psycopg

    name = "prefect_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_server(tmp: Path, prefect_db: str | None) -> Iterator[PrefectServer]:
    """`prefect server start` with its own PREFECT_HOME (and its own PostgreSQL database)."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOCZAKAZ_"))},
        "PREFECT_HOME": str(tmp / "prefect-home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "SOCZAKAZ_PROJECT_DIR": str(REPO),
    }
    if prefect_db:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = prefect_db
    log = tmp / "server.log"
    out = log.open("wb")
    started = time.monotonic()
    proc = subprocess.Popen(
        [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    server = PrefectServer(env, f"http://127.0.0.1:{port}/api", log, 0.0)
    try:
        deadline = started + 300
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{server.api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "Prefect server did not become healthy"
            time.sleep(0.5)
        server.started_in = time.monotonic() - started
        server.run(["work-pool", "create", POOL, "--type", "process"])
        yield server
    finally:
        for w in server.workers:
            stop(w)
        stop(proc)
        out.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def prefect_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServer]:
    """One real Prefect server per module and Prefect database (SQLite, PostgreSQL)."""
    kind = str(request.param)
    chosen = request.config.getoption("--backend") or ["sqlite", "postgresql"]
    if kind not in chosen:
        pytest.skip(f"--backend excludes {kind}")
    tmp = tmp_path_factory.mktemp(f"prefect-{kind}")
    if kind == "sqlite":
        yield from start_server(tmp, None)
        return
    for url in _pg_database():
        yield from start_server(tmp, url)


def wait_for(what: str, check: Any, timeout: float, every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)
