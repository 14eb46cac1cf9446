"""A format-neutral report: titled sections of paragraphs, one table and charts.

Report builders (annual, quarterly) lay their data out as a ``ReportDoc``; every
renderer (DOCX, XLSX, Markdown, HTML) draws any ``ReportDoc`` the same way.
"""

from __future__ import annotations

import datetime as dt
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
    """Cells are display text (Russian numbers and dates, which the XLSX renderer turns
    back into typed cells). A row with a single cell is a group heading across the table."""

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
    empty_text: str = "Данные не внесены."


@dataclass
class ReportDoc:
    title: str
    # Header block lines as (label, separator, value): ("Территориальная зона", ": ", "…").
    header: list[tuple[str, str, str]]
    sections: list[Section]
    footer: list[str]  # the small print at the end: generation time, audit-log head
    subject: str = ""  # document property «Тема»
    author: str = ""  # document property «Автор»: the МОЦ
    signer_title: str = "Руководитель МОЦ"
    signer: str = ""  # «Фамилия И. О.» of the head, blank line when unknown
    date: str = ""  # date of the document as printed in the requisites
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    kind: str = "report"  # "annual" | "quarterly": names the XLSX chart sheet etc.

    @property
    def subtitle(self) -> list[str]:
        """The header block as plain lines (Markdown, HTML, XLSX)."""
        return [f"{label}{sep}{value}" for label, sep, value in self.header]
