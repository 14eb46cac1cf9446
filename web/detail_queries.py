"""Read models of the detail pages: a step's reminders, evidence and links; audit entries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from domain.calendar.time import day_start_utc
from models import AuditEntry, Evidence, Municipality, Organisation, OutboxMessage, Step
from web.access import Scope


def step_reminders(session: Session, step: Step) -> list[OutboxMessage]:
    return list(
        session.execute(
            select(OutboxMessage)
            .where(col(OutboxMessage.step_id) == step.id)
            .order_by(
                col(OutboxMessage.created_at),
                col(OutboxMessage.id),
            )
        ).scalars()
    )


def step_evidence(session: Session, step: Step) -> list[Evidence]:
    return list(
        session.execute(
            select(Evidence)
            .where(col(Evidence.step_id) == step.id)
            .order_by(col(Evidence.id).desc())
        ).scalars()
    )


@dataclass
class AuditQuery:
    q: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    limit: int = 500
    offset: int = 0


def audit_entries(
    session: Session, scope: Scope, m: Municipality, query: AuditQuery
) -> list[AuditEntry]:
    """Entries of a municipality's chain, newest first; dates in the municipality zone."""
    stmt = scope.audit(select(AuditEntry).where(col(AuditEntry.municipality_id) == m.id))
    if query.q:
        # SQLite's lower() folds ASCII only: also match the common Cyrillic casings.
        variants = {query.q, query.q.lower(), query.q.capitalize(), query.q.upper()}
        cols = (
            col(AuditEntry.actor),
            col(AuditEntry.action),
            col(AuditEntry.entity),
            col(AuditEntry.payload),
        )
        stmt = stmt.where(
            or_(
                *(func.lower(c).like(f"%{v.lower()}%") for c in cols for v in variants),
                *(col(c).like(f"%{v}%") for c in cols for v in variants),
            )
        )
    if query.since:
        stmt = stmt.where(col(AuditEntry.at) >= day_start_utc(query.since, m.timezone))
    if query.until:
        end = day_start_utc(query.until + dt.timedelta(days=1), m.timezone)
        stmt = stmt.where(col(AuditEntry.at) < end)
    return list(
        session.execute(
            stmt.order_by(col(AuditEntry.seq).desc()).offset(query.offset).limit(query.limit)
        ).scalars()
    )


def organisation_steps(session: Session, scope: Scope, org: Organisation) -> list[Step]:
    return list(
        session.execute(
            scope.steps(select(Step).where(col(Step.organisation_id) == org.id)).order_by(
                col(Step.due_date), col(Step.id)
            )
        ).scalars()
    )


def dependency_links(session: Session, step: Step) -> dict[str, tuple[int, str]]:
    """Step key -> (id, title) of the same roadmap, for «Зависит от» and «Ждёт» links."""
    keys = sorted(set(step.depends_on) | set(step.blocked_by))
    if not keys:
        return {}
    rows = session.execute(
        select(col(Step.key), col(Step.id), col(Step.title))
        .where(col(Step.roadmap_id) == step.roadmap_id, col(Step.key).in_(keys))
        .order_by(col(Step.due_date).desc())
    ).all()
    return {k: (int(i), t) for k, i, t in rows}
