"""Reports as people open them: DOCX/XLSX structure, and PDF pages laid out by LibreOffice.

Every report kind is rendered to PDF with LibreOffice headless and read back with
pdfplumber: no table cell line is shorter than the shortest word of its cell (no
«авгу/ст»), page numbers from page 2, only Times-compatible fonts. The pages are kept
as PNG files under artifacts/report-pages/ (pdftoppm) for people to look at.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.shared import Mm, Pt
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from models import Person, Role
from models.db import session_scope
from reports import russian
from reports.build import write_annual, write_quarterly
from reports.docx_xml import TEXT_WIDTH
from tests.report_builders import populate_seed001, seed001

NOW = dt.datetime(2021, 1, 15, 9, 30, tzinfo=dt.UTC)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "report-pages"
SEED = Path("/work/shared/seeds/001_ddd956eb504d3c59.txt")


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with session_scope(engine) as s:
        m = populate_seed001(s)
        s.add(Person(full_name="Иванова А. П.", role=Role.moc_head, municipality_id=m.id))
    return engine


def _pages(pdf: Path, stem: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(pdf), str(ARTIFACTS / stem)], check=True, timeout=120
    )
    return sorted(ARTIFACTS.glob(f"{stem}-*.png"))


def _check_pdf(pdf: Path) -> int:
    """Layout checks on every page; returns the page count."""
    with pdfplumber.open(pdf) as doc:
        fonts = {c["fontname"].split("+")[-1] for p in doc.pages for c in p.chars}
        assert fonts <= {
            "LiberationSerif",
            "LiberationSerif-Bold",
            "TimesNewRomanPSMT",
            "TimesNewRomanPS-BoldMT",
        }, fonts
        for n, page in enumerate(doc.pages, start=1):
            top = (page.extract_text() or "").strip().splitlines()
            if n > 1:
                assert top and top[0].strip() == str(n), f"page {n}: no page number at the top"
            for table in page.find_tables():
                for row in table.rows:
                    for cell in row.cells:
                        if cell is None:
                            continue
                        lines = (page.crop(cell).extract_text() or "").splitlines()
                        text = " ".join(lines)
                        words = [w for w in re.split(r"\s+", text) if w]
                        if len(lines) < 2 or not words:
                            continue
                        shortest = min(len(w) for w in words)
                        for line in lines:
                            assert len(line.strip()) >= min(shortest, 3), (
                                f"page {n}: cell line «{line}» of «{text}» is a broken word"
                            )
        return len(doc.pages)


needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is installed by CI (apt)"
)


DETAILS = """krylovsky:
  zone: Северо-восточная
  moc: Муниципальное бюджетное учреждение дополнительного образования Дом детского творчества станицы Крыловской муниципального образования Крыловский район
  moc_short: МБУДО ДДТ
"""


@needs_soffice
def test_annual_and_quarterly_pdf_pages(
    seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "details.yaml").write_text(DETAILS, encoding="utf-8")
    monkeypatch.setenv("SOCZAKAZ_REPORT_DETAILS", str(tmp_path / "details.yaml"))
    with session_scope(seeded) as s:
        write_annual(
            s, municipality="krylovsky", year=2020, fmt="pdf", out=tmp_path / "a.pdf", now=NOW
        )
        write_quarterly(
            s,
            municipality="krylovsky",
            year=2020,
            quarter=4,
            fmt="pdf",
            out=tmp_path / "q.pdf",
            now=NOW,
        )
    pages = _check_pdf(tmp_path / "a.pdf")
    assert 4 <= pages <= 12, pages
    assert 1 <= _check_pdf(tmp_path / "q.pdf") <= 4
    with pdfplumber.open(tmp_path / "a.pdf") as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    for line in (
        "Территориальная зона: «Северо-восточная»",
        "Муниципальное образование – Крыловский район",
        "(МБУДО ДДТ)",
        "Руководитель МОЦ ______________ / Иванова А. П. /",
        "М.П.",
        "15 января 2021 г.",
        "реализуют 17 организаций",
    ):
        assert line in text.replace("\u202f", " "), line
    assert " — (план — —)" not in text and "Все показатели с данными" not in text
    assert len(_pages(tmp_path / "a.pdf", "annual")) == pages
    assert _pages(tmp_path / "q.pdf", "quarterly")


def test_docx_styles_page_and_properties(seeded: Engine, tmp_path: Path) -> None:
    out = tmp_path / "a.docx"
    with session_scope(seeded) as s:
        write_annual(s, municipality="krylovsky", year=2020, fmt="docx", out=out, now=NOW)
    d = docx.Document(str(out))
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    assert d.styles["TableText"].font.size == Pt(12)
    heading = d.styles["Heading 1"]
    assert heading.font.name == "Times New Roman" and heading.font.color.rgb == (0, 0, 0)
    sec = d.sections[0]
    margins = (sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin)
    for got, want in zip(margins, (Mm(30), Mm(20), Mm(20), Mm(20)), strict=True):
        assert got is not None and abs(got - want) < Mm(0.1)  # stored in twips
    assert sec.different_first_page_header_footer
    assert "PAGE" in sec.header._element.xml
    props = d.core_properties
    assert props.author == "Иванова А. П." or props.author  # the МОЦ (details) or its default
    assert props.title.startswith("Отчёт о деятельности") and props.created == NOW
    assert props.author != "python-docx" and props.subject.startswith("Годовой отчёт МОЦ")
    with zipfile.ZipFile(out) as z:
        assert not any("thumbnail" in n for n in z.namelist())
        body = z.read("word/document.xml").decode()
    assert "<w:tblHeader/>" in body
    for t in d.tables:
        widths = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', t._tbl.xml)]
        assert sum(widths) == TEXT_WIDTH, widths
        assert t.rows[0]._tr.xml.count("<w:tblHeader/>") == 1


def test_seed_2020_table_rebuilt_row_by_row(seeded: Engine, tmp_path: Path) -> None:
    """The acts of the 2020 seed report come out with its columns, numbers and texts."""
    out = tmp_path / "a.docx"
    with session_scope(seeded) as s:
        write_annual(s, municipality="krylovsky", year=2020, fmt="docx", out=out, now=NOW)
    table = docx.Document(str(out)).tables[0]
    rows = [[c.text.replace("\u202f", " ") for c in r.cells] for r in table.rows]
    seed = SEED.read_text(encoding="utf-8")
    header = next(line for line in seed.splitlines() if line.startswith("№ пп"))
    assert rows[0][:4] == header.split("\t")[:4]  # «Прим.» is printed «При м.» in the seed
    assert rows[0][4] == "Прим."
    for want, got in zip(seed001()["expected_table"][1:], rows[1:], strict=True):
        assert got == want
    for fragment in (
        "Муниципальное образование – ",
        "Территориальная зона: ",
        "Муниципальный опорный центр (МОЦ) – ",
    ):
        assert fragment in seed
        assert fragment in "\n".join(p.text for p in docx.Document(str(out)).paragraphs)


def test_xlsx_cells_are_typed(seeded: Engine, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    with session_scope(seeded) as s:
        write_annual(s, municipality="krylovsky", year=2020, fmt="xlsx", out=out, now=NOW)
    wb = load_workbook(out)
    for ws in wb.worksheets[1:]:
        if not ws.auto_filter.ref:
            continue
        for row in ws[ws.auto_filter.ref][1:]:
            for cell in row:
                if isinstance(cell.value, str):
                    assert not re.fullmatch(r"[−+]?\d[\d\u202f ]*(,\d+)?", cell.value), cell
    assert wb.properties.creator and wb.properties.title.startswith("Отчёт")


def test_russian_words() -> None:
    assert russian.genitive("Администрация муниципального образования Крыловский район") == (
        "Администрации муниципального образования Крыловский район"
    )
    assert russian.genitive("Управление образования") == "Управления образования"
    assert russian.genitive("МБУДО ДДТ") == "МБУДО ДДТ"
    assert [russian.count(n, "организация") for n in (1, 2, 5, 21)] == [
        "1 организация",
        "2 организации",
        "5 организаций",
        "21 организация",
    ]
    assert russian.number(10923.5) == "10\u202f923,5" and russian.number(0.5) == "0,5"
    assert russian.act_number("№121") == "№\u202f121"
    assert russian.long_date(dt.date(2025, 8, 15)) == "15 августа 2025\u00a0г."


def test_region_template_and_missing_libreoffice(
    seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A region's own .docx with the documented variables; --format pdf without soffice."""
    from domain.errors import InputError
    from reports import pdf
    from reports.build import annual_report
    from reports.docx_render import render_docx
    from reports.docx_template import DEFAULT_TEMPLATE

    region = docx.Document(str(DEFAULT_TEMPLATE))
    region.paragraphs[0].insert_paragraph_before("Краснодарский край. {{ subject }}")
    path = tmp_path / "region.docx"
    region.save(str(path))
    with session_scope(seeded) as s:
        report = annual_report(s, municipality="krylovsky", year=2020, now=NOW)
    out = tmp_path / "r.docx"
    out.write_bytes(render_docx(report, template=path))
    text = [p.text for p in docx.Document(str(out)).paragraphs]
    assert text[0] == "Краснодарский край. Годовой отчёт МОЦ: Крыловский район, 2020 год"
    monkeypatch.setattr(pdf, "CANDIDATES", ("soffice-absent",))
    with pytest.raises(InputError, match="LibreOffice не установлен"):
        pdf.docx_to_pdf(out.read_bytes(), tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
