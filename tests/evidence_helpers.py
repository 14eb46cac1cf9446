"""Shared builders for evidence and audit tests (real files, real databases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from models import Roadmap, RoadmapTemplate, StepKind
from models.db import session_scope
from tests.factories import make_municipality, make_roadmap, make_step

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
    engine: Engine, *, kind: StepKind = StepKind.normative_act, code: str = "krylovsky",
    key: str = "npa-moc", **extra: Any,
) -> int:  # fmt: skip
    """A municipality + roadmap + one step; returns the step id."""
    with session_scope(engine) as s:
        m = make_municipality(s, code=code)
        template = s.exec(select(RoadmapTemplate)).first()
        if template is None:
            r = make_roadmap(s, municipality=m)
        else:  # a second municipality reuses the test template
            r = Roadmap(municipality_id=m.id, template_id=template.id, template_key="test",
                        year=2025)  # fmt: skip
            s.add(r)
            s.flush()
        step = make_step(s, roadmap=r, key=key, kind=kind, **extra)
        assert step.id is not None
        return step.id
