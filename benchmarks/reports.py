"""Benchmark: 2,500 municipal annual reports (DOCX) in one ``build-reports`` flow run.

    python benchmarks/reports.py --municipalities 2500 [--processes 2]
    python benchmarks/reports.py --municipalities 2500 --db postgresql

Generates synthetic municipalities (benchmarks/report_data.py), then measures in
one run: (a) the floor of the naive way, python-docx saving an *empty* document,
on a sample, extrapolated to N; (b) one report at a time through the public
single-report path (``write_annual``: per-municipality queries), on a sample,
extrapolated; (c) our flow end to end: one task per batch, set-based loading,
every report written to disk as it is made. Prints seconds, ratios, peak RSS.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_common import PG_ADMIN, fresh_database, rss_mb

YEAR = 2025


def empty_docx(samples: int) -> float:
    """Seconds per python-docx save of an empty document."""
    import docx

    docx.Document().save(io.BytesIO())
    t0 = time.perf_counter()
    for _ in range(samples):
        docx.Document().save(io.BytesIO())
    return (time.perf_counter() - t0) / samples


def serial_reports(url: str, samples: int, out: Path) -> float:
    """Seconds per report through the single-report path (queries per municipality)."""
    import datetime as dt

    from sqlmodel import col, select

    from models import Municipality
    from models.db import get_engine, session_scope
    from reports.build import write_annual

    now = dt.datetime(YEAR + 1, 1, 20, tzinfo=dt.UTC)
    with session_scope(get_engine(url)) as s:
        munis = s.exec(select(Municipality).order_by(col(Municipality.id)).limit(samples)).all()
        write_annual(s, municipality=munis[0], year=YEAR, fmt="docx", out=out / "w.docx", now=now)
        t0 = time.perf_counter()
        for m in munis:
            write_annual(
                s, municipality=m, year=YEAR, fmt="docx", out=out / f"{m.code}.docx", now=now
            )
        return (time.perf_counter() - t0) / len(munis)


def cpu_seconds() -> float:
    """CPU time of this process (all threads): robust when the machine is shared."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--municipalities", type=int, default=2_500)
    p.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    p.add_argument("--batch-size", type=int, default=125)
    p.add_argument(
        "--processes",
        type=int,
        default=0,
        help="run batches in a process pool of this size (0 = the flow's two threads)",
    )
    p.add_argument("--samples", type=int, default=100, help="documents in each baseline")
    args = p.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="soczakaz-bench-reports-"))
    url, schema = fresh_database(args.db, workdir)
    os.environ["SOCZAKAZ_DATABASE_URL"] = url
    os.environ["PREFECT_HOME"] = str(workdir / "prefect")
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        import datetime as dt

        from benchmarks.report_data import populate
        from models.db import get_engine, init_db

        engine = get_engine(url)
        init_db(engine)
        t0 = time.perf_counter()
        populate(engine, municipalities=args.municipalities, year=YEAR)
        print(
            f"generated {args.municipalities:,} municipalities ({args.db}) in "
            f"{time.perf_counter() - t0:.1f} s"
        )

        a_one = empty_docx(args.samples)
        sample_dir = workdir / "serial"
        sample_dir.mkdir()
        b_one = serial_reports(url, min(args.samples, args.municipalities), sample_dir)
        a, b = a_one * args.municipalities, b_one * args.municipalities

        from prefect import flow
        from prefect.task_runners import ProcessPoolTaskRunner

        from flows.reports import build_reports

        @flow
        def warm() -> int:
            return 1

        t0 = time.perf_counter()
        warm()
        print(f"ephemeral Prefect API started in {time.perf_counter() - t0:.1f} s (not timed)")
        out = workdir / "reports"
        run = build_reports
        if args.processes:
            run = build_reports.with_options(
                task_runner=ProcessPoolTaskRunner(max_workers=args.processes)  # type: ignore[arg-type]
            )
        t0, cpu0 = time.perf_counter(), cpu_seconds()
        counts = run(
            out_dir=str(out),
            year=YEAR,
            formats=["docx"],
            kinds=["annual"],
            batch_size=args.batch_size,
            database_url=url,
            now=dt.datetime(YEAR + 1, 1, 20, tzinfo=dt.UTC),
        )
        c, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
        runner = f"{args.processes} processes" if args.processes else "2 threads"
        files = sorted(out.glob("*.docx"))
        import docx

        doc = docx.Document(str(files[len(files) // 2]))
        assert len(doc.tables) >= 8 and len(doc.inline_shapes) == 2, "report is incomplete"
        size = sum(f.stat().st_size for f in files)
        own, children = rss_mb()
        print(
            f"empty python-docx x N (est.) {a:8.1f} s   ({a_one * 1000:.1f} ms each, "
            f"{args.samples} measured)"
        )
        print(
            f"one report at a time (est.)  {b:8.1f} s   ({b_one * 1000:.1f} ms each, "
            f"write_annual, {args.samples} measured)"
        )
        print(
            f"soczakaz build-reports flow  {c:8.1f} s   ({len(files):,} DOCX, "
            f"{size / 1e6:.0f} MB, {counts['batches']} task runs, {runner}, "
            f"{c / args.municipalities * 1000:.1f} ms per report)"
        )
        per_cpu = cpu / args.municipalities * 1000
        load = os.getloadavg()[0]
        print(
            f"  CPU time of the flow process {cpu:.1f} s ({per_cpu:.1f} ms per report; "
            f"load average {load:.1f} on {os.cpu_count()} cores)"
        )
        print(
            f"ratios: empty-docx/ours = {a / c:.2f}x, serial/ours = {b / c:.2f}x, "
            f"target 60 s -> {'met' if c < 60 else 'MISSED'}"
        )
        print(f"peak RSS: main {own:.0f} MB, largest exited child (pool worker) {children:.0f} MB")
    finally:
        if schema:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
