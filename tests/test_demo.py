"""``roadmap demo`` end to end on embedded SQLite, at a pinned date."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from typer.testing import CliRunner

from cli.main import app


@pytest.mark.slow
def test_demo_builds_a_verified_world(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["demo", "--db", str(tmp_path / "demo.db"), "--out", str(out), "--as-of", "2026-03-16"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    text = result.output
    for zone in ("Europe/Kaliningrad", "Europe/Moscow", "Asia/Irkutsk"):
        assert zone in text
    assert "Журнал аудита: OK" in text
    assert "в реестре: 1" in text
    nok = next(line for line in text.splitlines() if "НОК (" in line)
    assert not re.search(r"[A-Z_]{4,}", nok), nok  # states by their Russian labels
    assert "Просрочено" in text
    # Reminders really crossed HTTP into the local inbox, in Russian, deduplicated.
    lines = (out / "inbox.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines, "no reminder reached the inbox"
    keys = [json.loads(line)["idempotency_key"] for line in lines]
    assert len(keys) == len(set(keys))
    assert any("2026 г." in json.loads(line)["message"]["message"] for line in lines)
    # Reports open with their libraries and carry the normative-acts table.
    document = docx.Document(str(out / "krylovsky-annual.docx"))
    assert document.tables, "annual report has no Word tables"
    book = openpyxl.load_workbook(out / "krylovsky-annual.xlsx")
    assert len(book.sheetnames) >= 3
    assert "?token=" not in text
    assert re.search(r"Вход руководителя МОЦ .*: http://\S+/auth/link/\S+", text), text
