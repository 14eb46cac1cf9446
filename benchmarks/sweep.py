"""Benchmark of the daily sweep at 1M steps against a raw-SQL floor and task-per-step.

    python benchmarks/sweep.py --steps 1000000 --db sqlite
    python benchmarks/sweep.py --steps 1000000 --db postgresql

    python benchmarks/sweep.py --steps 20000 --municipalities 50 --no-prefect   # quick

Generates municipalities x steps with bulk inserts (executemany on SQLite, COPY on
PostgreSQL) into a fresh database / schema, then measures in one run:
(a) the raw SQL floor: one hand-written UPDATE of due/overdue statuses;
(b) our sweep statements: the first sweep of the fresh database, against (a);
(d) the next-day sweep against its own floor: an UPDATE by primary key of exactly
    the rows that the next day changes (found by diffing a snapshot; the rows are
    put back between measurements so that each starts from the same state; on
    PostgreSQL a VACUUM ANALYZE stands for the autovacuum of the day in between);
(e) unless --no-prefect: our ``daily-sweep`` flow end to end, first and next day,
(c) and a naive Prefect flow with one task per step on a sample, extrapolated.
Steps are streamed: nothing loads all steps into Python. Ends with ``RESULT {json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ZONES = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
]
AS_OF = dt.date(2025, 7, 1)
from bench_common import PG_ADMIN, fresh_database, rss_mb  # noqa: E402

STEP_COLUMNS = (
    "key",
    "period",
    "title",
    "kind",
    "owner_role",
    "due_date",
    "due_at",
    "timezone",
    "recurrence",
    "status",
    "reminder_policy",
    "roadmap_id",
    "municipality_id",
    "description",
    "due_rule",
    "depends_on",
    "evidence_required",
    "blocked_by",
    "status_changed_at",
)


@functools.lru_cache(maxsize=8192)
def _due_at(due: dt.date, tz: str) -> dt.datetime:
    from domain.roadmap.deadlines import end_of_day_utc

    return end_of_day_utc(due, tz)


def step_rows(
    roadmap_id: int, mid: int, tz: str, per: int, now: dt.datetime
) -> Iterator[tuple[Any, ...]]:
    start = dt.date(2025, 1, 9)
    for j in range(per):
        due = start + dt.timedelta(days=(j * 353) // per)
        status = "done" if j % 5 == 0 else "planned"
        deps = f'["s{j - 1:03d}"]' if j % 10 == 9 else "[]"
        yield (
            f"s{j:03d}",
            "",
            f"Шаг {j}",
            "report",
            "moc_head",
            due,
            _due_at(due, tz),
            tz,
            "once",
            status,
            "default",
            roadmap_id,
            mid,
            "",
            "{}",
            deps,
            "[]",
            "[]",
            now,
        )


def generate(url: str, *, municipalities: int, per: int) -> None:
    from sqlalchemy import text

    from models.db import init_db, make_engine

    engine = make_engine(url)
    init_db(engine)
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO roadmaptemplate (key, version, title, sha256, source, loaded_at)"
                " VALUES ('bench', 1, 'Бенчмарк', :sha, '', :now)"
            ),
            {"sha": "0" * 64, "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO municipality (id, code, name, region, timezone, created_at)"
                " VALUES (:id, :code, :name, 'bench', :tz, :now)"
            ),
            [
                {
                    "id": i,
                    "code": f"m{i:04d}",
                    "name": f"МО {i}",
                    "tz": ZONES[i % len(ZONES)],
                    "now": now,
                }
                for i in range(1, municipalities + 1)
            ],
        )
        conn.execute(
            text(
                "INSERT INTO roadmap (id, municipality_id, template_id, template_key, year,"
                " parameters, created_at) VALUES (:id, :id, 1, 'bench', 2025, '{}', :now)"
            ),
            [{"id": i, "now": now} for i in range(1, municipalities + 1)],
        )
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cols = ", ".join(STEP_COLUMNS)
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY step ({cols}) FROM STDIN") as copy:
                for i in range(1, municipalities + 1):
                    for row in step_rows(i, i, ZONES[i % len(ZONES)], per, now):
                        copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in STEP_COLUMNS)
            cur.execute("BEGIN")
            for i in range(1, municipalities + 1):
                rows = [
                    tuple(
                        v.replace(tzinfo=None).isoformat(sep=" ")
                        if isinstance(v, dt.datetime)
                        else v.isoformat()
                        if isinstance(v, dt.date)
                        else v
                        for v in row
                    )
                    for row in step_rows(i, i, ZONES[i % len(ZONES)], per, now)
                ]
                cur.executemany(f"INSERT INTO step ({cols}) VALUES ({marks})", rows)
            cur.execute("COMMIT")
        raw.commit()
        if engine.dialect.name == "postgresql":
            cur.execute("ANALYZE step")
            raw.commit()
    finally:
        raw.close()
    engine.dispose()


def reset(url: str) -> None:
    """Back to the freshly generated state: statuses planned, every roadmap logged."""
    from sqlalchemy import text

    from models.db import make_engine
    from models.sweep_state import mark_all_pending

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE step SET status = 'planned', blocked_by = '[]'"
                " WHERE status NOT IN ('done', 'waived', 'planned')"
            )
        )
        conn.execute(text("DELETE FROM sweep_pending"))
        conn.execute(text("DELETE FROM sweep_watermark"))
        mark_all_pending(conn)
    engine.dispose()


def raw_floor(url: str) -> tuple[float, int]:
    """(a) one hand-written UPDATE of due/overdue statuses, no zones, no calendar."""
    from sqlalchemy import Date, bindparam, text

    from models.db import make_engine

    engine = make_engine(url)
    cast = "::stepstatus" if engine.dialect.name == "postgresql" else ""
    sql = text(
        "UPDATE step SET status = (CASE WHEN due_date < :today THEN 'overdue' ELSE 'due' END)"
        + cast
        + " WHERE due_date <= :today AND status NOT IN ('done', 'waived', 'due', 'overdue')"
    ).bindparams(bindparam("today", type_=Date))
    t0 = time.perf_counter()
    with engine.begin() as conn:
        n = conn.execute(sql, {"today": AS_OF}).rowcount
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed, int(n or 0)


def count_task_runs(flow_run_id: Any, expected: int) -> int:
    """Task runs the API recorded for a flow run (they arrive as events: poll a little)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    flt = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    seen = -1
    with get_client(sync_client=True) as client:
        for _ in range(60):
            seen, offset = 0, 0
            while True:  # the API returns at most 200 rows per call
                page = client.read_task_runs(flow_run_filter=flt, limit=200, offset=offset)
                seen += len(page)
                offset += 200
                if len(page) < 200:
                    break
            if seen >= expected:
                break
            time.sleep(1)
    return seen


def sweep_sql_only(url: str, batch_size: int, day: dt.date = AS_OF) -> float:
    """Our sweep statements without Prefect or reminders, for the breakdown."""
    from sqlmodel import Session, select

    from domain.roadmap.sweep import sweep_municipalities
    from models.core import Municipality
    from models.db import make_engine, session_scope

    engine = make_engine(url)
    with Session(engine) as s:
        ids = sorted(i for i in s.exec(select(Municipality.id)) if i)
    now = dt.datetime(day.year, day.month, day.day, 6, tzinfo=dt.UTC)
    t0 = time.perf_counter()
    for i in range(0, len(ids), batch_size):
        with session_scope(engine, immediate=True) as s:
            sweep_municipalities(
                s,
                municipality_ids=ids[i : i + batch_size],
                now=now,
                window_working_days=7,
                as_of=day,
            )
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return elapsed


def warm_calendar() -> None:
    """Load the production calendar (holidays) before anything is timed."""
    from domain.calendar.workdays import add_working_days

    add_working_days(AS_OF, 8)


def warm_up() -> None:
    """Start the ephemeral Prefect API before anything is timed."""
    from prefect import flow

    @flow(name="bench-warm-up")
    def noop() -> int:
        return 1

    noop()


def naive(url: str, sample: int) -> tuple[float, int]:
    """(c) one Prefect task run per step, on ``sample`` steps."""
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE
    from sqlalchemy import text

    from domain.roadmap.deadlines import status_at
    from models.db import get_engine
    from models.roadmap import StepStatus

    engine = get_engine(url)
    now = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 6, tzinfo=dt.UTC)

    @task(cache_policy=NO_CACHE)
    def one_step(step_id: int, due: dt.date, tz: str, status: str) -> str:
        new = status_at(due_date=due, tz=tz, now=now, current=StepStatus(status))
        if new != status:
            with engine.begin() as conn:
                conn.execute(
                    text(f"UPDATE step SET status = '{new.value}' WHERE id = :i"), {"i": step_id}
                )
        return new.value

    @flow(name="naive-task-per-step")
    def per_step(rows: list[tuple[int, dt.date, str, str]]) -> int:
        futures = [one_step.submit(*r) for r in rows]
        return len([f.result() for f in futures])

    with engine.connect() as conn:
        rows = [
            (r[0], r[1] if isinstance(r[1], dt.date) else dt.date.fromisoformat(r[1]), r[2], r[3])
            for r in conn.execute(
                text(f"SELECT id, due_date, timezone, status FROM step ORDER BY id LIMIT {sample}")
            )
        ]
    t0 = time.perf_counter()
    state = per_step(rows, return_state=True)
    elapsed = time.perf_counter() - t0
    return elapsed, count_task_runs(state.state_details.flow_run_id, len(rows))


def a_day_passes(url: str) -> None:
    """What autovacuum does in the day between two sweeps (PostgreSQL): the first sweep
    rewrote ~half of the rows, and the planner must not keep the statistics of the
    freshly generated table (all steps planned). Untimed; the floor benefits too."""
    import psycopg

    if not url.startswith("postgresql"):
        return
    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE step")


def snapshot(url: str) -> None:
    """Keep every step's status before the next-day sweep (to diff and to put back)."""
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_before"))
        conn.execute(
            text(
                "CREATE TABLE bench_before AS"
                " SELECT id, status, blocked_by, status_changed_at FROM step"
            )
        )
        conn.execute(text("CREATE INDEX bench_before_id ON bench_before (id)"))
    engine.dispose()


def changed_rows(url: str) -> list[tuple[Any, ...]]:
    """(id, new status, old status, old blocked_by, old status_changed_at) of changed rows."""
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.id, s.status, b.status, b.blocked_by, b.status_changed_at"
                " FROM step AS s JOIN bench_before AS b ON b.id = s.id"
                " WHERE s.status <> b.status ORDER BY s.id"
            )
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def _status(value: Any) -> str:
    return str(getattr(value, "value", value))


def put_back(url: str, rows: list[tuple[Any, ...]]) -> None:
    """Undo the changes (untimed) so that the next measurement starts from the same state."""
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    cast = "CAST(:st AS stepstatus)" if engine.dialect.name == "postgresql" else ":st"
    with engine.begin() as conn:
        conn.execute(
            text(
                f"UPDATE step SET status = {cast}, blocked_by = :bb, status_changed_at = :at"
                " WHERE id = :id"
            ),
            [{"id": r[0], "st": _status(r[2]), "bb": r[3], "at": r[4]} for r in rows],
        )
    engine.dispose()


def floor_by_key(url: str, rows: list[tuple[Any, ...]]) -> float:
    """The floor of the next day: UPDATE by primary key of exactly the changed rows.

    Two forms, one statement per row (executemany) and one per new status
    (``id IN``); the faster one is the floor. Rows are put back after each.
    """
    from collections import defaultdict

    from sqlalchemy import bindparam, text

    from models.db import make_engine

    engine = make_engine(url)
    pg = engine.dialect.name == "postgresql"
    cast = "CAST(:st AS stepstatus)" if pg else ":st"
    now = dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day + 1, 6, tzinfo=dt.UTC).replace(
        tzinfo=None if not pg else dt.UTC
    )
    best = float("inf")
    per_status: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        per_status[_status(r[1])].append(int(r[0]))
    for form in ("executemany", "in"):
        t0 = time.perf_counter()
        with engine.begin() as conn:
            if form == "executemany":
                conn.execute(
                    text(
                        f"UPDATE step SET status = {cast}, blocked_by = '[]',"
                        " status_changed_at = :at WHERE id = :id"
                    ),
                    [{"id": r[0], "st": _status(r[1]), "at": now} for r in rows],
                )
            else:
                stmt = text(
                    f"UPDATE step SET status = {cast}, blocked_by = '[]',"
                    " status_changed_at = :at WHERE id IN :ids"
                ).bindparams(bindparam("ids", expanding=True))
                for st, ids in per_status.items():
                    for i in range(0, len(ids), 20_000):
                        conn.execute(stmt, {"st": st, "at": now, "ids": ids[i : i + 20_000]})
        best = min(best, time.perf_counter() - t0)
        put_back(url, rows)
    engine.dispose()
    return best


def runs(xs: list[float]) -> str:
    return " / ".join(f"{x:.2f}" for x in xs)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--municipalities", type=int, default=2_500)
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--sample", type=int, default=1_000, help="steps in the naive flow")
    p.add_argument("--batch-size", type=int, default=200)
    p.add_argument("--repeat", type=int, default=2, help="floor/first-sweep pairs (min taken)")
    p.add_argument("--no-prefect", action="store_true", help="skip the flow and naive runs")
    args = p.parse_args()
    per = args.steps // args.municipalities
    workdir = Path(tempfile.mkdtemp(prefix="soczakaz-bench-"))
    url, schema = fresh_database(args.db, workdir)
    os.environ["SOCZAKAZ_DATABASE_URL"] = url
    os.environ["SOCZAKAZ_SWEEP_BATCH_SIZE"] = str(args.batch_size)
    os.environ["PREFECT_HOME"] = str(workdir / "prefect")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    result: dict[str, Any] = {"db": args.db, "load_before": load_average()}
    try:
        t0 = time.perf_counter()
        generate(url, municipalities=args.municipalities, per=per)
        total = per * args.municipalities
        result["steps"] = total
        print(
            f"generated {total:,} steps in {args.municipalities:,} municipalities "
            f"({args.db}) in {time.perf_counter() - t0:.1f} s; RSS {rss_mb()[0]:.0f} MB"
        )
        warm_calendar()
        floors, firsts = [], []
        for i in range(args.repeat):  # interleaved: a load spike cannot favour one side
            a, a_rows = raw_floor(url)
            reset(url)
            floors.append(a)
            firsts.append(sweep_sql_only(url, args.batch_size))
            if i < args.repeat - 1:
                reset(url)
        a, first = min(floors), min(firsts)
        a_day_passes(url)
        snapshot(url)
        next_1 = sweep_sql_only(url, args.batch_size, AS_OF + dt.timedelta(days=1))
        rows = changed_rows(url)
        put_back(url, rows)
        floor_next = floor_by_key(url, rows)
        next_2 = sweep_sql_only(url, args.batch_size, AS_OF + dt.timedelta(days=1))
        assert len(changed_rows(url)) == len(rows), "the next day changed different rows"
        ours_next = min(next_1, next_2)
        print(
            f"raw SQL floor        {a:10.2f} s   ({a_rows:,} rows due/overdue; runs {runs(floors)})"
        )
        print(
            f"first sweep (SQL)    {first:10.2f} s   ({first / a:.2f}x floor; runs {runs(firsts)})"
        )
        print(
            f"next-day sweep (SQL) {ours_next:10.3f} s   (runs {next_1:.3f} / {next_2:.3f} s;"
            f" {len(rows):,} rows change)"
        )
        print(
            f"next-day floor       {floor_next:10.3f} s   (UPDATE by key of those rows;"
            f" ours {ours_next / floor_next:.2f}x)"
        )
        result.update(
            floor_full_s=round(a, 3),
            floor_full_runs_s=[round(x, 3) for x in floors],
            first_sweep_runs_s=[round(x, 3) for x in firsts],
            floor_full_rows=a_rows,
            first_sweep_s=round(first, 3),
            first_ratio=round(first / a, 3),
            next_day_s=round(ours_next, 4),
            next_day_runs_s=[round(next_1, 4), round(next_2, 4)],
            next_day_rows=len(rows),
            next_day_floor_s=round(floor_next, 4),
            next_day_ratio=round(ours_next / floor_next, 3),
        )
        if not args.no_prefect:
            result.update(with_prefect(url, args, total))
        own, children = rss_mb()
        print(f"peak RSS             {own:10.0f} MB  (children {children:.0f} MB)")
        result["peak_rss_mb"] = round(own)
    finally:
        if schema:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
    result["load_after"] = load_average()
    print("RESULT " + json.dumps(result))


def with_prefect(url: str, args: argparse.Namespace, total: int) -> dict[str, Any]:
    """The flow end to end (first and next day) and the naive task-per-step flow."""
    reset(url)
    t0 = time.perf_counter()
    warm_up()
    print(f"ephemeral Prefect API started in {time.perf_counter() - t0:.1f} s (not timed)")
    c_sample, c_runs = naive(url, args.sample)
    reset(url)
    from flows.daily_sweep import daily_sweep

    t0 = time.perf_counter()
    state = daily_sweep(as_of=AS_OF, return_state=True)
    b = time.perf_counter() - t0
    counts = state.result()
    batches = -(-args.municipalities // args.batch_size)
    b_runs = count_task_runs(state.state_details.flow_run_id, batches)
    t0 = time.perf_counter()
    next_day = daily_sweep(as_of=AS_OF + dt.timedelta(days=1))
    b_next = time.perf_counter() - t0
    c = c_sample * total / args.sample
    print(
        f"daily-sweep flow     {b:10.2f} s   (first day, with reminders; changed "
        f"{counts['changed']:,}, overdue {counts['overdue']:,}, blocked {counts['blocked']:,})"
    )
    print(f"  next day           {b_next:10.2f} s   (changed {next_day['changed']:,})")
    print(
        f"task-per-step (est.) {c:10.0f} s   ({c / b:,.0f}x slower than ours; "
        f"{args.sample:,} steps took {c_sample:.2f} s)"
    )
    print(f"prefect task runs    {b_runs:10d}     (naive flow: {c_runs:,} for {args.sample:,})")
    return {
        "flow_first_s": round(b, 3),
        "flow_next_day_s": round(b_next, 3),
        "task_per_step_est_s": round(c, 1),
        "task_runs": b_runs,
    }


if __name__ == "__main__":
    main()
