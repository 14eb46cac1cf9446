"""Re-planning: move one deadline and carry the knock-on to steps due "N working
days after" it (transitively), keeping their working-day offsets.

``plan_shift`` only reads; ``apply_shift`` writes the plan and appends one audit
entry. Done/waived steps never move (they are history), and nothing past them moves.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlmodel import Session, select

from domain.audit import log as audit_log
from domain.calendar.workdays import add_working_days
from domain.errors import NotFoundError, TransitionError
from domain.roadmap.deadlines import deadline_for, end_of_day_utc
from domain.vocabulary import AuditAction
from models.roadmap import CLOSED_STATUSES, Step


@dataclass(frozen=True)
class ShiftChange:
    step_id: int
    key: str
    period: str
    old_date: dt.date
    new_date: dt.date
    reason: str  # Russian, shown in the CLI table

    @property
    def label(self) -> str:
        return f"{self.key}@{self.period}" if self.period else self.key


@dataclass
class ShiftPlan:
    municipality_id: int
    requested: dt.date
    changes: list[ShiftChange] = field(default_factory=list)
    kept: list[ShiftChange] = field(default_factory=list)  # closed dependants, not moved

    def to_dict(self) -> dict[str, Any]:
        def row(c: ShiftChange) -> dict[str, Any]:
            return asdict(c) | {"label": c.label}

        return {
            "municipality_id": self.municipality_id,
            "requested": self.requested,
            "changes": [row(c) for c in self.changes],
            "kept": [row(c) for c in self.kept],
        }


def _first_occurrences(steps: list[Step]) -> dict[str, Step]:
    first: dict[str, Step] = {}
    for s in sorted(steps, key=lambda s: s.period):
        first.setdefault(s.key, s)
    return first


def _dependants(parent: Step, steps: list[Step], first: dict[str, Step]) -> list[tuple[Step, int]]:
    """Steps whose due rule is ``after: parent.key`` and that resolve to this occurrence."""
    out: list[tuple[Step, int]] = []
    for s in steps:
        rule = s.due_rule or {}
        if rule.get("after") != parent.key:
            continue
        same_series = s.recurrence == parent.recurrence
        if (same_series and s.period == parent.period) or (
            not same_series and first[parent.key].id == parent.id
        ):
            out.append((s, int(rule.get("working_days", 0))))
    return out


def plan_shift(session: Session, *, step: Step, to: dt.date) -> ShiftPlan:
    """What moving ``step`` to ``to`` would change (nothing is written)."""
    if step.status in CLOSED_STATUSES:
        raise TransitionError(
            f"шаг «{step.key}» уже закрыт ({step.status.value}): срок закрытого шага не сдвигается"
        )
    steps = list(session.exec(select(Step).where(Step.roadmap_id == step.roadmap_id)).all())
    first = _first_occurrences(steps)
    new_date, _ = deadline_for(to, step.timezone)
    reason = "перенос по запросу" if new_date == to else f"перенос на рабочий день (запрошено {to})"
    assert step.id is not None
    plan = ShiftPlan(municipality_id=step.municipality_id, requested=to)
    plan.changes.append(
        ShiftChange(step.id, step.key, step.period, step.due_date, new_date, reason)
    )
    queue: deque[tuple[Step, dt.date]] = deque([(step, new_date)])
    seen = {step.id}
    while queue:
        parent, parent_new = queue.popleft()
        for child, offset in _dependants(parent, steps, first):
            if child.id in seen or child.id is None:
                continue
            seen.add(child.id)
            child_new, _ = deadline_for(add_working_days(parent_new, offset), child.timezone)
            change = ShiftChange(
                child.id,
                child.key,
                child.period,
                child.due_date,
                child_new,
                f"{offset} раб. дн. после «{parent.key}»",
            )
            if child.status in CLOSED_STATUSES:
                plan.kept.append(change)
                continue
            plan.changes.append(change)
            queue.append((child, child_new))
    return plan


def apply_shift(
    session: Session, *, plan: ShiftPlan, actor: str, now: dt.datetime
) -> list[ShiftChange]:
    """Write the planned dates and append one audit entry; returns the real changes."""
    moved = [c for c in plan.changes if c.new_date != c.old_date]
    for change in moved:
        row = session.get(Step, change.step_id)
        if row is None:  # pragma: no cover - deleted concurrently
            raise NotFoundError(f"шаг id={change.step_id} не найден")
        row.due_date = change.new_date
        row.due_at = end_of_day_utc(change.new_date, row.timezone)
        session.add(row)
    session.flush()
    if moved:
        head = moved[0]
        audit_log.append(
            session,
            municipality_id=plan.municipality_id,
            actor=actor,
            action=AuditAction.deadline_shift,
            entity=f"step:{head.step_id}",
            payload={
                "step": head.label,
                "from": head.old_date.isoformat(),
                "to": head.new_date.isoformat(),
                "requested": plan.requested.isoformat(),
                "knock_on": [
                    {"step": c.label, "from": c.old_date.isoformat(), "to": c.new_date.isoformat()}
                    for c in moved[1:]
                ],
            },
            at=now,
        )
    return moved
