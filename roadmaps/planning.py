"""Due dates of every step occurrence of a template for one year and zone (pure).

Rules (see docs/roadmap-format.md):
- ``date``: the resolved date, shifted by ``working_days`` on the calendar if set,
  then moved to the next working day (Civil Code art. 193);
- ``after``: ``working_days`` working days after the due date of the referenced
  step (the same period when both recur alike, else its single occurrence);
- ``period_end``: ``working_days`` working days after the last day of each period.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from domain.calendar.workdays import add_working_days
from domain.errors import InputError, RoadmapError
from domain.roadmap.deadlines import deadline_for
from models.roadmap import Recurrence, StepKind
from roadmaps.checks import check_template
from roadmaps.dates import DateExprError, parse_date_expr, resolve_date
from roadmaps.schema import StepSpec, TemplateSpec

# deadline_for builds a pendulum zone per call (~1 ms); dates repeat across
# municipalities of one zone and year, so memoise the pure function.
_deadline = lru_cache(maxsize=8192)(deadline_for)


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class PlannedStep:
    key: str
    period: str
    title: str
    kind: StepKind
    owner_role: str
    description: str
    recurrence: Recurrence
    due_date: dt.date
    due_at: dt.datetime
    timezone: str
    reminder_policy: str
    due_rule: dict[str, Any] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)
    evidence_required: list[str] = field(default_factory=list)


def periods(recurrence: Recurrence, year: int, *, school: bool = False) -> list[Period]:
    """Occurrences of a recurrence within a roadmap year (or school year from September)."""
    if recurrence == Recurrence.once:
        return [Period("", None, None)]
    if school:
        return school_periods(recurrence, year)
    if recurrence == Recurrence.yearly:
        return [Period(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))]
    if recurrence == Recurrence.quarterly:
        out = []
        for q in range(4):
            last_month = 3 * q + 3
            end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
            out.append(Period(f"{year}-Q{q + 1}", dt.date(year, 3 * q + 1, 1), end))
        return out
    return [
        Period(
            f"{year}-{m:02d}",
            dt.date(year, m, 1),
            dt.date(year, m, calendar.monthrange(year, m)[1]),
        )
        for m in range(1, 13)
    ]


def school_periods(recurrence: Recurrence, year: int) -> list[Period]:
    """School year ``year/year+1``: September–August; quarters Sep–Nov, Dec–Feb, Mar–May, Jun–Aug."""
    months = [(year + (m < 9), m) for m in (*range(9, 13), *range(1, 9))]
    label = f"{year}/{year + 1}"

    def last(y: int, m: int) -> dt.date:
        return dt.date(y, m, calendar.monthrange(y, m)[1])

    if recurrence == Recurrence.yearly:
        return [Period(label, dt.date(year, 9, 1), dt.date(year + 1, 8, 31))]
    if recurrence == Recurrence.quarterly:
        return [
            Period(f"{label}-Q{q + 1}", dt.date(*months[3 * q], 1), last(*months[3 * q + 2]))
            for q in range(4)
        ]
    return [Period(f"{y}-{m:02d}", dt.date(y, m, 1), last(y, m)) for y, m in months]


def merge_params(spec: TemplateSpec, overrides: dict[str, str] | None) -> dict[str, str]:
    """Template parameters with load-time overrides; InputError on unknown/bad ones."""
    merged = dict(spec.parameters)
    for name, value in (overrides or {}).items():
        if name not in merged:
            known = ", ".join(sorted(merged)) or "у шаблона нет параметров"
            raise InputError(f"--param: неизвестный параметр «{name}» (известны: {known})")
        try:
            parse_date_expr(value, allow_params=False)
        except DateExprError as exc:
            raise InputError(f"--param {name}: {exc}") from None
        merged[name] = value
    return merged


def resolved_params(params: dict[str, str], *, year: int) -> dict[str, str]:
    """Parameter values as ISO dates for the year (stored on the roadmap)."""
    try:
        return {k: resolve_date(v, year=year, params={}).isoformat() for k, v in params.items()}
    except DateExprError as exc:
        raise InputError(f"параметры на {year} год: {exc}") from None


def _order(spec: TemplateSpec) -> list[StepSpec]:
    """Steps so that every ``due.after`` target comes before its dependant."""
    by_key = {s.key: s for s in spec.steps}
    done: set[str] = set()
    out: list[StepSpec] = []

    def visit(step: StepSpec) -> None:
        if step.key in done:
            return
        done.add(step.key)
        if step.due.after:
            visit(by_key[step.due.after])
        out.append(step)

    for s in spec.steps:
        visit(s)
    return out


def plan(
    spec: TemplateSpec, *, year: int, tz: str, params: dict[str, str] | None = None
) -> list[PlannedStep]:
    """Every occurrence of every step with its deadline, in template order.

    The cross-step rules are re-checked here, so a spec built in code (not read by
    the loader) cannot reach the calendar with a cycle or a dangling reference.
    """
    issues = check_template(spec)
    if issues:
        raise RoadmapError(
            f"шаблон «{spec.key}» содержит ошибки: {len(issues)}",
            details=[f"{'.'.join(map(str, i.path))}: {i.message}" for i in issues],
        )
    values = merge_params(spec, params)
    resolved_params(values, year=year)
    due: dict[tuple[str, str], dt.date] = {}
    recurrence_of = {s.key: s.recurrence for s in spec.steps}
    planned: dict[tuple[str, str], PlannedStep] = {}
    for step in _order(spec):
        for period in periods(step.recurrence, year, school=spec.year_kind == "school"):
            day = _due_date(
                step, period, year=year, params=values, due=due, recurrence_of=recurrence_of
            )
            day, due_at = _deadline(day, tz)
            due[(step.key, period.label)] = day
            planned[(step.key, period.label)] = PlannedStep(
                key=step.key,
                period=period.label,
                title=step.title,
                kind=step.kind,
                owner_role=str(step.owner),
                description=step.description,
                recurrence=step.recurrence,
                due_date=day,
                due_at=due_at,
                timezone=tz,
                reminder_policy=step.reminders,
                due_rule=_rule_json(step),
                depends_on=list(step.depends_on),
                evidence_required=list(step.evidence),
            )
    order = {s.key: i for i, s in enumerate(spec.steps)}
    return sorted(planned.values(), key=lambda p: (order[p.key], p.period))


def _rule_json(step: StepSpec) -> dict[str, Any]:
    """The due rule as stored on the step; period-end rules also carry
    ``after_period_end: N`` (the shape ``domain.roadmap.recurrence`` rolls forward)."""
    rule = step.due.model_dump(exclude_none=True)
    if step.due.period_end:
        rule["after_period_end"] = step.due.working_days
    if step.done_when is not None:
        rule["done_when"] = step.done_when.model_dump(mode="json")
    return rule


def _due_date(
    step: StepSpec,
    period: Period,
    *,
    year: int,
    params: dict[str, str],
    due: dict[tuple[str, str], dt.date],
    recurrence_of: dict[str, Recurrence],
) -> dt.date:
    rule = step.due
    n = rule.working_days
    if rule.date is not None:
        try:
            day = resolve_date(rule.date, year=year, params=params)
        except DateExprError as exc:
            raise InputError(f"шаг «{step.key}»: {exc}") from None
        return add_working_days(day, n) if n else day
    if rule.after is not None:
        target_rec = recurrence_of[rule.after]
        if target_rec == step.recurrence:
            label = period.label
        else:
            label = periods(target_rec, year)[0].label
        return add_working_days(due[(rule.after, label)], n)
    assert period.end is not None, f"period_end on a once step {step.key}"
    return add_working_days(period.end, n)
