"""Review campaigns (a roadmap step of kind expert_review), programmes, experts, cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from domain import lookup
from domain.audit import log as audit_log
from domain.errors import ConflictError, InputError, NotFoundError
from domain.evidence.completion import complete_step
from domain.review.transitions import campaign_counts
from domain.vocabulary import AuditAction
from models.evidence import Evidence
from models.review import Expert, Focus, Programme, ReviewCampaign, ReviewCase, ReviewState
from models.roadmap import Step, StepKind
from models.settings import Settings

S = ReviewState
# Cases still on their way to a council decision: a campaign cannot close over them.
OPEN_STATES = frozenset(
    {
        S.SUBMITTED,
        S.EXPERTS_ASSIGNED,
        S.UNDER_REVIEW,
        S.DISAGREEMENT,
        S.POSITIVE,
        S.NEGATIVE,
        S.REVISION,
    }
)


def create_campaign(
    session: Session,
    *,
    municipality_id: int,
    title: str,
    year: int,
    starts_on: dt.date,
    ends_on: dt.date,
    step_id: int | None = None,
    quorum: int = 2,
    expert_working_days: int = 7,
    revision_working_days: int = 20,
    max_rounds: int = 3,
    escalate_after_working_days: int = 3,
) -> ReviewCampaign:
    """A campaign with its settings; ``step_id`` links it to an expert_review step."""
    if ends_on < starts_on:
        raise InputError(f"кампания: дата окончания {ends_on} раньше даты начала {starts_on}")
    if quorum < 2:
        raise InputError(f"кампания: кворум экспертов не меньше 2, указано {quorum}")
    for name, value in (
        ("срок экспертизы", expert_working_days),
        ("срок доработки", revision_working_days),
        ("число раундов", max_rounds),
    ):
        if value < 1:
            raise InputError(f"кампания: {name} должен быть положительным, указано {value}")
    if step_id is not None:
        step = session.get(Step, step_id)
        if step is None:
            raise NotFoundError(f"шаг №{step_id} не найден")
        if step.kind != StepKind.expert_review or step.municipality_id != municipality_id:
            raise InputError(
                f"кампания: шаг №{step_id} «{step.title}» — не шаг экспертизы "
                "программ этого муниципалитета"
            )
    row = ReviewCampaign(
        municipality_id=municipality_id,
        step_id=step_id,
        title=title,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        quorum=quorum,
        expert_working_days=expert_working_days,
        revision_working_days=revision_working_days,
        max_rounds=max_rounds,
        escalate_after_working_days=escalate_after_working_days,
    )
    session.add(row)
    session.flush()
    return row


def add_programme(
    session: Session,
    *,
    organisation_id: int,
    title: str,
    focus: Focus | str,
    navigator_id: str | None = None,
    hours: int = 0,
    age_min: int = 5,
    age_max: int = 18,
    for_ovz: bool = False,
    remote: bool = False,
    network: bool = False,
) -> Programme:
    org = lookup.organisation_by_id(session, organisation_id)
    try:
        focus_value = Focus(focus)
    except ValueError:
        allowed = ", ".join(f.value for f in Focus)
        raise InputError(f"направленность: «{focus}» неизвестна; допустимо: {allowed}") from None
    if not 0 <= age_min <= age_max <= 18:
        raise InputError(f"возраст: ожидается 0 ≤ от ≤ до ≤ 18, получено {age_min}–{age_max}")
    row = Programme(
        municipality_id=org.municipality_id,
        organisation_id=organisation_id,
        title=title,
        focus=focus_value,
        navigator_id=navigator_id,
        hours=hours,
        age_min=age_min,
        age_max=age_max,
        for_ovz=for_ovz,
        remote=remote,
        network=network,
    )
    session.add(row)
    session.flush()
    return row


def add_expert(session: Session, *, person_id: int, public: bool = False) -> Expert:
    lookup.person(session, person_id)  # NotFoundError for an unknown id
    if session.exec(select(Expert).where(Expert.person_id == person_id)).first():
        raise ConflictError(f"человек №{person_id} уже зарегистрирован как эксперт")
    row = Expert(person_id=person_id, public=public)
    session.add(row)
    session.flush()
    return row


def open_case(
    session: Session, *, campaign_id: int, programme_id: int, actor: str, now: dt.datetime
) -> ReviewCase:
    """A DRAFT case of a programme in a campaign (one per programme and campaign)."""
    campaign = session.get(ReviewCampaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"кампания №{campaign_id} не найдена")
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFoundError(f"программа №{programme_id} не найдена")
    if programme.municipality_id != campaign.municipality_id:
        raise InputError(f"программа №{programme_id} из другого муниципалитета")
    if programme.status == "archived":
        raise ConflictError(
            f"программа №{programme_id} в архиве каталога: на экспертизу не подаётся"
        )
    if campaign.closed_at is not None:
        raise ConflictError(f"кампания №{campaign_id} уже закрыта протоколом МОС")
    stmt = select(ReviewCase).where(
        ReviewCase.campaign_id == campaign_id, ReviewCase.programme_id == programme_id
    )
    if session.exec(stmt).first() is not None:
        raise ConflictError(f"программа №{programme_id} уже участвует в кампании №{campaign_id}")
    case = ReviewCase(campaign_id=campaign_id, programme_id=programme_id, updated_at=now)
    session.add(case)
    session.flush()
    audit_log.append(
        session,
        municipality_id=campaign.municipality_id,
        actor=actor,
        action=AuditAction.review_open,
        entity=f"review_case:{case.id}",
        payload={"campaign_id": campaign_id, "programme_id": programme_id, "to": S.DRAFT.value},
        at=now,
    )
    return case


def find_case(session: Session, *, campaign_id: int, programme_id: int) -> ReviewCase | None:
    stmt = select(ReviewCase).where(
        ReviewCase.campaign_id == campaign_id, ReviewCase.programme_id == programme_id
    )
    return session.exec(stmt).first()


def close_campaign(
    session: Session,
    *,
    campaign_id: int,
    protocol_number: str,
    protocol_date: dt.date,
    file_bytes: bytes | None,
    file_name: str | None,
    actor: str,
    settings: Settings,
    now: dt.datetime,
) -> Evidence | None:
    """Complete the campaign's roadmap step with the МОС protocol as evidence."""
    campaign = session.get(ReviewCampaign, campaign_id)
    if campaign is None:
        raise NotFoundError(f"кампания №{campaign_id} не найдена")
    if campaign.closed_at is not None:
        raise ConflictError(f"кампания №{campaign_id} уже закрыта")
    stmt = select(ReviewCase.id).where(
        ReviewCase.campaign_id == campaign_id, col(ReviewCase.state).in_(list(OPEN_STATES))
    )
    waiting = list(session.exec(stmt).all())
    if waiting:
        raise ConflictError(
            f"кампания №{campaign_id}: {len(waiting)} заявок ещё без решения МОС "
            f"(№ {', '.join(str(i) for i in waiting[:10])})"
        )
    campaign.closed_at = now
    session.add(campaign)
    session.flush()
    if campaign.step_id is None:
        return None
    fields: dict[str, Any] = {
        "protocol_number": protocol_number,
        "protocol_date": protocol_date,
        "programmes_reviewed": campaign_counts(session, campaign_id=campaign_id)["reviewed"],
    }
    return complete_step(
        session,
        step_id=campaign.step_id,
        fields=fields,
        file_bytes=file_bytes,
        file_name=file_name,
        actor=actor,
        settings=settings,
        now=now,
    )
