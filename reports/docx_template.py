"""The default Word template of reports (reports/templates/report.docx), built from code.

Run ``python -m reports.docx_template`` after changing this file; the .docx in the
repository is what reports are filled from (a region may give its own file instead,
see docs/reports.md for its variables). Styles follow ГОСТ Р 7.0.97-2016: Times New Roman
14 pt (12 pt in tables), margins 20 mm and 30 mm on the left, page numbers centred at the
top from the second page, the requisites block with the signature line and «М.П.».
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm, Mm, Pt, RGBColor

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "report.docx"
FONT = "Times New Roman"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _font(style: object, size: int, *, bold: bool = False) -> None:
    f = style.font  # type: ignore[attr-defined]
    f.name, f.size, f.bold = FONT, Pt(size), bold
    f.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts")
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{attr}", FONT)
    for theme in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        fonts.attrib.pop(
            f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{theme}", None
        )


def _styles(d: docx.document.Document) -> None:
    normal = d.styles["Normal"]
    _font(normal, 14)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
    pf.first_line_indent = Cm(1.25)
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size, center in (("Title", 14, True), ("Heading 1", 14, False)):
        st = d.styles[name]
        _font(st, size, bold=True)
        spf = st.paragraph_format
        spf.space_before, spf.space_after = Pt(12 if not center else 0), Pt(6)
        spf.first_line_indent = Cm(0) if center else Cm(1.25)
        spf.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
        spf.keep_with_next = True
        ppr = st.element.get_or_add_pPr()
        for border in ppr.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"
        ):
            ppr.remove(border)
    table_text = d.styles.add_style("TableText", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    _font(table_text, 12)
    tpf = table_text.paragraph_format
    tpf.first_line_indent, tpf.alignment = Cm(0), WD_ALIGN_PARAGRAPH.LEFT
    note = d.styles.add_style("Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    _font(note, 10)
    note.paragraph_format.first_line_indent = Cm(0)
    plain = d.styles.add_style("Plain", WD_STYLE_TYPE.PARAGRAPH)
    plain.base_style = normal
    plain.paragraph_format.first_line_indent = Cm(0)
    plain.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _font(d.styles["Table Grid"], 12)


def _page(d: docx.document.Document) -> None:
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.left_margin, sec.right_margin = Mm(30), Mm(20)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.header_distance = sec.footer_distance = Mm(10)
    sec.different_first_page_header_footer = True  # no number on the first page
    p = sec.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Cm(0)
    for xml in (
        f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {W}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {W}><w:t>2</w:t></w:r>",
        f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        p._p.append(parse_xml(xml))
    sec.first_page_header.paragraphs[0].text = ""


def _body(d: docx.document.Document) -> None:
    d.add_paragraph("{{ title }}", style="Title")
    d.add_paragraph("{%p for h in header %}", style="Plain")
    p = d.add_paragraph("{{ h.label }}{{ h.sep }}", style="Plain")
    p.add_run("{{ h.value }}").bold = True
    d.add_paragraph("{%p endfor %}", style="Plain")
    d.add_paragraph("{%p for s in sections %}", style="Plain")
    d.add_paragraph("{{ s.title }}", style="Heading 1")
    d.add_paragraph("{{p s.body }}")
    d.add_paragraph("{%p endfor %}", style="Plain")
    d.add_paragraph("", style="Plain")
    d.add_paragraph("{{ signer_title }}  ______________ / {{ signer }} /", style="Plain")
    d.add_paragraph("{{ date }}", style="Plain")
    d.add_paragraph("М.П.", style="Plain")
    d.add_paragraph("", style="Plain")
    d.add_paragraph("{{ generated }}", style="Note")


def build_template() -> bytes:
    d = docx.Document()
    _styles(d)
    _page(d)
    for p in list(d.paragraphs):  # the default document's empty paragraph
        p._p.getparent().remove(p._p)
    _body(d)
    buf = io.BytesIO()
    d.save(buf)
    return _without_library_defaults(buf.getvalue())


def _without_library_defaults(data: bytes) -> bytes:
    """Drop python-docx's thumbnail and the Word 2010 style copy from the package."""
    dropped = ("docProps/thumbnail.jpeg", "word/stylesWithEffects.xml")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename in dropped:
                continue
            blob = src.read(info.filename)
            if info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                text = blob.decode("utf-8")
                text = re.sub(
                    r"<Relationship [^>]*Target=\"[^\"]*(thumbnail\.jpeg|"
                    r"stylesWithEffects\.xml)\"/>",
                    "",
                    text,
                )
                text = re.sub(
                    r'<Override PartName="/(docProps/thumbnail\.jpeg|'
                    r'word/stylesWithEffects\.xml)"[^>]*/>',
                    "",
                    text,
                )
                blob = text.encode("utf-8")
            z.writestr(info.filename, blob)
    return out.getvalue()


if __name__ == "__main__":
    DEFAULT_TEMPLATE.write_bytes(build_template())
    print(DEFAULT_TEMPLATE)
