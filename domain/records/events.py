"""The events register: any number of dated events, by kind and audience.

An event may name the event step it belongs to; either way, recording it
re-checks the municipality's open event steps whose template rule says
"done when at least N events (of these kinds) are held in the period".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from domain.audit import log as audit_log
from domain.errors import InputError
from domain.evidence.store import check_file, remember_new_file, store
from domain.records.event_rules import satisfied_steps
from domain.records.labels import AUDIENCE_ALIASES, AUDIENCE_RU, EVENT_KIND_RU, pick
from domain.roadmap.deadlines import local_date
from domain.vocabulary import AuditAction
from models import Municipality, Step, StepStatus
from models.records import EventRecord
from models.settings import Settings


@dataclass(frozen=True)
class NewEvent:
    kind: str
    title: str
    held_on: dt.date
    audiences: tuple[str, ...] = ()
    participants: tuple[tuple[str, int], ...] = ()  # by audience
    participants_total: int | None = None
    note: str = ""


def normalise(ev: NewEvent, *, today: dt.date) -> NewEvent:
    """Canonical kind/audience keys and consistent counts; InputError in Russian."""
    kind = pick(ev.kind, field="--kind", labels=EVENT_KIND_RU)
    if len(ev.title.strip()) < 2:
        raise InputError("--title: укажите название мероприятия")
    if ev.held_on > today:
        raise InputError(f"--date: дата {ev.held_on:%d.%m.%Y} ещё не наступила")
    by: dict[str, int] = {}
    for name, n in ev.participants:
        key = pick(name, field="--participants", labels=AUDIENCE_RU, aliases=AUDIENCE_ALIASES)
        if n < 0:
            raise InputError(f"--participants: число не может быть отрицательным ({name}={n})")
        by[key] = by.get(key, 0) + n
    audiences = [
        pick(a, field="--audience", labels=AUDIENCE_RU, aliases=AUDIENCE_ALIASES)
        for a in ev.audiences
    ]
    audiences += [a for a in by if a not in audiences]
    total = ev.participants_total
    if not by and total is not None and len(set(audiences)) == 1:
        by = {audiences[0]: total}  # one audience: the total is theirs
    if total is not None and total < 0:
        raise InputError(f"--total: число участников не может быть отрицательным ({total})")
    if by and total is not None and total < sum(by.values()):
        raise InputError(f"--total: всего {total} меньше суммы по категориям {sum(by.values())}")
    if by and total is None:
        total = sum(by.values())
    return NewEvent(
        kind,
        " ".join(ev.title.split()),
        ev.held_on,
        tuple(dict.fromkeys(audiences)),
        tuple(by.items()),
        total,
        ev.note.strip(),
    )


def add_event(
    s: Session,
    *,
    municipality: Municipality,
    event: NewEvent,
    step: Step | None,
    file_bytes: bytes | None,
    file_name: str | None,
    actor: str,
    settings: Settings,
    now: dt.datetime,
) -> tuple[EventRecord, list[Step]]:
    """Record one event (validated first); returns it and the steps it completed."""
    assert municipality.id is not None
    if not actor.strip():
        raise InputError("не указан автор записи (--actor)")
    ev = normalise(event, today=local_date(now, municipality.timezone))
    if step is not None and (step.municipality_id != municipality.id or step.kind != "event"):
        raise InputError(f"--step: шаг «{step.key}» — не шаг-мероприятие этого муниципалитета")
    checked = None
    if file_bytes is not None:
        checked = check_file(file_bytes, file_name or "file", max_bytes=settings.evidence_max_bytes)
    row = EventRecord(
        municipality_id=municipality.id,
        step_id=step.id if step else None,
        kind=ev.kind,
        title=ev.title,
        held_on=ev.held_on,
        audiences=list(ev.audiences),
        participants=dict(ev.participants),
        participants_total=ev.participants_total,
        note=ev.note,
        recorded_at=now,
        recorded_by=actor,
        file_sha256=checked.sha256 if checked else None,
        file_name=checked.name if checked else None,
        file_size=checked.size if checked else None,
        content_type=checked.content_type if checked else None,
    )
    if checked is not None and file_bytes is not None:
        path, created = store(settings.evidence_dir, file_bytes, checked)
        if created:
            remember_new_file(s, path)
    s.add(row)
    s.flush()
    audit_log.append(
        s,
        municipality_id=municipality.id,
        actor=actor,
        action=AuditAction.event_recorded,
        entity=f"event:{row.id}",
        payload=event_json(row),
        at=now,
    )
    done = satisfied_steps(s, municipality_id=municipality.id, day=ev.held_on)
    for st in done:
        st.status, st.done_at, st.status_changed_at, st.blocked_by = StepStatus.done, now, now, []
        s.add(st)
        audit_log.append(
            s,
            municipality_id=municipality.id,
            actor=actor,
            action=AuditAction.step_completed,
            entity=f"step:{st.id}",
            payload={
                "step_id": st.id,
                "step": st.key,
                "period": st.period,
                "rule": (st.due_rule or {}).get("done_when"),
                "by_event_id": row.id,
            },
            at=now,
        )
    s.flush()
    return row, done


def list_events(
    s: Session, *, municipality_id: int, start: dt.date, end: dt.date
) -> list[EventRecord]:
    return list(
        s.exec(
            select(EventRecord)
            .where(
                EventRecord.municipality_id == municipality_id,
                col(EventRecord.held_on) >= start,
                col(EventRecord.held_on) <= end,
            )
            .order_by(col(EventRecord.held_on), col(EventRecord.id))
        ).all()
    )


def event_json(e: EventRecord) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "kind_ru": EVENT_KIND_RU.get(e.kind, e.kind),
        "title": e.title,
        "held_on": e.held_on,
        "audiences": list(e.audiences),
        "participants": dict(e.participants),
        "participants_total": e.participants_total,
        "note": e.note,
        "step_id": e.step_id,
        "file_name": e.file_name,
        "file_sha256": e.file_sha256,
    }
