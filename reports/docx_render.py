"""DOCX rendering of a ``ReportDoc``: real Word tables and PNG charts.

python-docx builds the package skeleton once per process (styles, theme, footer
part, Times New Roman 11 pt, A4 margins); each report then writes only its own
parts (document body, footer text, relationships, chart images) as
WordprocessingML into a copy of that skeleton. Saving even an *empty*
python-docx document costs ~45 ms (it recompresses ~800 KB of styles), which is
more than the whole per-report budget of the 2,500-report run; the result is the
same kind of file, and the tests read it back with python-docx.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from docx.shared import Cm, Pt

from reports.charts import render_png
from reports.document import ReportDoc, Table

DYNAMIC = (
    "[Content_Types].xml",
    "word/document.xml",
    "word/_rels/document.xml.rels",
    "word/footer1.xml",
)
# Optional Word 2010 copy of the styles (430 KB): a quarter of every file, not needed.
DROPPED = ("word/stylesWithEffects.xml",)
CONTENT_WIDTH = 9638  # twips: A4 (11906) minus 2 cm margins
EMU_PER_PX = 9525


@dataclass(frozen=True)
class Skeleton:
    static_zip: bytes  # every part except DYNAMIC, compressed once
    document_head: str  # <?xml ...?><w:document ...><w:body>
    sect_pr: str
    rels: str  # document.xml.rels without the closing tag
    content_types: str  # [Content_Types].xml without the closing tag
    footer_head: str  # footer1.xml up to its first paragraph


@lru_cache(maxsize=1)
def skeleton() -> Skeleton:
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(11)
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2)
    sec.top_margin = sec.bottom_margin = Cm(2)
    sec.footer.paragraphs[0].text = "FOOTER"
    d.add_paragraph("BODY")
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename not in DYNAMIC and info.filename not in DROPPED:
                z.writestr(info.filename, src.read(info.filename))
    document = src.read("word/document.xml").decode("utf-8")
    footer = src.read("word/footer1.xml").decode("utf-8")
    body_at = document.index("<w:body>") + len("<w:body>")
    sect = re.search(r"<w:sectPr.*</w:sectPr>", document, re.S)
    assert sect is not None
    return Skeleton(
        static_zip=out.getvalue(),
        document_head=document[:body_at],
        sect_pr=sect.group(0),
        rels=re.sub(
            r'<Relationship [^>]*Target="stylesWithEffects.xml"/>',
            "",
            src.read("word/_rels/document.xml.rels").decode("utf-8"),
        ).replace("</Relationships>", ""),
        content_types=re.sub(
            r'<Override PartName="/word/stylesWithEffects.xml"[^>]*/>',
            "",
            src.read("[Content_Types].xml").decode("utf-8"),
        ).replace("</Types>", ""),
        footer_head=footer[: footer.index("<w:p>")],
    )


def _t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def _para(text: str, *, style: str = "", center: bool = False, bold: bool = False,
          size: int = 0) -> str:  # fmt: skip
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + (
        '<w:jc w:val="center"/>' if center else ""
    )
    rpr = ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    run = f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{_t(text)}</w:r>" if text else ""
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{run}</w:p>"


def _widths(t: Table) -> list[int]:
    longest = [max([len(h), *(len(r[i]) for r in t.rows)]) for i, h in enumerate(t.headers)]
    weights = [min(max(n, 4), 60) for n in longest]
    total = sum(weights)
    return [CONTENT_WIDTH * w // total for w in weights]


def _table(t: Table) -> str:
    widths = _widths(t)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    parts = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="dxa" '
        f'w:w="{sum(widths)}"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" '
        'w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    ]
    for n, row in enumerate((t.headers, *t.rows)):
        parts.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if n == 0 else "<w:tr>")
        for w, value in zip(widths, row, strict=True):
            parts.append(
                f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr>'
                f"{_para(value, bold=n == 0, size=20)}</w:tc>"
            )
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _picture(n: int, rid: str, png: bytes, title: str, width_cm: float = 15.0) -> str:
    w_px, h_px = _png_size(png)
    cx = int(width_cm * 360000)
    cy = cx * h_px // w_px
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    pic = "http://schemas.openxmlformats.org/drawingml/2006/picture"
    return (
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing>'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:docPr id="{n}" name="Диаграмма {n}" descr="{escape(title)}"/>'
        f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{a}" noChangeAspect="1"/>'
        f'</wp:cNvGraphicFramePr><a:graphic xmlns:a="{a}"><a:graphicData uri="{pic}">'
        f'<pic:pic xmlns:pic="{pic}"><pic:nvPicPr><pic:cNvPr id="{n}" name="chart{n}.png"/>'
        f'<pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/><a:stretch>'
        '<a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    )


def render_docx(report: ReportDoc) -> bytes:
    """The report as DOCX bytes."""
    sk = skeleton()
    body: list[str] = [_para(report.title, style="Title", center=True)]
    body += [_para(line, center=True) for line in report.subtitle]
    media: list[tuple[str, bytes]] = []
    for s in report.sections:
        body.append(_para(s.title, style="Heading1"))
        body += [_para(p) for p in s.paragraphs]
        has_rows = s.table is not None and bool(s.table.rows)
        body.append(_table(s.table) if s.table is not None and has_rows else _para(s.empty_text))
        for chart in s.charts:
            png = render_png(chart)
            n = len(media) + 1
            media.append((f"media/chart{n}.png", png))
            body.append(_picture(n, f"rIdChart{n}", png, chart.title))
            body.append(_para(chart.title, center=True, size=18))
    body += [_para(line, size=16) for line in report.footer]
    document = sk.document_head + "".join(body) + sk.sect_pr + "</w:body></w:document>"
    rels = sk.rels + "".join(
        f'<Relationship Id="rIdChart{i}" Type="http://schemas.openxmlformats.org/'
        f'officeDocument/2006/relationships/image" Target="{name}"/>'
        for i, (name, _) in enumerate(media, start=1)
    )
    footer = sk.footer_head + "".join(
        f'<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:rPr><w:sz w:val="14"/></w:rPr>'
        f"{_t(line)}</w:r></w:p>"
        for line in report.footer
    )
    out = io.BytesIO(sk.static_zip)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            sk.content_types + '<Default Extension="png" ContentType="image/png"/></Types>',
        )
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", rels + "</Relationships>")
        z.writestr("word/footer1.xml", footer + "</w:ftr>")
        for name, png in media:
            z.writestr(f"word/{name}", png, compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def write_docx(report: ReportDoc, out: Path) -> Path:
    out.write_bytes(render_docx(report))
    return out
