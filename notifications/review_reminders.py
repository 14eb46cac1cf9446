"""The review tick: late experts and late revisions -> reminders and escalations.

Set-based: one query per kind of lateness, one for people, then the outbox's
idempotent enqueue with deterministic keys, so a second tick at the same moment
(or any later moment for the same lateness) inserts nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from domain.calendar.workdays import working_days_between
from domain.review.rules import REVIEW_STATES
from domain.roadmap.deadlines import local_date
from models.core import Municipality, Organisation, Person, Role
from models.outbox import OutboxMessage
from models.review import (
    Expert,
    ExpertAssignment,
    Programme,
    ReviewCampaign,
    ReviewCase,
    ReviewState,
)
from models.settings import Settings
from notifications.channels import channel_of
from notifications.outbox import enqueue_many
from notifications.policy import next_send_moment
from notifications.render import render

# Expert deadlines run from assignment, so a case waiting to start counts too.
EXPERT_WAITING = [s.value for s in (*REVIEW_STATES, ReviewState.EXPERTS_ASSIGNED)]


@dataclass(frozen=True)
class Late:
    """One late item: an expert's assignment or a provider's revision."""

    kind: str  # expert | revision
    key: str  # dedupe-key stem, e.g. "review:12" or "review-revision:5:r2"
    municipality_id: int
    tz: str
    municipality: str
    case_id: int
    round: int
    programme: str
    organisation: str
    due_at: dt.datetime
    escalate_after: int
    responsible: list[Person]
    expert: str = ""


def late_experts(session: Session, *, now: dt.datetime, municipality_ids: list[int]) -> list[Late]:
    stmt = (
        select(
            ExpertAssignment,
            ReviewCase,
            ReviewCampaign,
            Municipality,
            Programme,
            Organisation,
            Person,
        )
        .join(ReviewCase, col(ReviewCase.id) == ExpertAssignment.case_id)
        .join(ReviewCampaign, col(ReviewCampaign.id) == ReviewCase.campaign_id)
        .join(Municipality, col(Municipality.id) == ReviewCampaign.municipality_id)
        .join(Programme, col(Programme.id) == ReviewCase.programme_id)
        .join(Organisation, col(Organisation.id) == Programme.organisation_id)
        .join(Expert, col(Expert.id) == ExpertAssignment.expert_id)
        .join(Person, col(Person.id) == Expert.person_id)
        .where(
            col(ReviewCampaign.municipality_id).in_(municipality_ids),
            col(ExpertAssignment.verdict).is_(None),
            col(ExpertAssignment.round) == ReviewCase.round,
            col(ReviewCase.state).in_(EXPERT_WAITING),
            col(ExpertAssignment.due_at) < now,
        )
        .order_by(col(ExpertAssignment.id))
    )
    return [
        Late(
            kind="expert",
            key=f"review:{a.id}",
            municipality_id=m.id or 0,
            tz=m.timezone,
            municipality=m.name,
            case_id=c.id or 0,
            round=c.round,
            programme=p.title,
            organisation=o.name,
            due_at=a.due_at,
            escalate_after=k.escalate_after_working_days,
            responsible=[person],
            expert=person.full_name,
        )
        for a, c, k, m, p, o, person in session.execute(stmt).all()
    ]


def late_revisions(
    session: Session, *, now: dt.datetime, municipality_ids: list[int]
) -> list[Late]:
    stmt = (
        select(ReviewCase, ReviewCampaign, Municipality, Programme, Organisation)
        .join(ReviewCampaign, col(ReviewCampaign.id) == ReviewCase.campaign_id)
        .join(Municipality, col(Municipality.id) == ReviewCampaign.municipality_id)
        .join(Programme, col(Programme.id) == ReviewCase.programme_id)
        .join(Organisation, col(Organisation.id) == Programme.organisation_id)
        .where(
            col(ReviewCampaign.municipality_id).in_(municipality_ids),
            col(ReviewCase.state) == ReviewState.REVISION.value,
            col(ReviewCase.revision_due_at) < now,
        )
        .order_by(col(ReviewCase.id))
    )
    rows = session.execute(stmt).all()
    org_ids = {o.id for *_, o in rows}
    contacts: dict[int, list[Person]] = {}
    if org_ids:
        people = session.scalars(
            select(Person).where(
                col(Person.organisation_id).in_(org_ids), col(Person.role) == Role.org_contact
            )
        )
        for person in people.all():
            contacts.setdefault(person.organisation_id or 0, []).append(person)
    out = []
    for c, k, m, p, o in rows:
        assert c.revision_due_at is not None
        out.append(
            Late(
                kind="revision",
                key=f"review-revision:{c.id}:r{c.round}",
                municipality_id=m.id or 0,
                tz=m.timezone,
                municipality=m.name,
                case_id=c.id or 0,
                round=c.round,
                programme=p.title,
                organisation=o.name,
                due_at=c.revision_due_at,
                escalate_after=k.escalate_after_working_days,
                responsible=contacts.get(o.id, []),
            )
        )
    return out


def _heads(session: Session, municipality_ids: list[int]) -> dict[int, list[Person]]:
    stmt = select(Person).where(
        col(Person.municipality_id).in_(municipality_ids), col(Person.role) == Role.moc_head
    )
    heads: dict[int, list[Person]] = {}
    for person in session.scalars(stmt).all():
        heads.setdefault(person.municipality_id or 0, []).append(person)
    return heads


def _messages(
    *,
    late: Late,
    rule: str,
    key: str,
    person: Person,
    now: dt.datetime,
    settings: Settings,
    item: dict[str, Any],
) -> list[dict[str, Any]]:
    """Outbox rows for one person (one per notify target), rendered now."""
    if not person.notify:
        return []
    ctx = {"item": {**item, "rule": rule}, "person_name": person.full_name}
    subject = render("review_subject.j2", **ctx)
    text = render("review_late.txt.j2", **ctx)
    short = render("review_short.j2", **ctx)
    start, end = dt.time(settings.work_hours_start), dt.time(settings.work_hours_end)
    when = next_send_moment(now, tz=person.timezone or late.tz, start=start, end=end)
    return [
        {
            "dedupe_key": key if i == 0 else f"{key}#{i}",
            "municipality_id": late.municipality_id,
            "step_id": None,
            "person_id": person.id,
            "rule": f"review:{rule}",
            "channel": channel_of(target, settings),
            "target": target,
            "subject": subject,
            "body_text": text,
            "body_html": "",
            "body_short": short,
            "not_before": when,
            "created_at": now,
        }
        for i, target in enumerate(person.notify)
    ]


KEYS = ("late_experts", "late_revisions", "escalated", "reminders", "escalations")


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    """Dedupe keys already in the outbox (so their bodies are not rendered again)."""
    found: set[str] = set()
    for i in range(0, len(keys), 900):
        stmt = select(col(OutboxMessage.dedupe_key)).where(
            col(OutboxMessage.dedupe_key).in_(keys[i : i + 900])
        )
        found.update(session.scalars(stmt).all())
    return found


def review_tick(
    session: Session, *, municipality_ids: list[int], now: dt.datetime, settings: Settings
) -> dict[str, int]:
    """Enqueue reminders for every late expert/revision and escalate the long-late ones.

    Returns counts under ``KEYS``: late items found, items past the escalation
    threshold, and the outbox rows newly inserted (0 when all were there already).
    """
    counts: Counter[str] = Counter({k: 0 for k in KEYS})
    late = (
        [
            *late_experts(session, now=now, municipality_ids=municipality_ids),
            *late_revisions(session, now=now, municipality_ids=municipality_ids),
        ]
        if municipality_ids
        else []
    )
    heads = _heads(session, municipality_ids) if late else {}
    # (rule, key, person, item, view) of every message due; rendered only if new.
    due: list[tuple[str, str, Person, Late, dict[str, Any]]] = []
    for item in late:
        due_date = local_date(item.due_at, item.tz)
        days_late = working_days_between(due_date, local_date(now, item.tz))
        counts[f"late_{item.kind}s"] += 1
        view = {
            "kind": item.kind,
            "programme": item.programme,
            "organisation": item.organisation,
            "municipality": item.municipality,
            "case_id": item.case_id,
            "round": item.round,
            "expert": item.expert,
            "due_date": due_date,
            "days_late": max(days_late, 0),
        }
        for person in item.responsible:
            due.append(("late", f"{item.key}:late:{due_date}", person, item, view))
        if days_late >= item.escalate_after:
            counts["escalated"] += 1
            for head in heads.get(item.municipality_id, []):
                due.append(
                    ("escalate", f"{item.key}:escalate:{due_date}:p{head.id}", head, item, view)
                )
    existing = _existing_keys(session, [key for _, key, *_ in due]) if due else set()
    rows: dict[str, list[dict[str, Any]]] = {"late": [], "escalate": []}
    for rule, key, person, item, view in due:
        if key not in existing:
            rows[rule] += _messages(
                late=item, rule=rule, key=key, person=person, now=now, settings=settings, item=view
            )
    # Bulk, idempotent inserts: a row whose key appeared meanwhile is skipped by the DB.
    counts["reminders"] += enqueue_many(session, rows["late"]) if rows["late"] else 0
    counts["escalations"] += enqueue_many(session, rows["escalate"]) if rows["escalate"] else 0
    return dict(counts)


def municipalities_with_open_campaigns(session: Session) -> list[int]:
    stmt = (
        select(col(ReviewCampaign.municipality_id))
        .where(col(ReviewCampaign.closed_at).is_(None))
        .distinct()
    )
    return sorted(int(x) for x in session.scalars(stmt).all())
