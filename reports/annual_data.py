"""Everything the annual МОЦ report shows, read from the database in one pass.

The shape follows the real reports in the seeds: normative acts as
``№ / мероприятие / сроки / результат``, organisations and programmes by
направленность, coverage vs plan, certificates, НОК results, events with
participants, overdue items and plans for the next year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from domain import indicators
from domain.labels import ROLE_RU, STATUS_RU
from models import (
    Evidence,
    Focus,
    Municipality,
    Organisation,
    Programme,
    Roadmap,
    Step,
    StepKind,
    StepStatus,
)
from models.roadmap import OPEN_STATUSES
from reports import common
from reports.nok import CampaignRow, campaign_rows


@dataclass(frozen=True)
class ActRow:
    number: str
    title: str
    terms: str
    result: str


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


@dataclass
class AnnualData:
    municipality: str
    region: str
    year: int
    acts: list[ActRow]
    organisations_total: int
    programmes_total: int
    focus_rows: list[FocusRow]
    special: list[indicators.PlanFact]  # ОВЗ, remote, network programmes
    coverage: list[indicators.PlanFact]
    coverage_history: list[tuple[int, float | None, float | None]]
    certificates: list[indicators.PlanFact]
    certificate_steps: list[EventRow]
    campaigns: list[CampaignRow]
    campaign_counts_source: str
    events: list[EventRow]
    overdue: list[StepRow]
    plans: list[StepRow]
    plans_year: int
    plans_from_next_year: bool
    all_indicators: list[indicators.PlanFact] = field(default_factory=list)
    footer: common.Footer | None = None


COVERAGE_KEYS = ["children_5_18", "enrolled", "coverage_5_18", "share_tech_natsci", "share_ovz"]
SPECIAL_KEYS = ["programmes_ovz", "programmes_remote", "programmes_network"]
CERT_KEYS = ["certificates_uchet", "certificates_pf"]


def format_act(ev: Evidence) -> str:
    """«Приказ управления образования от 07.05.2020 № 233 «О назначении директора МОЦ»»."""
    parts: list[str] = []
    head = (ev.act_type or "акт").strip()
    parts.append(head[:1].upper() + head[1:])
    if ev.issuer:
        parts.append(ev.issuer.strip())
    day = ev.act_date or ev.effective_date
    if day:
        parts.append(f"от {day:%d.%m.%Y}")
    if ev.act_number:
        number = ev.act_number.strip()
        parts.append(number if number.startswith("№") else f"№ {number}")
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


def step_terms(step: Step) -> str:
    """The «сроки» cell: the month of the step's due date, as in the seed reports."""
    return common.MONTHS_RU[step.due_date.month - 1]


def year_steps(s: Session, municipality_id: int, year: int) -> list[Step]:
    return list(
        s.exec(
            select(Step)
            .join(Roadmap, col(Roadmap.id) == Step.roadmap_id)
            .where(Step.municipality_id == municipality_id, Roadmap.year == year)
            .order_by(col(Step.due_date), col(Step.id))
        ).all()
    )


def _evidence_by_step(s: Session, step_ids: list[int]) -> dict[int, list[Evidence]]:
    out: dict[int, list[Evidence]] = {}
    if not step_ids:
        return out
    rows = s.exec(
        select(Evidence)
        .where(col(Evidence.step_id).in_(step_ids), col(Evidence.superseded_by_id).is_(None))
        .order_by(col(Evidence.id))
    ).all()
    for ev in rows:
        out.setdefault(ev.step_id, []).append(ev)
    return out


def _acts_of_year(s: Session, m: Municipality, year: int, steps: list[Step]) -> list[ActRow]:
    """Done normative-act steps of the year's roadmap plus acts dated within the year."""
    assert m.id is not None
    chosen = {st.id: st for st in steps if st.kind == StepKind.normative_act}
    dated = s.exec(
        select(Step)
        .join(Evidence, col(Evidence.step_id) == Step.id)
        .where(
            Step.municipality_id == m.id,
            Step.kind == StepKind.normative_act,
            col(Evidence.superseded_by_id).is_(None),
            col(Evidence.act_date) >= dt.date(year, 1, 1),
            col(Evidence.act_date) <= dt.date(year, 12, 31),
        )
    ).all()
    for st in dated:
        chosen.setdefault(st.id, st)
    done = [st for st in chosen.values() if st.status == StepStatus.done and st.id is not None]
    evidence = _evidence_by_step(s, [st.id for st in done if st.id is not None])

    def first_act_date(st: Step) -> dt.date:
        days = [e.act_date or e.effective_date for e in evidence.get(st.id or 0, [])]
        return min((d for d in days if d), default=st.due_date)

    done.sort(key=lambda st: (first_act_date(st), st.due_date, st.id or 0))
    rows: list[ActRow] = []
    for n, st in enumerate(done, start=1):
        acts = "; ".join(format_act(e) for e in evidence.get(st.id or 0, []))
        rows.append(ActRow(f"1.{n}", st.title, step_terms(st), acts or "выполнено"))
    return rows


def _focus_rows(s: Session, municipality_id: int) -> tuple[int, int, list[FocusRow]]:
    progs = s.exec(
        select(Programme.focus, Programme.organisation_id).where(
            Programme.municipality_id == municipality_id
        )
    ).all()
    orgs_total = len(
        s.exec(select(Organisation.id).where(Organisation.municipality_id == municipality_id)).all()
    )
    rows: list[FocusRow] = []
    for f in Focus:
        mine = [p for p in progs if Focus(p[0]) == f]
        rows.append(FocusRow(f.value, indicators.FOCUS_RU[f], len({p[1] for p in mine}), len(mine)))
    return orgs_total, len(progs), rows


def _event_rows(steps: list[Step], evidence: dict[int, list[Evidence]], tz: str) -> list[EventRow]:
    rows: list[EventRow] = []
    for st in steps:
        evs = evidence.get(st.id or 0, [])
        ev = evs[-1] if evs else None
        data = (ev.data if ev else None) or {}
        raw = data.get("participants")
        participants = (
            int(raw) if isinstance(raw, int | float | str) and str(raw).isdigit() else None
        )
        day = (ev.effective_date if ev else None) or (
            common.local_date(st.done_at, tz) if st.done_at else st.due_date
        )
        result = str(data.get("result") or data.get("protocol") or "").strip() or _certs(data)
        if not result and ev and ev.act_number:
            result = format_act(ev)
        title = str(data.get("title") or st.title)
        rows.append(EventRow(title, f"{day:%d.%m.%Y}", participants, result))
    return rows


def _certs(data: dict[str, object]) -> str:
    """«сертификатов учёта: 688, ПФ: 120, номинал 5 000 руб.» from certificate-setup evidence."""
    parts: list[str] = []
    if (n := data.get("accounting_certificates")) is not None:
        parts.append(f"сертификатов учёта: {common.num(float(str(n)))}")
    if (n := data.get("pf_certificates")) is not None:
        parts.append(f"сертификатов ПФ: {common.num(float(str(n)))}")
    if (n := data.get("nominal")) is not None:
        parts.append(f"номинал {common.num(float(str(n)))} руб.")
    return ", ".join(parts)


def step_rows(steps: list[Step]) -> list[StepRow]:
    return [
        StepRow(
            st.title + (f" ({st.period})" if st.period and st.recurrence != "yearly" else ""),
            f"{st.due_date:%d.%m.%Y}",
            ROLE_RU.get(st.owner_role, st.owner_role),
            STATUS_RU.get(st.status, st.status),
        )
        for st in steps
    ]


def build_annual(
    s: Session, *, municipality: Municipality, year: int, now: dt.datetime
) -> AnnualData:
    """Read everything the annual report of ``municipality`` for ``year`` shows."""
    m = municipality
    assert m.id is not None
    steps = year_steps(s, m.id, year)
    done_ids = [st.id for st in steps if st.status == StepStatus.done and st.id is not None]
    evidence = _evidence_by_step(s, done_ids)
    plan = indicators.plan_vs_actual(s, municipality_id=m.id, year=year)
    by_key = {r.key: r for r in plan}
    orgs_total, progs_total, focus = _focus_rows(s, m.id)
    campaigns, source = campaign_rows(s, municipality_id=m.id, year=year)
    history = indicators.history(
        s, municipality_id=m.id, key="coverage_5_18", years=range(year - 4, year + 1)
    )
    history = [
        (y, t, by_key["coverage_5_18"].actual if y == year and a is None else a)
        for y, t, a in history
    ]
    overdue = [
        st
        for st in steps
        if st.status == StepStatus.overdue or (st.status in OPEN_STATUSES and st.due_at < now)
    ]
    next_steps = year_steps(s, m.id, year + 1)
    from_next = bool(next_steps)
    plans = next_steps if from_next else [st for st in steps if st.status in OPEN_STATUSES]
    return AnnualData(
        municipality=m.name,
        region=m.region,
        year=year,
        acts=_acts_of_year(s, m, year, steps),
        organisations_total=orgs_total,
        programmes_total=progs_total,
        focus_rows=focus,
        special=[by_key[k] for k in SPECIAL_KEYS],
        coverage=[by_key[k] for k in COVERAGE_KEYS],
        coverage_history=history,
        certificates=[by_key[k] for k in CERT_KEYS],
        certificate_steps=_event_rows(
            [st for st in steps if st.kind == StepKind.certificate_setup and st.id in evidence],
            evidence,
            m.timezone,
        ),
        campaigns=campaigns,
        campaign_counts_source=source,
        events=_event_rows(
            [st for st in steps if st.kind == StepKind.event and st.id in evidence],
            evidence,
            m.timezone,
        ),
        overdue=step_rows(overdue),
        plans=step_rows(plans),
        plans_year=year + 1,
        plans_from_next_year=from_next,
        all_indicators=plan,
        footer=common.footer(s, municipality=m, now=now),
    )
