"""The programme catalogue: add, find, list, archive (with the audit log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from domain.audit import log as audit_log
from domain.errors import ConflictError, InputError, NotFoundError
from domain.indicators.catalogue import FOCUS_RU
from domain.records.labels import (
    EXPERTISE_ALIASES,
    EXPERTISE_RU,
    FOCUS_ALIASES,
    STATUS_RU,
    pick,
)
from domain.vocabulary import AuditAction
from models.core import Organisation
from models.review import Expertise, Focus, Programme, ProgrammeStatus


def parse_focus(value: str) -> Focus:
    return Focus(pick(value, field="--focus", labels=FOCUS_RU, aliases=FOCUS_ALIASES))


def parse_expertise(value: str) -> Expertise:
    return Expertise(
        pick(value, field="--expertise", labels=EXPERTISE_RU, aliases=EXPERTISE_ALIASES)
    )


def parse_status(value: str) -> ProgrammeStatus:
    return ProgrammeStatus(pick(value, field="--status", labels=STATUS_RU))


def get_programme(s: Session, *, municipality_id: int, programme_id: int) -> Programme:
    p = s.get(Programme, programme_id)
    if p is None or p.municipality_id != municipality_id:
        raise NotFoundError(f"программа №{programme_id} не найдена в муниципалитете")
    return p


def add_programme(
    s: Session,
    *,
    organisation: Organisation,
    title: str,
    focus: str,
    navigator_id: str | None = None,
    hours: int = 0,
    age_min: int = 5,
    age_max: int = 18,
    for_ovz: bool = False,
    remote: bool = False,
    network: bool = False,
    expertise: str = "none",
    actor: str,
    now: dt.datetime,
) -> Programme:
    """Add a published programme of ``organisation`` to the catalogue."""
    if len(title.strip()) < 2:
        raise InputError("--title: укажите название программы")
    if not 0 <= age_min <= age_max <= 18:
        raise InputError(f"возраст: ожидается 0 ≤ от ≤ до ≤ 18, получено {age_min}–{age_max}")
    if hours < 0:
        raise InputError(f"--hours: число часов не может быть отрицательным ({hours})")
    nav = (navigator_id or "").strip() or None
    if nav is not None:
        clash = s.exec(
            select(Programme.id).where(
                Programme.municipality_id == organisation.municipality_id,
                Programme.navigator_id == nav,
            )
        ).first()
        if clash is not None:
            raise ConflictError(f"--navigator-id: программа {nav} уже есть (№{clash})")
    assert organisation.id is not None
    p = Programme(
        municipality_id=organisation.municipality_id,
        organisation_id=organisation.id,
        title=title.strip(),
        focus=parse_focus(focus),
        navigator_id=nav,
        hours=hours,
        age_min=age_min,
        age_max=age_max,
        for_ovz=for_ovz,
        remote=remote,
        network=network,
        expertise=parse_expertise(expertise),
    )
    s.add(p)
    s.flush()
    audit_log.append(
        s,
        municipality_id=organisation.municipality_id,
        actor=actor,
        action=AuditAction.programme_added,
        entity=f"programme:{p.id}",
        payload=programme_json(p, organisation),
        at=now,
    )
    return p


def archive_programme(
    s: Session, *, programme: Programme, on: dt.date, actor: str, now: dt.datetime
) -> Programme:
    """Move a published programme to the archive (it stays in the catalogue)."""
    if programme.status == ProgrammeStatus.archived:
        raise ConflictError(f"программа №{programme.id} уже в архиве с {programme.archived_on}")
    programme.status = ProgrammeStatus.archived
    programme.archived_on = on
    s.add(programme)
    s.flush()
    audit_log.append(
        s,
        municipality_id=programme.municipality_id,
        actor=actor,
        action=AuditAction.programme_archived,
        entity=f"programme:{programme.id}",
        payload={"id": programme.id, "archived_on": on},
        at=now,
    )
    return programme


def list_programmes(
    s: Session,
    *,
    municipality_id: int,
    focus: Focus | None = None,
    status: ProgrammeStatus | None = None,
    organisation_id: int | None = None,
) -> list[tuple[Programme, Organisation]]:
    q = (
        select(Programme, Organisation)
        .join(Organisation, col(Organisation.id) == Programme.organisation_id)
        .where(Programme.municipality_id == municipality_id)
    )
    if focus is not None:
        q = q.where(Programme.focus == focus)
    if status is not None:
        q = q.where(Programme.status == status)
    if organisation_id is not None:
        q = q.where(Programme.organisation_id == organisation_id)
    return [(p, o) for p, o in s.exec(q.order_by(col(Programme.id))).all()]


def programme_json(p: Programme, org: Organisation) -> dict[str, Any]:
    return {
        "id": p.id,
        "title": p.title,
        "organisation": org.code,
        "focus": str(p.focus),
        "focus_ru": FOCUS_RU.get(p.focus, str(p.focus)),
        "navigator_id": p.navigator_id,
        "hours": p.hours,
        "age_min": p.age_min,
        "age_max": p.age_max,
        "for_ovz": p.for_ovz,
        "remote": p.remote,
        "network": p.network,
        "status": str(p.status),
        "status_ru": STATUS_RU.get(p.status, str(p.status)),
        "expertise": str(p.expertise),
        "expertise_ru": EXPERTISE_RU.get(p.expertise, str(p.expertise)),
        "archived_on": p.archived_on,
    }
