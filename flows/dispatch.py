"""The dispatch flow: one pass of jobs.dispatch with a task run per claimed batch."""

from __future__ import annotations

from prefect import flow

from jobs.dispatch import dispatch_pending, summary_line
from tasks.dispatch import claim_batch, deliver_batch


@flow(name="dispatch-outbox", log_prints=True)
def dispatch_outbox(
    batch_size: int | None = None, max_batches: int = 1000, workers: int | None = None
) -> dict[str, int]:
    """Deliver everything due now; task runs grow with batches, never with messages."""
    counts = dispatch_pending(
        batch_size=batch_size,
        max_batches=max_batches,
        workers=workers,
        claim=claim_batch,
        deliver=deliver_batch,
    )
    print(summary_line(counts))
    return counts
