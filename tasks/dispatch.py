"""Thin Prefect tasks over the outbox dispatcher: one task run per batch."""

from __future__ import annotations

from prefect import task

from models.db import get_engine
from models.settings import Settings
from models.types import utcnow
from notifications.dispatcher import claim_ids, deliver_ids


@task(name="claim-outbox-batch", cache_result_in_memory=False)
def claim_batch(batch_size: int, worker: str) -> list[int]:
    """Claim up to ``batch_size`` due rows for ``worker``."""
    cfg = Settings()
    return claim_ids(
        get_engine(cfg.database_url), cfg, limit=batch_size, worker=worker, now=utcnow()
    )


@task(name="deliver-outbox-batch", cache_result_in_memory=False)
def deliver_batch(ids: list[int], workers: int | None = None) -> dict[str, int]:
    """Send the claimed rows and mark each one right after its send."""
    cfg = Settings()
    return deliver_ids(get_engine(cfg.database_url), cfg, ids, workers=workers)
