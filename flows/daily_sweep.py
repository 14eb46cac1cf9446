"""The daily sweep flow: one flow run, one task run per batch (jobs.sweep composes it)."""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from jobs.batching import run_moment
from jobs.sweep import run_sweep, summary_line, summary_markdown
from tasks.fanout import submitted
from tasks.sweep import sweep_batch


@flow(name="daily-sweep", log_prints=True)
def daily_sweep(as_of: dt.date | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Sweep every municipality; ``as_of`` = that local date in every municipality."""
    now = run_moment(as_of)
    counts = run_sweep(as_of, batch_size, now=now, each=submitted(sweep_batch))
    create_markdown_artifact(
        key="daily-sweep-summary",
        markdown=summary_markdown(counts, now=now, as_of=as_of),
        description="Итоги ежедневной проверки сроков",
    )
    print(summary_line(counts))
    return counts
