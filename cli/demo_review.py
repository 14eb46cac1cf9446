"""A demo НОК campaign: programmes of a municipality in many states of the cycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pendulum
from sqlmodel import Session, col, select

from domain.review import transitions as review
from domain.review.campaign import add_expert, add_programme, create_campaign, open_case
from domain.roadmap.deadlines import local_date
from models.core import Municipality, Organisation, Person, Role
from models.review import Focus, ReviewCampaign
from models.roadmap import Step

ACTOR = "demo"
PROGRAMMES: list[tuple[str, Focus, str]] = [
    # (title, направленность, path through the cycle)
    ("Робототехника и 3D-моделирование", Focus.technical, "register"),
    ("Юный эколог", Focus.natural_science, "regional"),
    ("Краеведы Кубани", Focus.tourism_local_history, "council"),
    ("Школа вожатых", Focus.social_humanitarian, "positive"),
    ("Хореографическая студия «Радуга»", Focus.artistic, "revision"),
    ("Мини-футбол", Focus.physical_culture_sports, "disagreement"),
    ("Программирование на Python", Focus.technical, "review"),
    ("Театральная мастерская", Focus.artistic, "rejected"),
    ("Шахматы для дошкольников", Focus.physical_culture_sports, "submitted"),
    ("Медиашкола", Focus.social_humanitarian, "draft"),
]


def _orgs(session: Session, m: Municipality) -> list[Organisation]:
    stmt = select(Organisation).where(Organisation.municipality_id == m.id)
    orgs = list(session.exec(stmt.order_by(col(Organisation.id))).all())
    for code, name in (
        ("demo-ddt", "МБУДО «Дом детского творчества»"),
        ("demo-cdt", "МБУДО «Центр детского технического творчества»"),
    ):
        if len(orgs) >= 2:
            break
        org = Organisation(municipality_id=m.id or 0, code=code, name=name)
        session.add(org)
        session.flush()
        orgs.append(org)
    return orgs


def _experts(session: Session, m: Municipality) -> list[int]:
    ids: list[int] = []
    for name, public in (
        ("Морозова Елена Викторовна", False),
        ("Кузнецов Игорь Олегович", False),
        ("Белова Ольга Сергеевна", True),
    ):
        p = Person(
            full_name=name,
            role=Role.expert,
            municipality_id=m.id,
            notify=[f"console://expert-{len(ids) + 1}"],
        )
        session.add(p)
        session.flush()
        ids.append(add_expert(session, person_id=p.id or 0, public=public).id or 0)
    return ids


def seed_demo_campaign(
    session: Session, *, municipality: Municipality, step: Step | None, now: dt.datetime
) -> ReviewCampaign:
    """A campaign (linked to ``step`` if given) whose ten programmes stand in DRAFT,
    SUBMITTED, FORMALLY_REJECTED, UNDER_REVIEW (one expert late at ``now``),
    DISAGREEMENT, POSITIVE, REVISION, COUNCIL_DECISION, REGIONAL_STAGE and IN_REGISTER.
    Idempotent per municipality and year: an existing demo campaign is returned."""
    tz = municipality.timezone
    year = local_date(now, tz).year
    title = f"Независимая оценка качества программ {year}"
    found = session.exec(
        select(ReviewCampaign).where(
            ReviewCampaign.municipality_id == municipality.id, ReviewCampaign.title == title
        )
    ).first()
    if found is not None:
        return found
    start = pendulum.instance(now).subtract(days=28)
    campaign = create_campaign(
        session,
        municipality_id=municipality.id or 0,
        title=title,
        year=year,
        starts_on=local_date(start, tz),
        ends_on=local_date(now, tz) + dt.timedelta(days=14),
        step_id=step.id if step else None,
        quorum=2,
        expert_working_days=7,
        revision_working_days=15,
        max_rounds=3,
        escalate_after_working_days=2,
    )
    orgs, experts = _orgs(session, municipality), _experts(session, municipality)
    e1, e2, e3 = experts
    protocol_day = local_date(start.add(days=20), tz)
    for i, (name, focus, path) in enumerate(PROGRAMMES):
        prog = add_programme(
            session,
            organisation_id=orgs[i % 2].id or 0,
            title=name,
            focus=focus,
            hours=72 + 36 * (i % 3),
            for_ovz=i == 3,
            remote=i == 6,
            network=i == 1,
            navigator_id=f"{municipality.code}-{1000 + i}",
        )
        t = start.add(hours=i)
        cid = (
            open_case(
                session, campaign_id=campaign.id or 0, programme_id=prog.id or 0, actor=ACTOR, now=t
            ).id
            or 0
        )
        kw: dict[str, Any] = {"case_id": cid, "actor": ACTOR}
        if path == "draft":
            continue
        review.submit(session, now=t, **kw)
        if path == "submitted":
            continue
        if path == "rejected":
            review.formally_reject(
                session, reason="нет календарного учебного графика", now=t.add(days=1), **kw
            )
            continue
        review.assign_experts(session, expert_ids=[e1, e2], now=t.add(days=1), **kw)
        review.start_review(session, now=t.add(days=1), **kw)
        if path == "review":  # expert 2 stays silent: late at ``now``
            review.record_verdict(
                session, expert_id=e1, verdict="positive", now=t.add(days=5), **kw
            )
            continue
        v2 = "negative" if path in ("disagreement", "revision") else "positive"
        v1 = "negative" if path == "revision" else "positive"
        review.record_verdict(session, expert_id=e1, verdict=v1, now=t.add(days=6), **kw)
        review.record_verdict(
            session,
            expert_id=e2,
            verdict=v2,
            comment="замечания по планируемым результатам" if v2 == "negative" else "",
            now=t.add(days=7),
            **kw,
        )
        if path == "disagreement":
            review.assign_tiebreaker(session, expert_id=e3, now=t.add(days=8), **kw)
            continue
        if path == "revision":
            review.request_revision(
                session, now=t.add(days=8), comment="доработать оценочные материалы", **kw
            )
            continue
        if path == "positive":
            continue
        review.council_decision(
            session, protocol_number="№3", protocol_date=protocol_day, now=t.add(days=20), **kw
        )
        if path == "council":
            continue
        review.send_to_regional_stage(session, now=t.add(days=21), **kw)
        if path == "register":
            review.put_in_register(session, now=t.add(days=27), **kw)
    return campaign
