"""Builders for review tests: a municipality with organisations, experts, a campaign,
and ``drive_to`` that brings a fresh case into any state through legal transitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pendulum
from sqlmodel import Session

from domain.review import transitions as review
from domain.review.campaign import add_expert, add_programme, create_campaign, open_case
from models import Municipality, Organisation, Person, ReviewCampaign, ReviewCase, Role
from models.review import ReviewState
from tests.factories import make_municipality, make_organisation, make_person

S = ReviewState
NOW = pendulum.datetime(2025, 11, 17, 10, 0, tz="Europe/Moscow").in_timezone("UTC")
ACTOR = "test:moc"


@dataclass
class World:
    municipality: Municipality
    org: Organisation
    other_org: Organisation
    head: Person
    campaign: ReviewCampaign
    experts: list[int] = field(default_factory=list)
    own_staff_expert: int = 0
    contact: Person | None = None
    n: int = 0


def make_world(
    s: Session,
    *,
    tz: str = "Europe/Moscow",
    max_rounds: int = 3,
    quorum: int = 2,
    n_experts: int = 4,
    code: str = "krylovsky",
) -> World:
    m = make_municipality(s, code=code, tz=tz)
    org = make_organisation(s, municipality=m, code="ddt")
    other = make_organisation(s, municipality=m, code="sosh1")
    head = make_person(
        s,
        municipality=m,
        role=Role.moc_head,
        full_name="Руководитель МОЦ",
        notify=["json://127.0.0.1:9/head"],
    )
    contact = make_person(
        s,
        municipality=m,
        role=Role.org_contact,
        organisation=org,
        full_name="Контакт ДДТ",
        notify=["json://127.0.0.1:9/ddt"],
    )
    campaign = create_campaign(
        s,
        municipality_id=m.id or 0,
        title="НОК 2025",
        year=2025,
        starts_on=dt.date(2025, 11, 15),
        ends_on=dt.date(2025, 12, 15),
        quorum=quorum,
        max_rounds=max_rounds,
        expert_working_days=5,
        revision_working_days=10,
        escalate_after_working_days=2,
    )
    w = World(
        municipality=m, org=org, other_org=other, head=head, campaign=campaign, contact=contact
    )
    for i in range(n_experts):
        p = make_person(
            s,
            municipality=m,
            role=Role.expert,
            organisation=other,
            full_name=f"Эксперт {i + 1}",
            notify=[f"json://127.0.0.1:9/e{i + 1}"],
        )
        w.experts.append(add_expert(s, person_id=p.id or 0).id or 0)
    staff = make_person(
        s, municipality=m, role=Role.expert, organisation=org, full_name="Сотрудник ДДТ"
    )
    w.own_staff_expert = add_expert(s, person_id=staff.id or 0).id or 0
    return w


def new_case(s: Session, w: World, *, now: dt.datetime = NOW) -> ReviewCase:
    w.n += 1
    p = add_programme(s, organisation_id=w.org.id or 0, title=f"Программа {w.n}", focus="technical")
    return open_case(
        s, campaign_id=w.campaign.id or 0, programme_id=p.id or 0, actor=ACTOR, now=now
    )


PATHS: dict[ReviewState, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.FORMALLY_REJECTED: ["submit", "reject"],
    S.EXPERTS_ASSIGNED: ["submit", "assign"],
    S.UNDER_REVIEW: ["submit", "assign", "start"],
    S.POSITIVE: ["submit", "assign", "start", "v0+", "v1+"],
    S.NEGATIVE: ["submit", "assign", "start", "v0-", "v1-"],
    S.DISAGREEMENT: ["submit", "assign", "start", "v0+", "v1-"],
    S.REVISION: ["submit", "assign", "start", "v0-", "v1-", "revise"],
    S.COUNCIL_DECISION: ["submit", "assign", "start", "v0+", "v1+", "council"],
    S.REGIONAL_STAGE: ["submit", "assign", "start", "v0+", "v1+", "council", "regional"],
    S.IN_REGISTER: ["submit", "assign", "start", "v0+", "v1+", "council", "regional", "register"],
    S.ARCHIVED: ["submit", "reject", "archive"],
}


def step(s: Session, w: World, case_id: int, name: str, *, now: dt.datetime = NOW) -> None:
    """Apply one named step of a path (helper vocabulary of the tests)."""
    kw: dict[str, Any] = {"case_id": case_id, "actor": ACTOR, "now": now}
    if name == "submit":
        review.submit(s, **kw)
    elif name == "reject":
        review.formally_reject(s, reason="нет учебного плана", **kw)
    elif name == "assign":
        review.assign_experts(s, expert_ids=w.experts[:2], **kw)
    elif name == "start":
        review.start_review(s, **kw)
    elif name.startswith("v"):
        idx, sign = int(name[1:-1]), name[-1]
        review.record_verdict(
            s, expert_id=w.experts[idx], verdict="positive" if sign == "+" else "negative", **kw
        )
    elif name == "revise":
        review.request_revision(s, **kw)
    elif name == "council":
        review.council_decision(s, protocol_number="№5", protocol_date=dt.date(2025, 12, 10), **kw)
    elif name == "regional":
        review.send_to_regional_stage(s, **kw)
    elif name == "register":
        review.put_in_register(s, **kw)
    elif name == "archive":
        review.archive(s, **kw)
    else:  # pragma: no cover
        raise ValueError(name)


def drive_to(s: Session, w: World, state: ReviewState, *, now: dt.datetime = NOW) -> ReviewCase:
    case = new_case(s, w, now=now)
    for name in PATHS[state]:
        step(s, w, case.id or 0, name, now=now)
    s.refresh(case)
    assert case.state == state
    return case
