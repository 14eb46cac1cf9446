"""The reports flow: jobs.reports with a task run per batch, two batches at a time."""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from jobs.reports import previous_quarter, run_reports
from tasks.fanout import submitted
from tasks.reports import build_reports_batch

__all__ = ["build_reports", "previous_quarter"]


# Batches run two at a time: memory stays at two batches whatever the number of
# municipalities (threads suffice: SQLite/PostgreSQL I/O and zlib release the GIL).
@flow(name="build-reports", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=2))  # type: ignore[arg-type]
def build_reports(
    out_dir: str = "reports-out",
    year: int | None = None,
    formats: list[str] | None = None,
    kinds: list[str] | None = None,
    quarter: int | None = None,
    batch_size: int = 100,
    database_url: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Annual (default: last year) and/or quarterly reports of every municipality."""
    counts = run_reports(
        out_dir,
        year,
        formats,
        kinds,
        quarter,
        batch_size,
        database_url,
        now,
        each=submitted(build_reports_batch),
    )
    print(
        f"Отчёты: {counts.get('files', 0)} файлов для {counts.get('municipalities', 0)} муниципалитетов"
    )
    return counts
