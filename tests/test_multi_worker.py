"""Scale-out on Prefect: a server on PostgreSQL (its own database), two process workers
on one pool, dispatch runs spread over both, every message delivered exactly once
(claims use FOR UPDATE SKIP LOCKED on our PostgreSQL database)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import select

from models import OutboxMessage, OutboxStatus
from models.db import init_db, make_engine, session_scope
from notifications.outbox import enqueue_many
from tests.conftest import _pg_schema_url
from tests.notifications_fixtures import SmtpSink, smtp_sink  # noqa: F401
from tests.prefect_server_fixtures import REPO, PrefectServer, _pg_database, start_server, wait_for

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.postgres]
RUNS, MESSAGES = 6, 40


@pytest.fixture(scope="module")
def pg_prefect(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    for url in _pg_database():
        yield from start_server(tmp_path_factory.mktemp("prefect-pg-workers"), url)


def _fanout_file(tmp: Path) -> Path:
    doc: dict[str, Any] = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    (d,) = [d for d in doc["deployments"] if d["name"] == "every-5-minutes"]
    d.update(name="fanout", schedules=[], parameters={"batch_size": 5, "max_batches": 2})
    d.pop("concurrency_limit", None)  # several dispatch runs at once, on purpose
    doc["deployments"] = [d]
    doc.pop("definitions", None)
    path = tmp / "prefect.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_two_workers_share_dispatch_and_deliver_each_message_once(
    pg_prefect: PrefectServer,
    tmp_path: Path,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    for db_url in _pg_schema_url():
        eng = make_engine(db_url)
        init_db(eng)
        now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        rows = [
            {
                "dedupe_key": f"k{i}",
                "municipality_id": None,
                "step_id": None,
                "person_id": None,
                "rule": "test",
                "channel": "email",
                "target": smtp_sink.url(),
                "subject": f"Сообщение {i}",
                "body_text": "текст",
                "body_html": "",
                "body_short": "",
                "not_before": now,
            }
            for i in range(MESSAGES)
        ]
        with session_scope(eng) as s:
            assert enqueue_many(s, rows) == MESSAGES
        pg_prefect.run(
            ["--no-prompt", "deploy", "--all", "--prefect-file", str(_fanout_file(tmp_path))]
        )
        (dep_id,) = [i for i, n in pg_prefect.deployments().items() if n.endswith("/fanout")]
        env = pg_prefect.env | {
            "SOCZAKAZ_DATABASE_URL": db_url,
            "PREFECT_WORKER_QUERY_SECONDS": "2",
        }
        logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
        for log in logs:
            pg_prefect.worker(log, env, "--limit", "1")
        ids = [pg_prefect.post(f"/deployments/{dep_id}/create_flow_run")["id"] for _ in range(RUNS)]

        def finished(ids: list[str] = ids) -> bool:
            runs = pg_prefect.runs(id={"any_": ids})
            assert not [r for r in runs if r["state_type"] in ("FAILED", "CRASHED")], runs
            return bool(sum(r["state_type"] == "COMPLETED" for r in runs) == RUNS)

        wait_for("every dispatch run completed", finished, 300, every=2)
        subjects = sorted(str(m["subject"]) for m in smtp_sink.handler.received)
        assert subjects == sorted(f"Сообщение {i}" for i in range(MESSAGES))  # once each
        with session_scope(eng) as s:
            statuses = {m.status for (m,) in s.execute(select(OutboxMessage))}
        assert statuses == {OutboxStatus.sent}
        ran = [set(re.findall("|".join(ids), log.read_text())) for log in logs]
        assert all(ran), "each worker ran at least one flow run"
        assert ran[0] | ran[1] == set(ids)
        eng.dispose()
    assert pg_prefect.error_lines() == []
