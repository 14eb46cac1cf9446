"""WordprocessingML fragments of a section body: paragraphs, tables sized to the text
width, chart pictures. The page, styles, title, header block and requisites live in the
.docx template (reports/templates/report.docx); this module writes only what repeats.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import ImageFont

from reports.document import Table

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")

# A4 210 mm minus margins 30 mm (left) and 20 mm (right), in twips (1 mm = 56.69 twips).
TEXT_WIDTH = 9071
CELL_MARGINS = 2 * 108 + 30  # left + right cell margins (0.19 cm each) and a reserve
# Average advance of a Times New Roman 12 pt character, twips (bold is wider); measured
# on Cyrillic text (Liberation Serif, metric-compatible), rounded up.
CHAR_TWIPS = 132
BOLD_CHAR_TWIPS = 150


def t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def para(
    text: str, *, style: str = "", center: bool = False, bold: bool = False, keep_next: bool = False
) -> str:
    ppr = (
        (f'<w:pStyle w:val="{style}"/>' if style else "")
        + ("<w:keepNext/>" if keep_next else "")
        + ('<w:jc w:val="center"/>' if center else "")
    )
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    run = f"<w:r>{rpr}{t(text)}</w:r>" if text else ""
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{run}</w:p>"


@lru_cache(maxsize=1)
def _fonts() -> tuple[ImageFont.FreeTypeFont, ImageFont.FreeTypeFont] | None:
    """Liberation Serif (metric-compatible with Times New Roman) at 12 pt, in twips."""
    try:
        return (
            ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Regular.ttf"), 240),
            ImageFont.truetype(str(FONT_DIR / "LiberationSerif-Bold.ttf"), 240),
        )
    except OSError:
        return None


@lru_cache(maxsize=65536)
def word_twips(word: str, bold: bool) -> int:
    """Width of ``word`` in Times New Roman 12 pt (measured, or estimated without fonts)."""
    fonts = _fonts()
    if fonts is None:
        return len(word) * (BOLD_CHAR_TWIPS if bold else CHAR_TWIPS)
    return int(fonts[1 if bold else 0].getlength(word) * 1.05) + 20


def _longest_word(text: str, bold: bool = False) -> int:
    # Only ordinary spaces break a line: «5 678» and «№ 233» (no-break spaces) are one word.
    return max((word_twips(w, bold) for w in re.split(r"[ \t\n]+", text) if w), default=0)


def widths(table: Table) -> list[int]:
    """Column widths (twips) that add up to the text width: no column is narrower than
    its longest word (so «август» and «15.08.2025» never break), the rest of the width is
    shared by how much text each column holds."""
    n = len(table.headers)
    body = [r for r in table.rows if len(r) == n]
    least = [
        max(
            _longest_word(h, bold=True),
            max((_longest_word(r[i]) for r in body), default=0),
        )
        + CELL_MARGINS
        for i, h in enumerate(table.headers)
    ]
    if table.widths_cm:
        wanted = [int(cm * 567) for cm in table.widths_cm]
        return [max(w, m) for w, m in zip(wanted, least, strict=True)]
    total = sum(least)
    if total >= TEXT_WIDTH:  # words longer than the page allows: shrink evenly
        shrunk = [w * TEXT_WIDTH // total for w in least]
        shrunk[-1] += TEXT_WIDTH - sum(shrunk)
        return shrunk
    text = [
        max(len(h), sum(len(r[i]) for r in body) / max(1, len(body)))
        for i, h in enumerate(table.headers)
    ]
    # Columns whose text is no longer than their longest word need no more room.
    need = [max(0.0, x * CHAR_TWIPS + CELL_MARGINS - m) for x, m in zip(text, least, strict=True)]
    spare = TEXT_WIDTH - total
    if sum(need) <= spare:
        out = [m + int(x) for m, x in zip(least, need, strict=True)]
        rest = TEXT_WIDTH - sum(out)
        grow = [x + 1.0 for x in text]
        out = [w + int(rest * g / sum(grow)) for w, g in zip(out, grow, strict=True)]
    else:
        out = [m + int(spare * x / sum(need)) for m, x in zip(least, need, strict=True)]
    out[-1] += TEXT_WIDTH - sum(out)
    return out


def _cell(width: int, text: str, *, header: bool, span: int = 1) -> str:
    span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span_xml}</w:tcPr>'
        f"{para(text, style='TableText', bold=header or span > 1, center=header)}</w:tc>"
    )


def table(tbl: Table) -> str:
    """A bordered table as wide as the text, its header row repeated on every page;
    a row with a single cell is a group heading across all columns."""
    cols = widths(tbl)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in cols)
    parts = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:type="dxa" w:w="{TEXT_WIDTH}"/><w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
        "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
        + "".join(_cell(w, h, header=True) for w, h in zip(cols, tbl.headers, strict=True))
        + "</w:tr>"
    ]
    for row in tbl.rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        if len(row) == 1 and len(cols) > 1:
            parts.append(_cell(TEXT_WIDTH, row[0], header=False, span=len(cols)))
        else:
            parts += [_cell(w, v, header=False) for w, v in zip(cols, row, strict=True)]
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def picture(n: int, rid: str, png: bytes, title: str, width_cm: float = 15.0) -> str:
    w_px, h_px = png_size(png)
    cx = int(width_cm * 360000)
    cy = cx * h_px // w_px
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    pic = "http://schemas.openxmlformats.org/drawingml/2006/picture"
    return (
        '<w:p><w:pPr><w:keepNext/><w:jc w:val="center"/></w:pPr><w:r><w:drawing>'
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
