"""The reports flow: every municipality's reports into a folder, one task per batch."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from prefect import flow
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner
from sqlmodel import Session, col, select

from models import Municipality
from models.db import get_engine
from models.settings import Settings
from models.types import utcnow
from tasks.reports import build_reports_batch


def municipality_batches(database_url: str, batch_size: int) -> list[list[int]]:
    with Session(get_engine(database_url)) as s:
        ids = [i for i in s.exec(select(Municipality.id).order_by(col(Municipality.id))) if i]
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def previous_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the quarter that ended last before ``today``."""
    q = (today.month - 1) // 3
    return (today.year - 1, 4) if q == 0 else (today.year, q)


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
    url = database_url or Settings().database_url
    now = now or utcnow()
    last_year, last_quarter = previous_quarter(now.date())
    jobs: list[tuple[str, int, int]] = []
    for kind in kinds or ["annual"]:
        if kind == "annual":
            jobs.append(("annual", year or now.year - 1, 0))
        elif kind == "quarterly":
            jobs.append(("quarterly", year or last_year, quarter or last_quarter))
        else:
            raise ValueError(f"неизвестный вид отчёта «{kind}» (annual, quarterly)")
    batches = municipality_batches(url, batch_size)
    futures: list[PrefectFuture[dict[str, int]]] = [
        build_reports_batch.submit(
            ids,
            jobs=jobs,
            out_dir=out_dir,
            formats=formats or ["docx"],
            now=now,
            database_url=url,
        )
        for ids in batches
    ]
    total: Counter[str] = Counter()
    for f in futures:
        total.update(f.result())
    total["batches"] = len(batches)
    print(f"Отчёты: {total['files']} файлов для {total['municipalities']} муниципалитетов")
    return dict(total)
