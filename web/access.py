"""Roles and tenancy in ONE place: every query of the web app goes through a Scope.

A :class:`Scope` is built from the authenticated :class:`Person`. Reads add WHERE
clauses (``scope.steps(select(Step))``); rows outside the scope are simply not
found (404, their existence is not revealed). Actions a role may never take
(an auditor completing a step, an organisation reading the audit log) raise
:class:`Forbidden` (403).

| role        | municipalities      | steps                              | audit | complete |
|-------------|---------------------|------------------------------------|-------|----------|
| admin, rmc* | all                 | all                                | yes   | admin    |
| moc_head    | own                 | own municipality                   | own   | own      |
| org_contact | own org's           | own organisation's                 | no    | own org  |
| expert      | of assigned cases   | review steps of assigned campaigns | no    | no       |
| auditor     | chosen list         | chosen municipalities              | yes   | no       |

(*) rmc reads everything and completes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam, false, select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from models import (
    AuditEntry,
    Evidence,
    Expert,
    ExpertAssignment,
    Municipality,
    Organisation,
    Person,
    Programme,
    ReviewCampaign,
    ReviewCase,
    Role,
    Step,
)
from web.auth_tokens import digest, issue_token

__all__ = ["Forbidden", "NotVisible", "Scope", "build_scope", "hash_token", "issue_token"]

S = TypeVar("S", bound="Select[Any]")


class Forbidden(Exception):
    """The role may not do this at all (HTTP 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotVisible(Exception):
    """The row does not exist or lies outside the scope (HTTP 404)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_token(token: str) -> str:
    """What the database stores for a secret (SHA-256 hex)."""
    return digest(token)


# Built once: a scope that sees every municipality runs this very statement, whose
# cache key SQLAlchemy then keeps instead of recomputing it per request (issue 19).
_MUNICIPALITY_BY_CODE = select(Municipality).where(col(Municipality.code) == bindparam("code"))


@dataclass(frozen=True)
class Scope:
    person_id: int
    actor: str
    role: Role
    # None = every municipality; otherwise the visible ones (may be empty).
    municipality_ids: frozenset[int] | None
    organisation_id: int | None = None
    # Experts: steps of the review campaigns they are assigned to.
    review_step_ids: frozenset[int] = frozenset()

    @property
    def cache_key(self) -> tuple[object, ...]:
        """Scopes with equal keys see exactly the same rows."""
        ids = None if self.municipality_ids is None else tuple(sorted(self.municipality_ids))
        return (self.role.value, ids, self.organisation_id, tuple(sorted(self.review_step_ids)))

    @property
    def sees_whole_municipalities(self) -> bool:
        """True when every step of each visible municipality is visible (not a contact or an
        expert): per-municipality totals, such as maintained counters, may then be shown."""
        return self.role not in (Role.org_contact, Role.expert)

    # --- reads: WHERE clauses -------------------------------------------------------
    def _in(self, column: Any, ids: frozenset[int] | None) -> Any:
        if ids is None:
            return None
        if not ids:
            return false()
        return column.in_(sorted(ids))

    def municipalities(self, stmt: S) -> S:
        cond = self._in(col(Municipality.id), self.municipality_ids)
        return stmt if cond is None else stmt.where(cond)

    def steps(self, stmt: S) -> S:
        if self.role is Role.org_contact:
            # Deny by default: a contact without an organisation sees nothing (never
            # ``organisation_id IS NULL``, which would match every municipal step).
            if self.organisation_id is None or not self.municipality_ids:
                return stmt.where(false())
            return stmt.where(
                col(Step.organisation_id) == self.organisation_id,
                self._in(col(Step.municipality_id), self.municipality_ids),
            )
        if self.role is Role.expert:
            return stmt.where(self._in(col(Step.id), self.review_step_ids))
        cond = self._in(col(Step.municipality_id), self.municipality_ids)
        return stmt if cond is None else stmt.where(cond)

    def organisations(self, stmt: S) -> S:
        if self.role is Role.org_contact:
            if self.organisation_id is None:
                return stmt.where(false())
            return stmt.where(col(Organisation.id) == self.organisation_id)
        if self.role is Role.expert:
            return stmt.where(false())
        cond = self._in(col(Organisation.municipality_id), self.municipality_ids)
        return stmt if cond is None else stmt.where(cond)

    def audit(self, stmt: S) -> S:
        self.require_audit()
        cond = self._in(col(AuditEntry.municipality_id), self.municipality_ids)
        return stmt if cond is None else stmt.where(cond)

    def review_cases(self, stmt: S) -> S:
        """Cases joined with their campaign (and programme for organisations)."""
        stmt = stmt.join(ReviewCampaign, col(ReviewCampaign.id) == col(ReviewCase.campaign_id))
        if self.role is Role.expert:
            mine = (
                select(col(ExpertAssignment.case_id))
                .join(Expert, col(Expert.id) == col(ExpertAssignment.expert_id))
                .where(col(Expert.person_id) == self.person_id)
            )
            return stmt.where(col(ReviewCase.id).in_(mine))
        if self.role is Role.org_contact:
            if self.organisation_id is None:
                return stmt.where(false())
            progs = select(col(Programme.id)).where(
                col(Programme.organisation_id) == self.organisation_id
            )
            return stmt.where(col(ReviewCase.programme_id).in_(progs))
        cond = self._in(col(ReviewCampaign.municipality_id), self.municipality_ids)
        return stmt if cond is None else stmt.where(cond)

    # --- single rows -----------------------------------------------------------------
    def municipality(self, session: Session, code: str) -> Municipality:
        row: Municipality | None = (
            session.execute(self.municipalities(_MUNICIPALITY_BY_CODE), {"code": code})
            .scalars()
            .first()
        )
        if row is None:
            raise NotVisible(f"муниципалитет «{code}» не найден")
        return row

    def step(self, session: Session, step_id: int) -> Step:
        row: Step | None = (
            session.execute(self.steps(select(Step).where(col(Step.id) == step_id)))
            .scalars()
            .first()
        )
        if row is None:
            raise NotVisible(f"шаг с id={step_id} не найден")
        return row

    def organisation(self, session: Session, org_id: int) -> Organisation:
        row: Organisation | None = (
            session.execute(
                self.organisations(select(Organisation).where(col(Organisation.id) == org_id))
            )
            .scalars()
            .first()
        )
        if row is None:
            raise NotVisible(f"организация с id={org_id} не найдена")
        return row

    def evidence(self, session: Session, evidence_id: int) -> Evidence:
        ev = session.get(Evidence, evidence_id)
        if ev is None:
            raise NotVisible(f"подтверждение с id={evidence_id} не найдено")
        try:
            self.step(session, ev.step_id)
        except NotVisible:
            raise NotVisible(f"подтверждение с id={evidence_id} не найдено") from None
        return ev

    # --- capabilities ----------------------------------------------------------------
    @property
    def can_audit(self) -> bool:
        return self.role in (Role.admin, Role.rmc, Role.moc_head, Role.auditor)

    def require_audit(self) -> None:
        if not self.can_audit:
            raise Forbidden("журнал аудита недоступен для вашей роли")

    def can_complete(self, step: Step) -> bool:
        if self.role is Role.admin:
            return True
        if self.role is Role.moc_head:
            return (
                self.municipality_ids is not None and step.municipality_id in self.municipality_ids
            )
        if self.role is Role.org_contact:
            return step.organisation_id is not None and step.organisation_id == self.organisation_id
        return False

    def require_complete(self, step: Step) -> None:
        if not self.can_complete(step):
            raise Forbidden("ваша роль не может отмечать выполнение этого шага")

    # --- people and organisations (/admin/*): administrators all, МОЦ heads their own ---
    def require_manage(self) -> None:
        if self.role not in (Role.admin, Role.moc_head):
            raise Forbidden("управление людьми и организациями доступно администратору и МОЦ")
        if self.role is Role.moc_head and not self.municipality_ids:
            raise Forbidden("у руководителя МОЦ не указан муниципалитет: управлять некем")

    @property
    def assignable_roles(self) -> tuple[Role, ...]:
        """Roles this manager may give (a МОЦ head never creates administrators)."""
        if self.role is Role.admin:
            return tuple(Role)
        return (Role.moc_head, Role.org_contact) if self.role is Role.moc_head else ()

    def people(self, stmt: S) -> S:
        self.require_manage()
        ids = self.municipality_ids
        if ids is None:
            return stmt
        if not ids:
            return stmt.where(false())
        orgs = select(col(Organisation.id)).where(col(Organisation.municipality_id).in_(ids))
        return stmt.where(
            col(Person.role).in_([Role.moc_head, Role.org_contact]),
            col(Person.municipality_id).in_(sorted(ids)) | col(Person.organisation_id).in_(orgs),
        )

    def person(self, session: Session, person_id: int) -> Person:
        row: Person | None = (
            session.execute(self.people(select(Person).where(col(Person.id) == person_id)))
            .scalars()
            .first()
        )
        if row is None:
            raise NotVisible(f"человек с id={person_id} не найден")
        return row


def build_scope(session: Session, person: Person) -> Scope:
    """The scope of a person (one small query for experts and organisations).

    Deny by default: a disabled person gets :class:`Forbidden`; an account whose
    role lacks what it needs (org without organisation, auditor without list,
    МОЦ head without municipality) gets an empty scope.
    """
    assert person.id is not None
    if person.disabled_at is not None:
        raise Forbidden("учётная запись отключена")
    try:
        role = Role(person.role)
    except ValueError:
        raise Forbidden("у учётной записи неизвестная роль") from None
    actor = f"{person.full_name} (id={person.id})"
    ids: frozenset[int] | None
    review_steps: frozenset[int] = frozenset()
    if role in (Role.admin, Role.rmc):
        ids = None
    elif role is Role.moc_head:
        mid = person.municipality_id
        ids = frozenset([mid]) if mid is not None else frozenset()
    elif role is Role.org_contact:
        # The organisation decides the municipality; no organisation, nothing visible.
        org = session.get(Organisation, person.organisation_id) if person.organisation_id else None
        ids = frozenset([org.municipality_id]) if org is not None else frozenset()
    elif role is Role.auditor:
        ids = frozenset(int(i) for i in person.auditor_municipality_ids)
    else:  # expert
        rows = session.execute(
            select(col(ReviewCampaign.municipality_id), col(ReviewCampaign.step_id))
            .join(ReviewCase, col(ReviewCase.campaign_id) == col(ReviewCampaign.id))
            .join(ExpertAssignment, col(ExpertAssignment.case_id) == col(ReviewCase.id))
            .join(Expert, col(Expert.id) == col(ExpertAssignment.expert_id))
            .where(col(Expert.person_id) == person.id)
        ).all()
        ids = frozenset(int(r[0]) for r in rows)
        review_steps = frozenset(int(r[1]) for r in rows if r[1] is not None)
    return Scope(
        person_id=person.id,
        actor=actor,
        role=role,
        municipality_ids=ids,
        organisation_id=person.organisation_id if role is Role.org_contact else None,
        review_step_ids=review_steps,
    )
