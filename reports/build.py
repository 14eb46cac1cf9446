"""Entry points: build a report from the database and write it in one format.

``write_annual(session, municipality="krylovsky", year=2025, fmt="docx", out=path)``
is what the CLI, the flow and the demo call.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session

from domain import lookup
from domain.errors import InputError
from models import Municipality
from models.settings import get_settings
from models.types import utcnow
from reports import russian
from reports.annual_data import build_annual, build_annual_many
from reports.annual_layout import layout_annual
from reports.common import local_date
from reports.details import Details, details_for
from reports.document import ReportDoc
from reports.docx_render import render_docx, write_docx
from reports.md_render import write_html, write_markdown
from reports.quarterly import build_quarterly, layout_quarterly
from reports.xlsx_render import write_xlsx

FORMATS = ("docx", "xlsx", "pdf", "md", "html")


def _municipality(s: Session, municipality: str | Municipality) -> Municipality:
    if isinstance(municipality, Municipality):
        return municipality
    return lookup.municipality(s, municipality)


def write_report(report: ReportDoc, *, fmt: str, out: Path) -> list[Path]:
    """Write ``report`` to ``out`` as ``fmt``; returns the files written."""
    if fmt not in FORMATS:
        raise InputError(f"--format: ожидается один из {', '.join(FORMATS)}, получено «{fmt}»")
    template = get_settings().report_template
    if template is not None and not template.is_file():
        raise InputError(f"SOCZAKAZ_REPORT_TEMPLATE: файл шаблона «{template}» не найден")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        from reports.pdf import write_pdf

        return [write_pdf(render_docx(report, template=template), out)]
    if fmt == "docx":
        return [write_docx(report, out, template=template)]
    if fmt == "xlsx":
        return [write_xlsx(report, out)]
    if fmt == "html":
        return [write_html(report, out)]
    return write_markdown(report, out)


def annual_report(
    s: Session,
    *,
    municipality: str | Municipality,
    year: int,
    now: dt.datetime | None = None,
    charts: bool = True,
) -> ReportDoc:
    m = _municipality(s, municipality)
    now = now or utcnow()
    data = build_annual(s, municipality=m, year=year, now=now)
    report = layout_annual(data, charts=charts, details=_details(s, [m])[m.code])
    return _dated(report, m, now)


def annual_reports(
    s: Session, *, municipalities: list[Municipality], year: int, now: dt.datetime
) -> list[tuple[Municipality, ReportDoc]]:
    """Annual reports of a batch, loaded set-based (a fixed handful of queries)."""
    data = build_annual_many(s, municipalities=municipalities, year=year, now=now)
    details = _details(s, municipalities)
    return [
        (m, _dated(layout_annual(d, details=details[m.code]), m, now))
        for m, d in zip(municipalities, data, strict=True)
    ]


def _details(s: Session, municipalities: list[Municipality]) -> dict[str, Details]:
    return details_for(s, municipalities, get_settings().report_details)


def _dated(report: ReportDoc, m: Municipality, now: dt.datetime) -> ReportDoc:
    """The document date (local to the municipality) and its creation moment."""
    report.date = russian.long_date(local_date(now, m.timezone))
    report.created = now
    return report


def quarterly_report(
    s: Session,
    *,
    municipality: str | Municipality,
    year: int,
    quarter: int,
    now: dt.datetime | None = None,
) -> ReportDoc:
    m = _municipality(s, municipality)
    now = now or utcnow()
    report = layout_quarterly(
        build_quarterly(s, municipality=m, year=year, quarter=quarter, now=now),
        details=_details(s, [m])[m.code],
    )
    return _dated(report, m, now)


def write_annual(
    s: Session,
    *,
    municipality: str | Municipality,
    year: int,
    fmt: str,
    out: Path,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Build the annual МОЦ report of ``municipality`` for ``year`` and write it."""
    report = annual_report(s, municipality=municipality, year=year, now=now)
    return write_report(report, fmt=fmt, out=out)


def write_quarterly(
    s: Session,
    *,
    municipality: str | Municipality,
    year: int,
    quarter: int,
    fmt: str,
    out: Path,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Build the quarterly report to РМЦ and write it."""
    report = quarterly_report(s, municipality=municipality, year=year, quarter=quarter, now=now)
    return write_report(report, fmt=fmt, out=out)
