"""Table rows of reports and how steps and their evidence read in them (Russian)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import col

from domain.vocabulary import ROLE_RU, STATUS_RU
from models import Evidence, Step
from reports import common, russian


@dataclass(frozen=True, slots=True)
class StepInfo:
    """The columns of a step that reports read (no JSON columns, no ORM identity)."""

    id: int
    municipality_id: int
    key: str
    period: str
    title: str
    kind: str
    status: str
    recurrence: str
    owner_role: str
    due_date: dt.date
    due_at: dt.datetime
    done_at: dt.datetime | None


STEP_COLUMNS = (
    col(Step.id),
    col(Step.municipality_id),
    col(Step.key),
    col(Step.period),
    col(Step.title),
    col(Step.kind),
    col(Step.status),
    col(Step.recurrence),
    col(Step.owner_role),
    col(Step.due_date),
    col(Step.due_at),
    col(Step.done_at),
)


@dataclass(frozen=True, slots=True)
class EvidenceInfo:
    step_id: int
    act_type: str | None
    act_number: str | None
    act_date: dt.date | None
    issuer: str | None
    url: str | None
    effective_date: dt.date | None
    data: dict[str, Any]


EVIDENCE_COLUMNS = (
    col(Evidence.step_id),
    col(Evidence.act_type),
    col(Evidence.act_number),
    col(Evidence.act_date),
    col(Evidence.issuer),
    col(Evidence.url),
    col(Evidence.effective_date),
    col(Evidence.data),
)


@dataclass(frozen=True)
class ActRow:
    number: str
    title: str
    terms: str
    result: str
    year: int | None = None  # year of the first act's date (the report groups by it)


@dataclass(frozen=True)
class FocusRow:
    focus: str
    label: str
    organisations: int
    programmes: int


@dataclass(frozen=True)
class EventRow:
    title: str
    date: str
    participants: int | None
    result: str


@dataclass(frozen=True)
class StepRow:
    title: str
    due: str
    owner: str
    status: str


def format_act(ev: EvidenceInfo) -> str:
    """«Приказ управления образования от 07.05.2020 № 233 «О назначении директора МОЦ»»."""
    head = (ev.act_type or "акт").strip()
    parts = [head[:1].upper() + head[1:]]
    if ev.issuer:
        parts.append(russian.genitive(ev.issuer.strip()))  # «Приказ Управления образования»
    day = ev.act_date or ev.effective_date
    if day:
        parts.append(f"от {day:%d.%m.%Y}")
    if ev.act_number:
        number = ev.act_number.strip()
        parts.append(russian.act_number(number))
    data = ev.data or {}
    title = str(data.get("title") or data.get("act_title") or "").strip()
    if title:
        parts.append(f"«{title.strip('«»')}»")
    text = " ".join(parts)
    note = str(data.get("result") or data.get("note") or "").strip()
    if note:
        text += f", {note}"
    if ev.url:
        text += f" ({ev.url})"
    return text


def step_terms(step: StepInfo, acts: list[EvidenceInfo] | None = None) -> str:
    """The «сроки» cell: the planned month (as in the seeds), then the acts' own dates."""
    month = common.MONTHS_RU[step.due_date.month - 1]
    days = sorted({d for e in acts or [] if (d := e.act_date or e.effective_date)})
    if not days:
        return month
    what = "акт от" if len(days) == 1 else "акты от"
    return f"{month}; {what} " + ", ".join(f"{d:%d.%m.%Y}" for d in days)


def act_rows(steps: list[StepInfo], evidence: dict[int, list[EvidenceInfo]]) -> list[ActRow]:
    """Rows «1.n / мероприятие / сроки / результат», ordered by the first act's date."""

    def first_act(st: StepInfo) -> tuple[dt.date, dt.date, int]:
        days = [e.act_date or e.effective_date for e in evidence.get(st.id, [])]
        return (min((d for d in days if d), default=st.due_date), st.due_date, st.id)

    rows: list[ActRow] = []
    for n, st in enumerate(sorted(steps, key=first_act), start=1):
        acts = "; ".join(format_act(e) for e in evidence.get(st.id, []))
        terms = step_terms(st, evidence.get(st.id, []))
        rows.append(ActRow(f"1.{n}", st.title, terms, acts or "выполнено", first_act(st)[0].year))
    return rows


def _certs(data: dict[str, object]) -> str:
    """«сертификатов учёта: 688, сертификатов ПФ: 120, всего: 808, номинал 5 000 руб.»."""
    parts: list[str] = []
    total = 0.0
    for key, what in (("accounting_certificates", "учёта"), ("pf_certificates", "ПФ")):
        if (n := data.get(key)) is not None:
            parts.append(f"сертификатов {what}: {common.num(float(str(n)))}")
            total += float(str(n))
    if parts:
        parts.append(f"всего сертификатов: {common.num(total)}")
    if (n := data.get("nominal")) is not None:
        parts.append(f"номинал {common.num(float(str(n)))} руб.")
    by = data.get("by_category")
    if isinstance(by, dict) and by:
        cats = "; ".join(f"{k} — {common.num(float(str(v)))}" for k, v in by.items())
        parts.append(f"по категориям: {cats}")
    return ", ".join(parts)


def event_rows(
    steps: list[StepInfo], evidence: dict[int, list[EvidenceInfo]], tz: str
) -> list[EventRow]:
    """Events (and certificate set-ups) with their date, participants and result."""
    rows: list[EventRow] = []
    for st in steps:
        evs = evidence.get(st.id, [])
        ev = evs[-1] if evs else None
        data = (ev.data if ev else None) or {}
        raw = data.get("participants")
        participants = int(str(raw)) if str(raw).isdigit() else None
        day = (ev.effective_date if ev else None) or (
            common.local_date(st.done_at, tz) if st.done_at else st.due_date
        )
        result = str(data.get("result") or data.get("protocol") or "").strip() or _certs(data)
        if not result and ev and ev.act_number:
            result = format_act(ev)
        title = str(data.get("title") or st.title)
        rows.append(EventRow(title, f"{day:%d.%m.%Y}", participants, result))
    return rows


def step_rows(steps: list[StepInfo]) -> list[StepRow]:
    return [
        StepRow(
            st.title + (f" ({st.period})" if st.period and st.recurrence != "yearly" else ""),
            f"{st.due_date:%d.%m.%Y}",
            ROLE_RU.get(st.owner_role, st.owner_role),
            STATUS_RU.get(st.status, st.status),
        )
        for st in steps
    ]


@dataclass(frozen=True)
class RegisterRow:
    """One event of the register as the report lists it."""

    date: str
    kind: str
    title: str
    audience: str
    participants: int | None
    result: str


@dataclass(frozen=True)
class AudienceTotal:
    label: str
    events: int
    participants: int | None


def register_rows(events: list[Any]) -> list[RegisterRow]:
    """Rows of the events register (``EventRecord``-like objects), by date."""
    from domain.records.labels import AUDIENCE_RU, EVENT_KIND_RU

    rows: list[RegisterRow] = []
    for e in sorted(events, key=lambda e: (e.held_on, e.id or 0)):
        who = ", ".join(
            AUDIENCE_RU.get(a, a) + (f" — {e.participants[a]}" if a in e.participants else "")
            for a in e.audiences
        )
        rows.append(
            RegisterRow(
                f"{e.held_on:%d.%m.%Y}",
                EVENT_KIND_RU.get(e.kind, e.kind),
                e.title,
                who,
                e.participants_total,
                e.note,
            )
        )
    return rows


def audience_totals(events: list[Any]) -> list[AudienceTotal]:
    """Events and participants per audience, then events without audience and the total."""
    from domain.records.labels import AUDIENCE_RU

    out: list[AudienceTotal] = []
    for key, label in AUDIENCE_RU.items():
        mine = [e for e in events if key in e.audiences]
        counts = [e.participants[key] for e in mine if key in e.participants]
        if mine:
            out.append(AudienceTotal(label, len(mine), sum(counts) if counts else None))
    if none := [e for e in events if not e.audiences]:
        counted = [e.participants_total for e in none if e.participants_total is not None]
        out.append(
            AudienceTotal("аудитория не указана", len(none), sum(counted) if counted else None)
        )
    totals = [e.participants_total for e in events if e.participants_total is not None]
    out.append(AudienceTotal("Всего", len(events), sum(totals) if totals else None))
    return out


def kind_summary(events: list[Any]) -> str:
    """«совещание — 2, семинар — 4, консультация — 53»."""
    from domain.records.labels import EVENT_KIND_RU

    by: dict[str, int] = {}
    for e in events:
        by[e.kind] = by.get(e.kind, 0) + 1
    return ", ".join(f"{EVENT_KIND_RU.get(k, k)} — {n}" for k, n in by.items())
