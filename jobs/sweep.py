"""The daily sweep job: statuses, roll-forward and step reminders, one transaction a batch."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from domain.roadmap.sweep import sweep_municipalities
from domain.vocabulary import STATUS_COUNT_RU
from jobs.audit_publish import configured, publish_checkpoints
from jobs.batching import Counts, Each, in_process, municipality_batches, run_moment, total
from models.db import get_engine, session_scope
from models.roadmap import StepStatus
from models.settings import Settings, get_settings
from notifications.reminders import enqueue_due_reminders


def sweep_in_session(
    session: Session,
    *,
    municipality_ids: list[int],
    now: dt.datetime,
    settings: Settings,
    as_of: dt.date | None = None,
) -> Counts:
    """Statuses and reminders of a batch inside the caller's transaction."""
    counts = sweep_municipalities(
        session,
        municipality_ids=municipality_ids,
        now=now,
        window_working_days=settings.due_soon_working_days,
        as_of=as_of,
    )
    counts["reminders"] = enqueue_due_reminders(
        session, municipality_ids=municipality_ids, now=now, settings=settings
    )
    return counts


def sweep_batch(
    municipality_ids: list[int],
    now: dt.datetime,
    as_of: dt.date | None = None,
    settings: Settings | None = None,
) -> Counts:
    """One batch of municipalities, atomically (statuses and reminders together)."""
    cfg = settings or get_settings()
    # immediate=True: SQLite takes its write lock at BEGIN (PostgreSQL uses advisory locks).
    with session_scope(get_engine(cfg.database_url), immediate=True) as session:
        return sweep_in_session(
            session, municipality_ids=municipality_ids, now=now, settings=cfg, as_of=as_of
        )


def run_sweep(
    as_of: dt.date | None = None,
    batch_size: int | None = None,
    *,
    now: dt.datetime | None = None,
    each: Each = in_process(sweep_batch),
    settings: Settings | None = None,
) -> Counts:
    """Sweep every municipality; ``as_of`` = that local date in every municipality."""
    cfg = settings or get_settings()
    now = run_moment(as_of, now)
    batches = municipality_batches(cfg.database_url, batch_size or cfg.sweep_batch_size)
    calls = [{"municipality_ids": ids, "now": now, "as_of": as_of} for ids in batches]
    counts = total(each(calls), batches=len(batches))
    if configured(cfg):  # issue 18: checkpoints of changed chains, after the statuses
        counts["checkpoints_published"] = len(publish_checkpoints(cfg, now=now).chains)
    return counts


def summary_markdown(counts: Counts, *, now: dt.datetime, as_of: dt.date | None) -> str:
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
            f"| {STATUS_COUNT_RU[status.value]} | {counts.get(status.value, 0)} "
            f"| {counts.get('to_' + status.value, 0)} |"
        )
    return "\n".join(lines) + "\n"


def summary_line(counts: Counts) -> str:
    return (
        f"Проверка сроков: муниципалитетов {counts.get('municipalities', 0)}, "
        f"изменено {counts.get('changed', 0)}, просрочено {counts.get('overdue', 0)}"
    )
