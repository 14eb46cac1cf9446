"""Reading the audit log: a step's full history and entries for auditors' exports."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from domain import lookup
from domain.calendar.time import day_start_utc
from domain.errors import NotFoundError
from domain.vocabulary import AUDIT_ACTION_RU
from models import AuditEntry, Evidence, Step

EXPORT_COLUMNS = ("chain", "seq", "at", "actor", "action", "entity", "payload", "prev_hash", "hash")

ACTION_LABELS = AUDIT_ACTION_RU  # one vocabulary (domain.vocabulary.AuditAction)


@dataclass(frozen=True)
class HistoryItem:
    """One audit entry about a step, as the CLI (``roadmap history``) and the web show it."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    payload: dict[str, Any]
    hash: str
    chain: str = ""
    entity: str = ""
    prev_hash: str = ""

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def step_history(session: Session, *, step_id: int) -> list[HistoryItem]:
    """Every logged decision about one step, oldest first: THE history reader.

    Used by ``roadmap history`` and by the web step page and ``/api/steps/{id}``.
    Entries are those of the step's municipality (``municipality_id``, i.e. its chain)
    whose entity is ``step:<id>``; one narrow query, no ORM objects. A step the
    caller has already loaded comes from the session's identity map (no query).
    """
    step = session.get(Step, step_id)
    if step is None:
        raise NotFoundError(f"шаг с id={step_id} не найден")
    c = AuditEntry.__table__.c  # type: ignore[attr-defined]
    rows = session.execute(
        select(c.seq, c.at, c.actor, c.action, c.payload, c.hash, c.chain, c.entity, c.prev_hash)
        .where(c.municipality_id == step.municipality_id, c.entity == f"step:{step_id}")
        .order_by(c.seq)
    )
    return [
        HistoryItem(
            r.seq,
            r.at,
            r.actor,
            r.action,
            json.loads(r.payload),
            r.hash,
            r.chain,
            r.entity,
            r.prev_hash,
        )
        for r in rows
    ]


def step_evidence(session: Session, *, step_id: int) -> list[Evidence]:
    c = Evidence.__table__.c  # type: ignore[attr-defined]
    return list(session.scalars(select(Evidence).where(c.step_id == step_id).order_by(c.id)))


def export_entries(
    session: Session,
    *,
    municipality_code: str,
    date_from: dt.date | None,
    date_to: dt.date | None,
    batch: int = 5000,
) -> Iterator[dict[str, Any]]:
    """Entries of one chain in order; dates are local days in the municipality's zone."""
    m = lookup.municipality(session, municipality_code, field="--municipality")
    c = AuditEntry.__table__.c  # type: ignore[attr-defined]
    stmt = select(*(c[name] for name in EXPORT_COLUMNS)).where(c.chain == m.code)
    if date_from is not None:
        stmt = stmt.where(c.at >= day_start_utc(date_from, m.timezone))
    if date_to is not None:
        stmt = stmt.where(c.at < day_start_utc(date_to + dt.timedelta(days=1), m.timezone))
    for r in session.execute(stmt.order_by(c.seq), execution_options={"yield_per": batch}):
        yield dict(r._mapping)
