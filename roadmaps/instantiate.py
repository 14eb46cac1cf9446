"""A validated template + municipality + year -> rows, idempotently, in the caller's
transaction.

Policy on reloading (documented in docs/roadmap-format.md):
- the same template text for the same municipality/year changes nothing;
- a changed template (new version or edited text) for an existing roadmap adds
  the steps/periods that are missing, keeps existing steps untouched (their
  status, evidence and due dates stay), and reports existing steps whose due
  date or title would now differ (``stale``) and stored steps the template no
  longer has (``orphaned``); the roadmap then points at the new template row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from domain.audit import log as audit_log
from domain.errors import InputError
from domain.vocabulary import AuditAction
from models import Municipality, Roadmap, RoadmapTemplate, Step, StepStatus
from models.types import utcnow
from roadmaps.planning import merge_params, plan, resolved_params
from roadmaps.schema import TemplateSpec

STEP_TABLE: Any = Step.__table__  # type: ignore[attr-defined]
MIN_YEAR, MAX_YEAR = 2000, 2100
# Roadmap.parameters holds the parameter dates of the year and, under this key, the
# template's reminder policies (read by notifications.reminders).
POLICIES_KEY = "reminder_policies"


@dataclass
class InstantiateResult:
    roadmap_id: int
    template_id: int
    template_created: bool
    roadmap_created: bool
    created: int = 0
    unchanged: int = 0
    stale: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _label(key: str, period: str) -> str:
    return f"{key}@{period}" if period else key


def _template_row(
    session: Session, spec: TemplateSpec, source_text: str
) -> tuple[RoadmapTemplate, bool, list[str]]:
    digest = sha256_text(source_text)
    row = session.exec(
        select(RoadmapTemplate).where(
            RoadmapTemplate.key == spec.key,
            RoadmapTemplate.version == spec.version,
            RoadmapTemplate.sha256 == digest,
        )
    ).first()
    if row is not None:
        return row, False, []
    warnings = []
    same_version = session.exec(
        select(RoadmapTemplate).where(
            RoadmapTemplate.key == spec.key, RoadmapTemplate.version == spec.version
        )
    ).first()
    if same_version is not None:
        warnings.append(
            f"текст шаблона «{spec.key}» изменился, а версия ({spec.version}) — нет; "
            "увеличьте version при изменениях"
        )
    row = RoadmapTemplate(
        key=spec.key, version=spec.version, title=spec.title, sha256=digest, source=source_text
    )
    session.add(row)
    session.flush()
    return row, True, warnings


def instantiate(
    session: Session,
    *,
    spec: TemplateSpec,
    source_text: str,
    municipality: Municipality,
    year: int,
    params: dict[str, str] | None = None,
    actor: str = "system",
    now: dt.datetime | None = None,
) -> InstantiateResult:
    """Create the roadmap of ``municipality`` for ``year`` from ``spec`` (idempotent).

    Every due date is computed (and every input checked) before the first write,
    so bad parameters raise ``InputError`` with nothing added to the session.
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"--year: год {year} вне диапазона {MIN_YEAR}–{MAX_YEAR}")
    assert municipality.id is not None
    values = merge_params(spec, params)
    stored_params = resolved_params(values, year=year)
    planned = plan(spec, year=year, tz=municipality.timezone, params=values)

    template, template_created, warnings = _template_row(session, spec, source_text)
    assert template.id is not None
    roadmap = session.exec(
        select(Roadmap).where(
            Roadmap.municipality_id == municipality.id,
            Roadmap.template_key == spec.key,
            Roadmap.year == year,
        )
    ).first()
    roadmap_created = roadmap is None
    if roadmap is None:
        roadmap = Roadmap(
            municipality_id=municipality.id,
            template_id=template.id,
            template_key=spec.key,
            year=year,
            parameters={
                **stored_params,
                POLICIES_KEY: {
                    name: pol.model_dump(mode="json") for name, pol in spec.policies().items()
                },
            },
        )
        session.add(roadmap)
        session.flush()
    assert roadmap.id is not None
    result = InstantiateResult(
        roadmap_id=roadmap.id,
        template_id=template.id,
        template_created=template_created,
        roadmap_created=roadmap_created,
        warnings=warnings,
    )
    existing = {
        (s.key, s.period): s
        for s in session.exec(select(Step).where(Step.roadmap_id == roadmap.id)).all()
    }
    # Rows go in with one executemany (ORM construction of SQLModel rows costs ~2 ms each).
    new_rows: list[dict[str, Any]] = []
    stamp = now or utcnow()
    for p in planned:
        row = existing.pop((p.key, p.period), None)
        if row is not None:
            result.unchanged += 1
            if row.due_date != p.due_date or row.title != p.title:
                result.stale.append(_label(p.key, p.period))
            continue
        new_rows.append(
            {
                "roadmap_id": roadmap.id,
                "municipality_id": municipality.id,
                "organisation_id": None,
                "key": p.key,
                "period": p.period,
                "title": p.title,
                "kind": p.kind,
                "owner_role": p.owner_role,
                "description": p.description,
                "due_date": p.due_date,
                "due_at": p.due_at,
                "timezone": p.timezone,
                "recurrence": p.recurrence,
                "status": StepStatus.planned,
                "reminder_policy": p.reminder_policy,
                "due_rule": p.due_rule,
                "depends_on": p.depends_on,
                "evidence_required": p.evidence_required,
                "blocked_by": [],
                "status_changed_at": stamp,
                "done_at": None,
            }
        )
        result.created += 1
    if new_rows:
        session.execute(insert(STEP_TABLE), new_rows)
    result.orphaned = sorted(_label(k, per) for k, per in existing)
    if not roadmap_created and roadmap.template_id != template.id:
        roadmap.template_id = template.id
        session.add(roadmap)
    session.flush()
    if result.created or template_created:
        audit_log.append(
            session,
            municipality_id=municipality.id,
            actor=actor,
            action=AuditAction.roadmap_load,
            entity=f"roadmap:{roadmap.id}",
            payload={
                "template": spec.key,
                "version": spec.version,
                "sha256": template.sha256,
                "year": year,
                "parameters": stored_params,
                "created": result.created,
                "unchanged": result.unchanged,
            },
            at=now,
        )
    return result
