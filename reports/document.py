"""A format-neutral report: titled sections of paragraphs, one table and charts.

Report builders (annual, quarterly) lay their data out as a ``ReportDoc``; every
renderer (DOCX, XLSX, Markdown, HTML) draws any ``ReportDoc`` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Chart:
    """A small bar/line chart; ``series`` maps a legend label to values per category."""

    name: str  # file stem, e.g. "coverage"
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    kind: str = "bar"  # "bar" or "barh"
    unit: str = ""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths_cm: tuple[float, ...] = ()


@dataclass
class Section:
    title: str
    sheet: str  # short XLSX sheet name (<= 31 chars)
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    charts: list[Chart] = field(default_factory=list)
    empty_text: str = "Нет данных за отчётный период."


@dataclass
class ReportDoc:
    title: str
    subtitle: list[str]
    sections: list[Section]
    footer: list[str]
