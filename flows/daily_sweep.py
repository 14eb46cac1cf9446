"""The daily sweep flow: one flow run, one task run per batch of municipalities."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from sqlmodel import Session, col, select

from domain.vocabulary import STATUS_COUNT_RU
from models.core import Municipality
from models.db import get_engine
from models.roadmap import StepStatus
from models.settings import Settings
from models.types import utcnow
from tasks.sweep import sweep_batch

STATUS_RU = STATUS_COUNT_RU


def as_of_instant(as_of: dt.date) -> dt.datetime:
    """The instant used for ``--as-of``: 06:00 UTC, the same date in every Russian zone
    (Kaliningrad 08:00 … Kamchatka 18:00)."""
    return dt.datetime(as_of.year, as_of.month, as_of.day, 6, tzinfo=dt.UTC)


def municipality_batches(settings: Settings, batch_size: int) -> list[list[int]]:
    """Municipality ids in id order, cut into batches (the unit of partitioning)."""
    with Session(get_engine(settings.database_url)) as s:
        ids = [i for i in s.exec(select(Municipality.id).order_by(col(Municipality.id))) if i]
    return [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]


def summary_markdown(counts: dict[str, int], *, now: dt.datetime, as_of: dt.date | None) -> str:
    when = f"на дату {as_of.isoformat()}" if as_of else f"на {now.isoformat(timespec='minutes')}"
    lines = [
        f"# Ежедневная проверка сроков {when}",
        "",
        f"Муниципалитетов: {counts.get('municipalities', 0)}, "
        f"пакетов: {counts.get('batches', 0)}, "
        f"изменено статусов: {counts.get('changed', 0)}, "
        f"создано новых повторений: {counts.get('created', 0)}, "
        f"напоминаний в очереди: {counts.get('reminders', 0)}.",
        "",
        "| Статус | Шагов | Изменено сейчас |",
        "|---|---:|---:|",
    ]
    for status in StepStatus:
        lines.append(
            f"| {STATUS_RU[status.value]} | {counts.get(status.value, 0)} "
            f"| {counts.get('to_' + status.value, 0)} |"
        )
    return "\n".join(lines) + "\n"


@flow(name="daily-sweep", log_prints=True)
def daily_sweep(as_of: dt.date | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Sweep every municipality; ``as_of`` = that local date in every municipality."""
    cfg = Settings()
    now = as_of_instant(as_of) if as_of else utcnow()
    batches = municipality_batches(cfg, batch_size or cfg.sweep_batch_size)
    futures = [sweep_batch.submit(ids, now, as_of) for ids in batches]
    total: Counter[str] = Counter()
    for future in futures:
        total.update(future.result())
    total["batches"] = len(batches)
    counts = dict(total)
    create_markdown_artifact(
        key="daily-sweep-summary",
        markdown=summary_markdown(counts, now=now, as_of=as_of),
        description="Итоги ежедневной проверки сроков",
    )
    print(
        f"Проверка сроков: муниципалитетов {counts.get('municipalities', 0)}, "
        f"изменено {counts.get('changed', 0)}, просрочено {counts.get('overdue', 0)}"
    )
    return counts
