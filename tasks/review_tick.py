"""Thin Prefect tasks over ``notifications.review_reminders``: one task run per batch."""

from __future__ import annotations

import datetime as dt

from prefect import task

from models.db import get_engine, session_scope
from models.settings import Settings
from notifications.review_reminders import municipalities_with_open_campaigns, review_tick


@task(name="review-municipalities", cache_result_in_memory=False)
def review_municipalities() -> list[int]:
    """Municipalities with a review campaign that is not closed yet."""
    cfg = Settings()
    with session_scope(get_engine(cfg.database_url)) as s:
        return municipalities_with_open_campaigns(s)


@task(
    name="review-tick-batch", retries=2, retry_delay_seconds=[5, 30], cache_result_in_memory=False
)
def review_tick_batch(municipality_ids: list[int], now: dt.datetime) -> dict[str, int]:
    """Reminders and escalations of one batch, in one transaction."""
    cfg = Settings()
    with session_scope(get_engine(cfg.database_url)) as s:
        return review_tick(s, municipality_ids=municipality_ids, now=now, settings=cfg)
