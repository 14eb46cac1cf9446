"""The events register: many dated events per step, rule «at least N», report totals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from domain.errors import InputError
from domain.records.events import NewEvent, add_event, normalise
from models import AuditEntry, Municipality, Step, StepStatus
from models.db import session_scope
from models.records import EventRecord
from models.settings import Settings
from reports.build import annual_report
from tests.factories import make_municipality
from tests.records_helpers import Cli

NOW = dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC)
TEMPLATE = """\
key: events-rule
version: 1
title: Мероприятия МОЦ
steps:
  - key: seminars
    title: Обучающие семинары для педагогов (не менее трёх в год)
    kind: event
    recurrence: yearly
    due: {date: "{year}-12-20"}
    done_when: {events_at_least: 3, kinds: [seminar, webinar]}
"""


def test_counts_are_optional_and_checked() -> None:
    today = dt.date(2024, 1, 10)
    ev = normalise(
        NewEvent("Консультация", "Консультации по Навигатору", dt.date(2023, 5, 1)), today=today
    )
    assert (ev.kind, ev.participants_total, ev.participants) == ("consultation", None, ())
    split = normalise(
        NewEvent(
            "parent_meeting",
            "Собрание",
            dt.date(2023, 5, 1),
            participants=(("родители", 35), ("педагоги", 5)),
        ),
        today=today,
    )
    assert split.participants_total == 40 and split.audiences == ("parents", "teachers")
    with pytest.raises(InputError, match="меньше суммы"):
        normalise(
            NewEvent(
                "seminar",
                "Семинар",
                dt.date(2023, 5, 1),
                participants=(("педагоги", 20),),
                participants_total=10,
            ),
            today=today,
        )
    with pytest.raises(InputError, match="ещё не наступила"):
        normalise(NewEvent("seminar", "Семинар", dt.date(2024, 1, 11)), today=today)


def test_register_on_both_databases_and_in_the_report(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s, code="lod", name="Лодейнопольский район")
    events = [
        NewEvent(
            "seminar",
            "Семинар-практикум по НОК",
            dt.date(2023, 3, 14),
            ("педагоги",),
            participants_total=18,
        ),
        NewEvent("webinar", "Вебинар по программам", dt.date(2023, 4, 20), ("teachers",)),
        NewEvent(
            "parent_meeting",
            "Родительское собрание",
            dt.date(2023, 9, 5),
            participants=(("родители", 64),),
            note="рассказали о сертификатах",
        ),
        NewEvent("meeting", "Совещание руководителей", dt.date(2022, 12, 28)),
    ]
    for ev in events:
        with session_scope(engine) as s:
            mun = s.get(Municipality, m.id)
            assert mun is not None
            pdf = b"%PDF-1.4 protocol" if ev.kind == "meeting" else None
            add_event(
                s,
                municipality=mun,
                event=ev,
                step=None,
                file_bytes=pdf,
                file_name="protocol.pdf" if pdf else None,
                actor="Сафонова Т.Б.",
                settings=settings,
                now=NOW,
            )
    with session_scope(engine) as s:
        rows = s.exec(select(EventRecord).order_by(EventRecord.held_on)).all()  # type: ignore[arg-type]
        assert [r.kind for r in rows] == ["meeting", "seminar", "webinar", "parent_meeting"]
        assert rows[0].file_sha256 and rows[1].participants == {"teachers": 18}
        assert len(s.exec(select(AuditEntry)).all()) == 4
        doc = annual_report(s, municipality="lod", year=2023, now=NOW, charts=False)
    by_title = {sec.title: sec for sec in doc.sections}
    reg = by_title["6.1. Реестр мероприятий"]
    assert reg.table is not None and len(reg.table.rows) == 3  # 2022 event not in 2023
    assert "Проведено мероприятий: 3" in reg.paragraphs[0]
    assert reg.table.rows[2][-1] == "рассказали о сертификатах"
    totals = by_title["6.2. Мероприятия и участники по категориям"].table
    assert totals is not None
    assert totals.rows == (("педагоги", "2", "18"), ("родители", "1", "64"), ("Всего", "3", "82"))


def test_rule_closes_the_step_from_the_cli(
    cli_env: dict[str, str], tmp_path: Path, engine: Engine
) -> None:
    template = tmp_path / "events.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    protocol = tmp_path / "protocol.pdf"
    protocol.write_bytes(b"%PDF-1.4 seminar protocol")
    cli = Cli(cli_env, tmp_path / "home")
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    cli.run("load", str(template), "-m", "lod", "--year", "2023")
    args = ("event", "add", "-m", "lod", "--audience", "педагоги")
    cli.run(
        *args,
        "--kind",
        "семинар",
        "--title",
        "Семинар 1",
        "--date",
        "14.03.2023",
        "--file",
        str(protocol),
    )
    cli.run(*args, "--kind", "совещание", "--title", "Совещание", "--date", "20.03.2023")
    second = cli.json(*args, "--kind", "вебинар", "--title", "Вебинар", "--date", "2023-04-20")
    assert second["steps_done"] == []  # the meeting does not count towards seminars
    third = cli.run(
        *args,
        "--kind",
        "seminar",
        "--title",
        "Семинар 2",
        "--date",
        "05.10.2023",
        "--participants",
        "педагоги=12,родители=3",
    )
    assert "шаг «seminars 2023» выполнен по правилу шаблона" in third.stdout
    with session_scope(engine) as s:
        step = s.exec(select(Step).where(Step.key == "seminars")).one()
        assert step.status == StepStatus.done
    listed = cli.json("event", "list", "-m", "lod", "--year", "2023")
    assert [e["kind"] for e in listed] == ["seminar", "meeting", "webinar", "seminar"]
    assert listed[3]["participants"] == {"teachers": 12, "parents": 3}
    bad = cli.run(*args, "--kind", "праздник", "--title", "X", "--date", "31.02.2023", code=2)
    assert "--date: ожидается дата ДД.ММ.ГГГГ или ГГГГ-ММ-ДД" in bad.stderr
    assert len(cli.json("event", "list", "-m", "lod", "--year", "2023")) == 4
    out = tmp_path / "report.md"
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
    assert "| 4 | 05.10.2023 | семинар | Семинар 2 | педагоги — 12, родители — 3 | 15 |" in text
