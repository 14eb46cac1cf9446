"""Connection reuse under apprise (notifications/transport.py) and the group commit of
marks: the messages a receiver gets are the ones bare apprise sends, over fewer
connections; with N sender threads each outcome is committed before its thread sends
again. Real receivers on loopback; the dispatch test runs on both DBs."""

from __future__ import annotations

import threading
import time

import apprise
import pendulum
from sqlalchemy.engine import Engine
from sqlmodel import select

from jobs.dispatch import dispatch_pending
from models import OutboxMessage, OutboxStatus
from models.db import session_scope
from models.settings import Settings
from notifications.channels import Delivery
from notifications.dispatcher import GroupCommit, Outcome
from notifications.outbox import enqueue_many
from notifications.sender import Sender
from tests.notifications_fixtures import HttpSink, SmtpSink, http_sink, smtp_sink  # noqa: F401

NOW = pendulum.datetime(2025, 3, 13, 10, 0, tz="Europe/Moscow")
HTML = "<p>Здравствуйте, <b>Мария Ивановна</b>!</p><p>Срок шага — 14 марта.</p>"
TEXT = "Здравствуйте, Мария Ивановна!\nСрок шага — 14 марта."


def _msg(i: int, target: str) -> OutboxMessage:
    return OutboxMessage(
        id=i,
        dedupe_key=f"key-{i}",
        rule="before:1",
        channel="email",
        target=target,
        subject=f"Напоминание №{i}",
        body_text=TEXT,
        body_html=HTML,
    )


def _bare(url: str, subject: str, body: str, fmt: str) -> None:
    obj = apprise.Apprise()
    assert obj.add(url)
    assert obj.notify(body=body, title=subject, body_format=fmt)


VARYING = {"Date", "Message-ID"}


def test_email_through_one_kept_connection_equals_bare_apprise(
    settings: Settings,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    url = smtp_sink.url("ddt@krylovsky.ru")
    _bare(url, "Напоминание №0", HTML, apprise.NotifyFormat.HTML)
    assert smtp_sink.handler.connections == 1
    with Sender(settings) as sender:
        results = [sender.send(_msg(i, url)) for i in range(6)]
    assert results == [Delivery(True)] * 6
    assert smtp_sink.handler.connections == 2  # bare apprise's one + ours for all six
    bare, ours, *rest = smtp_sink.handler.received
    assert [str(m["Subject"]) for m in rest] == [f"Напоминание №{i}" for i in range(1, 6)]
    assert sorted(k for k in bare.keys() if k not in VARYING) == sorted(
        k for k in ours.keys() if k not in VARYING
    )
    for key in set(bare.keys()) - VARYING - {"Content-Type"}:
        assert str(bare[key]) == str(ours[key]), key
    assert bare.get_content_type() == ours.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        b, o = bare.get_body((kind,)), ours.get_body((kind,))
        assert b is not None and o is not None
        assert b.get_content() == o.get_content()
        assert b["Content-Type"] == o["Content-Type"]
    assert smtp_sink.texts()[1][0] == "Напоминание №0"


def test_smtp_refusal_keeps_the_connection_for_the_next_message(
    settings: Settings,
    smtp_sink: SmtpSink,  # noqa: F811
) -> None:
    smtp_sink.handler.script = ["451 4.3.0 Попробуйте позже"]
    url = smtp_sink.url()
    with Sender(settings) as sender:
        first = sender.send(_msg(1, url))
        second = sender.send(_msg(2, url))
    assert not first.ok and "451" in first.error
    assert second.ok
    assert smtp_sink.handler.connections == 1
    assert [str(m["Subject"]) for m in smtp_sink.handler.received] == ["Напоминание №2"]


def test_webhook_keeps_one_connection_and_sends_what_apprise_sends(
    settings: Settings,
    http_sink: HttpSink,  # noqa: F811
) -> None:
    url = http_sink.url("hook")
    _bare(url, "Напоминание №0", TEXT, apprise.NotifyFormat.TEXT)
    with Sender(settings) as sender:
        assert all(sender.send(_msg(i, url)).ok for i in range(5))
    bare, *ours = http_sink.requests
    assert len({r["peer"] for r in ours}) == 1  # one keep-alive connection
    assert [r["headers"]["Idempotency-Key"] for r in ours] == [f"key-{i}" for i in range(5)]
    assert ours[0]["json"] == bare["json"]
    drop = {"Idempotency-Key", "Connection"}
    assert {k: v for k, v in ours[0]["headers"].items() if k not in drop} == {
        k: v for k, v in bare["headers"].items() if k not in drop
    }


def test_group_commit_records_each_outcome_before_its_thread_goes_on() -> None:
    recorded: list[list[int]] = []
    committed: set[int] = set()

    def record(batch: list[Outcome]) -> dict[int, str]:
        time.sleep(0.02)  # a slow commit: the other threads' outcomes pile up
        recorded.append([i for i, _ in batch])
        committed.update(i for i, _ in batch)
        return {i: "sent" for i, _ in batch}

    commit = GroupCommit(record)
    seen_unrecorded: list[int] = []

    def thread(base: int) -> None:
        for i in range(base, base + 10):
            assert commit.submit((i, Delivery(True))) == "sent"
            if i not in committed:
                seen_unrecorded.append(i)

    threads = [threading.Thread(target=thread, args=(k * 100,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen_unrecorded == []
    assert sorted(i for b in recorded for i in b) == sorted(
        k * 100 + j for k in range(4) for j in range(10)
    )
    assert len(recorded) < 40  # outcomes of several threads went into one transaction
    assert max(len(b) for b in recorded) <= 4  # never more than one per thread


def test_four_sender_threads_mark_every_row_once(
    engine: Engine,
    settings: Settings,
    http_sink: HttpSink,  # noqa: F811
) -> None:
    rows = [
        dict(
            dedupe_key=f"g{i}",
            municipality_id=None,
            step_id=None,
            person_id=None,
            rule="on_day",
            channel="webhook",
            target=http_sink.url() if i % 10 else "json://127.0.0.1:1/closed",
            subject=f"№{i}",
            body_text="Текст",
            body_html="",
            body_short="",
            not_before=NOW,
        )
        for i in range(120)
    ]
    with session_scope(engine) as s:
        enqueue_many(s, rows)
    counts = dispatch_pending(engine, settings, batch_size=50, workers=4, clock=lambda: NOW)
    assert counts == {"sent": 108, "retry": 12, "batches": 3}
    assert sorted(http_sink.keys()) == sorted(f"g{i}" for i in range(120) if i % 10)
    with session_scope(engine) as s:
        got = {m.dedupe_key: m for (m,) in s.execute(select(OutboxMessage))}
    for i in range(120):
        m = got[f"g{i}"]
        if i % 10:
            assert m.status == OutboxStatus.sent and m.sent_at == NOW and m.attempts == 0
        else:
            assert m.status == OutboxStatus.pending and m.attempts == 1 and m.last_error


def test_the_marks_connection_goes_back_to_the_pool_unchanged(
    engine: Engine,
    settings: Settings,
    http_sink: HttpSink,  # noqa: F811
) -> None:
    rows = [
        dict(
            dedupe_key=f"p{i}",
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
        for i in range(6)
    ]
    with session_scope(engine) as s:
        enqueue_many(s, rows)
    assert dispatch_pending(engine, settings, batch_size=3, workers=2, clock=lambda: NOW) == {
        "sent": 6,
        "batches": 2,
    }
    pooled = engine.pool.checkedin()  # type: ignore[attr-defined]
    assert pooled >= 1
    conns = [engine.connect() for _ in range(pooled)]
    try:
        for conn in conns:
            assert conn.get_isolation_level() != "AUTOCOMMIT"
            if engine.dialect.name == "postgresql":
                assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    finally:
        for conn in conns:
            conn.close()
