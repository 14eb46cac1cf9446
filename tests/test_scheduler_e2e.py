"""Schedules proven by the scheduler itself, on a real `prefect server start` with its
own database (SQLite, then PostgreSQL): `prefect deploy --all` from prefect.yaml, the
server's scheduler — no manual trigger — creates runs for every deployment; then
deployments on a 30-second interval are picked up by a real `prefect worker start`
and complete sweep -> outbox -> dispatch -> a message at a real SMTP server.
The server log holds no ERROR line."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from models import OutboxMessage, OutboxStatus, Role
from models.db import init_db, make_engine, session_scope
from tests.conftest import _pg_schema_url
from tests.factories import make_municipality, make_person, make_roadmap, make_step
from tests.notifications_fixtures import SmtpSink, smtp_sink  # noqa: F401
from tests.prefect_server_fixtures import REPO, PrefectServer, prefect_server, wait_for

__all__ = ["prefect_server"]
pytestmark = [pytest.mark.server, pytest.mark.slow]


def our_database(kind: str, tmp: Path) -> Iterator[str]:
    """Our data on the same kind of database as Prefect's (a schema of its own)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'soczakaz.db'}"
        eng = make_engine(url)
        init_db(eng)
        eng.dispose()
        yield url
        return
    for url in _pg_schema_url():
        eng = make_engine(url)
        init_db(eng)
        eng.dispose()
        yield url


def kind_of(server: PrefectServer) -> str:
    return "sqlite" if server.on_sqlite else "postgresql"


def test_scheduler_creates_runs_for_every_deployment(prefect_server: PrefectServer) -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    started = time.monotonic()
    out = prefect_server.run(["--no-prompt", "deploy", "--all"])
    names = {d["name"] for d in spec["deployments"]}
    deployed = prefect_server.deployments()
    assert {n.split("/")[1] for n in deployed.values()} == names, out[-2000:]

    def every_deployment_scheduled() -> bool:
        runs = prefect_server.runs(state={"type": {"any_": ["SCHEDULED"]}})
        return {r["deployment_id"] for r in runs} >= set(deployed)

    wait_for("scheduled runs of every deployment", every_deployment_scheduled, 180)
    print(
        f"{kind_of(prefect_server)}: server healthy after {prefect_server.started_in:.1f} s, "
        f"runs for all {len(names)} deployments {time.monotonic() - started:.1f} s after deploy"
    )
    runs = prefect_server.runs(state={"type": {"any_": ["SCHEDULED"]}})
    assert all(r["auto_scheduled"] for r in runs)  # made by the scheduler, not by a trigger
    assert prefect_server.error_lines() == []


def _short_interval_file(tmp: Path) -> Path:
    """prefect.yaml with its daily sweep and dispatch as 30-second deployments for the test."""
    doc: dict[str, Any] = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    chosen = []
    for d in doc["deployments"]:
        if d["name"] in ("daily", "every-5-minutes"):
            d["name"] = "e2e-" + d["name"]
            d["schedules"] = [{"interval": 30, "timezone": "Europe/Moscow", "active": True}]
            if d["entrypoint"].startswith("flows/daily_sweep"):
                d["parameters"] = {"as_of": "2026-03-16"}  # a working day, 09:00 in Moscow
            chosen.append(d)
    doc["deployments"] = chosen
    doc.pop("definitions", None)
    path = tmp / "prefect.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_scheduled_sweep_and_dispatch_deliver_a_reminder(
    prefect_server: PrefectServer,
    tmp_path: Path,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    for db_url in our_database(kind_of(prefect_server), tmp_path):
        eng = make_engine(db_url)
        with session_scope(eng) as s:
            m = make_municipality(s, code="krylovsky", tz="Europe/Moscow")
            make_person(s, municipality=m, role=Role.moc_head, notify=[smtp_sink.url()])
            make_step(
                s,
                roadmap=make_roadmap(s, municipality=m, year=2026),
                key="plan",
                title="План работы МОЦ",
                due=dt.date(2026, 3, 16),
            )
        prefect_file = _short_interval_file(tmp_path)
        started = time.monotonic()
        prefect_server.run(["--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_file)])
        env = prefect_server.env | {"SOCZAKAZ_DATABASE_URL": db_url}
        worker = prefect_server.worker(tmp_path / "worker.log", env)
        try:
            wait_for("a message at the SMTP server", lambda: smtp_sink.handler.received, 420)
        except AssertionError:
            runs = [
                (r["name"], r["created"], r["expected_start_time"], r["state_name"])
                for r in prefect_server.runs()
            ]
            log = (tmp_path / "worker.log").read_text()[-3000:]
            raise AssertionError(f"no reminder; runs: {sorted(runs, key=str)}\n{log}") from None
        first = time.monotonic() - started
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]

        def statuses(eng: Any = eng) -> list[OutboxStatus]:
            with session_scope(eng) as s:
                return [m.status for (m,) in s.execute(select(OutboxMessage))]

        wait_for("the delivery recorded", lambda: statuses() == [OutboxStatus.sent], 60)
        (subject, text, _html) = smtp_sink.texts()[0]
        assert "План работы МОЦ" in subject and "16 марта 2026" in text
        completed = prefect_server.runs(state={"type": {"any_": ["COMPLETED"]}})
        assert all(r["auto_scheduled"] for r in completed)  # the scheduler made them all
        flows = {r["deployment_id"] for r in completed}
        names = prefect_server.deployments()
        assert {"daily-sweep/e2e-daily", "dispatch-outbox/e2e-every-5-minutes"} <= {
            names[i] for i in flows
        }
        assert len(smtp_sink.handler.received) == 1  # later sweeps: deduplicated
        print(f"{kind_of(prefect_server)}: reminder delivered {first:.1f} s after deploy")
        eng.dispose()
    assert prefect_server.error_lines() == []
