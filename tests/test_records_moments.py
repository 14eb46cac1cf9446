"""``--at``: exact aware moments, back-dated completions and НОК actions, never the future."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from domain.errors import InputError
from domain.inputs import effective_moment, parse_moment
from models import AuditEntry, ReviewCase, Step, StepStatus
from models.db import session_scope
from tests.records_helpers import Cli

NOW = dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC)
TEMPLATE = """\
key: moments
version: 1
title: Моменты
steps:
  - key: mos-protocol
    title: Заседание МОС
    kind: event
    due: {date: "{year}-12-20"}
    evidence: [event_date]
"""


def test_moments_need_a_zone_and_are_never_in_the_future() -> None:
    assert parse_moment("2023-12-29T23:59+08:00", field="--at") == dt.datetime(
        2023, 12, 29, 15, 59, tzinfo=dt.UTC
    )
    assert parse_moment("29.12.2023 23:59+03:00", field="--at").hour == 20
    with pytest.raises(InputError, match="часовой пояс"):
        parse_moment("2023-12-29T23:59", field="--at")
    with pytest.raises(InputError, match="ещё не наступил"):
        effective_moment("2024-01-10T12:01+03:00", field="--at", now=NOW)
    assert effective_moment(None, field="--at", now=NOW) == NOW


def test_backdated_completion_and_nok_submission(
    cli_env: dict[str, str], tmp_path: Path, engine: Engine
) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    cli = Cli(cli_env, tmp_path / "home")
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    cli.run("load", str(template), "-m", "lod", "--year", "2023")
    future = cli.run(
        "complete",
        "mos-protocol",
        "-m",
        "lod",
        "--actor",
        "С.",
        "--event-date",
        "20.12.2023",
        "--at",
        "2099-01-01T10:00+03:00",
        code=2,
    )
    assert "--at: момент" in future.stderr and "ещё не наступил" in future.stderr
    cli.run(
        "complete",
        "mos-protocol",
        "-m",
        "lod",
        "--actor",
        "Сафонова Т.Б.",
        "--event-date",
        "20.12.2023",
        "--at",
        "2023-12-20T17:30+03:00",
    )
    cli.run("organisation", "add", "dar", "-m", "lod", "--name", "ЛЦВР «Дар»", "--type", "ДО")
    p = cli.json(
        "programme",
        "add",
        "-m",
        "lod",
        "-o",
        "dar",
        "--title",
        "Робототехника",
        "--focus",
        "техническая",
    )
    cli.run(
        "review",
        "campaign",
        "create",
        "--municipality",
        "lod",
        "--title",
        "НОК 2023",
        "--year",
        "2023",
        "--from",
        "15.11.2023",
        "--to",
        "15.12.2023",
    )
    cli.run(
        "review",
        "submit",
        "--campaign",
        "1",
        "--programme",
        str(p["id"]),
        "--at",
        "2023-11-20T10:00+03:00",
    )
    with session_scope(engine) as s:
        step = s.exec(select(Step).where(Step.key == "mos-protocol")).one()
        assert step.status == StepStatus.done
        assert step.done_at == dt.datetime(2023, 12, 20, 14, 30, tzinfo=dt.UTC)
        case = s.exec(select(ReviewCase)).one()
        assert case.submitted_at == dt.datetime(2023, 11, 20, 7, tzinfo=dt.UTC)
        notes = s.exec(select(AuditEntry).where(AuditEntry.action == "record.backdated")).all()
    assert [json.loads(n.payload)["action"] for n in notes] == [
        "step.completed",
        "review.submitted",
    ]
    assert all(n.at > dt.datetime(2024, 1, 1, tzinfo=dt.UTC) for n in notes)  # recorded now
    verified = cli.run("audit", "verify", "-m", "lod")
    assert verified.returncode == 0
