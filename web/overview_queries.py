"""Read models of the overview: step counts by status per municipality, through a Scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, case, func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models import Municipality, Step
from models.roadmap import CLOSED_STATUSES, StepStatus
from models.status_counts import current_counts, fold_backlog
from web.access import Scope

STATUS_ORDER = [s.value for s in StepStatus]
CLOSED_VALUES = [s.value for s in CLOSED_STATUSES]
OVERDUE = StepStatus.overdue.value


@dataclass
class MunicipalitySummary:
    id: int
    code: str
    name: str
    timezone: str
    counts: dict[str, int] = field(default_factory=dict)
    # Derived from counts by finish() (computed once: the overview renders hundreds).
    total: int = 0
    done: int = 0
    overdue: int = 0
    percent_done: float = 0.0
    cells: list[int] = field(default_factory=list)  # counts in STATUS_ORDER

    def finish(self) -> MunicipalitySummary:
        self.total = sum(self.counts.values())
        self.done = sum(self.counts.get(s, 0) for s in CLOSED_VALUES)
        self.overdue = self.counts.get(OVERDUE, 0)
        self.percent_done = round(100.0 * self.done / self.total, 1) if self.total else 0.0
        self.cells = [self.counts.get(s, 0) for s in STATUS_ORDER]
        return self

    def as_dict(self) -> dict[str, Any]:
        counts = {s: self.counts.get(s, 0) for s in STATUS_ORDER}
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "timezone": self.timezone,
            "counts": counts,
            "total": self.total,
            "done": self.done,
            "percent_done": self.percent_done,
        }


def overview(session: Session, scope: Scope) -> list[MunicipalitySummary]:
    """Municipalities in scope with step counts by status; most overdue first."""
    muns = session.execute(
        scope.municipalities(
            select(
                col(Municipality.id),
                col(Municipality.code),
                col(Municipality.name),
                col(Municipality.timezone),
            )
        )
    ).all()
    out = {int(r[0]): MunicipalitySummary(int(r[0]), r[1], r[2], r[3]) for r in muns}
    if not out:
        return []
    if scope.sees_whole_municipalities:  # maintained counters: one row per municipality
        ids = None if scope.municipality_ids is None else sorted(out)
        for mid, *cells in read_pivot(session, ids):
            if (m := out.get(int(mid))) is not None:
                m.counts = {s: int(n) for s, n in zip(STATUS_ORDER, cells, strict=True) if n}
        rows: Sequence[Row[Any]] = []
    else:  # contacts and experts see a subset of the steps: count those
        stmt = select(col(Step.municipality_id), col(Step.status), func.count())
        stmt = stmt.where(col(Step.municipality_id).in_(sorted(out)))
        stmt = scope.steps(stmt.group_by(col(Step.municipality_id), col(Step.status)))
        rows = session.execute(stmt).all()
    for mid, status, n in rows:
        if int(mid) in out:
            out[int(mid)].counts[StepStatus(status).value] = int(n)
    done = [m.finish() for m in out.values()]
    return sorted(done, key=lambda m: (-m.overdue, -(m.total - m.done), m.name))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def read_counts(session: Session, municipality_ids: Any) -> Sequence[Row[Any]]:
    """(municipality, status, n) from the maintained counters (``models.status_counts``)."""
    bind = session.get_bind()
    if isinstance(bind, Engine):
        fold_backlog(bind)
    return session.execute(current_counts(municipality_ids, dialect=_dialect(session))).all()


def read_pivot(session: Session, municipality_ids: Any) -> Sequence[Row[Any]]:
    """(municipality, n of each status in STATUS_ORDER) from the maintained counters."""
    bind = session.get_bind()
    if isinstance(bind, Engine):
        fold_backlog(bind)
    counts = current_counts(municipality_ids, dialect=_dialect(session)).subquery()
    n = counts.c[2]
    return session.execute(
        select(
            counts.c.municipality_id,
            *(func.sum(case((counts.c.status == s, n), else_=0)) for s in STATUS_ORDER),
        ).group_by(counts.c.municipality_id)
    ).all()


def counts_for(session: Session, scope: Scope, municipality_id: int) -> dict[str, int]:
    if scope.sees_whole_municipalities:
        return {StepStatus(s).value: int(n) for _m, s, n in read_counts(session, [municipality_id])}
    rows = session.execute(
        scope.steps(
            select(col(Step.status), func.count())
            .where(col(Step.municipality_id) == municipality_id)
            .group_by(col(Step.status))
        )
    ).all()
    return {StepStatus(s).value: int(n) for s, n in rows}
