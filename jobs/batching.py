"""The unit of partitioning (batches of municipality ids) and the instant of a run."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlmodel import Session, col, select

from domain.calendar.time import moment
from models.core import Municipality
from models.db import get_engine

Counts = dict[str, int]
# How a job runs its batches: given the keyword arguments of each batch call, the
# counts of each. In process: one after another; under Prefect: one task run each.
Each = Callable[[list[dict[str, Any]]], list[Counts]]


def in_process(fn: Callable[..., Counts]) -> Each:
    """Run the batch calls one after another in this process (no Prefect)."""
    return lambda calls: [fn(**call) for call in calls]


def chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), max(1, size))]


def municipality_batches(database_url: str, batch_size: int) -> list[list[int]]:
    """Municipality ids in id order, cut into batches (the unit of partitioning)."""
    with Session(get_engine(database_url)) as s:
        ids = [i for i in s.exec(select(Municipality.id).order_by(col(Municipality.id))) if i]
    return chunks(ids, batch_size)


def run_moment(as_of: dt.date | None = None, now: dt.datetime | None = None) -> dt.datetime:
    """The instant a run works at: ``--as-of`` (12:00 Moscow), ``now`` or the clock."""
    return moment(as_of, now)


def total(results: Iterable[Counts], **extra: int) -> Counts:
    """Counts of all batches added up, plus ``extra`` (e.g. ``batches=3``)."""
    out: Counter[str] = Counter()
    for r in results:
        out.update(r)
    out.update(extra)
    return dict(out)
