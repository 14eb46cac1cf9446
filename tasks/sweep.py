"""Prefect task over jobs.sweep: one task run (one transaction) per batch."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from jobs import sweep

sweep_batch = task(
    name="sweep-batch",
    retries=2,
    retry_delay_seconds=[5, 30],
    cache_policy=NO_CACHE,
    cache_result_in_memory=False,
)(sweep.sweep_batch)
