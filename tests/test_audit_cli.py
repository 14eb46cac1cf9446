"""CLI of evidence and audit: complete, history, reopen, waive, audit verify/checkpoint/export."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from models import AuditEntry, Evidence
from models.db import session_scope
from models.settings import Settings
from tests.evidence_helpers import NOW, PDF, make_step_in_db

runner = CliRunner()
ACT_ARGS = [
    "--act-type",
    "приказ",
    "--act-number",
    "№85/1",
    "--act-date",
    "2025-03-03",
    "--issuer",
    "Управление образования МО Крыловский район",
]


def _run(args: list[str], env: dict[str, str], when: dt.datetime = NOW) -> tuple[int, str]:
    with time_machine.travel(when, tick=False):
        result = runner.invoke(app, args, env=env)
    return result.exit_code, result.output  # stdout and stderr (click >= 8.2)


def _complete(env: dict[str, str], pdf: Path, *extra: str) -> tuple[int, str]:
    return _run(
        [
            "complete",
            "npa-moc",
            "-m",
            "krylovsky",
            "--year",
            "2025",
            *ACT_ARGS,
            "--file",
            str(pdf),
            "--actor",
            "Иванова А.П.",
            *extra,
        ],
        env,
    )


def _counts(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        return (
            int(s.exec(select(func.count()).select_from(Evidence)).one()),
            int(s.exec(select(func.count()).select_from(AuditEntry)).one()),
        )


def test_complete_history_verify_checkpoint_and_export(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    make_step_in_db(engine)
    pdf = tmp_path / "prikaz-85-1.pdf"
    pdf.write_bytes(PDF)
    code, out = _complete(cli_env, pdf)
    assert code == 0, out
    assert "выполнен" in out and "№85/1" in out and "запись №1" in out
    code, out = _run(["history", "npa-moc", "-m", "krylovsky"], cli_env)
    assert code == 0 and "шаг выполнен" in out and "Иванова" in out, out
    code, out = _run(["audit", "verify"], cli_env)
    assert code == 0 and "OK" in out and "записей: 1" in out and "файлов: 1" in out, out
    # Checkpoint: the key is created 0600, outside the database.
    code, out = _run(["audit", "checkpoint"], cli_env)
    assert code == 0 and "цепочка krylovsky: запись №1" in out, out
    mode = stat.S_IMODE(os.stat(settings.audit_signing_key).st_mode)
    assert mode == 0o600
    code, out = _run(["audit", "verify", "-m", "krylovsky"], cli_env)
    assert code == 0 and "контрольных точек: 1" in out, out  # DB row + heads file: one checkpoint
    # Exports carry the chain hashes.
    with session_scope(engine) as s:
        entry = s.exec(select(AuditEntry)).one()
    for fmt in ("jsonl", "csv", "xlsx"):
        dest = tmp_path / f"log.{fmt}"
        args = [
            "audit",
            "export",
            "-m",
            "krylovsky",
            "--from",
            "2025-03-01",
            "--to",
            "2025-03-31",
            "--format",
            fmt,
            "--out",
            str(dest),
        ]
        code, out = _run(args, cli_env)
        assert code == 0 and "Выгружено записей: 1" in out, out
    line = json.loads((tmp_path / "log.jsonl").read_text(encoding="utf-8"))
    assert line["hash"] == entry.hash and line["prev_hash"] == "0" * 64
    assert line["payload"]["act_number"] == "№85/1" and line["at"] == "2025-03-10T09:00:00.000000Z"
    with (tmp_path / "log.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["hash"] == entry.hash and rows[0]["seq"] == "1"
    ws = load_workbook(tmp_path / "log.xlsx").active
    assert ws is not None
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "цепочка" and values[2][-1] == entry.hash
    # A range without entries exports nothing.
    code, out = _run(
        [
            "audit",
            "export",
            "-m",
            "krylovsky",
            "--from",
            "2025-04-01",
            "--out",
            str(tmp_path / "empty.jsonl"),
        ],
        cli_env,
    )
    assert code == 0 and "Выгружено записей: 0" in out


def test_bad_evidence_exits_2_naming_the_field_and_writes_nothing(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    make_step_in_db(engine)
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    cases = [
        (["--act-number", "85/1"], "act_number"),
        (["--act-type", "указ"], "act_type"),
        # DD.MM.YYYY is accepted (issue 15); an impossible date is not.
        (["--act-date", "31.02.2025"], "act_date"),
        (["--participants", "12"], "participants"),  # not a field of a normative act
    ]
    for extra, field in cases:
        code, out = _complete(cli_env, pdf, *extra)
        assert code == 2 and field in out and "Ошибка" in out, (extra, out)
    code, out = _run(
        [
            "complete",
            "npa-moc",
            "-m",
            "krylovsky",
            *ACT_ARGS,
            "--file",
            str(tmp_path / "missing.pdf"),
            "--actor",
            "x",
        ],
        cli_env,
    )
    assert code == 2 and "file" in out and "не найден" in " ".join(out.split())
    code, out = _run(["complete", "npa-moc", "-m", "krylovsky", *ACT_ARGS, "--actor", "x"], cli_env)
    assert code == 2 and "file" in out
    assert _counts(engine) == (0, 0)
    assert not settings.evidence_dir.exists() or not any(settings.evidence_dir.rglob("*.*"))


def test_reopen_waive_and_verify_failure_exit_1(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    make_step_in_db(engine)
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(PDF)
    assert _complete(cli_env, pdf)[0] == 0
    code, out = _complete(cli_env, pdf)
    assert code == 2 and "уже закрыт" in out
    code, out = _run(
        ["reopen", "npa-moc", "-m", "krylovsky", "--actor", "Петров", "--reason", "акт отменён"],
        cli_env,
    )
    assert code == 0 and "открыт заново" in out, out
    code, out = _run(
        ["waive", "npa-moc", "-m", "krylovsky", "--actor", "Петров", "--reason", "не требуется"],
        cli_env,
    )
    assert code == 0, out
    with time_machine.travel(NOW, tick=False):
        out = runner.invoke(
            app, ["history", "npa-moc", "-m", "krylovsky", "--json"], env=cli_env
        ).stdout
    actions = [e["action"] for e in json.loads(out)["entries"]]
    assert actions == ["step.completed", "step.reopened", "step.waived"]
    # Tamper as a DBA would (bypassing the append-only triggers): verify exits 1.
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER auditentry_no_update")
        conn.execute(text("UPDATE auditentry SET actor = 'Мошенников' WHERE seq = 2"))
    code, out = _run(["audit", "verify"], cli_env)
    assert code == 1 and "НАРУШЕНИЕ" in out and "запись №2" in out, out


@pytest.mark.slow
def test_console_script_runs_audit_verify(
    engine: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    make_step_in_db(engine)
    exe = Path(sys.executable).with_name("roadmap")
    env = {**os.environ, **cli_env}
    done = subprocess.run(
        [str(exe), "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and "записей: 0" in done.stdout, done.stderr
