"""Typed evidence, content-addressed files and step transitions, on both databases."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from domain.errors import ConflictError, EvidenceError
from domain.evidence.completion import complete_step, reopen_step, supersede_evidence, waive_step
from domain.evidence.store import path_for
from models import AuditEntry, Evidence, Step, StepKind, StepStatus
from models.db import session_scope
from models.settings import Settings
from tests.evidence_helpers import ACT, DOCX, GOOD_FIELDS, NOW, PDF, PNG, make_step_in_db


def _complete(
    engine: Engine,
    settings: Settings,
    step_id: int,
    fields: dict[str, Any],
    data: bytes | None = PDF,
    name: str | None = "prikaz.pdf",
) -> Evidence:
    with session_scope(engine, immediate=True) as s:
        return complete_step(
            s,
            step_id=step_id,
            fields=fields,
            file_bytes=data,
            file_name=name,
            actor="Иванова А.П.",
            settings=settings,
            now=NOW,
        )


def _counts(engine: Engine) -> tuple[int, int]:
    with session_scope(engine) as s:
        ev = s.exec(select(func.count()).select_from(Evidence)).one()
        au = s.exec(select(func.count()).select_from(AuditEntry)).one()
        return int(ev), int(au)


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_normative_act_completion_writes_row_file_status_and_log(
    engine: Engine, settings: Settings
) -> None:
    step_id = make_step_in_db(engine)
    ev = _complete(engine, settings, step_id, ACT)
    sha = hashlib.sha256(PDF).hexdigest()
    assert (ev.act_type, ev.act_number, ev.act_date) == ("приказ", "№85/1", dt.date(2025, 3, 3))
    assert ev.effective_date == dt.date(2025, 3, 3) and ev.submitted_at == NOW
    assert ev.file_sha256 == sha and ev.content_type == "application/pdf"
    stored = path_for(settings.evidence_dir, sha)
    assert stored.read_bytes() == PDF and stored.parent.parent.name == sha[:2]
    with session_scope(engine) as s:
        step = s.get(Step, step_id)
        assert step is not None and step.status == StepStatus.done and step.done_at == NOW
        entry = s.exec(select(AuditEntry)).one()
    assert entry.action == "step.completed" and entry.entity == f"step:{step_id}"
    assert '"act_number":"№85/1"' in entry.payload and sha in entry.payload


@pytest.mark.parametrize("kind", list(GOOD_FIELDS))
def test_every_kind_accepts_its_typed_evidence(
    engine: Engine, settings: Settings, kind: StepKind
) -> None:
    step_id = make_step_in_db(engine, kind=kind)
    ev = _complete(engine, settings, step_id, GOOD_FIELDS[kind])
    assert ev.kind == kind.value and ev.id is not None
    if kind == StepKind.certificate_setup:
        assert ev.data == {
            "accounting_certificates": 4120,
            "pf_certificates": 812,
            "nominal": "6500.00",
        }
    if kind == StepKind.event:
        assert ev.effective_date == dt.date(2025, 3, 5) and ev.data["participants"] == 55
    if kind == StepKind.indicator:
        assert ev.effective_date == NOW.date()  # no own date: the local day of submission


@pytest.mark.parametrize("number", ["№233", "№85/1", "№110-37-1397-23", "№ 12-р", "№5.1"])
def test_act_numbers_as_written_are_accepted(
    engine: Engine, settings: Settings, number: str
) -> None:
    step_id = make_step_in_db(engine)
    assert _complete(engine, settings, step_id, {**ACT, "act_number": number}).act_number == number


BAD_CASES: list[tuple[str, StepKind, dict[str, Any], bytes | None, str | None, str]] = [
    # (case, kind, fields, file, file name, fragment that names the field)
    ("act type", StepKind.normative_act, {**ACT, "act_type": "указ"}, PDF, "a.pdf", "act_type"),
    (
        "number w/o №",
        StepKind.normative_act,
        {**ACT, "act_number": "233"},
        PDF,
        "a.pdf",
        "act_number",
    ),
    (
        "bad date",
        StepKind.normative_act,
        {**ACT, "act_date": "2025-13-01"},
        PDF,
        "a.pdf",
        "act_date",
    ),
    (
        "future act",
        StepKind.normative_act,
        {**ACT, "act_date": "2025-03-11"},
        PDF,
        "a.pdf",
        "act_date",
    ),
    (
        "no issuer",
        StepKind.normative_act,
        {k: v for k, v in ACT.items() if k != "issuer"},
        PDF,
        "a.pdf",
        "issuer",
    ),
    ("bad url", StepKind.normative_act, {**ACT, "url": "ftp://x"}, PDF, "a.pdf", "url"),
    ("unknown field", StepKind.normative_act, {**ACT, "colour": "red"}, PDF, "a.pdf", "colour"),
    ("no file", StepKind.normative_act, ACT, None, None, "file"),
    ("wrong type", StepKind.normative_act, ACT, b"MZ\x90\x00", "virus.exe", "file"),
    ("magic mismatch", StepKind.normative_act, ACT, PNG, "scan.pdf", "file"),
    ("empty file", StepKind.normative_act, ACT, b"", "a.pdf", "file"),
    (
        "negative count",
        StepKind.event,
        {"event_date": "2025-03-05", "participants": -1},
        PDF,
        "p.pdf",
        "participants",
    ),
    (
        "split mismatch",
        StepKind.event,
        {**GOOD_FIELDS[StepKind.event], "participants": 50},
        PDF,
        "p.pdf",
        "participants_by_category",
    ),
    (
        "count not int",
        StepKind.event,
        {"event_date": "2025-03-05", "participants": "много"},
        PDF,
        "p.pdf",
        "participants",
    ),
    (
        "zero nominal",
        StepKind.certificate_setup,
        {**GOOD_FIELDS[StepKind.certificate_setup], "nominal": "0"},
        None,
        None,
        "nominal",
    ),
    ("no recipient", StepKind.report, {"sent_date": "2025-03-07"}, DOCX, "r.docx", "recipient"),
    (
        "protocol number",
        StepKind.expert_review,
        {**GOOD_FIELDS[StepKind.expert_review], "protocol_number": "3"},
        PDF,
        "p.pdf",
        "protocol_number",
    ),
    ("no values", StepKind.indicator, {"values": {}}, None, None, "values"),
]


@pytest.mark.parametrize(
    ("case", "kind", "fields", "data", "name", "fragment"), BAD_CASES, ids=[c[0] for c in BAD_CASES]
)
def test_bad_evidence_names_the_field_and_writes_nothing(
    engine: Engine,
    settings: Settings,
    case: str,
    kind: StepKind,
    fields: dict[str, Any],
    data: bytes | None,
    name: str | None,
    fragment: str,
) -> None:
    step_id = make_step_in_db(engine, kind=kind)
    with pytest.raises(EvidenceError) as info:
        _complete(engine, settings, step_id, fields, data, name)
    assert fragment in " ".join(info.value.lines())
    assert _counts(engine) == (0, 0)
    assert _files(settings.evidence_dir) == []
    with session_scope(engine) as s:
        step = s.get(Step, step_id)
        assert step is not None and step.status == StepStatus.planned and step.done_at is None


def test_size_limit_is_enforced_before_writing(engine: Engine, settings: Settings) -> None:
    small = settings.model_copy(update={"evidence_max_bytes": 40})
    step_id = make_step_in_db(engine)
    with pytest.raises(EvidenceError, match="слишком велик"):
        _complete(engine, small, step_id, ACT, PDF + b"x" * 100, "a.pdf")
    assert _files(settings.evidence_dir) == [] and _counts(engine) == (0, 0)


def test_template_evidence_list_decides_required_fields(engine: Engine, settings: Settings) -> None:
    # The template lists no "file": the act may be completed without one, but url is required.
    step_id = make_step_in_db(
        engine, evidence_required=["act_type", "act_number", "act_date", "issuer", "url"]
    )
    no_url = {k: v for k, v in ACT.items() if k != "url"}
    with pytest.raises(EvidenceError, match="url"):
        _complete(engine, settings, step_id, no_url, None, None)
    assert _complete(engine, settings, step_id, ACT, None, None).file_sha256 is None


def test_rollback_removes_a_file_stored_in_that_transaction(
    engine: Engine, settings: Settings
) -> None:
    step_id = make_step_in_db(engine)
    with pytest.raises(RuntimeError), session_scope(engine, immediate=True) as s:
        complete_step(
            s,
            step_id=step_id,
            fields=ACT,
            file_bytes=PDF,
            file_name="a.pdf",
            actor="x",
            settings=settings,
            now=NOW,
        )
        assert len(_files(settings.evidence_dir)) == 1
        raise RuntimeError("crash before commit")
    assert _files(settings.evidence_dir) == [] and _counts(engine) == (0, 0)


def test_completing_twice_conflicts_and_supersede_keeps_history(
    engine: Engine, settings: Settings
) -> None:
    step_id = make_step_in_db(engine)
    first = _complete(engine, settings, step_id, ACT)
    with pytest.raises(ConflictError):
        _complete(engine, settings, step_id, ACT)
    later = NOW + dt.timedelta(days=1)
    with session_scope(engine, immediate=True) as s:
        second = supersede_evidence(
            s,
            step_id=step_id,
            fields={**ACT, "act_number": "№86"},
            file_bytes=DOCX,
            file_name="prikaz-86.docx",
            actor="Петров",
            settings=settings,
            now=later,
            reason="опечатка в номере",
        )
    with session_scope(engine) as s:
        rows = list(s.exec(select(Evidence).order_by(Evidence.id)))  # type: ignore[arg-type]
        actions = [e.action for e in s.exec(select(AuditEntry).order_by(AuditEntry.seq))]  # type: ignore[arg-type]
    assert [r.id for r in rows] == [first.id, second.id]
    assert rows[0].superseded_by_id == second.id and rows[1].superseded_by_id is None
    assert actions == ["step.completed", "evidence.superseded"]
    assert len(_files(settings.evidence_dir)) == 2  # both files kept


def test_reopen_then_complete_supersedes_and_waive_is_logged(
    engine: Engine, settings: Settings
) -> None:
    step_id = make_step_in_db(engine)
    first = _complete(engine, settings, step_id, ACT)
    with session_scope(engine, immediate=True) as s:
        step = reopen_step(
            s, step_id=step_id, actor="Петров", reason="акт отменён", now=NOW + dt.timedelta(days=1)
        )
        assert step.status == StepStatus.planned and step.done_at is None
        with pytest.raises(ConflictError):
            reopen_step(s, step_id=step_id, actor="x", reason="y", now=NOW)
    second = _complete(engine, settings, step_id, {**ACT, "act_number": "№90"})
    other = make_step_in_db(engine, code="other-mo")
    with session_scope(engine, immediate=True) as s:
        assert (
            waive_step(
                s, step_id=other, actor="Петров", reason="не требуется в 2025", now=NOW
            ).status
            == StepStatus.waived
        )
    with session_scope(engine) as s:
        old = s.get(Evidence, first.id)
        assert old is not None and old.superseded_by_id == second.id
        actions = [(e.chain, e.action) for e in s.exec(select(AuditEntry).order_by(AuditEntry.id))]  # type: ignore[arg-type]
    assert actions == [
        ("krylovsky", "step.completed"),
        ("krylovsky", "step.reopened"),
        ("krylovsky", "step.completed"),
        ("other-mo", "step.waived"),
    ]


def test_identical_files_are_stored_once(engine: Engine, settings: Settings) -> None:
    a = make_step_in_db(engine)
    with session_scope(engine) as s:
        from tests.factories import make_step

        step = s.get(Step, a)
        assert step is not None
        from models import Roadmap

        roadmap = s.get(Roadmap, step.roadmap_id)
        assert roadmap is not None
        b = make_step(s, roadmap=roadmap, key="npa-2").id
    _complete(engine, settings, a, ACT)
    _complete(engine, settings, b, ACT)  # type: ignore[arg-type]
    assert len(_files(settings.evidence_dir)) == 1
