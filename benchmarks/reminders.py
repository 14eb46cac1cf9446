"""Reminders end to end: a sweep enqueues them, the dispatcher delivers them.

    python benchmarks/reminders.py                       # 50,000 json:// + 1,000 e-mail, SQLite
    python benchmarks/reminders.py --db postgresql --json 5000 --email 200

One run measures:
(a) the sweep (statuses + enqueue_due_reminders, one transaction per batch of
    municipalities) producing one "before:7" reminder per step;
(b) our dispatcher (claim batches, send through apprise, mark each row) into a
    local HTTP sink (json://, ``Idempotency-Key`` logged) and a local aiosmtpd sink;
(c) baselines in the same run: apprise called directly in a loop with no database
    (json: one reused Apprise object; e-mail: one object per message, since the
    e-mail plugin sleeps 5.5 s between sends on one object).
E-mail runs at ~40-60 msg/s (one SMTP connection per message), so the full
50,000 go through json:// and a measured subset through e-mail.
Lost and duplicated messages are counted at the receivers, never from our tables.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import apprise
import pendulum
from sqlalchemy import insert, select

from jobs.dispatch import dispatch_pending
from jobs.sweep import sweep_in_session
from models import (
    Municipality,
    Organisation,
    OutboxMessage,
    Person,
    Roadmap,
    RoadmapTemplate,
    Role,
    Step,
)
from models.db import init_db, make_engine, session_scope
from models.settings import Settings
from tests.notifications_fixtures import SmtpHandler, free_port, start_http_sink

NOW = pendulum.datetime(2025, 3, 5, 10, 0, tz="Europe/Moscow")  # before:7 of 14 March
DUE = dt.date(2025, 3, 14)
STEPS_PER_MUNICIPALITY = 500


def _t(table: Any) -> Any:
    return table.__table__


def _database(kind: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp(prefix='bench-rem-')}/bench.db"
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"


def _populate(engine: Any, *, json_url: str, mail_url: str, n_json: int, n_mail: int) -> list[int]:
    """Municipalities with one organisation contact and 500 steps each."""
    groups = [(json_url, n_json), (mail_url, n_mail)]
    ids: list[int] = []
    with session_scope(engine) as s:
        tpl = RoadmapTemplate(key="bench", version=1, title="Бенчмарк", sha256="0" * 64, source="")
        s.add(tpl)
        s.flush()
        due_at = pendulum.datetime(DUE.year, DUE.month, DUE.day, 23, 59, 59, tz="Europe/Moscow")
        serial = 0
        for url, count in groups:
            for _ in range(max(1, -(-count // STEPS_PER_MUNICIPALITY)) if count else 0):
                m = Municipality(code=f"m{serial}", name=f"Муниципалитет {serial}")
                s.add(m)
                s.flush()
                org = Organisation(municipality_id=m.id or 0, code="org", name=f"МБУДО №{serial}")
                s.add(org)
                s.flush()
                contact = Person(
                    full_name=f"Контакт {serial}",
                    role=Role.org_contact,
                    municipality_id=m.id,
                    organisation_id=org.id,
                    notify=[url],
                )
                s.add(contact)
                r = Roadmap(
                    municipality_id=m.id or 0,
                    template_id=tpl.id or 0,
                    template_key="bench",
                    year=2025,
                )
                s.add(r)
                s.flush()
                k = min(STEPS_PER_MUNICIPALITY, count)
                count -= k
                s.execute(
                    insert(_t(Step)),
                    [
                        dict(
                            roadmap_id=r.id,
                            municipality_id=m.id,
                            key=f"s{i}",
                            period="",
                            title=f"Шаг {serial}-{i}",
                            kind="report",
                            owner_role=Role.org_contact,
                            organisation_id=org.id,
                            due_date=DUE,
                            due_at=due_at,
                            timezone="Europe/Moscow",
                            recurrence="once",
                            status="planned",
                            reminder_policy="default",
                            description="",
                            due_rule={},
                            depends_on=[],
                            evidence_required=["file"],
                            blocked_by=[],
                            status_changed_at=NOW,
                        )
                        for i in range(k)
                    ],
                )
                ids.append(m.id or 0)
                serial += 1
    return ids


def _sweep(engine: Any, settings: Settings, ids: list[int]) -> int:
    total = 0
    size = settings.sweep_batch_size
    cfg = settings.model_copy(update={"due_soon_working_days": 7})
    for i in range(0, len(ids), size):
        batch = ids[i : i + size]
        with session_scope(engine, immediate=True) as s:
            counts = sweep_in_session(s, municipality_ids=batch, now=NOW, settings=cfg)
            total += counts["reminders"]
    return total


def _rate(engine: Any, channel: str) -> tuple[int, float]:
    with session_scope(engine) as s:
        ot = _t(OutboxMessage)
        stamps = [r[0] for r in s.execute(select(ot.c.sent_at).where(ot.c.channel == channel))]
    stamps = [x for x in stamps if x is not None]
    if len(stamps) < 2:
        return len(stamps), 0.0
    span = (max(stamps) - min(stamps)).total_seconds()
    return len(stamps), (len(stamps) - 1) / span if span else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    ap.add_argument("--json", type=int, default=50_000, help="reminders delivered via json://")
    ap.add_argument("--email", type=int, default=1_000, help="reminders delivered via e-mail")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--baseline-json", type=int, default=5_000)
    ap.add_argument("--baseline-email", type=int, default=200)
    args = ap.parse_args()

    from aiosmtpd.controller import Controller

    http = start_http_sink()
    handler = SmtpHandler()
    port = free_port()
    smtp = Controller(handler, hostname="127.0.0.1", port=port)
    smtp.start()
    mail_url = f"mailto://robot@127.0.0.1:{port}?to=org@example.ru&from=robot@soczakaz.ru&secure=no"
    json_url = http.url("hook")

    url = _database(args.db)
    engine = make_engine(url)
    init_db(engine)
    settings = Settings(database_url=url, outbox_batch_size=500)
    ids = _populate(
        engine, json_url=json_url, mail_url=mail_url, n_json=args.json, n_mail=args.email
    )

    t0 = time.perf_counter()
    enqueued = _sweep(engine, settings, ids)
    t_sweep = time.perf_counter() - t0
    again = _sweep(engine, settings, ids)

    t0 = time.perf_counter()
    counts = dispatch_pending(engine, settings, workers=args.workers)
    t_dispatch = time.perf_counter() - t0

    keys = Counter(http.keys())
    subjects = Counter(str(m["subject"]) for m in handler.received)
    with session_scope(engine) as s:
        ot = _t(OutboxMessage)
        rows = s.execute(select(ot.c.dedupe_key, ot.c.channel, ot.c.subject)).all()
    want_json = {r.dedupe_key for r in rows if r.channel == "webhook"}
    want_mail = {r.subject for r in rows if r.channel == "email"}
    lost = len(want_json - set(keys)) + len(want_mail - set(subjects))
    dup = sum(n - 1 for n in keys.values()) + sum(n - 1 for n in subjects.values())
    n_json, json_rate = _rate(engine, "webhook")
    n_mail, mail_rate = _rate(engine, "email")

    # Baselines: apprise directly, no database, same sinks, same run.
    obj = apprise.Apprise()
    obj.add(json_url)
    t0 = time.perf_counter()
    for i in range(args.baseline_json):
        obj.notify(body=f"Текст {i}", title=f"Тема {i}")
    base_json = args.baseline_json / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(args.baseline_email):
        one = apprise.Apprise()
        one.add(mail_url)
        one.notify(body=f"Текст {i}", title=f"Базовая линия {i}")
    base_mail = args.baseline_email / (time.perf_counter() - t0)

    http.server.shutdown()
    smtp.stop()
    print(f"database                 {args.db}")
    print(
        f"reminders enqueued       {enqueued:,} by the sweep in {t_sweep:.1f} s "
        f"({enqueued / t_sweep:,.0f}/s); second sweep enqueued {again}"
    )
    print(
        f"dispatched               {counts.get('sent', 0):,} in {t_dispatch:.1f} s "
        f"({args.workers} sender threads), failed {counts.get('retry', 0)}"
    )
    print(f"json:// ours             {json_rate:8.0f} msg/s  ({n_json:,} messages)")
    print(
        f"json:// apprise loop     {base_json:8.0f} msg/s  ({args.baseline_json:,}, no DB)"
        f"  -> ours = {json_rate / base_json:.2f}x baseline"
    )
    print(f"e-mail ours              {mail_rate:8.1f} msg/s  ({n_mail:,} messages)")
    print(
        f"e-mail apprise loop      {base_mail:8.1f} msg/s  ({args.baseline_email:,}, 1 thread,"
        f" no DB)  -> ours = {mail_rate / base_mail:.2f}x baseline"
    )
    print(f"lost                     {lost}")
    print(f"duplicated               {dup}")
    result = {
        "db": args.db,
        "workers": args.workers,
        "json_rate": round(json_rate, 1),
        "json_baseline": round(base_json, 1),
        "json_ratio": round(json_rate / base_json, 3),
        "email_rate": round(mail_rate, 2),
        "email_baseline": round(base_mail, 2),
        "email_ratio": round(mail_rate / base_mail, 3),
        "lost": lost,
        "duplicated": dup,
        "reenqueued": again,
        "load": [round(x, 2) for x in os.getloadavg()],
    }
    print("RESULT " + json.dumps(result))
    if lost or dup or again:
        raise SystemExit("FAILED: lost, duplicated or re-enqueued messages")


if __name__ == "__main__":
    main()
