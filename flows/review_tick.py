"""The review tick flow: one tick of jobs.review, a task run per batch."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from jobs.review import run_review_tick, summary_line
from tasks.fanout import called
from tasks.review_tick import review_municipalities, review_tick_batch


@flow(name="review-tick", log_prints=True)
def review_tick(now: dt.datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """One tick at ``now`` (default: the current moment); task runs grow with batches."""
    if now is not None and now.tzinfo is None:
        raise ValueError("review-tick: время без часового пояса недопустимо")
    counts = run_review_tick(
        now, batch_size, ids=review_municipalities(), each=called(review_tick_batch)
    )
    print(summary_line(counts))
    return counts
