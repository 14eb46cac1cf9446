"""DOCX rendering of a ``ReportDoc`` with python-docx: real Word tables, PNG charts."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell

from reports.charts import render_png
from reports.document import ReportDoc, Table

TABLE_STYLE = "Table Grid"


def _table(doc: DocxDocument, t: Table) -> None:
    table = doc.add_table(rows=1 + len(t.rows), cols=len(t.headers))
    table.style = TABLE_STYLE
    # Cells are reached through each row's <w:tc> list: python-docx's row.cells
    # rescans the whole table per row, which is quadratic on long tables.
    for i, (tr, values) in enumerate(zip(table._tbl.tr_lst, (t.headers, *t.rows), strict=True)):
        for tc, value in zip(tr.tc_lst, values, strict=True):
            cell = _Cell(tc, table)
            cell.text = value
            if i == 0:
                run = cell.paragraphs[0].runs[0] if cell.paragraphs[0].runs else None
                if run is not None:
                    run.bold = True


def render_docx(report: ReportDoc) -> bytes:
    """The report as DOCX bytes."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    heading = doc.add_heading(report.title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in report.subtitle:
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for s in report.sections:
        doc.add_heading(s.title, level=1)
        for p in s.paragraphs:
            doc.add_paragraph(p)
        if s.table is not None and s.table.rows:
            _table(doc, s.table)
        elif s.table is None or not s.table.rows:
            doc.add_paragraph(s.empty_text)
        for chart in s.charts:
            doc.add_picture(io.BytesIO(render_png(chart)), width=Cm(15))
            doc.add_paragraph(chart.title).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in report.footer:
        doc.add_paragraph().add_run(line).font.size = Pt(8)
    footer = section.footer
    para = footer.paragraphs[0]
    para.text = "\n".join(report.footer)
    for run in para.runs:
        run.font.size = Pt(8)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_docx(report: ReportDoc, out: Path) -> Path:
    out.write_bytes(render_docx(report))
    return out
