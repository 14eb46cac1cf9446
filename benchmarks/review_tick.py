"""The review tick over many late experts, against a raw-SQL floor measured in the same run.

    python benchmarks/review_tick.py                      # 5,000 late cases, SQLite
    python benchmarks/review_tick.py --db postgresql --cases 2000

Each case has two experts: one answered, one is 3 working days late, so one tick
enqueues a reminder to the expert and an escalation to the МОЦ head per case
(2 x cases outbox rows). Floor: the same late rows found with one SELECT and the
same number of outbox rows inserted with one executemany of pre-rendered bodies.
A second tick (everything deduplicated) is timed too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pendulum
from sqlalchemy import bindparam, delete, insert, text

from models import (
    Expert,
    ExpertAssignment,
    Municipality,
    Organisation,
    OutboxMessage,
    Person,
    Programme,
    ReviewCampaign,
    ReviewCase,
    Role,
)
from models.db import init_db, make_engine, session_scope
from models.review import ReviewState
from models.settings import Settings
from models.types import UTCDateTime
from notifications.review_reminders import review_tick

ASSIGNED = pendulum.datetime(2025, 11, 17, 10, tz="Europe/Moscow")
DUE = pendulum.datetime(2025, 11, 24, 23, 59, 59, tz="Europe/Moscow")
NOW = pendulum.datetime(2025, 11, 27, 10, tz="Europe/Moscow")  # 3 working days late


def T(model: Any) -> Any:
    return model.__table__


def seed(engine: Any, n: int) -> int:
    with session_scope(engine) as s:
        m = Municipality(code="bench", name="МО Бенчмарк", timezone="Europe/Moscow")
        s.add(m)
        s.flush()
        org = Organisation(municipality_id=m.id or 0, code="ddt", name="МБУДО ДДТ")
        s.add(org)
        s.flush()
        people = [
            Person(
                full_name=f"Эксперт {i}",
                role=Role.expert,
                municipality_id=m.id,
                notify=[f"json://127.0.0.1:9/e{i}"],
            )
            for i in (1, 2)
        ]
        head = Person(
            full_name="Руководитель МОЦ",
            role=Role.moc_head,
            municipality_id=m.id,
            notify=["json://127.0.0.1:9/head"],
        )
        s.add_all([*people, head])
        s.flush()
        experts = [Expert(person_id=p.id or 0) for p in people]
        s.add_all(experts)
        camp = ReviewCampaign(
            municipality_id=m.id or 0,
            title="НОК",
            year=2025,
            starts_on=ASSIGNED.date(),
            ends_on=DUE.date(),
            escalate_after_working_days=2,
        )
        s.add(camp)
        s.flush()
        s.execute(
            insert(T(Programme)),
            [
                {
                    "municipality_id": m.id,
                    "organisation_id": org.id,
                    "title": f"Программа {i}",
                    "focus": "technical",
                    "hours": 72,
                    "age_min": 5,
                    "age_max": 18,
                    "for_ovz": False,
                    "remote": False,
                    "network": False,
                }
                for i in range(n)
            ],
        )
        pids = [r[0] for r in s.execute(text("SELECT id FROM programme ORDER BY id"))]
        s.execute(
            insert(T(ReviewCase)),
            [
                {
                    "campaign_id": camp.id,
                    "programme_id": p,
                    "round": 1,
                    "state": ReviewState.UNDER_REVIEW.name,
                    "submitted_at": ASSIGNED,
                    "updated_at": ASSIGNED,
                }
                for p in pids
            ],
        )
        cids = [r[0] for r in s.execute(text("SELECT id FROM reviewcase ORDER BY id"))]
        rows = []
        for c in cids:
            rows.append(
                {
                    "case_id": c,
                    "expert_id": experts[0].id,
                    "round": 1,
                    "tiebreaker": False,
                    "verdict": "positive",
                    "comment": "",
                    "due_at": DUE,
                    "decided_at": ASSIGNED,
                }
            )
            rows.append(
                {
                    "case_id": c,
                    "expert_id": experts[1].id,
                    "round": 1,
                    "tiebreaker": False,
                    "verdict": None,
                    "comment": "",
                    "due_at": DUE,
                    "decided_at": None,
                }
            )
        s.execute(insert(T(ExpertAssignment)), rows)
        return m.id or 0


FLOOR_SQL = """
SELECT a.id, c.id, p.title, pe.full_name FROM expertassignment a
JOIN reviewcase c ON c.id = a.case_id AND c.round = a.round
JOIN programme p ON p.id = c.programme_id
JOIN expert e ON e.id = a.expert_id JOIN person pe ON pe.id = e.person_id
WHERE a.verdict IS NULL AND c.state IN ('UNDER_REVIEW', 'DISAGREEMENT') AND a.due_at < :now
"""


def floor(engine: Any, muni: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    with session_scope(engine) as s:
        stmt = text(FLOOR_SQL).bindparams(bindparam("now", type_=UTCDateTime()))
        late = s.execute(stmt, {"now": NOW}).all()
        rows = []
        for rule in ("late", "escalate"):
            rows += [
                {
                    "dedupe_key": f"floor:{a}:{rule}",
                    "municipality_id": muni,
                    "rule": rule,
                    "channel": "webhook",
                    "target": "json://x",
                    "subject": f"Просрочено: {title}",
                    "body_text": f"{name}: {title}",
                    "body_html": "",
                    "body_short": title,
                    "status": "pending",
                    "attempts": 0,
                    "not_before": NOW,
                    "next_attempt_at": NOW,
                    "created_at": NOW,
                }
                for a, _c, title, name in late
            ]
        s.execute(insert(T(OutboxMessage)), rows)
    took = time.perf_counter() - t0
    with session_scope(engine) as s:
        s.execute(delete(T(OutboxMessage)))
    return took, len(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp()
    if args.db == "sqlite":
        url = f"sqlite:///{tmp}/bench.db"
        schema = None
    else:
        import psycopg

        schema = "bench_" + uuid.uuid4().hex[:8]
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    init_db(engine)
    try:
        muni = seed(engine, args.cases)
        floor_s, floor_rows = floor(engine, muni)
        cfg = Settings(database_url=url)
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            counts = review_tick(s, municipality_ids=[muni], now=NOW, settings=cfg)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            again = review_tick(s, municipality_ids=[muni], now=NOW, settings=cfg)
        second = time.perf_counter() - t0
    finally:
        engine.dispose()
        if schema:
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
                c.execute(f"DROP SCHEMA {schema} CASCADE")
    made = counts.get("reminders", 0) + counts.get("escalations", 0)
    print(f"review tick, {args.cases:,} late cases on {args.db}")
    print(f"raw SQL floor (1 SELECT + 1 bulk INSERT)  {floor_s:8.2f} s  {floor_rows:,} rows")
    print(
        f"soczakaz review_tick                      {ours:8.2f} s  {made:,} rows  "
        f"({ours / floor_s:.1f}x floor, {made / ours:,.0f} rows/s)"
    )
    dup = again.get("reminders", 0) + again.get("escalations", 0)
    print(
        f"second tick (all deduplicated)            {second:8.2f} s  {dup} new rows  "
        f"({second / floor_s:.1f}x floor)"
    )


if __name__ == "__main__":
    main()
