"""The review tick job (НОК): late experts and revisions -> reminders, escalations."""

from __future__ import annotations

import datetime as dt

from jobs.batching import Counts, Each, chunks, in_process, total
from models.db import get_engine, session_scope
from models.settings import Settings, get_settings
from models.types import utcnow
from notifications.review_reminders import municipalities_with_open_campaigns, review_tick


def review_municipalities(settings: Settings | None = None) -> list[int]:
    """Municipalities with a review campaign that is not closed yet."""
    cfg = settings or get_settings()
    with session_scope(get_engine(cfg.database_url)) as s:
        return municipalities_with_open_campaigns(s)


def review_tick_batch(
    municipality_ids: list[int], now: dt.datetime, settings: Settings | None = None
) -> Counts:
    """Reminders and escalations of one batch, in one transaction."""
    cfg = settings or get_settings()
    with session_scope(get_engine(cfg.database_url)) as s:
        return review_tick(s, municipality_ids=municipality_ids, now=now, settings=cfg)


def run_review_tick(
    now: dt.datetime | None = None,
    batch_size: int | None = None,
    *,
    ids: list[int] | None = None,
    each: Each = in_process(review_tick_batch),
    settings: Settings | None = None,
) -> Counts:
    """One tick at ``now`` (default: the current moment) over ``ids`` (default: open ones)."""
    at = now or utcnow()
    if at.tzinfo is None:
        raise ValueError("review-tick: время без часового пояса недопустимо")
    cfg = settings or get_settings()
    todo = review_municipalities(cfg) if ids is None else ids
    calls = [
        {"municipality_ids": batch, "now": at}
        for batch in chunks(todo, batch_size or cfg.sweep_batch_size)
    ]
    return total(each(calls))


def summary_line(counts: Counts) -> str:
    return (
        f"Экспертиза: просрочено заключений {counts.get('late_experts', 0)}, доработок "
        f"{counts.get('late_revisions', 0)}; новых напоминаний {counts.get('reminders', 0)}, "
        f"эскалаций {counts.get('escalations', 0)}"
    )
