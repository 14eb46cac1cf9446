"""Everything the annual МОЦ report shows, read for many municipalities at once.

The shape follows the real reports in the seeds: normative acts as
``№ / мероприятие / сроки / результат``, organisations and programmes by
направленность, coverage vs plan, certificates, НОК results, events with
participants, overdue items and plans for the next year. A batch of
municipalities costs a fixed handful of queries (plus one per НОК campaign).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from domain.indicators import catalogue as indicators
from domain.indicators.sources import catalogue_counts, focus_counts, roadmap_targets, year_counts
from domain.indicators.sources import stored_values as load_stored
from domain.records.narrative import narratives
from models import Evidence, Focus, Municipality, Roadmap, Step, StepKind, StepStatus
from models.records import EventRecord
from models.roadmap import OPEN_STATUSES
from reports import common
from reports.nok import CampaignRow, campaign_rows_many
from reports.rows import (
    EVIDENCE_COLUMNS,
    STEP_COLUMNS,
    ActRow,
    AudienceTotal,
    EventRow,
    EvidenceInfo,
    FocusRow,
    RegisterRow,
    StepInfo,
    StepRow,
    act_rows,
    audience_totals,
    event_rows,
    kind_summary,
    register_rows,
    step_rows,
)

COVERAGE_KEYS = ["children_5_18", "enrolled", "coverage_5_18", "share_tech_natsci", "share_ovz"]
SPECIAL_KEYS = ["programmes_ovz", "programmes_remote", "programmes_network"]
CERT_KEYS = ["certificates_uchet", "certificates_pf"]
HISTORY_YEARS = 5


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
    events: list[EventRow]
    overdue: list[StepRow]
    plans: list[StepRow]
    plans_year: int
    plans_from_next_year: bool
    all_indicators: list[indicators.PlanFact]
    footer: common.Footer
    # The events register (issue 15): every dated event, totals by audience and kind.
    event_register: list[RegisterRow] = field(default_factory=list)
    event_audiences: list[AudienceTotal] = field(default_factory=list)
    event_kinds: str = ""
    # The МОЦ head's texts (Markdown) by part: goals, analysis, results, plans.
    narrative: dict[str, str] = field(default_factory=dict)
    # "2020/2021 учебный год" when the roadmap runs by school year, else "" (calendar year).
    period_label: str = ""


def year_steps(
    s: Session, ids: list[int], years: list[int]
) -> dict[tuple[int, int], list[StepInfo]]:
    """Steps of the municipalities' roadmaps of ``years``, by (municipality, year)."""
    out: dict[tuple[int, int], list[StepInfo]] = defaultdict(list)
    rows = s.exec(
        select(*STEP_COLUMNS, Roadmap.year)  # type: ignore[call-overload]
        .join(Roadmap, col(Roadmap.id) == Step.roadmap_id)
        .where(col(Step.municipality_id).in_(ids), col(Roadmap.year).in_(years))
        .order_by(col(Step.due_date), col(Step.id))
    ).all()
    for *values, year in rows:
        step = StepInfo(*values)
        out[step.municipality_id, year].append(step)
    return out


def _dated_act_steps(s: Session, ids: list[int], year: int) -> dict[int, list[StepInfo]]:
    """Done normative-act steps of any roadmap whose act is dated within ``year``."""
    out: dict[int, list[StepInfo]] = defaultdict(list)
    rows = s.exec(
        select(*STEP_COLUMNS)  # type: ignore[call-overload]
        .join(Evidence, col(Evidence.step_id) == Step.id)
        .where(
            col(Step.municipality_id).in_(ids),
            Step.kind == StepKind.normative_act,
            Step.status == StepStatus.done,
            col(Evidence.superseded_by_id).is_(None),
            col(Evidence.act_date) >= dt.date(year, 1, 1),
            col(Evidence.act_date) <= dt.date(year, 12, 31),
        )
        .distinct()
    ).all()
    for values in rows:
        step = StepInfo(*values)
        out[step.municipality_id].append(step)
    return out


def _evidence_by_step(s: Session, step_ids: list[int]) -> dict[int, list[EvidenceInfo]]:
    out: dict[int, list[EvidenceInfo]] = defaultdict(list)
    if not step_ids:
        return out
    rows = s.exec(
        select(*EVIDENCE_COLUMNS)  # type: ignore[call-overload]
        .where(col(Evidence.step_id).in_(step_ids), col(Evidence.superseded_by_id).is_(None))
        .order_by(col(Evidence.id))
    ).all()
    for values in rows:
        ev = EvidenceInfo(*values)
        out[ev.step_id].append(ev)
    return out


def _event_records(s: Session, ids: list[int], year: int) -> dict[int, list[EventRecord]]:
    """The events register of ``year`` by municipality (one query)."""
    out: dict[int, list[EventRecord]] = defaultdict(list)
    rows = s.exec(
        select(EventRecord)
        .where(
            col(EventRecord.municipality_id).in_(ids),
            col(EventRecord.held_on) >= dt.date(year, 1, 1),
            col(EventRecord.held_on) <= dt.date(year, 12, 31),
        )
        .order_by(col(EventRecord.held_on), col(EventRecord.id))
    ).all()
    for e in rows:
        out[e.municipality_id].append(e)
    return out


def _focus_figures(
    by_focus: dict[str, tuple[int, int]], plan: dict[str, indicators.PlanFact], f: Focus
) -> tuple[int, int]:
    """(organisations, programmes) of a направленность: the catalogue, else imported values."""
    orgs, progs = by_focus.get(f.value, (0, 0))
    if progs == 0 and (row := plan.get(f"programmes_{f.value}")) and row.actual:
        progs = int(row.actual)
    return orgs, progs


def build_annual_many(
    s: Session, *, municipalities: list[Municipality], year: int, now: dt.datetime
) -> list[AnnualData]:
    """The annual report data of every municipality given, in the same order."""
    ids = [m.id for m in municipalities if m.id is not None]
    steps = year_steps(s, ids, [year, year + 1])
    dated = _dated_act_steps(s, ids, year)
    acts: dict[int, dict[int, StepInfo]] = defaultdict(dict)
    for mid in ids:
        for st in [*steps.get((mid, year), []), *dated.get(mid, [])]:
            if st.kind == StepKind.normative_act and st.status == StepStatus.done:
                acts[mid][st.id] = st
    done_ids = {
        st.id
        for (_, y), sts in steps.items()
        if y == year
        for st in sts
        if st.status == StepStatus.done
    }
    done_ids |= {i for a in acts.values() for i in a}
    evidence = _evidence_by_step(s, sorted(done_ids))
    history_years = list(range(year - HISTORY_YEARS + 1, year + 1))
    stored = load_stored(s, municipality_ids=ids, years=history_years)
    targets = roadmap_targets(s, municipality_ids=ids, year=year)
    derived = catalogue_counts(s, municipality_ids=ids)
    for mid, values in year_counts(s, municipality_ids=ids, year=year).items():
        derived.setdefault(mid, {}).update(values)
    focus = focus_counts(s, municipality_ids=ids)
    campaigns = campaign_rows_many(s, municipality_ids=ids, year=year)
    footers = common.footers(s, municipalities=municipalities, now=now)
    register = _event_records(s, ids, year)
    texts = narratives(s, municipality_ids=ids, year=year)
    out: list[AnnualData] = []
    for m in municipalities:
        assert m.id is not None
        mine = steps.get((m.id, year), [])
        plan = indicators.combine(
            period="Y",
            stored=stored.get((m.id, year, "Y"), {}),
            yearly={},
            plan=targets.get(m.id, {}),
            derived=derived.get(m.id, {}),
        )
        by_key = {r.key: r for r in plan}
        history: list[tuple[int, float | None, float | None]] = []
        for y in history_years:
            if y == year:
                cov = by_key["coverage_5_18"]
                history.append((y, cov.target, cov.actual))
                continue
            value = stored.get((m.id, y, "Y"), {}).get("coverage_5_18")
            history.append((y, value.target if value else None, value.actual if value else None))
        by_focus = focus.get(m.id, {})
        focus_rows = [
            FocusRow(f.value, indicators.FOCUS_RU[f], *_focus_figures(by_focus, by_key, f))
            for f in Focus
        ]
        next_steps = steps.get((m.id, year + 1), [])
        plans = next_steps or [st for st in mine if st.status in OPEN_STATUSES]
        overdue = [
            st
            for st in mine
            if st.status == StepStatus.overdue or (st.status in OPEN_STATUSES and st.due_at < now)
        ]
        with_evidence = [st for st in mine if st.status == StepStatus.done and st.id in evidence]
        out.append(
            AnnualData(
                municipality=m.name,
                region=m.region,
                year=year,
                acts=act_rows(list(acts.get(m.id, {}).values()), evidence),
                organisations_total=int(by_key["organisations"].actual or 0),
                programmes_total=int(by_key["programmes_total"].actual or 0),
                focus_rows=focus_rows,
                special=[by_key[k] for k in SPECIAL_KEYS],
                coverage=[by_key[k] for k in COVERAGE_KEYS],
                coverage_history=history,
                certificates=[by_key[k] for k in CERT_KEYS],
                certificate_steps=event_rows(
                    [st for st in with_evidence if st.kind == StepKind.certificate_setup],
                    evidence,
                    m.timezone,
                ),
                campaigns=campaigns.get(m.id, []),
                events=event_rows(
                    [st for st in with_evidence if st.kind == StepKind.event], evidence, m.timezone
                ),
                overdue=step_rows(overdue),
                plans=step_rows(plans),
                plans_year=year + 1,
                plans_from_next_year=bool(next_steps),
                all_indicators=plan,
                footer=footers[m.code],
                event_register=register_rows(register.get(m.id, [])),
                event_audiences=audience_totals(register.get(m.id, []))
                if register.get(m.id)
                else [],
                event_kinds=kind_summary(register.get(m.id, [])),
                narrative=texts.get(m.id, {}),
                period_label=f"{year}/{year + 1} учебный год"
                if any("/" in st.period for st in mine)
                else "",
            )
        )
    return out


def build_annual(
    s: Session, *, municipality: Municipality, year: int, now: dt.datetime
) -> AnnualData:
    """The annual report data of one municipality."""
    return build_annual_many(s, municipalities=[municipality], year=year, now=now)[0]
