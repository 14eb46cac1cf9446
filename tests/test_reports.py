"""Annual and quarterly reports: open the produced DOCX/XLSX and check their tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from cli.main import app
from domain.indicators import catalogue as indicators
from models import AuditEntry
from models.db import session_scope
from reports.annual_layout import ACT_HEADERS
from reports.build import write_annual, write_quarterly
from tests.factories import make_municipality
from tests.report_builders import populate_seed001, seed001

NOW = dt.datetime(2021, 1, 15, 9, 30, tzinfo=dt.UTC)
runner = CliRunner()


def plain(text: str) -> str:
    """Reports use non-breaking spaces in numbers and units; compare with plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def docx_tables(path: Path) -> list[list[list[str]]]:
    d = docx.Document(str(path))
    return [[[plain(c.text) for c in row.cells] for row in t.rows] for t in d.tables]


def docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    body = "\n".join(p.text for p in d.paragraphs)
    return plain(body + "\n" + "\n".join(p.text for p in d.sections[0].footer.paragraphs))


def sheet_rows(path: Path, sheet: str) -> list[list[str]]:
    wb = load_workbook(path, read_only=True)
    try:
        rows = [
            ["" if v is None else plain(str(v)) for v in row]
            for row in wb[sheet].iter_rows(values_only=True)
        ]
    finally:
        wb.close()
    for row in rows:  # read-only mode pads rows to the sheet width
        while row and row[-1] == "":
            row.pop()
    return rows


def head_hash(engine: Engine, chain: str) -> str:
    with session_scope(engine) as s:
        row = s.exec(
            select(AuditEntry).where(AuditEntry.chain == chain).order_by(col(AuditEntry.seq).desc())
        ).first()
        assert row is not None
        return row.hash


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with session_scope(engine) as s:
        populate_seed001(s)
    return engine


def test_seed001_normative_acts_table_in_docx_and_xlsx(seeded: Engine, tmp_path: Path) -> None:
    expected = seed001()["expected_table"]
    with session_scope(seeded) as s:
        write_annual(
            s, municipality="krylovsky", year=2020, fmt="docx", out=tmp_path / "r.docx", now=NOW
        )
        write_annual(
            s, municipality="krylovsky", year=2020, fmt="xlsx", out=tmp_path / "r.xlsx", now=NOW
        )
    assert docx_tables(tmp_path / "r.docx")[0] == expected
    rows = sheet_rows(tmp_path / "r.xlsx", "Нормативные акты")
    assert rows[0] == ["1. Нормативно-правовое обеспечение деятельности МОЦ"]
    assert rows[2:] == [r[:4] if r[4] == "" else r for r in expected]  # empty «Прим.» trimmed


def test_annual_docx_has_every_section_and_the_audit_head(seeded: Engine, tmp_path: Path) -> None:
    out = tmp_path / "annual.docx"
    with session_scope(seeded) as s:
        write_annual(s, municipality="krylovsky", year=2020, fmt="docx", out=out, now=NOW)
    tables = docx_tables(out)
    focus = tables[1]
    assert focus[0] == ["Направленность", "Организаций", "Программ"]
    assert ["физкультурно-спортивная", "17", "57"] in focus
    assert ["естественнонаучная", "4", "4"] in focus
    assert focus[-1] == ["Итого", "17", "143"]
    coverage = {r[0]: r[1:] for r in tables[2]}
    assert coverage["Охват детей 5–18 лет дополнительным образованием, %"] == [
        "75",
        "75,4",
        "+0,4 п.п.",
        "100,5",
        "выполнено",
    ]
    assert coverage[
        "Удельный вес детей, охваченных программами технической и естественнонаучной "
        "направленностей, %"
    ][:3] == ["25", "3,7", "−21,3 п.п."]
    certs = {r[0]: r[2] for r in tables[3]}
    assert certs["Количество детей с сертификатами учёта, чел."] == "688"
    nok = tables[4]
    assert nok[0] == ["Показатель", "НОК 2020"]
    assert [r[1] for r in nok[1:]] == ["01.06.2020–31.10.2020", "31", "18", "16", "2", "16", "16"]
    events = tables[5]
    assert events[1] == ["6.1", "Районное рабочее совещание", "12.10.2020", "участников: 34", ""]
    overdue = tables[7]
    assert overdue[1][1:] == ["Положение о ПФДО", "01.09.2020", "руководитель МОЦ", "просрочен"]
    plans = tables[8]
    assert plans[1][1:3] == ["План работы МОЦ на 2021 год", "29.01.2021"]
    d = docx.Document(str(out))
    assert len(d.inline_shapes) == 2  # programmes by направленность, coverage by year
    text = docx_text(out)
    assert f"контрольная сумма {head_hash(seeded, 'krylovsky')}" in text
    assert "Сформировано 15.01.2021 12:30 (время местное: Москва, UTC+3)" in text
    assert "krylovsky" not in text and "UTC+0300" not in text and "roadmap" not in text
    assert "Перспективы работы на 2021 год" in text


def test_annual_xlsx_has_one_sheet_per_section(seeded: Engine, tmp_path: Path) -> None:
    out = tmp_path / "annual.xlsx"
    with session_scope(seeded) as s:
        write_annual(s, municipality="krylovsky", year=2020, fmt="xlsx", out=out, now=NOW)
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "Отчёт",
        "Нормативные акты",
        "Программы",
        "Охват",
        "Сертификаты",
        "НОК",
        "Мероприятия",
        "Реестр мероприятий",  # issue 15: the events register (6.1), empty here
        "Показатели",
        "Просрочено",
        "Планы",
    ]
    assert len(wb["Программы"]._charts) == 1 and len(wb["Охват"]._charts) == 1  # native charts
    ev = wb["Мероприятия"]
    assert [c.value for c in ev[3]] == list(ACT_HEADERS)
    assert ev["A4"].value == "6.1" and ev["C4"].value == dt.datetime(2020, 10, 12)
    assert ev["C4"].number_format == "DD.MM.YYYY"
    assert ev.freeze_panes == "A4" and ev.auto_filter.ref == "A3:E4"
    programmes = wb["Программы"]
    assert programmes["C4"].value == 20 and programmes["C4"].data_type == "n"
    assert programmes["C4"].number_format == "#,##0"
    coverage = wb["Охват"]
    cov = {row[0].value: row for row in coverage.iter_rows(min_row=4, max_row=8)}
    fact = cov["Охват детей 5–18 лет дополнительным образованием, %"]
    assert fact[2].value == 75.4 and fact[3].value == 0.4 and "п.п." in fact[3].number_format
    title = sheet_rows(out, "Отчёт")
    assert any(r and head_hash(seeded, "krylovsky") in r[0] for r in title)


def test_markdown_and_html(seeded: Engine, tmp_path: Path) -> None:
    with session_scope(seeded) as s:
        md = write_annual(
            s, municipality="krylovsky", year=2020, fmt="md", out=tmp_path / "a.md", now=NOW
        )
        html = write_annual(
            s, municipality="krylovsky", year=2020, fmt="html", out=tmp_path / "a.html", now=NOW
        )
    text = md[0].read_text(encoding="utf-8")
    assert (
        "| № пп | Наименование мероприятия | Сроки | Результат (количественный и качественный) | Прим. |"
        in text
    )
    assert (
        "| 1.2 | Разработка медиаплана освещения деятельности МОЦ | февраль; акт от 11.05.2020 |"
        in text
    )
    assert "![Программы по направленностям](a-focus.png)" in text
    assert {p.name for p in md} == {"a.md", "a-focus.png", "a-coverage.png"}
    assert (tmp_path / "a-coverage.png").read_bytes().startswith(b"\x89PNG")
    page = html[0].read_text(encoding="utf-8")
    assert "<td>Приказ МБУДО ДДТ от 11.05.2020 №\u202f85/1 «Об утверждении плана" in page
    assert page.count('src="data:image/png;base64,') == 2
    assert head_hash(seeded, "krylovsky") in page


def test_quarterly_report_lists_deviations(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="lodeynoe", tz="Europe/Moscow")
        assert m.id is not None
        for key, target, actual in (("coverage_5_18", 82.6, 80.1), ("certificates_pf", 400, 410)):
            indicators.upsert(
                s,
                municipality_id=m.id,
                year=2023,
                period="Q3",
                key=key,
                target=target,
                actual=actual,
            )
        write_quarterly(
            s,
            municipality="lodeynoe",
            year=2023,
            quarter=3,
            fmt="docx",
            out=tmp_path / "q.docx",
            now=NOW,
        )
        write_quarterly(
            s,
            municipality="lodeynoe",
            year=2023,
            quarter=3,
            fmt="xlsx",
            out=tmp_path / "q.xlsx",
            now=NOW,
        )
    tables = docx_tables(tmp_path / "q.docx")
    all_rows = {r[0]: r[1:] for r in tables[0]}
    assert all_rows["Охват детей 5–18 лет дополнительным образованием, %"] == [
        "82,6",
        "80,1",
        "−2,5 п.п.",
        "97",
        "не выполнено",
    ]
    assert all_rows["Количество детей с сертификатами ПФ, чел."][2] == "+10"
    behind = tables[1]
    assert [r[0] for r in behind[1:]] == ["Охват детей 5–18 лет дополнительным образованием, %"]
    text = docx_text(tmp_path / "q.docx")
    assert "Журнал изменений: записей нет" in text
    rows = sheet_rows(tmp_path / "q.xlsx", "Отклонения")
    assert rows[3][0] == "Охват детей 5–18 лет дополнительным образованием, %"


def test_cli_report_commands(seeded: Engine, cli_env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "cli.docx"
    r = runner.invoke(
        app,
        [
            "report",
            "annual",
            "--municipality",
            "krylovsky",
            "--year",
            "2020",
            "--format",
            "docx",
            "--out",
            str(out),
        ],
        env=cli_env,
    )
    assert r.exit_code == 0, r.output
    assert docx_tables(out)[0] == seed001()["expected_table"]
    q = tmp_path / "q.html"
    r = runner.invoke(
        app,
        [
            "report",
            "quarterly",
            "--municipality",
            "krylovsky",
            "--year",
            "2020",
            "--quarter",
            "4",
            "--format",
            "html",
            "--out",
            str(q),
        ],
        env=cli_env,
    )
    assert r.exit_code == 0, r.output
    assert "Ежеквартальный отчёт в РМЦ: 4 квартал 2020 года" in q.read_text(encoding="utf-8")
    r = runner.invoke(
        app,
        [
            "report",
            "annual",
            "--municipality",
            "krylovsky",
            "--year",
            "2020",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        ],
        env=cli_env,
    )
    assert r.exit_code == 0, r.output
    assert (tmp_path / "x.pdf").read_bytes().startswith(b"%PDF")
    r = runner.invoke(
        app,
        [
            "report",
            "quarterly",
            "--municipality",
            "krylovsky",
            "--year",
            "2020",
            "--quarter",
            "5",
            "--out",
            str(tmp_path / "q5.docx"),
        ],
        env=cli_env,
    )
    assert r.exit_code == 2 and "--quarter: ожидается 1, 2, 3 или 4" in r.output
    r = runner.invoke(
        app,
        [
            "report",
            "annual",
            "--municipality",
            "nowhere",
            "--year",
            "2020",
            "--out",
            str(tmp_path / "n.docx"),
        ],
        env=cli_env,
    )
    assert r.exit_code == 2 and "муниципалитет «nowhere» не найден" in r.output


def test_chart_bars_grow_with_their_values() -> None:
    import io

    from PIL import Image

    from reports.charts import COLOURS, render_png
    from reports.document import Chart

    def dark_pixels(value: float) -> int:
        chart = Chart("c", "Охват, %", ("2024", "2025"), (("Факт", (value, None)),), unit="%")
        png = render_png(chart)
        assert png.startswith(b"\x89PNG")
        image = Image.open(io.BytesIO(png)).convert("RGB")
        assert image.size == (640, 300)
        colour = tuple(int(COLOURS[0][i : i + 2], 16) for i in (1, 3, 5))
        pixels = [image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)]
        return sum(1 for px in pixels if px == colour)

    low, high = dark_pixels(10), dark_pixels(90)
    assert 0 < low < high
    assert 8.0 < high / low < 10.0


def test_docx_package_is_consistent(seeded: Engine, tmp_path: Path) -> None:
    """Every relationship target exists, every part has a content type, XML parses."""
    import re
    import zipfile

    from lxml import etree

    out = tmp_path / "pkg.docx"
    with session_scope(seeded) as s:
        write_annual(s, municipality="krylovsky", year=2020, fmt="docx", out=out, now=NOW)
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        assert len(names) == len(set(names)), "duplicate parts"
        types = z.read("[Content_Types].xml").decode()
        defaults = set(re.findall(r'Default Extension="(\w+)"', types))
        overrides = set(re.findall(r'Override PartName="/([^"]+)"', types))
        for name in names:
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
            if name.endswith((".xml", ".rels")):
                etree.fromstring(z.read(name))
        rels = z.read("word/_rels/document.xml.rels").decode()
        for target in re.findall(r'Target="([^"]+)"', rels):
            assert target.startswith("../") or f"word/{target}" in names, target
        assert sum(1 for n in names if n.startswith("word/media/")) == 2
