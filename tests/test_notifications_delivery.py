"""Delivery through apprise to real receivers on loopback (SMTP and HTTP), both DBs."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from jobs.dispatch import dispatch_pending
from models import OutboxMessage, OutboxStatus, Role
from models.db import session_scope
from models.settings import Settings
from notifications.outbox import enqueue
from notifications.reminders import enqueue_due_reminders
from tests.factories import (
    make_municipality,
    make_organisation,
    make_person,
    make_roadmap,
    make_step,
)
from tests.notifications_fixtures import HttpSink, SmtpSink, http_sink, smtp_sink  # noqa: F401

NOW = pendulum.datetime(2025, 3, 13, 10, 0, tz="Europe/Moscow")  # Thursday, working hours


def _setup(engine: Engine, settings: Settings, notify: list[str]) -> int:
    with session_scope(engine) as s:
        m = make_municipality(s, name="Крыловский район")
        org = make_organisation(s, municipality=m)
        make_person(
            s,
            municipality=m,
            organisation=org,
            role=Role.org_contact,
            full_name="Петрова Мария Ивановна",
            notify=notify,
        )
        r = make_roadmap(s, municipality=m)
        step = make_step(
            s,
            roadmap=r,
            key="npa-moc",
            title="Приказ о создании МОЦ",
            due=dt.date(2025, 3, 14),
            owner_role="org_contact",
            organisation_id=org.id,
            evidence_required=["act_type", "act_number", "act_date"],
        )
        assert enqueue_due_reminders(s, municipality_ids=[m.id or 0], now=NOW, settings=settings)
        return step.id or 0


def _rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as s:
        q = select(OutboxMessage).order_by(OutboxMessage.__table__.c.id)  # type: ignore[attr-defined]
        return [m for (m,) in s.execute(q)]


def test_email_arrives_decoded_in_russian(
    engine: Engine,
    settings: Settings,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    step_id = _setup(engine, settings, [smtp_sink.url("ddt@krylovsky.ru")])
    counts = dispatch_pending(engine, settings, clock=lambda: NOW)
    assert counts["sent"] == 1
    ((subject, plain, html),) = smtp_sink.texts()
    assert subject == "Напоминание: «Приказ о создании МОЦ» — до 14 марта 2025 г."
    assert "Здравствуйте, Петрова Мария Ивановна!" in plain
    assert (
        "Через 1 рабочий день истекает срок шага «Приказ о создании МОЦ»: до 14 марта 2025 г."
        in plain
    )
    assert "вид акта, номер акта, дата подписания акта" in plain
    assert f'href="{settings.base_url}/auth/step/' in html  # signed for the recipient
    assert f"/steps/{step_id}" not in html
    assert smtp_sink.handler.received[0]["To"] == "ddt@krylovsky.ru"
    (row,) = _rows(engine)
    assert row.status == OutboxStatus.sent and row.sent_at == NOW and row.attempts == 0


def test_webhook_gets_json_with_idempotency_key(
    engine: Engine,
    settings: Settings,
    http_sink: HttpSink,  # noqa: F811
) -> None:
    _setup(engine, settings, [http_sink.url("reminders")])
    assert dispatch_pending(engine, settings, clock=lambda: NOW)["sent"] == 1
    (req,) = http_sink.requests
    (row,) = _rows(engine)
    assert req["path"] == "/reminders"
    assert req["headers"]["Idempotency-Key"] == row.dedupe_key
    assert req["json"]["title"] == "Напоминание: «Приказ о создании МОЦ» — до 14 марта 2025 г."
    assert "Муниципалитет: Крыловский район" in req["json"]["message"]


def test_nothing_is_sent_before_the_window(
    engine: Engine,
    settings: Settings,
    http_sink: HttpSink,  # noqa: F811
) -> None:
    evening = pendulum.datetime(2025, 3, 14, 19, 30, tz="Europe/Moscow")
    with session_scope(engine) as s:
        enqueue(
            s,
            dedupe_key="k",
            municipality_id=None,
            step_id=None,
            person_id=None,
            rule="on_day",
            channel="webhook",
            target=http_sink.url(),
            subject="Тема",
            body_text="Текст",
            body_html="",
            body_short="",
            not_before=pendulum.datetime(2025, 3, 17, 9, tz="Europe/Moscow"),
        )
    assert dispatch_pending(engine, settings, clock=lambda: evening).get("sent", 0) == 0
    assert http_sink.requests == []
    monday = pendulum.datetime(2025, 3, 17, 9, 0, 1, tz="Europe/Moscow")
    assert dispatch_pending(engine, settings, clock=lambda: monday)["sent"] == 1


def test_smtp_451_is_retried_then_accepted(
    engine: Engine,
    settings: Settings,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    cfg = settings.model_copy(update={"outbox_backoff_base_seconds": 0.0})
    smtp_sink.handler.script = ["451 4.3.0 Попробуйте позже"]
    _setup(engine, cfg, [smtp_sink.url()])
    counts = dispatch_pending(engine, cfg, clock=lambda: NOW)
    assert counts == {"retry": 1, "sent": 1, "batches": 2}
    assert smtp_sink.handler.refused == 1 and len(smtp_sink.handler.received) == 1
    (row,) = _rows(engine)
    assert row.status == OutboxStatus.sent and row.attempts == 1


def test_smtp_554_goes_to_dead_letter_with_last_error(
    engine: Engine,
    settings: Settings,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    cfg = settings.model_copy(
        update={
            "outbox_backoff_base_seconds": 0.0,
            "outbox_max_attempts": 3,
            "channels": {"mail": smtp_sink.url()},
        }
    )
    smtp_sink.handler.always = "554 5.7.1 Message rejected"
    _setup(engine, cfg, ["@mail"])
    counts = dispatch_pending(engine, cfg, clock=lambda: NOW)
    assert counts["dead"] == 1 and counts["retry"] == 2
    (row,) = _rows(engine)
    assert row.status == OutboxStatus.dead and row.attempts == 3
    assert row.target == "@mail" and row.channel == "email"
    assert row.last_error and "554" in row.last_error and "Message rejected" in row.last_error
    assert smtp_sink.url() not in row.last_error
    assert smtp_sink.handler.received == []


def test_unknown_named_channel_and_unreachable_host_fail_cleanly(
    engine: Engine, settings: Settings
) -> None:
    cfg = settings.model_copy(update={"outbox_max_attempts": 1})
    _setup(engine, cfg, ["@nowhere", "json://127.0.0.1:1/hook/TOKEN-abc123"])
    counts = dispatch_pending(engine, cfg, clock=lambda: NOW)
    assert counts["dead"] == 2
    errors = sorted(r.last_error or "" for r in _rows(engine))
    assert any("канал @nowhere не настроен" in e for e in errors)
    assert all("TOKEN-abc123" not in e for e in errors)


def test_console_channel_prints(
    engine: Engine, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(engine, settings, ["console://"])
    assert dispatch_pending(engine, settings, clock=lambda: NOW)["sent"] == 1
    out = capsys.readouterr().out
    assert "[before:1] Напоминание: «Приказ о создании МОЦ» — до 14 марта 2025 г." in out


def test_parallel_senders_deliver_each_message_once(
    engine: Engine,
    settings: Settings,
    http_sink: HttpSink,  # noqa: F811
) -> None:
    with session_scope(engine) as s:
        for i in range(40):
            enqueue(
                s,
                dedupe_key=f"k{i}",
                municipality_id=None,
                step_id=None,
                person_id=None,
                rule="on_day",
                channel="webhook",
                target=http_sink.url(),
                subject=f"№{i}",
                body_text="Текст",
                body_html="",
                body_short="",
                not_before=NOW,
            )
    counts = dispatch_pending(engine, settings, batch_size=15, workers=4, clock=lambda: NOW)
    assert counts == {"sent": 40, "batches": 3}
    assert sorted(http_sink.keys()) == sorted(f"k{i}" for i in range(40))


def test_rows_not_started_within_half_the_lease_go_back_unsent(
    engine: Engine,
    settings: Settings,
    http_sink: HttpSink,  # noqa: F811
) -> None:
    from notifications.dispatcher import claim_ids, deliver_ids

    cfg = settings.model_copy(update={"outbox_lease_seconds": 0.0})
    with session_scope(engine) as s:
        for i in range(3):
            enqueue(
                s,
                dedupe_key=f"k{i}",
                municipality_id=None,
                step_id=None,
                person_id=None,
                rule="on_day",
                channel="webhook",
                target=http_sink.url(),
                subject="Тема",
                body_text="Текст",
                body_html="",
                body_short="",
                not_before=NOW,
            )
    ids = claim_ids(engine, cfg, limit=10, worker="slow", now=NOW)
    assert deliver_ids(engine, cfg, ids, clock=lambda: NOW) == {"released": 3}
    assert http_sink.requests == []
    rows = _rows(engine)
    assert {r.status for r in rows} == {OutboxStatus.pending} and {r.attempts for r in rows} == {0}
    assert dispatch_pending(engine, settings, clock=lambda: NOW)["sent"] == 3
