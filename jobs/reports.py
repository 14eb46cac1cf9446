"""The reports job: every municipality's reports into a folder, batch by batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import col, select

from jobs.batching import Counts, Each, in_process, municipality_batches, total
from models import Municipality
from models.db import get_engine, session_scope
from models.settings import get_settings
from models.types import utcnow
from reports.build import annual_reports, quarterly_report, write_report

SUFFIX = {"docx": "docx", "xlsx": "xlsx", "md": "md", "html": "html"}
Job = tuple[str, int, int]  # (kind, year, quarter): ("annual", 2025, 0), ("quarterly", 2025, 3)


def report_path(out_dir: Path, *, code: str, year: int, kind: str, fmt: str, quarter: int) -> Path:
    stem = f"{code}-{year}-annual" if kind == "annual" else f"{code}-{year}-q{quarter}"
    return out_dir / f"{stem}.{SUFFIX[fmt]}"


def previous_quarter(today: dt.date) -> tuple[int, int]:
    """(year, quarter) of the quarter that ended last before ``today``."""
    q = (today.month - 1) // 3
    return (today.year - 1, 4) if q == 0 else (today.year, q)


def report_jobs(
    kinds: list[str] | None, *, year: int | None, quarter: int | None, now: dt.datetime
) -> list[Job]:
    """What to build: annual (default: last year) and/or quarterly (default: last quarter)."""
    last_year, last_quarter = previous_quarter(now.date())
    jobs: list[Job] = []
    for kind in kinds or ["annual"]:
        if kind == "annual":
            jobs.append(("annual", year or now.year - 1, 0))
        elif kind == "quarterly":
            jobs.append(("quarterly", year or last_year, quarter or last_quarter))
        else:
            raise ValueError(f"неизвестный вид отчёта «{kind}» (annual, quarterly)")
    return jobs


def build_reports_batch(
    municipality_ids: list[int],
    *,
    jobs: list[Job],
    out_dir: str,
    formats: list[str],
    now: dt.datetime,
    database_url: str | None = None,
) -> Counts:
    """Reports of a batch, each written to disk at once (memory stays flat); counts back."""
    engine = get_engine(database_url or get_settings().database_url)
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


def run_reports(
    out_dir: str = "reports-out",
    year: int | None = None,
    formats: list[str] | None = None,
    kinds: list[str] | None = None,
    quarter: int | None = None,
    batch_size: int = 100,
    database_url: str | None = None,
    now: dt.datetime | None = None,
    *,
    each: Each = in_process(build_reports_batch),
) -> Counts:
    """Annual (default: last year) and/or quarterly reports of every municipality."""
    url = database_url or get_settings().database_url
    at = now or utcnow()
    jobs = report_jobs(kinds, year=year, quarter=quarter, now=at)
    batches = municipality_batches(url, batch_size)
    calls = [
        {
            "municipality_ids": ids,
            "jobs": jobs,
            "out_dir": out_dir,
            "formats": formats or ["docx"],
            "now": at,
            "database_url": url,
        }
        for ids in batches
    ]
    return total(each(calls), batches=len(batches))
