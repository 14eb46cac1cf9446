"""First use, as a new user types it: `roadmap sweep` and `roadmap dispatch` as
subprocesses with a fresh HOME (no ~/.prefect, no PREFECT_* variable) succeed on the
first call, speak Russian and show none of Prefect's log lines; a killed command
leaves no process behind."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy.engine import Engine

from models import Role
from models.db import session_scope
from tests.factories import make_municipality, make_person, make_roadmap, make_step
from tests.notifications_fixtures import SmtpSink, smtp_sink  # noqa: F401

ROADMAP = str(Path(sys.executable).with_name("roadmap"))
NOISE = ("INFO", "telemetry", "Traceback", "Error logging", "prefect.", "Finished in state")


def fresh_env(home: Path, **extra: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
    return keep | {"HOME": str(home)} | extra


def run(
    args: list[str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [ROADMAP, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=400
    )
    return done, time.monotonic() - started


@pytest.mark.server
@pytest.mark.slow
def test_first_sweep_and_first_dispatch_on_a_fresh_home(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="krylovsky", tz="Europe/Moscow", name="Крыловский район")
        make_person(s, municipality=m, role=Role.moc_head, notify=[smtp_sink.url()])
        make_step(
            s,
            roadmap=make_roadmap(s, municipality=m, year=2026),
            key="plan",
            title="План работы МОЦ",
            due=dt.date(2026, 3, 16),
        )
    timings = {}
    for name, args in (("sweep", ["sweep", "--as-of", "2026-03-16"]), ("dispatch", ["dispatch"])):
        home = tmp_path / f"home-{name}"  # each command meets an empty HOME
        done, timings[name] = run(args, fresh_env(home, SOCZAKAZ_DATABASE_URL=db_url), tmp_path)
        out = done.stdout + done.stderr
        assert done.returncode == 0, out[-3000:]
        for word in NOISE:
            assert word not in out, f"{word!r} in the output of roadmap {name}:\n{out}"
        assert (home / ".prefect" / "logs" / "soczakaz.log").read_text().count("INFO") > 0
    sweep_out, _ = run(
        ["sweep", "--as-of", "2026-03-16"],
        fresh_env(tmp_path / "home-sweep", SOCZAKAZ_DATABASE_URL=db_url),
        tmp_path,
    )
    assert "Проверка сроков на 2026-03-16" in sweep_out.stdout
    assert len(smtp_sink.handler.received) == 1
    assert "План работы МОЦ" in smtp_sink.texts()[0][0]
    print(f"first use timings (s): {timings}")


def _wait_for_descendant(pid: int, name: str, timeout: float = 120.0) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = psutil.Process(pid).children(recursive=True)
        if any(name in " ".join(k.cmdline()) for k in kids):
            return list(kids)
        time.sleep(0.2)
    raise AssertionError(f"no {name} child of {pid}")


def _gone(procs: list[psutil.Process], timeout: float = 30.0) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    alive = procs
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        time.sleep(0.2)
    return alive


@pytest.mark.server
@pytest.mark.slow
def test_sigkill_of_a_command_leaves_no_prefect_server(tmp_path: Path) -> None:
    env = fresh_env(tmp_path / "home", SOCZAKAZ_DATABASE_URL=f"sqlite:///{tmp_path / 'k.db'}")
    proc = subprocess.Popen(
        [ROADMAP, "dispatch"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        kids = _wait_for_descendant(proc.pid, "prefect.server.api.server:create_app")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        left = _gone(kids)
        assert not left, [" ".join(p.cmdline()) for p in left]
    finally:
        if proc.poll() is None:
            proc.kill()
