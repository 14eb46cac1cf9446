"""XLSX rendering of a ``ReportDoc`` with openpyxl: a title sheet, one sheet per section."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.charts import render_png
from reports.document import ReportDoc

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Лист"
    title, n = base, 2
    while title in used:
        suffix = f" {n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


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
        sh = wb.create_sheet(_sheet_title(s.sheet, used))
        sh.append([s.title])
        sh["A1"].font = Font(bold=True, size=12)
        sh.append([" ".join(s.paragraphs)] if s.paragraphs else [])
        if s.table is not None and s.table.rows:
            sh.append(list(s.table.headers))
            for cell in sh[3]:
                cell.font = BOLD
                cell.alignment = WRAP
            for row in s.table.rows:
                sh.append(list(row))
            for i, header in enumerate(s.table.headers, start=1):
                longest = max(len(header), *(len(r[i - 1]) for r in s.table.rows))
                sh.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
            for row_cells in sh.iter_rows(min_row=4):
                for cell in row_cells:
                    cell.alignment = WRAP
        else:
            sh.append([s.empty_text])
        anchor_row = sh.max_row + 2
        for chart in s.charts:
            img = XLImage(io.BytesIO(render_png(chart)))
            sh.add_image(img, f"A{anchor_row}")
            anchor_row += 17
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(report: ReportDoc, out: Path) -> Path:
    out.write_bytes(render_xlsx(report))
    return out
