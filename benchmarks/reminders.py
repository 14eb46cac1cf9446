"""Reminders end to end: a sweep enqueues them, the dispatcher delivers them.

    python benchmarks/reminders.py                  # 50,000 json:// + 2,000 e-mail, SQLite
    python benchmarks/reminders.py --db postgresql --quick

One run measures, against real receivers on loopback served by their own process
(benchmarks/loopback.py: an HTTP/1.1 webhook sink and an aiosmtpd SMTP sink):
(a) the sweep (statuses + enqueue_due_reminders) producing one "before:7" reminder per step;
(b) json://: the bare apprise loop (one Apprise object, no database, the same rows'
    subject and text), our dispatch pass with 1 sender thread, with ``--workers``
    threads, and the bare loop again (the baseline is the mean of both loops);
(c) e-mail the same way (bare loop: one Apprise object with its 5.5 s throttle off,
    the fastest apprise allows; ours: one kept SMTP connection per sender thread).
Our rates are wall time of whole dispatch passes (claims and marks included).
Lost and duplicated messages are counted at the receivers, never from our tables.
Ends with ``RESULT {json}``.
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
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import apprise
import pendulum
from loopback import CpuMeter, RemoteSinks
from sqlalchemy import insert, select, update

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


def _park(engine: Any, channel: str, until: dt.datetime) -> None:
    """Move one channel's pending rows to ``until`` (so the other is measured alone)."""
    ot = _t(OutboxMessage)
    with session_scope(engine) as s:
        s.execute(
            update(ot)
            .where(ot.c.channel == channel, ot.c.status == "pending")
            .values(next_attempt_at=until)
        )


def _dispatch(engine: Any, settings: Settings, workers: int, **kw: Any) -> tuple[int, float]:
    """(messages sent, wall seconds) of one pass, claims and marks included."""
    t0 = time.perf_counter()
    counts = dispatch_pending(engine, settings, workers=workers, **kw)
    return counts.get("sent", 0), time.perf_counter() - t0


def _bare_loop(url: str, rows: list[Any], fmt: str, reuse_throttle_off: bool) -> float:
    """msg/s of apprise called directly in a loop (no database) with our rows' content."""
    obj = apprise.Apprise()
    obj.add(url)
    if reuse_throttle_off:
        for plugin in obj:
            cast(Any, plugin).request_rate_per_sec = 0
    body = "body_html" if fmt == apprise.NotifyFormat.HTML else "body_text"
    t0 = time.perf_counter()
    for r in rows:
        obj.notify(body=getattr(r, body), title=r.subject, body_format=fmt)
    return len(rows) / (time.perf_counter() - t0)


SIZES = {
    "full": dict(json=50_000, email=2_000, baseline_json=5_000, baseline_email=300),
    "quick": dict(json=4_000, email=300, baseline_json=1_500, baseline_email=100),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    ap.add_argument("--quick", action="store_true", help="small sizes (benchmarks/run_all.py)")
    ap.add_argument("--json", type=int, default=None, help="reminders delivered via json://")
    ap.add_argument("--email", type=int, default=None, help="reminders delivered via e-mail")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--baseline-json", type=int, default=None)
    ap.add_argument("--baseline-email", type=int, default=None)
    args = ap.parse_args()
    size = SIZES["quick" if args.quick else "full"]
    n_json_want = args.json if args.json is not None else size["json"]
    n_mail_want = args.email if args.email is not None else size["email"]
    n_base_json = args.baseline_json or size["baseline_json"]
    n_base_mail = args.baseline_email or size["baseline_email"]

    sinks = RemoteSinks()
    mail_url, json_url = sinks.mail_url(), sinks.json_url("hook")
    url = _database(args.db)
    engine = make_engine(url)
    init_db(engine)
    settings = Settings(database_url=url, outbox_batch_size=500)
    ids = _populate(
        engine, json_url=json_url, mail_url=mail_url, n_json=n_json_want, n_mail=n_mail_want
    )

    t0 = time.perf_counter()
    enqueued = _sweep(engine, settings, ids)
    t_sweep = time.perf_counter() - t0
    again = _sweep(engine, settings, ids)
    with session_scope(engine) as s:
        ot = _t(OutboxMessage)
        rows = s.execute(
            select(ot.c.dedupe_key, ot.c.channel, ot.c.subject, ot.c.body_text, ot.c.body_html)
        ).all()
    json_rows = [r for r in rows if r.channel == "webhook"]
    mail_rows = [r for r in rows if r.channel == "email"]
    n_base_json = min(n_base_json, len(json_rows))
    n_base_mail = min(n_base_mail, len(mail_rows))
    base_json_url, base_mail_url = sinks.json_url("base"), sinks.mail_url("base@example.ru")
    text, html = apprise.NotifyFormat.TEXT, apprise.NotifyFormat.HTML

    # json://: bare loop, ours with 1 sender thread, ours with N threads, bare loop again.
    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    _park(engine, "email", later)
    cpu = CpuMeter(sinks)
    with cpu.phase("bare"):
        base_json_a = _bare_loop(base_json_url, json_rows[:n_base_json], text, False)
    step = min(500, max(1, len(json_rows) // 4))
    with cpu.phase("one"):
        one = _dispatch(
            engine, settings, 1, batch_size=step, max_batches=max(1, n_base_json // step)
        )
    with cpu.phase("many"):
        many = _dispatch(engine, settings, args.workers)
    with cpu.phase("bare"):
        base_json_b = _bare_loop(base_json_url, json_rows[:n_base_json], text, False)
    cpu.count(bare=2 * n_base_json, one=one[0], many=many[0])
    base_json = (base_json_a + base_json_b) / 2
    rate_json_1 = one[0] / one[1]
    rate_json = many[0] / many[1]

    # e-mail: bare loop (one Apprise object, its 5.5 s throttle off), ours, bare loop again.
    _park(engine, "email", NOW)
    mails = mail_rows[:n_base_mail]
    base_mail_a = _bare_loop(base_mail_url, mails, html, True)
    mail = _dispatch(engine, settings, args.workers)
    base_mail_b = _bare_loop(base_mail_url, mails, html, True)
    base_mail = (base_mail_a + base_mail_b) / 2
    rate_mail = mail[0] / mail[1]

    got = sinks.received()
    sinks.close()
    keys = Counter(k for path, k in got["posts"] if path == "/hook")
    subjects = Counter(subj for to, subj in got["mails"] if to == "org@example.ru")
    want_json = {r.dedupe_key for r in json_rows}
    want_mail = {r.subject for r in mail_rows}
    lost = len(want_json - set(keys)) + len(want_mail - set(subjects))
    dup = sum(n - 1 for n in keys.values()) + sum(n - 1 for n in subjects.values())
    load = [round(x, 2) for x in os.getloadavg()]
    print(f"database                 {args.db}   (load average {load})")
    print(
        f"reminders enqueued       {enqueued:,} by the sweep in {t_sweep:.1f} s "
        f"({enqueued / t_sweep:,.0f}/s); second sweep enqueued {again}"
    )
    print(
        f"json:// bare apprise     {base_json:8.0f} msg/s  ({n_base_json:,} x2, one Apprise "
        f"object, no DB: {base_json_a:.0f} before, {base_json_b:.0f} after); {cpu.line('bare')}"
    )
    print(
        f"json:// ours, 1 thread   {rate_json_1:8.0f} msg/s  ({one[0]:,} messages)  "
        f"-> {rate_json_1 / base_json:.2f}x bare apprise; {cpu.line('one')}"
    )
    print(
        f"json:// ours, {args.workers} threads  {rate_json:8.0f} msg/s  ({many[0]:,} messages)"
        f"  -> {rate_json / base_json:.2f}x bare apprise; {cpu.line('many')}"
    )
    print(
        f"e-mail bare apprise      {base_mail:8.1f} msg/s  ({n_base_mail:,} x2, one Apprise "
        f"object, throttle off, no DB: {base_mail_a:.1f} before, {base_mail_b:.1f} after)"
    )
    print(
        f"e-mail ours, {args.workers} threads   {rate_mail:8.1f} msg/s  ({mail[0]:,} messages)"
        f"  -> {rate_mail / base_mail:.2f}x bare apprise"
    )
    print(f"lost                     {lost}   (counted at the receivers)")
    print(f"duplicated               {dup}")
    result = {
        "db": args.db,
        "workers": args.workers,
        "json_rate": round(rate_json, 1),
        "json_rate_1thread": round(rate_json_1, 1),
        "json_baseline": round(base_json, 1),
        "json_ratio": round(rate_json / base_json, 3),
        "json_ratio_1thread": round(rate_json_1 / base_json, 3),
        "json_cpu_ms": cpu.per_msg,  # [this process, receiver] per message, by phase
        "email_rate": round(rate_mail, 2),
        "email_baseline": round(base_mail, 2),
        "email_ratio": round(rate_mail / base_mail, 3),
        "sent": one[0] + many[0] + mail[0],
        "lost": lost,
        "duplicated": dup,
        "reenqueued": again,
        "load": load,
    }
    print("RESULT " + json.dumps(result))
    if lost or dup or again:
        raise SystemExit("FAILED: lost, duplicated or re-enqueued messages")


if __name__ == "__main__":
    main()
