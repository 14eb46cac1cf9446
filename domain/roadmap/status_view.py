"""Statuses of a municipality's steps at a moment, computed in its zone.

Used by ``roadmap status --as-of`` to show what the roadmap looks like at any date
without writing anything (the sweep stores the same statuses set-based). Works on
anything shaped like a step (:class:`StepFacts`): a ``models.Step`` or the plain
rows ``roadmap status`` reads without the ORM (issue 19).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from domain.roadmap.deadlines import CLOSED, status_at
from models.enums import StepStatus


class StepFacts(Protocol):
    """What a status needs of a step (read-only)."""

    @property
    def key(self) -> str: ...
    @property
    def period(self) -> str: ...
    @property
    def roadmap_id(self) -> int: ...
    @property
    def due_date(self) -> dt.date: ...
    @property
    def timezone(self) -> str: ...
    @property
    def status(self) -> StepStatus: ...
    @property
    def depends_on(self) -> list[str]: ...


S = TypeVar("S", bound=StepFacts)
S_co = TypeVar("S_co", bound=StepFacts, covariant=True)


@dataclass(frozen=True)
class StepState(Generic[S_co]):
    step: S_co
    status: StepStatus
    blocked_by: list[str] = field(default_factory=list)


def unfinished_dependencies(step: StepFacts, siblings: Sequence[StepFacts]) -> list[str]:
    """Keys of ``step``'s dependencies (same roadmap) that are not done or waived.

    A recurring dependency counts through its occurrence of the same period if there
    is one, otherwise through all its occurrences due on or before ``step``.
    """
    missing: list[str] = []
    for key in step.depends_on:
        occurrences = [s for s in siblings if s.key == key and s.roadmap_id == step.roadmap_id]
        same_period = [s for s in occurrences if s.period == step.period and s.period]
        relevant = same_period or [s for s in occurrences if s.due_date <= step.due_date]
        relevant = relevant or occurrences[:1]
        if any(s.status not in CLOSED for s in relevant):
            missing.append(key)
    return missing


def states_at(
    steps: Sequence[S], *, now: dt.datetime, window_working_days: int
) -> list[StepState[S]]:
    """Status of every step at ``now``; dependencies resolved within ``steps``."""
    out: list[StepState[S]] = []
    for step in steps:
        blockers = [] if step.status in CLOSED else unfinished_dependencies(step, steps)
        status = status_at(
            due_date=step.due_date,
            tz=step.timezone,
            now=now,
            current=step.status,
            unfinished_dependencies=blockers,
            window_working_days=window_working_days,
        )
        out.append(StepState(step=step, status=status, blocked_by=blockers))
    return out
