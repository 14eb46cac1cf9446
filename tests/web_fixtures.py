"""A small two-municipality world for the web tests: every role with a token."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from domain.evidence.completion import complete_step
from models import (
    Expert,
    ExpertAssignment,
    Focus,
    Programme,
    ReviewCampaign,
    ReviewCase,
    Roadmap,
    RoadmapTemplate,
    Role,
    StepKind,
    StepStatus,
)
from models.db import session_scope
from models.settings import Settings
from tests.factories import (
    make_municipality,
    make_organisation,
    make_person,
    make_roadmap,
    make_step,
    pk,
)
from web.app import create_app
from web.auth_tokens import add_access_token

NOW = dt.datetime(2025, 3, 10, 7, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NPA_FIELDS = {
    "act_type": "приказ",
    "act_number": "№85/1",
    "act_date": "2025-03-05",
    "issuer": "Управление образования",
}
REPORT_FIELDS = {"recipient": "РМЦ Краснодарского края", "sent_date": "2025-03-07"}
ROLES = ("admin", "moc_head", "org_contact", "expert", "auditor")


@dataclass
class Side:
    """The objects of one municipality."""

    code: str
    municipality_id: int
    org_id: int
    npa_step: int  # done, with evidence and a file
    evidence_id: int
    org_step: int  # owned by the organisation, open
    blocked_step: int
    review_step: int
    extra: dict[str, int] = field(default_factory=dict)


@dataclass
class World:
    own: Side
    other: Side
    tokens: dict[str, str]
    person_ids: dict[str, int]


def _roadmap(s: Any, m: Any) -> Roadmap:
    from sqlmodel import select

    t = s.exec(select(RoadmapTemplate)).first()
    if t is None:
        return make_roadmap(s, municipality=m)
    r = Roadmap(municipality_id=m.id, template_id=t.id, template_key=t.key, year=2025)
    s.add(r)
    s.flush()
    return r


def _side(
    s: Any, settings: Settings, *, code: str, tz: str, with_expert: int | None
) -> tuple[Side, int]:
    m = make_municipality(s, code=code, tz=tz, name=f"Муниципалитет {code}")
    org = make_organisation(s, municipality=m, code=f"ddt-{code}")
    r = _roadmap(s, m)
    npa = make_step(
        s, roadmap=r, key="npa-moc", title="Приказ о создании МОЦ", due=dt.date(2025, 3, 14)
    )
    rep = make_step(
        s,
        roadmap=r,
        key="report-q1",
        kind=StepKind.report,
        title="Отчёт организации за I квартал",
        due=dt.date(2025, 3, 12),
        organisation_id=org.id,
        owner_role="org_contact",
        status=StepStatus.due_soon,
    )
    blk = make_step(
        s,
        roadmap=r,
        key="cert-setup",
        kind=StepKind.certificate_setup,
        title="Параметры сертификатов",
        due=dt.date(2025, 4, 1),
        depends_on=["npa-moc", "budget"],
        status=StepStatus.blocked,
        blocked_by=["budget"],
    )
    make_step(
        s,
        roadmap=r,
        key="budget",
        title="Бюджет",
        due=dt.date(2025, 2, 20),
        status=StepStatus.overdue,
    )
    rev = make_step(
        s,
        roadmap=r,
        key="nok",
        kind=StepKind.expert_review,
        title="Экспертиза программ (НОК)",
        due=dt.date(2025, 5, 30),
    )
    camp = ReviewCampaign(
        municipality_id=pk(m),
        step_id=rev.id,
        title="НОК 2025",
        year=2025,
        starts_on=dt.date(2025, 3, 1),
        ends_on=dt.date(2025, 5, 30),
    )
    s.add(camp)
    prog = Programme(
        municipality_id=pk(m), organisation_id=pk(org), title="Робототехника", focus=Focus.technical
    )
    s.add(prog)
    s.flush()
    case = ReviewCase(campaign_id=pk(camp), programme_id=pk(prog))
    s.add(case)
    s.flush()
    if with_expert is not None:
        s.add(
            ExpertAssignment(
                case_id=pk(case), expert_id=with_expert, round=1, due_at=NOW + dt.timedelta(days=7)
            )
        )
    ev = complete_step(
        s,
        step_id=pk(npa),
        fields=NPA_FIELDS,
        file_bytes=PDF,
        file_name="prikaz.pdf",
        actor="Иванова А. П.",
        settings=settings,
        now=NOW,
    )
    side = Side(code, m.id, org.id, npa.id, int(ev.id or 0), rep.id, blk.id, rev.id)  # type: ignore[arg-type]
    return side, int(org.id)  # type: ignore[arg-type]


def seed_world(engine: Engine, settings: Settings) -> World:
    tokens: dict[str, str] = {}
    ids: dict[str, int] = {}
    with session_scope(engine, immediate=True) as s:
        admin = make_person(s, municipality=None, role=Role.admin, full_name="Админ Системы")
        expert_p = make_person(s, municipality=None, role=Role.expert, full_name="Эксперт Петров")
        expert = Expert(person_id=pk(expert_p))
        s.add(expert)
        s.flush()
        own, _ = _side(s, settings, code="krylovsky", tz="Europe/Moscow", with_expert=expert.id)
        other, _ = _side(s, settings, code="irkutsk", tz="Asia/Irkutsk", with_expert=None)
        from models import Municipality, Organisation

        m1 = s.get(Municipality, own.municipality_id)
        o1 = s.get(Organisation, own.org_id)
        people = {
            "admin": admin,
            "expert": expert_p,
            "moc_head": make_person(s, municipality=m1, role=Role.moc_head),
            "org_contact": make_person(
                s,
                municipality=m1,
                role=Role.org_contact,
                organisation=o1,
                full_name="Сидоров И. И.",
            ),
            "auditor": make_person(
                s,
                municipality=None,
                role=Role.auditor,
                full_name="Аудитор КСП",
                auditor_municipality_ids=[own.municipality_id],
            ),
        }
        for role, p in people.items():
            tokens[role] = f"token-{role}-0123456789"
            add_access_token(
                s, int(p.id or 0), tokens[role], expires_at=NOW + dt.timedelta(days=30)
            )
            ids[role] = int(p.id)  # type: ignore[arg-type]
    return World(own, other, tokens, ids)


@pytest.fixture
def world(engine: Engine, settings: Settings) -> World:
    return seed_world(engine, settings)


@pytest.fixture
def client(engine: Engine, settings: Settings, world: World) -> TestClient:
    app = create_app(settings, engine=engine, clock=lambda: NOW)
    return TestClient(app)


def auth(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[role]}"}
