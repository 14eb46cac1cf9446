"""Acts with a title and their own date; certificates by type and category; input as written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from domain.errors import EvidenceError
from domain.evidence.fields import validate_fields
from domain.inputs import parse_date, split_pairs
from models import StepKind
from tests.records_helpers import Cli

TEMPLATE = """\
key: acts-certs
version: 1
title: Акты и сертификаты
steps:
  - key: pfdo-rules
    title: Постановление о порядке предоставления социальных сертификатов
    kind: normative_act
    due: {date: "{year}-02-28"}
    evidence: [act_type, act_number, act_date, issuer]
  - key: certificates-issue
    title: Выдача сертификатов учёта и ПФ
    kind: certificate_setup
    due: {date: "{year}-09-30"}
"""


def test_dates_words_and_commas_as_people_write_them() -> None:
    assert parse_date("07.05.20г.", field="d") == dt.date(2020, 5, 7)
    assert parse_date("2020-05-07", field="d") == dt.date(2020, 5, 7)
    assert split_pairs(['title="О МОЦ, его положении",note=да'], field="f") == {
        "title": "О МОЦ, его положении",
        "note": "да",
    }
    model, _ = validate_fields(
        StepKind.normative_act,
        {
            "act_type": "Постановление",
            "act_number": "№110-37-1397-23",
            "act_date": "29.12.2023",
            "issuer": "Администрации района",
            "title": "О порядке, условиях и сроках",
        },
        required=[],
        step_label="x",
    )
    assert model.model_dump()["act_type"] == "постановление"
    assert model.effective_date() == dt.date(2023, 12, 29)
    with pytest.raises(EvidenceError, match=r"ДД\.ММ\.ГГГГ"):
        validate_fields(StepKind.event, {"event_date": "31.02.2023"}, required=[], step_label="x")
    with pytest.raises(EvidenceError, match="сертификатов учёта"):
        validate_fields(
            StepKind.certificate_setup, {"nominal": "5000"}, required=[], step_label="x"
        )


def test_acts_and_certificates_from_the_cli_into_the_report(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    cli = Cli(cli_env, tmp_path / "home")
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    cli.run("load", str(template), "-m", "lod", "--year", "2023")
    cli.run(
        "complete",
        "pfdo-rules",
        "-m",
        "lod",
        "--actor",
        "Сафонова Т.Б.",
        "--act-type",
        "Постановление",
        "--act-number",
        "№ 85/1",
        "--act-date",
        "29.12.2023",
        "--issuer",
        "Администрации Лодейнопольского муниципального района",
        "--title",
        "Об утверждении порядка, условий и сроков",
    )
    refused = cli.run(
        "complete", "certificates-issue", "-m", "lod", "--actor", "С.", "--count", "гос=5", code=2
    )
    assert "вид сертификата «гос» неизвестен" in refused.stderr
    cli.run(
        "complete",
        "certificates-issue",
        "-m",
        "lod",
        "--actor",
        "Сафонова Т.Б.",
        "--count",
        "учёта=688",
        "--count",
        "ПФ=120",
        "--category",
        '"5-7 лет"=300,"7-18 лет"=508',
    )
    out = tmp_path / "r.md"
    cli.run(
        "report",
        "annual",
        "--municipality",
        "lod",
        "--year",
        "2023",
        "--format",
        "md",
        "--out",
        str(out),
    )
    text = out.read_text(encoding="utf-8").replace("\u00a0", " ").replace("\u202f", " ")
    assert (
        "Постановление Администрации Лодейнопольского муниципального района от 29.12.2023 "
        "№ 85/1 «Об утверждении порядка, условий и сроков»"
    ) in text
    assert "| февраль; акт от 29.12.2023 |" in text
    assert "сертификатов учёта: 688, сертификатов ПФ: 120, всего сертификатов: 808" in text
    assert "по категориям: 5-7 лет — 300; 7-18 лет — 508" in text
