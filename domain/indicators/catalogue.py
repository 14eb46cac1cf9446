"""Roadmap indicators: keys, Russian labels, stored values and plan vs actual.

Targets come from the stored ``IndicatorValue.target`` of the period, else from the
year's value, else from the roadmap parameters ``target_<key>`` (template defaults
plus overrides). Actuals come from stored values, else from what the database can
derive (programmes by направленность, organisations, coverage = enrolled/children).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from domain.errors import InputError
from domain.indicators.registry import (
    DEFS,
    FOCUS_RU,
    INDICATORS,
    PERIODS,
    IndicatorDef,
    Stored,
    check_key,
    check_period,
    check_value,
    resolve_key,
)
from domain.indicators.sources import (
    catalogue_counts,
    roadmap_targets,
    stored_values,
    year_counts,
)
from models import IndicatorValue
from models.types import utcnow

__all__ = [
    "FOCUS_RU",
    "INDICATORS",
    "PERIODS",
    "IndicatorDef",
    "PlanFact",
    "Stored",
    "as_json",
    "check_key",
    "check_period",
    "check_value",
    "combine",
    "plan_vs_actual",
    "resolve_key",
    "upsert",
]


def upsert(
    s: Session,
    *,
    municipality_id: int,
    year: int,
    period: str,
    key: str,
    target: float | None = None,
    actual: float | None = None,
    source: str = "manual",
) -> IndicatorValue:
    """Insert or update one value; ``None`` leaves the stored target/actual unchanged."""
    key = check_key(key)
    period = check_period(period)
    if period not in INDICATORS[key].periods:
        raise InputError(f"показатель «{key}» ведётся только за год (период Y), указано {period}")
    for value, what in ((target, "план"), (actual, "факт")):
        if value is not None and (problem := check_value(key, value, what=what)):
            raise InputError(f"показатель «{key}»: {problem}")
    row = s.exec(
        select(IndicatorValue).where(
            IndicatorValue.municipality_id == municipality_id,
            IndicatorValue.year == year,
            IndicatorValue.period == period,
            IndicatorValue.key == key,
        )
    ).first()
    if row is None:
        row = IndicatorValue(municipality_id=municipality_id, year=year, period=period, key=key)
    if target is not None:
        row.target = target
    if actual is not None:
        row.actual = actual
    row.source = source
    row.updated_at = utcnow()
    s.add(row)
    s.flush()
    return row


@dataclass(frozen=True)
class PlanFact:
    key: str
    label: str
    unit: str
    target: float | None
    actual: float | None
    source: str

    @property
    def deviation(self) -> float | None:
        if self.target is None or self.actual is None:
            return None
        return round(self.actual - self.target, 2)

    @property
    def percent_of_plan(self) -> float | None:
        if self.target is None or self.actual is None or self.target == 0:
            return None
        return round(100.0 * self.actual / self.target, 1)

    @property
    def status(self) -> str:
        if self.target is None or self.actual is None:
            return "нет данных"
        return "выполнено" if self.actual >= self.target else "не выполнено"


def combine(
    *,
    period: str,
    stored: dict[str, Stored],
    yearly: dict[str, Stored],
    plan: dict[str, float],
    derived: dict[str, float],
    keys: list[str] | None = None,
) -> list[PlanFact]:
    """Plan vs actual from already loaded values (pure; see ``plan_vs_actual``)."""
    out: list[PlanFact] = []
    for d in DEFS:
        if keys is not None and d.key not in keys:
            continue
        row = stored.get(d.key)
        target = row.target if row else None
        if target is None and (y := yearly.get(d.key)) is not None:
            target = y.target
        if target is None:
            target = plan.get(d.key)
        actual = row.actual if row else None
        source = row.source if row and row.actual is not None else ""
        if actual is None and d.key in derived and period == "Y":
            actual, source = derived[d.key], "расчёт по каталогу программ"
        out.append(PlanFact(d.key, d.label, d.unit, target, actual, source))
    _derive_coverage(out)
    _derive_share_certificates(out)
    return out


def _derive_share_certificates(rows: list[PlanFact]) -> None:
    """Share with a social certificate = certificates ПФ / children 5–18 when not given."""
    by_key = {r.key: i for i, r in enumerate(rows)}
    if not {"share_certificates", "children_5_18", "certificates_pf"} <= by_key.keys():
        return
    share = rows[by_key["share_certificates"]]
    children = rows[by_key["children_5_18"]].actual
    pf = rows[by_key["certificates_pf"]].actual
    if share.actual is None and children and pf is not None:
        value = round(100.0 * pf / children, 1)
        rows[by_key["share_certificates"]] = PlanFact(
            share.key,
            share.label,
            share.unit,
            share.target,
            value,
            "расчёт: сертификаты ПФ / численность",
        )


def _derive_coverage(rows: list[PlanFact]) -> None:
    """Coverage = enrolled / children 5–18 when no coverage value was given."""
    by_key = {r.key: i for i, r in enumerate(rows)}
    if not {"coverage_5_18", "children_5_18", "enrolled"} <= by_key.keys():
        return
    cov = rows[by_key["coverage_5_18"]]
    children = rows[by_key["children_5_18"]].actual
    enrolled = rows[by_key["enrolled"]].actual
    if cov.actual is None and children and enrolled is not None:
        value = round(100.0 * enrolled / children, 1)
        rows[by_key["coverage_5_18"]] = PlanFact(
            cov.key, cov.label, cov.unit, cov.target, value, "расчёт: охвачено / численность"
        )


def plan_vs_actual(
    s: Session,
    *,
    municipality_id: int,
    year: int,
    period: str = "Y",
    keys: list[str] | None = None,
    derive: bool = True,
) -> list[PlanFact]:
    """Plan vs actual of every indicator (or of ``keys``) for one period, in registry order."""
    period = check_period(period)
    ids = [municipality_id]
    values = stored_values(s, municipality_ids=ids, years=[year])
    return combine(
        period=period,
        stored=values.get((municipality_id, year, period), {}),
        yearly=values.get((municipality_id, year, "Y"), {}),
        plan=roadmap_targets(s, municipality_ids=ids, year=year).get(municipality_id, {}),
        derived=(
            catalogue_counts(s, municipality_ids=ids).get(municipality_id, {})
            | year_counts(s, municipality_ids=ids, year=year).get(municipality_id, {})
        )
        if derive
        else {},
        keys=keys,
    )


def as_json(rows: list[PlanFact]) -> list[dict[str, Any]]:
    return [
        {
            "key": r.key,
            "label": r.label,
            "unit": r.unit,
            "target": r.target,
            "actual": r.actual,
            "deviation": r.deviation,
            "percent_of_plan": r.percent_of_plan,
            "status": r.status,
            "source": r.source,
            "derivation": INDICATORS[r.key].derivation if r.key in INDICATORS else "",
            "periods": list(INDICATORS[r.key].periods) if r.key in INDICATORS else [],
        }
        for r in rows
    ]
