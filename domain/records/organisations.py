"""The municipality's organisations: add, find, list (with the audit log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, func, select

from domain.audit import log as audit_log
from domain.errors import ConflictError, InputError
from domain.records.labels import ORG_KIND_ALIASES, ORG_KIND_RU, pick
from domain.vocabulary import AuditAction
from models.core import Organisation, OrganisationKind
from models.review import Programme


def add_organisation(
    s: Session,
    *,
    municipality_id: int,
    code: str,
    name: str,
    kind: str = "school",
    short_name: str = "",
    inn: str = "",
    in_navigator: bool = True,
    actor: str,
    now: dt.datetime,
) -> Organisation:
    """Add one organisation; the code is unique within the municipality."""
    code = code.strip()
    if not code or len(code) > 64 or any(c.isspace() for c in code):
        raise InputError(
            f"код организации «{code}»: ожидается слово без пробелов, до 64 знаков", field="code"
        )
    if len(name.strip()) < 2:
        raise InputError("--name: укажите полное название организации", field="name")
    if inn.strip() and not (inn.strip().isdigit() and len(inn.strip()) in (10, 12)):
        raise InputError(f"--inn: ИНН — 10 или 12 цифр, получено «{inn}»", field="inn")
    kind_value = OrganisationKind(
        pick(kind, field="--type", labels=ORG_KIND_RU, aliases=ORG_KIND_ALIASES)
    )
    exists = s.exec(
        select(Organisation.id).where(
            Organisation.municipality_id == municipality_id, Organisation.code == code
        )
    ).first()
    if exists is not None:
        raise ConflictError(f"организация «{code}» уже есть в муниципалитете", field="code")
    org = Organisation(
        municipality_id=municipality_id,
        code=code,
        name=name.strip(),
        short_name=short_name.strip(),
        inn=inn.strip(),
        kind=kind_value,
        in_navigator=in_navigator,
    )
    s.add(org)
    s.flush()
    audit_log.append(
        s,
        municipality_id=municipality_id,
        actor=actor,
        action=AuditAction.organisation_added,
        entity=f"organisation:{org.id}",
        payload=organisation_json(org),
        at=now,
    )
    return org


def list_organisations(s: Session, *, municipality_id: int) -> list[tuple[Organisation, int]]:
    """Organisations with their number of programmes, by code."""
    counts = dict(
        s.exec(
            select(Programme.organisation_id, func.count())
            .where(Programme.municipality_id == municipality_id)
            .group_by(col(Programme.organisation_id))
        ).all()
    )
    orgs = s.exec(
        select(Organisation)
        .where(Organisation.municipality_id == municipality_id)
        .order_by(col(Organisation.code))
    ).all()
    return [(o, int(counts.get(o.id or 0, 0))) for o in orgs]


def organisation_json(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.id,
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "inn": org.inn,
        "type": str(org.kind),
        "type_ru": ORG_KIND_RU.get(org.kind, str(org.kind)),
        "in_navigator": org.in_navigator,
    }
