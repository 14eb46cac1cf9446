"""The annual МОЦ report laid out as sections, in the order of the seed reports."""

from __future__ import annotations

from domain.indicators.catalogue import PlanFact
from reports import russian
from reports.annual_data import AnnualData
from reports.charts import has_data
from reports.common import NO_DATA, num, signed
from reports.details import Details
from reports.document import Chart, ReportDoc, Section, Table
from reports.nok import COUNT_KEYS, COUNT_RU
from reports.records_sections import narrative_sections, register_sections
from reports.rows import EventRow, StepRow

# The columns of the МОЦ report form (seed report of 2020).
ACT_HEADERS = (
    "№ пп",
    "Наименование мероприятия",
    "Сроки",
    "Результат (количественный и качественный)",
    "Прим.",
)
INDICATOR_HEADERS = ("Показатель", "План", "Факт", "Отклонение", "% плана", "Статус")


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
        ACT_HEADERS,
        tuple(
            (
                f"6.{i}",
                r.title,
                r.date,
                "; ".join(
                    x
                    for x in (
                        r.result,
                        f"участников: {num(r.participants)}" if r.participants else "",
                    )
                    if x
                )
                or NO_DATA,
                "",
            )
            for i, r in enumerate(rows, start=1)
        ),
    )


def _acts_table(d: AnnualData) -> Table:
    """Acts grouped under the year of their date (an act of 2025 done for the 2026 plan
    is listed under «2025 год»)."""
    years = sorted({a.year or d.year for a in d.acts})
    rows: list[tuple[str, ...]] = []
    for y in years:
        if len(years) > 1:
            rows.append((f"Акты, принятые в {y} году",))
        rows += [
            (a.number, a.title, a.terms, a.result, "") for a in d.acts if (a.year or d.year) == y
        ]
    return Table(ACT_HEADERS, tuple(rows))


def header_lines(municipality: str, region: str, details: Details) -> list[tuple[str, str, str]]:
    """The header block of the МОЦ form: субъект, зона, муниципальное образование, МОЦ."""
    moc = details.moc + (f" ({details.moc_short})" if details.moc_short else "")
    return [
        ("Субъект Российской Федерации", " – ", region or NO_DATA),
        ("Территориальная зона", ": ", f"«{details.zone}»" if details.zone else NO_DATA),
        ("Муниципальное образование", " – ", municipality),
        ("Муниципальный опорный центр (МОЦ)", " – ", moc or NO_DATA),
    ]


def _steps_table(rows: list[StepRow]) -> Table:
    return Table(
        ("№ пп", "Наименование мероприятия", "Срок", "Ответственный", "Статус"),
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


def layout_annual(
    d: AnnualData, *, charts: bool = True, details: Details | None = None
) -> ReportDoc:
    cov = {r.key: r for r in d.coverage}
    sections: list[Section] = []
    sections.append(
        Section(
            "1. Нормативно-правовое обеспечение деятельности МОЦ",
            "Нормативные акты",
            [
                f"Нормативные акты, принятые в {d.year} году по мероприятиям дорожной карты."
                if d.acts
                else f"Нормативные акты за {d.year} год: {NO_DATA}."
            ],
            _acts_table(d),
        )
    )
    focus = Section(
        "2. Организации и программы по направленностям",
        "Программы",
        [
            f"В муниципальном образовании дополнительные общеобразовательные программы "
            f"реализуют {russian.count(d.organisations_total, 'организация')}; в АИС «Навигатор» "
            f"опубликовано {russian.count(d.programmes_total, 'программа')}.",
            *(_plan_fact(r.label, r.actual, r.target) for r in d.special),
        ],
        Table(
            ("Направленность", "Организаций", "Программ"),
            (
                *((r.label, num(r.organisations), num(r.programmes)) for r in d.focus_rows),
                ("Итого", num(d.organisations_total), num(d.programmes_total)),
            ),
        ),
        [ch for ch in [focus_chart(d)] if charts and has_data(ch) and d.programmes_total],
    )
    sections.append(focus)
    c = cov["coverage_5_18"]
    sections.append(
        Section(
            "3. Охват детей дополнительным образованием",
            "Охват",
            [
                (
                    f"Охват детей дополнительным образованием за {d.year} год составил "
                    f"{num(c.actual, '%')}"
                    + (f" (план по дорожной карте — {num(c.target, '%')})" if c.target else "")
                    + "."
                    if c.actual is not None
                    else f"Охват детей дополнительным образованием за {d.year} год: {NO_DATA}."
                ),
                f"Детей 5–18 лет: {num(cov['children_5_18'].actual)}; "
                f"охвачено дополнительным образованием: {num(cov['enrolled'].actual)}.",
            ],
            indicator_table(d.coverage),
            [ch for ch in [coverage_chart(d)] if charts and has_data(ch)],
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
                ("Показатель", *(r.title for r in d.campaigns)),
                (
                    ("Сроки", *(r.period for r in d.campaigns)),
                    *(
                        (COUNT_RU[k], *(num(r.counts.get(k, 0)) for r in d.campaigns))
                        for k in COUNT_KEYS
                    ),
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
        header=header_lines(d.municipality, d.region, details or Details()),
        sections=sections,
        footer=d.footer.lines(),
        subject=f"Годовой отчёт МОЦ: {d.municipality}, {d.year} год",
        author=(details or Details()).author,
        signer=(details or Details()).head,
        kind="annual",
    )


def _plan_fact(label: str, actual: float | None, target: float | None) -> str:
    """«Программ для детей с ОВЗ: 3 (план — 5).», without placeholders for what is missing."""
    text = f"{label}: {num(actual)}"
    return text + (f" (план — {num(target)})." if target is not None else ".")
