"""XLSX rendering of a ``ReportDoc`` with openpyxl: a title sheet, one sheet per section.

Cells are typed: Russian numbers («10 923», «75,4», «−21,3 п.п.», «45 %») become
numbers and «15.08.2025» becomes a date, with number formats Excel shows in Russian;
the header row is frozen and filtered, columns are sized, charts are native Excel
charts drawn from the chart's data written beside the table.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.charts import has_data
from reports.document import Chart, ReportDoc, Section

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
NUMBER = re.compile(r"^([−+-]?)(\d{1,3}(?:[\u202f\u00a0 ]\d{3})*|\d+)(?:,(\d+))?$")
UNIT_FORMATS = {"п.п.": '+#,##0.0" п.п.";−#,##0.0" п.п.";0" п.п."', "%": "0.0%"}
DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
DATE_FORMAT = "DD.MM.YYYY"


def typed(text: str) -> tuple[object, str | None]:
    """A cell value and its number format from the text a report shows."""
    value = text.strip()
    if m := DATE.match(value):
        day, month, year = (int(g) for g in m.groups())
        return dt.date(year, month, day), DATE_FORMAT
    unit = next((u for u in UNIT_FORMATS if value.endswith(u)), None)
    core = value[: -len(unit)].rstrip(" \u00a0\u202f") if unit else value
    if not (m := NUMBER.match(core)):
        return text, None
    sign, whole, frac = m.groups()
    number = float(re.sub(r"\D", "", whole) + ("." + frac if frac else ""))
    if sign in ("−", "-"):
        number = -number
    if unit == "%":
        return number / 100, UNIT_FORMATS["%"]
    if unit:
        return number, UNIT_FORMATS[unit]
    if frac:
        return number, "#,##0.0##"
    return int(number), "#,##0"


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Лист"
    title, n = base, 2
    while title in used:
        suffix = f" {n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def _chart(sh: Worksheet, chart: Chart, row: int) -> int:
    """Write the chart's data at ``row`` and a native bar chart beside it; next free row."""
    sh.cell(row, 1, chart.title).font = BOLD
    sh.cell(row + 1, 1, "Категория").font = BOLD
    for j, (name, _) in enumerate(chart.series, start=2):
        sh.cell(row + 1, j, name).font = BOLD
    for i, cat in enumerate(chart.categories):
        sh.cell(row + 2 + i, 1, cat)
        for j, (_, values) in enumerate(chart.series, start=2):
            v = values[i]
            if v is not None:
                sh.cell(row + 2 + i, j, v).number_format = "#,##0.0##"
    last = row + 1 + len(chart.categories)
    bar = BarChart()
    bar.type = "bar" if chart.kind == "barh" else "col"
    bar.title = chart.title
    bar.height, bar.width = 7.5, 16
    data = Reference(sh, min_col=2, max_col=1 + len(chart.series), min_row=row + 1, max_row=last)
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(Reference(sh, min_col=1, min_row=row + 2, max_row=last))
    bar.y_axis.numFmt = "#,##0"
    sh.add_chart(bar, f"{get_column_letter(len(chart.series) + 3)}{row}")
    return max(last + 2, row + 17)


def _section(sh: Worksheet, s: Section) -> None:
    sh.append([s.title])
    sh["A1"].font = Font(bold=True, size=12)
    sh.append([" ".join(s.paragraphs)] if s.paragraphs else [])
    t = s.table
    if t is None or not t.rows:
        sh.append([s.empty_text])
    else:
        n = len(t.headers)
        sh.append(list(t.headers))
        for cell in sh[3]:
            cell.font, cell.alignment = BOLD, WRAP
        for r, row in enumerate(t.rows, start=4):
            if len(row) == 1 and n > 1:
                sh.cell(r, 1, row[0]).font = BOLD
                sh.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
                continue
            for c, text in enumerate(row, start=1):
                value, fmt = typed(text)
                cell = sh.cell(r, c, value)
                cell.alignment = WRAP
                if fmt:
                    cell.number_format = fmt
        for i, header in enumerate(t.headers, start=1):
            longest = max(len(header), *(len(r[i - 1]) for r in t.rows if len(r) == n))
            sh.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        sh.freeze_panes = "A4"
        sh.auto_filter.ref = f"A3:{get_column_letter(n)}{3 + len(t.rows)}"
    at = sh.max_row + 2
    for chart in s.charts:
        if has_data(chart):
            at = _chart(sh, chart, at)


def render_xlsx(report: ReportDoc) -> bytes:
    """The report as XLSX bytes; each section's table starts at row 3 of its sheet."""
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    assert ws is not None
    ws.title = _sheet_title("Отчёт", used)
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=13)
    for line in report.subtitle:
        ws.append([line])
    ws.append([])
    ws.append(["Разделы"])
    for s in report.sections:
        ws.append([s.title])
    ws.append([])
    for line in report.footer:
        ws.append([line])
    ws.column_dimensions["A"].width = 110
    for s in report.sections:
        _section(wb.create_sheet(_sheet_title(s.sheet, used)), s)
    wb.properties.title, wb.properties.subject = report.title, report.subject
    wb.properties.creator = report.author
    created = report.created.astimezone(dt.UTC).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = created
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(report: ReportDoc, out: Path) -> Path:
    out.write_bytes(render_xlsx(report))
    return out
