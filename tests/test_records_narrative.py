"""Narrative texts (Markdown, from a file) stored per year and printed in every format."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from domain.records.narrative import paragraphs
from tests.records_helpers import Cli

# From seed report 000 (Лодейнопольский район, 2023), «Итоги и перспективы».
RESULTS = """\
## Итоги

Анализ работы МОЦ Лодейнопольского муниципального района за 2023 год показал, что,
в целом, задачи, стоящие перед **Муниципальным опорным центром**, выполнены.
"""
PLANS = """\
1. Увеличение охвата детей услугами дополнительного образования.
2. Выявление и распространение лучших практик дополнительного образования.
3. Расширение форм работы с детьми с ОВЗ | в т.ч. сетевых.
"""


def test_markdown_becomes_report_paragraphs() -> None:
    assert paragraphs(RESULTS) == [
        "Итоги",
        "Анализ работы МОЦ Лодейнопольского муниципального района за 2023 год показал, что, "
        "в целом, задачи, стоящие перед Муниципальным опорным центром, выполнены.",
    ]
    assert paragraphs("- раз\n- два")[1] == "— два"
    assert len(paragraphs(PLANS)) == 3


def test_narrative_in_every_report_format(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli = Cli(cli_env, tmp_path / "home")
    (tmp_path / "itogi.md").write_text(RESULTS, encoding="utf-8")
    (tmp_path / "plans.md").write_text(PLANS, encoding="utf-8")
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    base = ("narrative", "set", "-m", "lod", "--year", "2023")
    cli.run(*base, "--part", "results", "--file", str(tmp_path / "itogi.md"))
    cli.run(*base, "--part", "Перспективы работы", "--file", str(tmp_path / "plans.md"))
    bad = cli.run(*base, "--part", "выводы", "--file", str(tmp_path / "plans.md"), code=2)
    assert "--part: значение «выводы» неизвестно" in bad.stderr
    assert set(cli.json("narrative", "show", "-m", "lod", "--year", "2023")) == {"results", "plans"}
    texts: dict[str, str] = {}
    for fmt in ("md", "html", "docx", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        cli.run(
            "report",
            "annual",
            "--municipality",
            "lod",
            "--year",
            "2023",
            "--format",
            fmt,
            "--out",
            str(out),
        )
        if fmt == "docx":
            texts[fmt] = "\n".join(p.text for p in Document(str(out)).paragraphs)
        elif fmt == "xlsx":
            wb = load_workbook(out)
            texts[fmt] = "\n".join(
                str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value
            )
        else:
            texts[fmt] = out.read_text(encoding="utf-8").replace("\u00a0", " ")
    for fmt, text in texts.items():
        assert "10.1. Итоги" in text and "10.2. Перспективы работы" in text, fmt
        assert "задачи, стоящие перед Муниципальным опорным центром, выполнены" in text, fmt
        assert "2. Выявление и распространение лучших практик" in text, fmt
