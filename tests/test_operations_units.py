"""Units of the operations layer: base-URL warning, retry defaults, prefect.yaml reading,
relative SQLite paths, the child-process family."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.child_process import ChildProcess, descendants
from cli.up_cmd import absolute_sqlite_url
from cli.up_serve import read_specs
from models.settings import Settings

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("base_url", "channel", "warned"),
    [
        ("http://127.0.0.1:8000", "mailtos://u:p@smtp.example.ru?to=a@example.ru", True),
        ("http://localhost:8000", "tgram://123:abc/456", True),
        ("http://127.0.0.1:8000", "mailto://robot@127.0.0.1:2525?to=a@example.ru", False),
        ("http://127.0.0.1:8000", "console://", False),
        ("https://moc.example.ru", "mailtos://u:p@smtp.example.ru", False),
    ],
)
def test_loopback_links_warn_only_when_real_recipients(
    base_url: str, channel: str, warned: bool
) -> None:
    text = Settings(base_url=base_url, channels={"mail": channel}).loopback_link_warning()
    assert (text is not None) == warned
    if text:
        assert "SOCZAKAZ_BASE_URL" in text and "не откроются" in text


def test_default_retries_outlast_an_outage_of_hours() -> None:
    cfg = Settings()
    waits = [
        min(cfg.outbox_backoff_base_seconds * 2 ** (n - 1), cfg.outbox_backoff_cap_seconds)
        for n in range(1, cfg.outbox_max_attempts)
    ]
    assert 0.5 * sum(waits) >= 2.5 * 3600  # the shortest (all jitter low) retry span
    assert cfg.outbox_backoff_cap_seconds <= 1800  # back within half an hour of recovery


def test_prefect_yaml_has_five_scheduled_deployments() -> None:
    specs = read_specs(REPO / "prefect.yaml")
    assert [s.name for s in specs] == [
        "daily",
        "every-5-minutes",
        "hourly",
        "annual-reports",
        "quarterly-reports",
    ]
    assert all(s.schedules and s.concurrency_limit == 1 for s in specs)
    assert specs[0].module == "flows.daily_sweep" and specs[0].function == "daily_sweep"
    assert specs[1].schedule_ru() == "каждые 300 с"
    assert specs[0].schedule_ru() == "cron «0 6 * * *» (Europe/Moscow)"


def test_relative_sqlite_url_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOCZAKAZ_DATABASE_URL", raising=False)
    absolute_sqlite_url("sqlite:///data/x.db")
    assert os.environ["SOCZAKAZ_DATABASE_URL"] == f"sqlite:///{tmp_path / 'data' / 'x.db'}"
    monkeypatch.delenv("SOCZAKAZ_DATABASE_URL")
    for url in ("sqlite:////abs/x.db", "postgresql+psycopg://u@h/db", "sqlite:///:memory:"):
        absolute_sqlite_url(url)
        assert "SOCZAKAZ_DATABASE_URL" not in os.environ


def test_child_process_stop_ends_grandchildren(tmp_path: Path) -> None:
    code = (
        "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
        "'import os, time; os.setsid(); time.sleep(60)']); time.sleep(60)"
    )
    child = ChildProcess([sys.executable, "-c", code], env=dict(os.environ), log=tmp_path / "c.log")
    deadline = time.monotonic() + 20
    while len(descendants(child.pid)) < 1:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    family = descendants(child.pid)
    child.stop(timeout=5)
    assert not child.alive()
    for pid in family:  # the grandchild left our process group, it is ended all the same
        time.sleep(0.2)
        state = subprocess.run(
            ["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True
        )
        assert state.stdout.strip()[:1] in ("", "Z")  # gone, or a zombie awaiting init
