"""Prefect tasks over jobs.dispatch: one task run per claimed batch."""

from __future__ import annotations

from prefect import task

from jobs import dispatch

claim_batch = task(name="claim-outbox-batch", cache_result_in_memory=False)(dispatch.claim_batch)
deliver_batch = task(name="deliver-outbox-batch", cache_result_in_memory=False)(
    dispatch.deliver_batch
)
