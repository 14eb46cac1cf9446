"""Applying a validated АИС «Навигатор» export: all or nothing, idempotent, with a summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, or_, select

from domain.audit import log as audit_log
from domain.errors import InputError
from domain.indicators import catalogue as indicators
from domain.indicators.imports import _number
from domain.inputs import word
from domain.records.labels import FOCUS_ALIASES, ORG_KIND_ALIASES, ORG_KIND_RU, pick
from domain.records.navigator import KIND_RU, Export, flag, read_export, validate
from domain.vocabulary import AuditAction
from models import Municipality, Organisation, Programme
from models.core import OrganisationKind
from models.review import Focus, ProgrammeStatus


@dataclass
class Summary:
    kind: str
    as_of: dt.date | None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "as_of": self.as_of,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "changes": self.changes,
        }


def _focus(v: str) -> Focus:
    return Focus(pick(v, field="направленность", labels=indicators.FOCUS_RU, aliases=FOCUS_ALIASES))


def _apply(obj: Any, values: dict[str, Any], summary: Summary, label: str) -> None:
    diff = {k: v for k, v in values.items() if getattr(obj, k) != v}
    for k, v in diff.items():
        setattr(obj, k, v)
    if diff:
        summary.updated += 1
        summary.changes.append(f"{label}: изменено {', '.join(sorted(diff))}")
    else:
        summary.unchanged += 1


def _find_org(s: Session, mid: int, row: dict[str, str]) -> Organisation | None:
    keys = [k for k in (row.get("org_id"), row.get("inn")) if k]
    q = select(Organisation).where(Organisation.municipality_id == mid)
    conds = [Organisation.code == k for k in keys] + [Organisation.inn == k for k in keys]
    if row.get("org_name"):
        conds += [Organisation.name == row["org_name"], Organisation.short_name == row["org_name"]]
    return s.exec(q.where(or_(*conds))).first() if conds else None


def import_navigator(
    s: Session,
    *,
    path: Path,
    municipality: Municipality,
    year: int | None,
    actor: str,
    now: dt.datetime,
) -> Summary:
    """Validate the whole export, then write it in ``s``; raise InputError on any problem."""
    assert municipality.id is not None
    mid, name = municipality.id, path.name
    ex = read_export(path)
    errors = validate(ex, name=name)
    if ex.kind == "programmes":
        for n, row in zip(ex.numbers, ex.rows, strict=True):
            if (row.get("org_id") or row.get("inn") or row.get("org_name")) and not _find_org(
                s, mid, row
            ):
                who = row.get("org_name") or row.get("inn") or row.get("org_id")
                errors.append(
                    f"{name}:строка {n}: организация «{who}» не найдена "
                    "(загрузите сначала выгрузку организаций)"
                )
    if ex.kind in ("enrolments", "statistics") and year is None:
        errors.append(f"{name}: для выгрузки «{KIND_RU[ex.kind]}» укажите --year")
    if errors:
        raise InputError(
            f"{name}: ошибок — {len(errors)}; файл не принят, ничего не записано", details=errors
        )
    if not ex.rows:
        raise InputError(f"{name}: в выгрузке нет строк с данными")
    summary = Summary(ex.kind, ex.as_of if isinstance(ex.as_of, dt.date) else None)
    {
        "organisations": _organisations,
        "programmes": _programmes,
        "enrolments": _enrolments,
        "statistics": _statistics,
    }[ex.kind](s, mid, ex, summary, year or 0)
    s.flush()
    audit_log.append(
        s,
        municipality_id=mid,
        actor=actor,
        action=AuditAction.navigator_imported,
        entity=f"file:{name}",
        payload=summary.as_json(),
        at=now,
    )
    return summary


def _organisations(s: Session, mid: int, ex: Export, summary: Summary, _year: int) -> None:
    for row in ex.rows:
        code = row.get("org_id") or row["inn"]
        kind = (
            OrganisationKind(
                pick(row["org_type"], field="тип", labels=ORG_KIND_RU, aliases=ORG_KIND_ALIASES)
            )
            if row.get("org_type")
            else None
        )
        org = _find_org(s, mid, {"org_id": code, "inn": row["inn"]})
        values: dict[str, Any] = {"name": row["org_name"], "inn": row["inn"], "in_navigator": True}
        if row.get("short_name"):
            values["short_name"] = row["short_name"]
        if kind is not None:
            values["kind"] = kind
        if org is None:
            s.add(Organisation(municipality_id=mid, code=code, **values))
            summary.created += 1
            summary.changes.append(f"организация {code}: добавлена")
        else:
            _apply(org, values, summary, f"организация {org.code}")
            s.add(org)


def _programmes(s: Session, mid: int, ex: Export, summary: Summary, _year: int) -> None:
    for row in ex.rows:
        org = _find_org(s, mid, row)
        assert org is not None and org.id is not None
        archived = word(row.get("status", "")).startswith(("архив", "в архиве"))
        values: dict[str, Any] = {
            "title": row["title"],
            "focus": _focus(row["focus"]),
            "organisation_id": org.id,
            "status": ProgrammeStatus.archived if archived else ProgrammeStatus.published,
        }
        for canon, attr in (("ovz", "for_ovz"), ("remote", "remote"), ("network", "network")):
            if canon in row:
                values[attr] = bool(flag(row[canon]))
        if row.get("hours"):
            values["hours"] = int(_number(row["hours"]) or 0)
        p = s.exec(
            select(Programme).where(
                Programme.municipality_id == mid, Programme.navigator_id == row["prog_id"]
            )
        ).first()
        if p is None:
            s.add(Programme(municipality_id=mid, navigator_id=row["prog_id"], **values))
            summary.created += 1
            summary.changes.append(f"программа {row['prog_id']}: добавлена")
        else:
            _apply(p, values, summary, f"программа {row['prog_id']}")
            s.add(p)


def _upsert(s: Session, mid: int, year: int, key: str, value: float, summary: Summary) -> None:
    source = "АИС «Навигатор»" + (f" на {summary.as_of:%d.%m.%Y}" if summary.as_of else "")
    before = {
        r.key: r.actual
        for r in indicators.plan_vs_actual(
            s, municipality_id=mid, year=year, keys=[key], derive=False
        )
    }
    indicators.upsert(
        s, municipality_id=mid, year=year, period="Y", key=key, actual=value, source=source
    )
    if before.get(key) is None:
        summary.created += 1
        summary.changes.append(f"показатель {key}: {value:g}")
    elif before[key] != value:
        summary.updated += 1
        summary.changes.append(f"показатель {key}: {before[key]:g} → {value:g}")
    else:
        summary.unchanged += 1


def _enrolments(s: Session, mid: int, ex: Export, summary: Summary, year: int) -> None:
    by: dict[str, float] = {}
    for row in ex.rows:
        key = f"children_{_focus(row['focus']).value}"
        by[key] = by.get(key, 0.0) + (_number(row["children"]) or 0.0)
    for key, value in by.items():
        _upsert(s, mid, year, key, value, summary)


def _statistics(s: Session, mid: int, ex: Export, summary: Summary, year: int) -> None:
    for row in ex.rows:
        key = indicators.check_key(row["indicator"])  # validated above
        _upsert(s, mid, year, key, _number(row["value"]) or 0.0, summary)
