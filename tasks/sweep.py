"""Thin Prefect task over the sweep: one task run (one transaction) per batch."""

from __future__ import annotations

import datetime as dt
import importlib

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.roadmap.sweep import sweep_municipalities
from models.db import get_engine, session_scope
from models.settings import Settings


@task(
    name="sweep-batch",
    retries=2,
    retry_delay_seconds=[5, 30],
    cache_policy=NO_CACHE,
    cache_result_in_memory=False,
)
def sweep_batch(
    municipality_ids: list[int], now: dt.datetime, as_of: dt.date | None = None
) -> dict[str, int]:
    """Statuses, roll-forward and reminders of a batch of municipalities, atomically."""
    cfg = Settings()
    engine = get_engine(cfg.database_url)
    # immediate=True: SQLite takes its write lock at BEGIN (PostgreSQL uses advisory locks).
    with session_scope(engine, immediate=True) as session:
        counts = sweep_municipalities(
            session,
            municipality_ids=municipality_ids,
            now=now,
            window_working_days=cfg.due_soon_working_days,
            as_of=as_of,
        )
        # Reminders (issue 5) are enqueued in the same transaction as the statuses;
        # imported lazily so the sweep also runs where the notifications package is absent.
        try:
            reminders = importlib.import_module("notifications.reminders")
        except ModuleNotFoundError:  # pragma: no cover - notifications not installed
            return counts
        counts["reminders"] = int(
            reminders.enqueue_due_reminders(
                session, municipality_ids=municipality_ids, now=now, settings=cfg
            )
        )
    return counts
