"""Thin Prefect task: build the reports of one batch of municipalities into a folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import col, select

from models import Municipality
from models.db import get_engine, session_scope
from models.settings import Settings
from reports.build import annual_reports, quarterly_report, write_report

SUFFIX = {"docx": "docx", "xlsx": "xlsx", "md": "md", "html": "html"}


def report_path(out_dir: Path, *, code: str, year: int, kind: str, fmt: str, quarter: int) -> Path:
    stem = f"{code}-{year}-annual" if kind == "annual" else f"{code}-{year}-q{quarter}"
    return out_dir / f"{stem}.{SUFFIX[fmt]}"


@task(name="build-reports-batch", retries=1, cache_policy=NO_CACHE, cache_result_in_memory=False)
def build_reports_batch(
    municipality_ids: list[int],
    *,
    jobs: list[tuple[str, int, int]],
    out_dir: str,
    formats: list[str],
    now: dt.datetime,
    database_url: str | None = None,
) -> dict[str, int]:
    """Reports of a batch, each written to disk at once (memory stays flat); counts back.

    ``jobs`` lists (kind, year, quarter): ("annual", 2025, 0) or ("quarterly", 2025, 3).
    """
    engine = get_engine(database_url or Settings().database_url)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"municipalities": 0, "files": 0, "bytes": 0}
    with session_scope(engine) as s:
        munis = list(
            s.exec(
                select(Municipality)
                .where(col(Municipality.id).in_(municipality_ids))
                .order_by(col(Municipality.id))
            ).all()
        )
        for kind, year, quarter in jobs:
            reports = (
                annual_reports(s, municipalities=munis, year=year, now=now)
                if kind == "annual"
                else [
                    (m, quarterly_report(s, municipality=m, year=year, quarter=quarter, now=now))
                    for m in munis
                ]
            )
            for m, report in reports:
                for fmt in formats:
                    out = report_path(
                        folder, code=m.code, year=year, kind=kind, fmt=fmt, quarter=quarter
                    )
                    for path in write_report(report, fmt=fmt, out=out):
                        counts["files"] += 1
                        counts["bytes"] += path.stat().st_size
        counts["municipalities"] = len(munis)
    return counts
