"""The review tick flow: late experts and revisions -> outbox reminders, escalations."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from prefect import flow

from models.settings import Settings
from models.types import utcnow
from tasks.review_tick import review_municipalities, review_tick_batch


@flow(name="review-tick", log_prints=True)
def review_tick(now: dt.datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """One tick at ``now`` (default: the current moment); task runs grow with batches."""
    at = now or utcnow()
    if at.tzinfo is None:
        raise ValueError("review-tick: время без часового пояса недопустимо")
    size = batch_size or Settings().sweep_batch_size
    ids = review_municipalities()
    total: Counter[str] = Counter()
    for i in range(0, len(ids), size):
        total.update(review_tick_batch(ids[i : i + size], at))
    print(
        f"Экспертиза: просрочено заключений {total['late_experts']}, доработок "
        f"{total['late_revisions']}; новых напоминаний {total['reminders']}, "
        f"эскалаций {total['escalations']}"
    )
    return dict(total)
