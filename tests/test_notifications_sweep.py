"""The sweep task enqueues reminders in its own transaction; the dispatcher sends them."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jobs.dispatch import dispatch_pending
from models import OutboxMessage, Role, Step, StepStatus
from models.db import session_scope
from models.settings import Settings
from tasks.sweep import sweep_batch
from tests.factories import make_municipality, make_person, make_roadmap, make_step
from tests.notifications_fixtures import HttpSink, http_sink  # noqa: F401


def test_sweep_enqueues_with_status_then_dispatch_delivers(
    engine: Engine,
    settings: Settings,
    cli_env: dict[str, str],
    http_sink: HttpSink,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for k, v in cli_env.items():
        monkeypatch.setenv(k, v)
    with session_scope(engine) as s:
        m = make_municipality(s, tz="Asia/Yekaterinburg", name="Каменский городской округ")
        make_person(s, municipality=m, role=Role.moc_head, notify=[http_sink.url()])
        step = make_step(
            s,
            roadmap=make_roadmap(s, municipality=m),
            key="plan",
            title="План работы МОЦ",
            due=dt.date(2025, 3, 14),
        )
        ids = [m.id or 0]
    now = pendulum.datetime(2025, 3, 14, 11, tz="Asia/Yekaterinburg")
    counts = sweep_batch.fn(ids, now)
    assert counts["reminders"] == 1
    again = sweep_batch.fn(ids, now)
    assert again["reminders"] == 0
    with session_scope(engine) as s:
        row = s.get(Step, step.id)
        assert row is not None and row.status == StepStatus.due
        (msg,) = [m for (m,) in s.execute(select(OutboxMessage))]
        assert msg.rule == "on_day" and msg.subject == "Срок сегодня: «План работы МОЦ»"
    assert dispatch_pending(engine, settings, clock=lambda: now)["sent"] == 1
    (req,) = http_sink.requests
    assert (
        "Сегодня последний день: шаг «План работы МОЦ» нужно выполнить до 14 марта 2025 г."
        in (req["json"]["message"])
    )
