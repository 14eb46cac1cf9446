"""Prefect tasks over jobs.review: one task run per batch."""

from __future__ import annotations

from prefect import task

from jobs import review

review_municipalities = task(name="review-municipalities", cache_result_in_memory=False)(
    review.review_municipalities
)
review_tick_batch = task(
    name="review-tick-batch", retries=2, retry_delay_seconds=[5, 30], cache_result_in_memory=False
)(review.review_tick_batch)
