"""Quarterly report to РМЦ: indicators of the quarter with deviations from targets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from domain.errors import InputError
from domain.indicators import catalogue as indicators
from models import Municipality
from reports import common
from reports.annual_data import year_steps
from reports.annual_layout import header_lines, indicator_table
from reports.details import Details
from reports.document import ReportDoc, Section, Table
from reports.rows import StepRow, step_rows

QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass
class QuarterlyData:
    municipality: str
    region: str
    year: int
    quarter: int
    rows: list[indicators.PlanFact]
    overdue: list[StepRow]
    footer: common.Footer


def build_quarterly(
    s: Session, *, municipality: Municipality, year: int, quarter: int, now: dt.datetime
) -> QuarterlyData:
    if quarter not in QUARTER_END:
        raise InputError(f"--quarter: ожидается 1, 2, 3 или 4, получено {quarter}")
    m = municipality
    assert m.id is not None
    rows = indicators.plan_vs_actual(
        s, municipality_id=m.id, year=year, period=f"Q{quarter}", derive=False
    )
    month, day = QUARTER_END[quarter]
    end = dt.date(year, month, day)
    overdue = [
        st
        for st in year_steps(s, [m.id], [year]).get((m.id, year), [])
        if st.due_date <= end and st.status not in ("done", "waived") and st.due_at < now
    ]
    return QuarterlyData(
        m.name,
        m.region,
        year,
        quarter,
        rows,
        step_rows(overdue),
        common.footer(s, municipality=m, now=now),
    )


def layout_quarterly(d: QuarterlyData, *, details: Details | None = None) -> ReportDoc:
    with_data = [r for r in d.rows if r.actual is not None or r.target is not None]
    behind = [r for r in with_data if r.status == "не выполнено"]
    with_actual = [r for r in with_data if r.actual is not None]
    summary = (
        f"Показателей с фактическим значением: {len(with_actual)}; ниже плана: {len(behind)}; "
        f"без факта при наличии плана: {len(with_data) - len(with_actual)}."
        if with_actual
        else "Фактические значения показателей за квартал не введены."
    )
    sections = [
        Section(
            "1. Показатели дорожной карты: отклонения от плана",
            "Показатели",
            [summary],
            indicator_table(with_data) if with_data else None,
        ),
        Section(
            "2. Показатели ниже плана",
            "Отклонения",
            [],
            indicator_table(behind) if behind else None,
            empty_text=(
                "Все показатели с фактическими значениями выполнены."
                if with_actual
                else "Фактические значения не внесены: сравнить с планом нечего."
            ),
        ),
        Section(
            "3. Просроченные мероприятия на конец квартала",
            "Просрочено",
            [],
            Table(
                ("№ пп", "Наименование мероприятия", "Срок", "Ответственный", "Статус"),
                tuple(
                    (str(i), r.title, r.due, r.owner, r.status)
                    for i, r in enumerate(d.overdue, start=1)
                ),
            )
            if d.overdue
            else None,
            empty_text="Просроченных мероприятий нет.",
        ),
    ]
    return ReportDoc(
        title=f"Ежеквартальный отчёт в РМЦ: {d.quarter} квартал {d.year} года",
        header=header_lines(d.municipality, d.region, details or Details()),
        sections=sections,
        footer=d.footer.lines(),
        subject=f"Квартальный отчёт в РМЦ: {d.municipality}, {d.quarter} квартал {d.year} года",
        author=(details or Details()).author,
        signer=(details or Details()).head,
        kind="quarterly",
    )
