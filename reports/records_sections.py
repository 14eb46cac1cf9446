"""Sections of the annual report built from what a МОЦ records (issue 15).

Plain ``Section``/``Table`` objects, so every renderer (DOCX, XLSX, Markdown,
HTML, PDF) draws them like any other section.
"""

from __future__ import annotations

from reports.annual_data import AnnualData
from reports.common import NO_DATA, num
from reports.document import Section, Table


def register_sections(d: AnnualData) -> list[Section]:
    """6.1 the events register, 6.2 events and participants by audience."""
    if not d.event_register:
        return [
            Section(
                "6.1. Реестр мероприятий",
                "Реестр мероприятий",
                [],
                None,
                empty_text=f"Мероприятий за {d.year} год в реестре нет.",
            )
        ]
    total = d.event_audiences[-1] if d.event_audiences else None
    intro = f"Проведено мероприятий: {len(d.event_register)} ({d.event_kinds})"
    if total is not None and total.participants is not None:
        intro += f"; участников — {num(total.participants)}"
    register = Section(
        "6.1. Реестр мероприятий",
        "Реестр мероприятий",
        [intro + "."],
        Table(
            ("№", "Дата", "Вид", "Мероприятие", "Аудитория", "Участников", "Результат"),
            tuple(
                (
                    str(i),
                    r.date,
                    r.kind,
                    r.title,
                    r.audience or NO_DATA,
                    num(r.participants),
                    r.result or NO_DATA,
                )
                for i, r in enumerate(d.event_register, start=1)
            ),
        ),
    )
    audiences = Section(
        "6.2. Мероприятия и участники по категориям",
        "По категориям",
        [],
        Table(
            ("Категория участников", "Мероприятий", "Участников"),
            tuple((a.label, num(a.events), num(a.participants)) for a in d.event_audiences),
        ),
    )
    return [register, audiences]


def narrative_sections(d: AnnualData) -> list[Section]:
    """10. Итоги и перспективы: the МОЦ head's own texts, one subsection per part."""
    from domain.records.narrative import PARTS, paragraphs

    parts = [(k, title) for k, title in PARTS.items() if d.narrative.get(k)]
    if not parts:
        return []
    return [
        Section(
            f"10.{i}. {title}",
            f"Текст: {title}"[:31],
            paragraphs(d.narrative[key]),
            None,
            empty_text="",
        )
        for i, (key, title) in enumerate(parts, start=1)
    ]
