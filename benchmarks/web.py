"""Latency of the dashboard at 100,000 steps, under a concurrent load, vs /healthz.

    .venv/bin/python benchmarks/web.py --steps 100000 --db sqlite --db postgresql
    .venv/bin/python benchmarks/web.py --steps 1000000 --per-municipality 400  # РМЦ: 2,500

Every municipality belongs to one region, so the regional page (/region/…) sorts all of
them, worst first, and shows the first page of 50 (totals of all 2,500): its target is
p95 < 200 ms at 2,500 municipalities / 1,000,000 steps.

The server runs in its own process (uvicorn, one worker); a second process loads
the JSON API on loopback at a paced ~30 req/s (``--load-rps``; the rate issue 19 was
measured at: an unpaced loop would load the server harder the faster its API gets) while this one measures p50/p95 of the overview, a
municipality page, the open-steps API and the regional page, in interleaved rounds.
The baseline is a trivial ``/healthz`` on the same server, measured in the same
rounds under the same load. Each database is measured with the caches off
(``SOCZAKAZ_WEB_OVERVIEW_CACHE_SECONDS=0``: web/cache.py computes every time) and
on (5 s), then once more in process (median ms per page, no HTTP and no load: the
less load-sensitive figure) beside the floor of the overview (the bare GROUP BY).

    .venv/bin/python benchmarks/web.py --quick            # 10,000 steps, both databases

Ends with ``RESULT {json}``: per database and page (``overview``, ``municipality
page``, ``open-steps API``, ``regional page``, ``healthz``) ``p95`` (caches off),
``cached_p95``, ``healthz_p95``, ``in_process_ms``, ``target_ms`` and ``met``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from models import Municipality, Organisation, Person, Roadmap, RoadmapTemplate, Role, Step  # noqa: E402
from models.db import init_db, make_engine, session_scope  # noqa: E402
from models.people import TokenScope  # noqa: E402
from web.auth_tokens import add_access_token  # noqa: E402

TOKEN = "bench-admin-token"
REGION = "Бенчмарк-край"
WORKERS = 1  # uvicorn processes (set by --workers)
LOAD_RPS = 30.0  # the concurrent load, requests per second (set by --load-rps)
CACHE_TTLS: tuple[str, ...] = ("0", "5")
PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"
STATUSES = (
    ["planned"] * 50
    + ["due_soon"] * 8
    + ["due"] * 2
    + ["overdue"] * 10
    + ["blocked"] * 5
    + ["done"] * 23
    + ["waived"] * 2
)
KINDS = ["normative_act", "certificate_setup", "expert_review", "report", "event", "indicator"]
ZONES = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Asia/Yekaterinburg",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
    "Asia/Kamchatka",
]


def seed(url: str, steps: int, per_municipality: int) -> str:
    engine = make_engine(url)
    init_db(engine)
    rnd = random.Random(7)
    n_mun = max(1, steps // per_municipality)
    with session_scope(engine) as s:
        t = RoadmapTemplate(
            key="moc-standard", version=1, title="Бенчмарк", sha256="0" * 64, source=""
        )
        s.add(t)
        s.flush()
        muns = []
        for i in range(n_mun):
            m = Municipality(
                code=f"m{i:04d}",
                name=f"Муниципалитет {i:04d}",
                region=REGION,
                timezone=ZONES[i % len(ZONES)],
            )
            s.add(m)
            muns.append(m)
        s.flush()
        orgs: dict[int, list[int]] = {}
        roadmaps: dict[int, int] = {}
        for m in muns:
            assert m.id is not None and t.id is not None
            os_ = [
                Organisation(municipality_id=m.id, code=f"o{k}", name=f"МБУДО №{k}")
                for k in range(5)
            ]
            s.add_all(os_)
            r = Roadmap(municipality_id=m.id, template_id=t.id, template_key=t.key, year=2025)
            s.add(r)
            s.flush()
            orgs[m.id] = [o.id for o in os_ if o.id is not None]
            assert r.id is not None
            roadmaps[m.id] = r.id
        admin = Person(full_name="Администратор", role=Role.admin)
        s.add(admin)
        s.flush()
        assert admin.id is not None
        far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        add_access_token(s, admin.id, TOKEN, scope=TokenScope.read, expires_at=far)
        now = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
        rows: list[dict[str, Any]] = []
        step_table: Any = Step.__table__  # type: ignore[attr-defined]
        for i in range(steps):
            m = muns[i % n_mun]
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(365))
            status = rnd.choice(STATUSES)
            assert m.id is not None
            org = rnd.choice(orgs[m.id]) if rnd.random() < 0.4 else None
            rows.append(
                {
                    "roadmap_id": roadmaps[m.id],
                    "municipality_id": m.id,
                    "key": f"step-{i // n_mun}",
                    "period": "",
                    "title": f"Шаг дорожной карты №{i}",
                    "kind": rnd.choice(KINDS),
                    "owner_role": "org_contact" if org else "moc_head",
                    "organisation_id": org,
                    "due_date": day,
                    "due_at": dt.datetime(day.year, day.month, day.day, 20, 59, tzinfo=dt.UTC),
                    "timezone": m.timezone,
                    "recurrence": "once",
                    "status": status,
                    "reminder_policy": "default",
                    "description": "",
                    "due_rule": {},
                    "depends_on": [],
                    "evidence_required": [],
                    "blocked_by": ["npa-moc"] if status == "blocked" else [],
                    "status_changed_at": now,
                    "done_at": now if status == "done" else None,
                }
            )
            if len(rows) == 5000:
                s.execute(insert(step_table), rows)
                rows = []
        if rows:
            s.execute(insert(step_table), rows)
    if url.startswith("sqlite"):
        with engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
    else:  # what autovacuum does soon after a bulk load (enables index-only scans)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE step")
    engine.dispose()
    return muns[n_mun // 2].code


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not start")


LOAD = """
import os, sys, time, httpx
url, token, code, stop, rps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
n, t0 = 0, time.monotonic()
with httpx.Client(headers={"Authorization": "Bearer " + token}, timeout=30) as c:
    while not os.path.exists(stop):
        r = c.get(f"{url}/api/municipalities/{code}/steps", params={"status": "overdue"})
        r.raise_for_status()
        n += 1
        # Paced (open loop): the same load whatever the server's speed; 0 = as fast as it can.
        if rps > 0 and (ahead := t0 + n / rps - time.monotonic()) > 0:
            time.sleep(ahead)
print(n / (time.monotonic() - t0))
"""


def measure(client: Any, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return out


def pct(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(p) - 1]


def targets(code: str) -> dict[str, str]:
    """RESULT key -> path. The keys are what benchmarks/run_all.py reads (keep them)."""
    return {
        "healthz": "/healthz",
        "overview": "/",
        "municipality page": f"/m/{code}",
        "open-steps API": f"/api/municipalities/{code}/steps?status=open",
        "regional page": "/region/" + quote(REGION),
    }


def run(db: str, steps: int, per_m: int, n: int, reuse: str | None = None) -> dict[str, Any]:
    """Seed (or reuse) one database and measure it: {page: figures} for RESULT."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    # A schema of this run only: concurrent runs (run_all.py, another sitting) never
    # drop each other's tables mid-measurement. Dropped at the end.
    schema = f"bench_web_{os.getpid()}"
    if reuse is not None:  # a database seeded by an earlier run of this script
        url = reuse if "://" in reuse else f"sqlite:///{reuse}"
        code = f"m{steps // per_m // 2:04d}"
        print(f"\n== {db} (reused {url.split('?')[0]})")
    else:
        if db == "sqlite":
            url = f"sqlite:///{tmp / 'bench.db'}"
        else:
            import psycopg

            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                conn.execute(f"CREATE SCHEMA {schema}")
            url = (
                PG_DSN.replace("postgresql://", "postgresql+psycopg://")
                + f"?options=-csearch_path%3D{schema}"
            )
        t0 = time.perf_counter()
        code = seed(url, steps, per_m)
        print(
            f"\n== {db}: {steps:,} steps in {steps // per_m} municipalities "
            f"(seeded in {time.perf_counter() - t0:.1f} s)"
        )
    out: dict[str, Any] = {"steps": steps, "municipalities": steps // per_m}
    try:
        for ttl in CACHE_TTLS:
            label = "caches off" if ttl == "0" else f"caches on ({ttl} s, the default)"
            out["off" if ttl == "0" else "on"] = serve_and_measure(url, tmp, code, n, ttl, label)
        inproc = in_process(url, tmp, code)
    finally:
        if db == "postgresql" and reuse is None:
            import psycopg

            with psycopg.connect(PG_DSN, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    out["count_floor_ms"] = inproc.pop("_count_floor")
    return {"figures": out, "in_process": inproc}


def serve_and_measure(
    url: str, tmp: Path, code: str, n: int, ttl: str, label: str
) -> dict[str, dict[str, float]]:
    """p50/p95 of every page over HTTP while a second process loads the server."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SOCZAKAZ_DATABASE_URL": url,
        "SOCZAKAZ_EVIDENCE_DIR": str(tmp / "ev"),
        "SOCZAKAZ_WEB_OVERVIEW_CACHE_SECONDS": ttl,
    }
    print(f"-- {label}, {WORKERS} uvicorn worker(s); load average {load_average()}")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--workers",
            str(WORKERS),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_up(base)
        paths = targets(code)
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        ) as client:
            for path in paths.values():  # warm-up
                measure(client, path, 3)
            stop = tmp / f"stop-load-{ttl}"
            load = subprocess.Popen(
                [sys.executable, "-c", LOAD, base, TOKEN, code, str(stop), str(LOAD_RPS)],
                stdout=subprocess.PIPE,
                text=True,
            )
            time.sleep(0.5)
            # Interleaved rounds: every page sees the same moments of the machine's load.
            results: dict[str, list[float]] = {name: [] for name in paths}
            for _ in range(n):
                for name, path in paths.items():
                    results[name] += measure(client, path, 1)
            stop.touch()
            load_rps = float(load.communicate()[0].strip() or 0)
    finally:
        server.terminate()
        server.wait(10)
    base_p50, base_p95 = pct(results["healthz"], 50), pct(results["healthz"], 95)
    print(f"{'endpoint':36} {'p50 ms':>8} {'p95 ms':>8} {'p50/base':>9} {'p95/base':>9}")
    figures: dict[str, dict[str, float]] = {}
    for name, xs in results.items():
        p50, p95 = pct(xs, 50), pct(xs, 95)
        figures[name] = {
            "p50": round(p50, 1),
            "p95": round(p95, 1),
            "healthz_p95": round(base_p95, 1),
        }
        limit = GOALS.get(name)
        flag = "" if limit is None else f"  {'OK' if p95 < limit else 'ABOVE'} (<{limit:g} ms)"
        title = ROWS.get(name, name)
        print(
            f"{title:36} {p50:8.1f} {p95:8.1f} {p50 / base_p50:8.1f}× {p95 / base_p95:8.1f}×{flag}"
        )
    print(
        f"concurrent load (2nd process, API overdue list, paced at {LOAD_RPS:g} req/s):"
        f" {load_rps:.0f} req/s; "
        f"{n} interleaved samples per endpoint; load average {load_average()}"
    )
    return figures


def in_process(url: str, tmp: Path, code: str) -> dict[str, float]:
    """Median ms of each page in this process (no HTTP, no concurrent load, no cache):
    less sensitive to the machine's load than the p95 over HTTP. Also the floor of the
    overview: the bare GROUP BY that counts every step by municipality and status."""
    from fastapi.testclient import TestClient

    from models.settings import Settings
    from web.app import create_app

    settings = Settings(database_url=url, evidence_dir=tmp / "ev", web_overview_cache_seconds=0)
    app = create_app(settings)
    out: dict[str, float] = {}
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for name, path in targets(code).items():
            measure(client, path, 2)
            out[name] = round(statistics.median(measure(client, path, 15)), 1)
            cpu = []  # CPU time of this process per request: the least load-sensitive figure
            for _ in range(15):
                c0 = time.process_time()
                measure(client, path, 1)
                cpu.append((time.process_time() - c0) * 1000)
            out[f"_cpu {name}"] = round(statistics.median(cpu), 1)
    with app.state.engine.connect() as c:
        sql = "SELECT municipality_id, status, count(*) FROM step GROUP BY municipality_id, status"
        c.exec_driver_sql(sql).fetchall()
        ts = []
        for _ in range(15):
            t0 = time.perf_counter()
            c.exec_driver_sql(sql).fetchall()
            ts.append((time.perf_counter() - t0) * 1000)
        out["_count_floor"] = round(statistics.median(ts), 1)
    app.state.engine.dispose()
    print(
        "in process, caches off, median ms wall / CPU: "
        + ", ".join(f"{k} {v} / {out[f'_cpu {k}']}" for k, v in out.items() if k[0] != "_")
        + f"; bare count GROUP BY {out['_count_floor']} ms"
    )
    return out


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def result_of(db_runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """RESULT: per database, per page (keys of ``targets``) the caches-off p95 as ``p95``
    (what run_all.py reads), the cached p95, the /healthz p95 of the same run and the
    in-process median."""
    out: dict[str, Any] = {"load_average": load_average()}
    for db, run_ in db_runs.items():
        fig, inproc = run_["figures"], run_["in_process"]
        per: dict[str, Any] = {
            "steps": fig["steps"],
            "municipalities": fig["municipalities"],
            "count_floor_ms": fig["count_floor_ms"],
        }
        for name in targets("x"):
            off, on = fig.get("off", {}).get(name), fig.get("on", {}).get(name)
            main = off or on or {}
            item = {
                "p95": main.get("p95"),
                "p50": main.get("p50"),
                "healthz_p95": main.get("healthz_p95"),
                "cached_p95": on["p95"] if on else None,
                "cached_healthz_p95": on["healthz_p95"] if on else None,
                "in_process_ms": inproc.get(name),
                "in_process_cpu_ms": inproc.get(f"_cpu {name}"),
                "target_ms": GOALS.get(name),
            }
            if off and name in GOALS:
                item["met"] = off["p95"] < GOALS[name]
            per[name] = item
        out[db] = per
    return out


ROWS = {
    "healthz": "/healthz (baseline)",
    "overview": "overview /",
    "municipality page": "municipality /m/…",
    "open-steps API": "API steps?status=open",
    "regional page": "region /region/… (page 1)",
}
# p95 targets of issue 19, caches off (the regional one at 2,500 municipalities / 1M steps).
GOALS = {
    "overview": 50.0,
    "municipality page": 50.0,
    "open-steps API": 50.0,
    "regional page": 200.0,
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=None, help="default 100,000 (--quick: 10,000)")
    ap.add_argument("--per-municipality", type=int, default=500)
    ap.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    ap.add_argument("--requests", type=int, default=None, help="default 100 (--quick: 40)")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument(
        "--load-rps",
        type=float,
        default=30.0,
        help="concurrent load on the API, req/s (issue 19 measured at ~30; 0 = unpaced)",
    )
    ap.add_argument("--cache", choices=["both", "off", "on"], default="both")
    ap.add_argument("--quick", action="store_true", help="10,000 steps, 40 samples")
    ap.add_argument("--reuse", help="SQLite file or database URL seeded by an earlier run")
    args = ap.parse_args()
    global WORKERS, CACHE_TTLS, LOAD_RPS
    WORKERS = args.workers
    LOAD_RPS = args.load_rps
    CACHE_TTLS = {"both": ("0", "5"), "off": ("0",), "on": ("5",)}[args.cache]
    steps = args.steps or (10_000 if args.quick else 100_000)
    n = args.requests or (40 if args.quick else 100)
    print(f"load average at start: {load_average()}")
    runs = {
        db: run(db, steps, args.per_municipality, n, args.reuse)
        for db in args.db or ["sqlite", "postgresql"]
    }
    print("RESULT " + json.dumps(result_of(runs), ensure_ascii=False))


if __name__ == "__main__":
    main()
