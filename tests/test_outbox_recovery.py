"""Recovery without hand work: with the default retry settings a real SMTP server that
is down for an hour (frozen, advanced clock) costs no message — each is delivered
exactly once afterwards, none becomes a dead letter; `outbox retry --dead` re-queues
dead letters in bulk, by channel and by time."""

from __future__ import annotations

import datetime as dt

import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from jobs.dispatch import dispatch_pending
from models import OutboxMessage, OutboxStatus
from models.db import session_scope
from models.settings import Settings
from notifications.outbox import enqueue_many
from tests.notifications_fixtures import SmtpHandler, free_port

START = dt.datetime(2026, 3, 16, 6, 0, tzinfo=dt.UTC)  # Monday 09:00 in Moscow
runner = CliRunner()


def _rows(n: int, target: str, *, prefix: str = "k") -> list[dict[str, object]]:
    return [
        {
            "dedupe_key": f"{prefix}{i}",
            "municipality_id": None,
            "step_id": None,
            "person_id": None,
            "rule": "test",
            "channel": "email",
            "target": target,
            "subject": f"Напоминание {prefix}{i}",
            "body_text": "текст",
            "body_html": "",
            "body_short": "",
            "not_before": START,
        }
        for i in range(n)
    ]


def _statuses(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as s:
        rows = [m for (m,) in s.execute(select(OutboxMessage))]
    out: dict[str, int] = {}
    for m in rows:
        out[m.status.value] = out.get(m.status.value, 0) + 1
    return out


def test_an_hour_long_smtp_outage_loses_nothing_with_default_settings(
    engine: Engine, db_url: str
) -> None:
    cfg = Settings(database_url=db_url)  # every retry setting at its default
    port = free_port()
    url = f"mailto://robot@127.0.0.1:{port}?to=org@example.ru&from=robot@soczakaz.ru&secure=no"
    with session_scope(engine) as s:
        assert enqueue_many(s, _rows(12, url)) == 12
    handler = SmtpHandler()
    with time_machine.travel(START, tick=False) as clock:
        # The receiver is down: nothing listens on the port for a simulated hour,
        # the dispatch deployment runs every 5 minutes.
        for _ in range(13):
            counts = dispatch_pending(engine, cfg)
            assert counts.get("sent", 0) == 0 and counts.get("dead", 0) == 0
            clock.shift(dt.timedelta(minutes=5))
        assert _statuses(engine) == {"pending": 12}
        ctl = Controller(handler, hostname="127.0.0.1", port=port)
        ctl.start()
        try:
            for _ in range(12 * 6):  # back up: the next six hours of dispatch runs
                dispatch_pending(engine, cfg)
                if _statuses(engine) == {"sent": 12}:
                    break
                clock.shift(dt.timedelta(minutes=5))
            waited = dt.datetime.now(dt.UTC) - START
        finally:
            ctl.stop()
    assert _statuses(engine) == {"sent": 12}
    subjects = sorted(str(m["subject"]) for m in handler.received)
    assert subjects == sorted(f"Напоминание k{i}" for i in range(12))  # exactly once each
    assert waited < dt.timedelta(hours=2)  # capped backoff: back within the hour after


def test_outbox_retry_dead_in_bulk_by_channel_and_since(
    engine: Engine, cli_env: dict[str, str], db_url: str
) -> None:
    cfg = Settings(database_url=db_url, outbox_max_attempts=1)
    dead_mail = "mailto://robot@127.0.0.1:9?to=a@example.ru&secure=no"  # nothing listens
    with session_scope(engine) as s:
        enqueue_many(s, _rows(3, dead_mail, prefix="m"))
    with time_machine.travel(START, tick=False):
        assert dispatch_pending(engine, cfg)["dead"] == 3
    with session_scope(engine) as s:
        enqueue_many(
            s,
            [
                r | {"channel": "webhook", "target": "json://127.0.0.1:9/x"}
                for r in _rows(2, "", prefix="w")
            ],
        )
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert dispatch_pending(engine, cfg)["dead"] == 2
    res = runner.invoke(app, ["outbox", "retry"], env=cli_env)
    assert res.exit_code == 2 and "--dead" in res.output
    res = runner.invoke(
        app, ["outbox", "retry", "--dead", "--since", "2026-03-17T08:00"], env=cli_env
    )
    assert res.exit_code == 2 and "часовой пояс" in res.output
    res = runner.invoke(app, ["outbox", "retry", "--dead", "--channel", "webhook"], env=cli_env)
    assert res.exit_code == 0, res.output
    assert "недоставленных сообщений: 2" in res.stdout
    assert _statuses(engine) == {"dead": 3, "pending": 2}
    res = runner.invoke(app, ["outbox", "retry", "--dead", "--since", "2026-03-17"], env=cli_env)
    assert "недоставленных сообщений: 0" in res.stdout  # the e-mails died on the 16th
    res = runner.invoke(app, ["outbox", "retry", "--dead", "--since", "2026-03-16"], env=cli_env)
    assert "недоставленных сообщений: 3" in res.stdout
    with session_scope(engine) as s:
        rows = [m for (m,) in s.execute(select(OutboxMessage))]
    assert {m.status for m in rows} == {OutboxStatus.pending} and {m.attempts for m in rows} == {0}
