"""Derived values of the extended indicators (issue 15), set-based over municipalities."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Expert, Focus, Organisation, Person, Programme, ReviewCampaign, ReviewCase
from models.records import Audience, EventRecord
from models.review import Expertise, ProgrammeStatus


def record_counts(s: Session, *, municipality_ids: list[int]) -> dict[int, dict[str, float]]:
    """Catalogue status counts, registered organisations, public experts."""
    out: dict[int, dict[str, float]] = {
        mid: {
            "programmes_published": 0.0,
            "programmes_archived": 0.0,
            "programmes_expertise_positive": 0.0,
            "organisations_navigator": 0.0,
            "public_experts": 0.0,
        }
        | {f"programmes_archived_{f.value}": 0.0 for f in Focus}
        for mid in municipality_ids
    }
    rows = s.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
            Programme.municipality_id,
            Programme.focus,
            Programme.status,
            Programme.expertise,
            func.count(),
        )
        .where(col(Programme.municipality_id).in_(municipality_ids))
        .group_by(
            col(Programme.municipality_id),
            col(Programme.focus),
            col(Programme.status),
            col(Programme.expertise),
        )
    ).all()
    for mid, focus, status, expertise, n in rows:
        mine = out[mid]
        if status == ProgrammeStatus.archived:
            mine["programmes_archived"] += n
            mine[f"programmes_archived_{Focus(focus).value}"] += n
        else:
            mine["programmes_published"] += n
        if expertise == Expertise.positive:
            mine["programmes_expertise_positive"] += n
    orgs = s.exec(
        select(Organisation.municipality_id, func.count())
        .where(
            col(Organisation.municipality_id).in_(municipality_ids),
            col(Organisation.in_navigator).is_(True),
        )
        .group_by(col(Organisation.municipality_id))
    ).all()
    for mid, n in orgs:
        out[mid]["organisations_navigator"] = float(n)
    experts = s.exec(
        select(Person.municipality_id, func.count())
        .join(Expert, col(Expert.person_id) == Person.id)
        .where(col(Person.municipality_id).in_(municipality_ids), col(Expert.public).is_(True))
        .group_by(col(Person.municipality_id))
    ).all()
    for mid, n in experts:
        if mid is not None:
            out[mid]["public_experts"] = float(n)
    return out


def year_counts(
    s: Session, *, municipality_ids: list[int], year: int
) -> dict[int, dict[str, float]]:
    """Events held in ``year`` (total and by audience); organisations that applied to НОК."""
    out: dict[int, dict[str, float]] = defaultdict(dict)
    for mid in municipality_ids:
        out[mid] = {"events_total": 0.0, "nok_applied_organisations": 0.0} | {
            f"events_{a.value}": 0.0 for a in Audience
        }
    events = s.exec(
        select(EventRecord.municipality_id, EventRecord.audiences).where(
            col(EventRecord.municipality_id).in_(municipality_ids),
            col(EventRecord.held_on) >= dt.date(year, 1, 1),
            col(EventRecord.held_on) <= dt.date(year, 12, 31),
        )
    ).all()
    for mid, audiences in events:
        out[mid]["events_total"] += 1
        for a in audiences or []:
            if f"events_{a}" in out[mid]:
                out[mid][f"events_{a}"] += 1
    applied = s.exec(
        select(ReviewCampaign.municipality_id, func.count(func.distinct(Programme.organisation_id)))
        .join(ReviewCase, col(ReviewCase.campaign_id) == ReviewCampaign.id)
        .join(Programme, col(Programme.id) == ReviewCase.programme_id)
        .where(
            col(ReviewCampaign.municipality_id).in_(municipality_ids),
            ReviewCampaign.year == year,
            col(ReviewCase.submitted_at).is_not(None),
        )
        .group_by(col(ReviewCampaign.municipality_id))
    ).all()
    for mid, n in applied:
        out[mid]["nok_applied_organisations"] = float(n)
    return out
