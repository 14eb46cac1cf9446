"""Shared builders for evidence and audit tests (real files, real databases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from models import Roadmap, RoadmapTemplate, Step, StepKind
from models.db import session_scope
from tests.factories import make_municipality, make_roadmap, make_step, pk

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DOCX = b"PK\x03\x04" + b"\x14\x00" * 20

ACT = {
    "act_type": "приказ",
    "act_number": "№85/1",
    "act_date": "2025-03-03",
    "issuer": "Управление образования администрации МО Крыловский район",
    "url": "https://krylovskaya.ru/docs/85-1.pdf",
}
GOOD_FIELDS: dict[StepKind, dict[str, Any]] = {
    StepKind.normative_act: ACT,
    StepKind.event: {
        "event_date": "2025-03-05",
        "participants": 55,
        "participants_by_category": {"педагоги": 20, "родители": 35},
    },
    StepKind.report: {"recipient": "РМЦ Краснодарского края", "sent_date": "2025-03-07"},
    StepKind.certificate_setup: {
        "accounting_certificates": 4120,
        "pf_certificates": 812,
        "nominal": "6500.00",
    },
    StepKind.expert_review: {
        "protocol_number": "№3",
        "protocol_date": "2025-03-04",
        "programmes_reviewed": 14,
    },
    StepKind.indicator: {"values": {"coverage_5_18": 81.4, "tech_share": 17.2}},
}


def make_step_in_db(
    engine: Engine,
    *,
    kind: StepKind = StepKind.normative_act,
    code: str = "krylovsky",
    key: str = "npa-moc",
    **extra: Any,
) -> int:
    """A municipality + roadmap + one step; returns the step id."""
    with session_scope(engine) as s:
        m = make_municipality(s, code=code)
        template = s.exec(select(RoadmapTemplate)).first()
        if template is None:
            r = make_roadmap(s, municipality=m)
        else:  # a second municipality reuses the test template
            r = Roadmap(
                municipality_id=pk(m), template_id=pk(template), template_key="test", year=2025
            )
            s.add(r)
            s.flush()
        step = make_step(s, roadmap=r, key=key, kind=kind, **extra)
        assert step.id is not None
        return step.id


def build_world(engine: Engine, settings: Any) -> dict[str, int]:
    """Two municipalities with completed, superseded, reopened and waived steps."""
    from domain.audit import log as audit_log
    from domain.evidence.completion import (
        complete_step,
        reopen_step,
        supersede_evidence,
        waive_step,
    )

    a = make_step_in_db(engine, key="npa-moc")
    b = make_step_in_db(engine, kind=StepKind.event, code="other-mo", key="meeting")
    with session_scope(engine) as s:
        step = s.get(Step, a)
        assert step is not None
        roadmap = s.get(Roadmap, step.roadmap_id)
        assert roadmap is not None
        c = make_step(s, roadmap=roadmap, key="report", kind=StepKind.report).id
        d = make_step(s, roadmap=roadmap, key="params", kind=StepKind.certificate_setup).id
    assert c is not None and d is not None
    t = NOW
    with session_scope(engine, immediate=True) as s:
        complete_step(
            s,
            step_id=a,
            fields=ACT,
            file_bytes=PDF,
            file_name="prikaz.pdf",
            actor="Иванова А.П.",
            settings=settings,
            now=t,
        )
    with session_scope(engine, immediate=True) as s:
        supersede_evidence(
            s,
            step_id=a,
            fields={**ACT, "act_number": "№86"},
            file_bytes=DOCX,
            file_name="prikaz-86.docx",
            actor="Иванова А.П.",
            settings=settings,
            now=t + dt.timedelta(hours=1),
            reason="опечатка",
        )
    with session_scope(engine, immediate=True) as s:
        complete_step(
            s,
            step_id=c,
            fields=GOOD_FIELDS[StepKind.report],
            file_bytes=PNG,
            file_name="otchet.png",
            actor="Петров",
            settings=settings,
            now=t + dt.timedelta(hours=2),
        )
        reopen_step(
            s, step_id=c, actor="Петров", reason="не тот файл", now=t + dt.timedelta(hours=3)
        )
        waive_step(
            s, step_id=d, actor="Петров", reason="не требуется", now=t + dt.timedelta(hours=4)
        )
    with session_scope(engine, immediate=True) as s:
        complete_step(
            s,
            step_id=b,
            fields=GOOD_FIELDS[StepKind.event],
            file_bytes=PDF + b"%2",
            file_name="protokol.pdf",
            actor="Сидорова",
            settings=settings,
            now=t + dt.timedelta(hours=5),
        )
        audit_log.append(
            s,
            municipality_id=None,
            actor="admin",
            action="settings.changed",
            entity="settings",
            payload={"due_soon_working_days": 5},
            at=t + dt.timedelta(hours=6),
        )
    return {"act": a, "meeting": b, "report": c, "params": d}
