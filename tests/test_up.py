"""`roadmap up` as people run it: a subprocess with a fresh HOME prints in Russian
where the dashboard and the Prefect UI are (and, with --demo, a sign-in link); the
server's scheduler creates runs for every deployment of prefect.yaml with no worker
and no deploy step; SIGINT or SIGTERM stops everything and leaves nothing running."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import yaml

from tests.notifications_fixtures import free_port

REPO = Path(__file__).resolve().parents[1]
ROADMAP = str(Path(sys.executable).with_name("roadmap"))
pytestmark = [pytest.mark.server, pytest.mark.slow]


def _start(tmp: Path, *args: str) -> tuple[subprocess.Popen[str], int, int, Path]:
    home = tmp / "home"
    home.mkdir()
    keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
    env = keep | {"HOME": str(home), "SOCZAKAZ_DATABASE_URL": f"sqlite:///{tmp / 'up.db'}"}
    port, prefect_port = free_port(), free_port()
    out = tmp / "up.out"
    proc = subprocess.Popen(
        [ROADMAP, "up", *args, "--port", str(port), "--prefect-port", str(prefect_port)],
        cwd=tmp,
        env=env,
        stdout=out.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 300
    while "Журналы Prefect" not in out.read_text():
        assert proc.poll() is None, out.read_text()[-3000:]
        assert time.monotonic() < deadline, out.read_text()[-3000:]
        time.sleep(0.5)
    return proc, port, prefect_port, out


def _every_deployment_scheduled(api: str) -> float:
    names = {d["name"] for d in yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]}
    started = time.monotonic()
    while True:
        deps = httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
        runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 200}, timeout=10).json()
        scheduled = {r["deployment_id"] for r in runs if r["auto_scheduled"]}
        if {d["name"] for d in deps} == names and {d["id"] for d in deps} <= scheduled:
            return time.monotonic() - started
        assert time.monotonic() - started < 120, (deps, runs)
        time.sleep(1)


def _stop_and_check(proc: subprocess.Popen[str], sig: int, out: Path, ports: list[int]) -> None:
    family = psutil.Process(proc.pid).children(recursive=True)
    assert len(family) >= 2  # the Prefect server and the process serving the deployments
    proc.send_signal(sig)
    assert proc.wait(timeout=90) == 0, out.read_text()[-3000:]
    assert "Остановлено" in out.read_text()
    deadline = time.monotonic() + 30
    while any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in family):
        assert time.monotonic() < deadline, [p.cmdline() for p in family if p.is_running()]
        time.sleep(0.2)
    for port in ports:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_up_demo_prints_where_everything_is_and_sigint_stops_it(tmp_path: Path) -> None:
    proc, port, prefect_port, out = _start(tmp_path, "--demo")
    try:
        text = out.read_text()
        assert "Демо-база создана" in text and "soczakaz запущен" in text
        assert f"Панель:      http://127.0.0.1:{port}/" in text
        assert f"Prefect UI:  http://127.0.0.1:{prefect_port}/" in text
        link = re.search(r"Вход руководителя МОЦ \(ссылка на 1 час\): (\S+/auth/link/\S+)", text)
        assert link, text
        assert "?token=" not in text
        for word in ("INFO", "Traceback", "telemetry"):
            assert word not in text
        page = httpx.get(link.group(1), timeout=30, follow_redirects=True)
        # The head of the municipality with the demo НОК campaign (as `roadmap demo` prints).
        assert page.status_code == 200 and "Крыловский район" in page.text
        # The link is single use: a second visit is not signed in.
        again = httpx.get(link.group(1), timeout=30, follow_redirects=False)
        assert again.status_code != 200 or "Крыловский район" not in again.text
        assert httpx.get(f"http://127.0.0.1:{prefect_port}/", timeout=30).status_code == 200
        waited = _every_deployment_scheduled(f"http://127.0.0.1:{prefect_port}/api")
        print(f"up --demo: runs for every deployment {waited:.1f} s after the banner")
        assert (tmp_path / "soczakaz-demo.db").exists()
        _stop_and_check(proc, signal.SIGINT, out, [port, prefect_port])
    finally:
        if proc.poll() is None:
            proc.kill()


def test_up_stops_on_sigterm_and_leaves_nothing(tmp_path: Path) -> None:
    proc, port, prefect_port, out = _start(tmp_path)
    try:
        assert "Вход руководителя МОЦ" not in out.read_text()  # no demo: no demo account
        _every_deployment_scheduled(f"http://127.0.0.1:{prefect_port}/api")
        # A one-off command meanwhile uses the server of `roadmap up` (same PREFECT_HOME).
        keep = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TZ") if k in os.environ}
        env = keep | {
            "HOME": str(tmp_path / "home"),
            "SOCZAKAZ_DATABASE_URL": f"sqlite:///{tmp_path / 'up.db'}",
        }
        done = subprocess.run(
            [ROADMAP, "dispatch"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and "Отправлено: 0" in done.stdout, done.stderr[-2000:]
        assert "Запускается" not in done.stderr
        runs = httpx.post(f"http://127.0.0.1:{prefect_port}/api/flow_runs/filter", json={}).json()
        assert any(r["state_type"] == "COMPLETED" for r in runs)  # recorded by up's server
        _stop_and_check(proc, signal.SIGTERM, out, [port, prefect_port])
    finally:
        if proc.poll() is None:
            proc.kill()
