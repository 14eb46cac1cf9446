"""DOCX rendering of a ``ReportDoc``: a .docx template filled with docxtpl.

The template (reports/templates/report.docx, or the region's own file set by
``SOCZAKAZ_REPORT_TEMPLATE``) is prepared by docxtpl once per process: every XML part
holding Jinja tags goes through ``DocxTemplate.patch_xml`` and is compiled by Jinja2;
the other parts are compressed once. Each report then renders those compiled parts
with its context and appends them, its charts and its document properties to a copy
of the compressed package (a full ``DocxTemplate.render`` + ``save`` reparses and
recompresses ~350 KB of styles per file, more than the budget of a 2,500-report run).
Section bodies (paragraphs, tables, charts) come from ``reports.docx_xml``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from docxtpl import DocxTemplate
from markupsafe import Markup

from reports import docx_xml
from reports.charts import has_data, render_png
from reports.document import ReportDoc, Section
from reports.docx_template import DEFAULT_TEMPLATE

IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
CORE = "docProps/core.xml"
RELS = "word/_rels/document.xml.rels"
TYPES = "[Content_Types].xml"


@dataclass(frozen=True)
class Compiled:
    static_zip: bytes  # every part the renderer does not write, compressed once
    parts: dict[str, jinja2.Template]  # XML parts with Jinja tags, patched by docxtpl
    rels: str  # document.xml.rels without its closing tag
    content_types: str


@lru_cache(maxsize=8)
def compiled(path: Path = DEFAULT_TEMPLATE) -> Compiled:
    """The template at ``path`` prepared for rendering (cached per path)."""
    tpl = DocxTemplate(str(path))
    env = jinja2.Environment(autoescape=True)
    src = zipfile.ZipFile(path)
    parts: dict[str, jinja2.Template] = {}
    for name in src.namelist():
        if not name.endswith(".xml") or name == CORE:
            continue
        xml = src.read(name).decode("utf-8")
        if "{{" in xml or "{%" in xml:
            patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
            parts[name] = env.from_string(patched)
    written = {CORE, RELS, TYPES, *parts}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename not in written:
                z.writestr(info, src.read(info.filename))
    return Compiled(
        out.getvalue(),
        parts,
        src.read(RELS).decode("utf-8").replace("</Relationships>", ""),
        src.read(TYPES).decode("utf-8").replace("</Types>", ""),
    )


def _section_body(s: Section, media: list[tuple[str, bytes]]) -> str:
    body = [docx_xml.para(p) for p in s.paragraphs]
    if s.table is not None and s.table.rows:
        body.append(docx_xml.table(s.table))
    elif not s.paragraphs or s.table is not None:
        body.append(docx_xml.para(s.empty_text))
    for chart in s.charts:
        if not has_data(chart):
            continue
        png = render_png(chart)
        n = len(media) + 1
        media.append((f"media/chart{n}.png", png))
        body.append(docx_xml.picture(n, f"rIdChart{n}", png, chart.title))
        body.append(docx_xml.para(f"Рисунок {n}. {chart.title}", style="TableText", center=True))
    return "".join(body)


def context(report: ReportDoc) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The template variables (see docs/reports.md) and the chart images they link."""
    media: list[tuple[str, bytes]] = []
    sections = [
        {"title": s.title, "body": Markup(_section_body(s, media)), "section": s}
        for s in report.sections
    ]
    ctx: dict[str, Any] = {
        "title": report.title,
        "subject": report.subject,
        "header": [{"label": lb, "sep": sep, "value": v} for lb, sep, v in report.header],
        "sections": sections,
        "signer_title": report.signer_title,
        "signer": report.signer or "______________",
        "date": report.date,
        "generated": " ".join(report.footer),
        "author": report.author,
    }
    return ctx, media


def _core(report: ReportDoc, now: dt.datetime) -> str:
    stamp = now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
        'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(report.title)}</dc:title>"
        f"<dc:subject>{escape(report.subject)}</dc:subject>"
        f"<dc:creator>{escape(report.author)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(report.author)}</cp:lastModifiedBy>"
        "<cp:revision>1</cp:revision><dc:language>ru-RU</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def render_docx(report: ReportDoc, *, template: Path | None = None) -> bytes:
    """The report as DOCX bytes, filled into ``template`` (default: the built-in one)."""
    c = compiled(template or DEFAULT_TEMPLATE)
    ctx, media = context(report)
    out = io.BytesIO(c.static_zip)
    out.seek(0, io.SEEK_END)
    rels = c.rels + "".join(
        f'<Relationship Id="rIdChart{i}" Type="{IMAGE_REL}" Target="{name}"/>'
        for i, (name, _) in enumerate(media, start=1)
    )
    types = c.content_types
    if 'Extension="png"' not in types:
        types += '<Default Extension="png" ContentType="image/png"/>'
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(TYPES, types + "</Types>")
        z.writestr(RELS, rels + "</Relationships>")
        z.writestr(CORE, _core(report, report.created))
        for name, part in c.parts.items():
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", part.render(ctx))
            z.writestr(name, xml)
        for name, png in media:
            z.writestr(f"word/{name}", png, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def write_docx(report: ReportDoc, out: Path, *, template: Path | None = None) -> Path:
    out.write_bytes(render_docx(report, template=template))
    return out
