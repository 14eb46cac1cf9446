"""The annual МОЦ report laid out as sections, in the order of the seed reports."""

from __future__ import annotations

from domain.indicators.catalogue import PlanFact
from reports.annual_data import AnnualData
from reports.common import num, signed
from reports.document import Chart, ReportDoc, Section, Table
from reports.nok import COUNT_KEYS, COUNT_RU
from reports.records_sections import narrative_sections, register_sections
from reports.rows import EventRow, StepRow

ACT_HEADERS = ("№", "Мероприятие", "Сроки", "Результат")
INDICATOR_HEADERS = ("Показатель", "План", "Факт", "Отклонение", "Выполнение, %", "Статус")


def indicator_table(rows: list[PlanFact]) -> Table:
    return Table(
        INDICATOR_HEADERS,
        tuple(
            (
                f"{r.label}, {r.unit}",
                num(r.target),
                num(r.actual),
                signed(r.deviation, "п.п." if r.unit == "%" else ""),
                num(r.percent_of_plan),
                r.status,
            )
            for r in rows
        ),
    )


def _events_table(rows: list[EventRow]) -> Table:
    return Table(
        ("№", "Мероприятие", "Дата", "Участников", "Результат"),
        tuple(
            (str(i), r.title, r.date, num(r.participants), r.result or "—")
            for i, r in enumerate(rows, start=1)
        ),
    )


def _steps_table(rows: list[StepRow]) -> Table:
    return Table(
        ("№", "Мероприятие", "Срок", "Ответственный", "Статус"),
        tuple((str(i), r.title, r.due, r.owner, r.status) for i, r in enumerate(rows, start=1)),
    )


def coverage_chart(d: AnnualData) -> Chart:
    return Chart(
        name="coverage",
        title="Охват детей 5–18 лет дополнительным образованием, %",
        categories=tuple(str(y) for y, _, _ in d.coverage_history),
        series=(
            ("План", tuple(t for _, t, _ in d.coverage_history)),
            ("Факт", tuple(a for _, _, a in d.coverage_history)),
        ),
        unit="%",
    )


def focus_chart(d: AnnualData) -> Chart:
    return Chart(
        name="focus",
        title="Программы по направленностям",
        categories=tuple(r.label for r in d.focus_rows),
        series=(("Программ", tuple(float(r.programmes) for r in d.focus_rows)),),
        kind="barh",
    )


def layout_annual(d: AnnualData, *, charts: bool = True) -> ReportDoc:
    cov = {r.key: r for r in d.coverage}
    sections: list[Section] = []
    sections.append(
        Section(
            "1. Нормативно-правовое обеспечение деятельности МОЦ",
            "Нормативные акты",
            [f"Принятые в {d.year} году нормативные акты (по выполненным шагам дорожной карты)."],
            Table(ACT_HEADERS, tuple((a.number, a.title, a.terms, a.result) for a in d.acts)),
        )
    )
    focus = Section(
        "2. Организации и программы по направленностям",
        "Программы",
        [
            f"В муниципалитете {num(d.organisations_total)} организаций, реализующих ДООП; "
            f"в АИС «Навигатор» опубликовано {num(d.programmes_total)} программ.",
            *(f"{r.label}: {num(r.actual)} (план {num(r.target)})." for r in d.special),
        ],
        Table(
            ("Направленность", "Организаций", "Программ"),
            (
                *((r.label, num(r.organisations), num(r.programmes)) for r in d.focus_rows),
                ("Итого", num(d.organisations_total), num(d.programmes_total)),
            ),
        ),
        [focus_chart(d)] if charts else [],
    )
    sections.append(focus)
    c = cov["coverage_5_18"]
    sections.append(
        Section(
            "3. Охват детей дополнительным образованием",
            "Охват",
            [
                f"Охват детей дополнительным образованием за {d.year} год составил "
                f"{num(c.actual, '%')} (план по дорожной карте — {num(c.target, '%')}); "
                f"всего детей 5–18 лет — {num(cov['children_5_18'].actual)}, "
                f"охвачено — {num(cov['enrolled'].actual)}."
            ],
            indicator_table(d.coverage),
            [coverage_chart(d)] if charts else [],
        )
    )
    cert_paras = [f"{r.title} ({r.date}): {r.result}" for r in d.certificate_steps if r.result]
    sections.append(
        Section(
            "4. Сертификаты дополнительного образования",
            "Сертификаты",
            cert_paras,
            indicator_table(d.certificates),
        )
    )
    sections.append(
        Section(
            "5. Независимая оценка качества программ (НОК)",
            "НОК",
            [],
            Table(
                ("Кампания", "Сроки", *(COUNT_RU[k] for k in COUNT_KEYS)),
                tuple(
                    (r.title, r.period, *(num(r.counts.get(k, 0)) for k in COUNT_KEYS))
                    for r in d.campaigns
                ),
            )
            if d.campaigns
            else None,
            empty_text=f"Кампаний НОК в {d.year} году не было.",
        )
    )
    sections.append(
        Section(
            "6. Мероприятия",
            "Мероприятия",
            [],
            _events_table(d.events) if d.events else None,
            empty_text="Проведённых мероприятий с подтверждением нет.",
        )
    )
    sections.extend(register_sections(d))  # 6.1, 6.2: the events register (issue 15)
    sections.append(
        Section(
            "7. Показатели дорожной карты: план и факт",
            "Показатели",
            [],
            indicator_table(d.all_indicators),
        )
    )
    sections.append(
        Section(
            "8. Просроченные мероприятия",
            "Просрочено",
            [],
            _steps_table(d.overdue) if d.overdue else None,
            empty_text="Просроченных мероприятий нет.",
        )
    )
    plans_intro = (
        f"Мероприятия дорожной карты на {d.plans_year} год."
        if d.plans_from_next_year
        else f"Дорожная карта на {d.plans_year} год не загружена; "
        f"перенесены незавершённые мероприятия {d.year} года."
    )
    sections.append(
        Section(
            f"9. Перспективы работы на {d.plans_year} год",
            "Планы",
            [plans_intro],
            _steps_table(d.plans) if d.plans else None,
            empty_text="Запланированных мероприятий нет.",
        )
    )
    sections.extend(narrative_sections(d))  # 10.n: the МОЦ head's texts (issue 15)
    return ReportDoc(
        title=(
            "Отчёт о деятельности муниципального опорного центра дополнительного "
            f"образования детей за {d.period_label or f'{d.year} год'}"
        ),
        subtitle=[f"Муниципальное образование — {d.municipality}"]
        + ([f"Субъект РФ — {d.region}"] if d.region else []),
        sections=sections,
        footer=d.footer.lines(),
    )
