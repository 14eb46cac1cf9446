"""Read models of the dashboard: aggregate queries, always through a Scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import starmap
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from domain.calendar.workdays import working_days_between
from models import (
    Person,
    Role,
    Step,
)
from models.roadmap import OPEN_STATUSES, StepKind, StepStatus
from web.forms import missing_evidence
from web.overview_queries import STATUS_ORDER
from web.raw_rows import RawColumns, json_lists


@dataclass
class StepFilters:
    status: str | None = None
    kind: str | None = None
    owner: str | None = None  # an owner role, or "org:<id>"

    def apply(self, stmt: Any) -> Any:
        if self.status == "open":
            stmt = stmt.where(col(Step.status).in_([s.value for s in OPEN_STATUSES]))
        elif self.status:
            stmt = stmt.where(col(Step.status) == StepStatus(self.status))
        if self.kind:
            stmt = stmt.where(col(Step.kind) == StepKind(self.kind))
        if self.owner and self.owner.startswith("org:"):
            stmt = stmt.where(col(Step.organisation_id) == int(self.owner[4:]))
        elif self.owner:
            stmt = stmt.where(col(Step.owner_role) == self.owner)
        return stmt


# The columns a list row needs: no ORM objects, raw driver values decoded per column
# (web/raw_rows.py: fast at 500+ rows). The two JSON lists are short (mostly "[]").
LIST_COLUMNS = (
    col(Step.id),
    col(Step.key),
    col(Step.period),
    col(Step.title),
    col(Step.kind),
    col(Step.owner_role),
    col(Step.organisation_id),
    col(Step.due_date),
    col(Step.status),
    col(Step.blocked_by),
    col(Step.evidence_required),
)
RAW = RawColumns(LIST_COLUMNS, decoders={"blocked_by": json_lists, "evidence_required": json_lists})


@dataclass(slots=True)
class StepRow:
    """One step of a list: what the rows of the pages show (blocked: what they wait
    for; overdue: what evidence is missing)."""

    id: int
    key: str
    period: str
    title: str
    kind: StepKind
    owner_role: str
    organisation_id: int | None
    due_date: dt.date
    status: StepStatus
    blocked_by: list[str] = field(default_factory=list)
    evidence_required: list[str] = field(default_factory=list)


def list_select(session: Session) -> Any:
    """``SELECT <LIST_COLUMNS> FROM step`` for this session's database (add WHERE / ORDER)."""
    return select(*RAW.select_columns(session))


def step_rows(session: Session, stmt: Any) -> list[StepRow]:
    """The rows of a :func:`list_select` statement (JSON lists ``None`` read as empty)."""
    return list(starmap(StepRow, RAW.fetch(session, stmt)))


PAGE_SIZE = 40
BLOCKED_LIMIT = 200
OPEN = frozenset(OPEN_STATUSES)
SORTS = ("due", "-due", "title", "status", "kind")


@dataclass(frozen=True)
class Responsible:
    """Who must act on a step: a named person with a contact, or the role when nobody is named."""

    name: str
    contact: str
    role: str


@dataclass
class LateStep:
    row: Any
    late_days: int  # working days past the deadline
    person: Responsible
    missing: list[str]  # what evidence is still needed, in words


def responsible_people(session: Session, municipality_id: int) -> dict[str, Responsible]:
    """Keys: an owner role, or ``org:<id>`` for an organisation's contact."""
    out: dict[str, Responsible] = {}
    rows = session.execute(
        select(
            col(Person.full_name), col(Person.email), col(Person.role), col(Person.organisation_id)
        )
        .where(col(Person.municipality_id) == municipality_id)
        .order_by(col(Person.id))
    ).all()
    for name, email, role, org_id in rows:
        who = Responsible(name, email, Role(role).value)
        if org_id is not None:
            out.setdefault(f"org:{org_id}", who)
        out.setdefault(who.role, who)  # role-owned steps with no organisation named
    return out


def who_acts(row: Any, people: dict[str, Responsible]) -> Responsible:
    key = f"org:{row.organisation_id}" if row.organisation_id else row.owner_role
    return people.get(key) or Responsible("", "", row.owner_role)


@lru_cache(maxsize=4096)
def _missing_words(kind: str, required: tuple[str, ...]) -> tuple[str, ...]:
    """``missing_evidence`` depends on the kind and the required list only: computed once."""
    return tuple(missing_evidence(kind, list(required)))


@lru_cache(maxsize=8192)
def _late_days(due: dt.date, today: dt.date) -> int:
    return working_days_between(due, today)


def late_steps(rows: list[Any], today: dt.date, people: dict[str, Responsible]) -> list[LateStep]:
    out = [
        LateStep(
            r,
            _late_days(r.due_date, today),
            who_acts(r, people),
            list(_missing_words(r.kind, tuple(r.evidence_required))),
        )
        for r in rows
        if r.status == StepStatus.overdue
    ]
    return sorted(out, key=lambda x: (-x.late_days, x.row.id))


def sort_key(sort: str) -> Any:
    """The key of a plan order (Python's sort is stable: ties stay in due-date order)."""
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    if sort == "-due":
        return lambda r: (-r.due_date.toordinal(), -r.id)
    if sort == "title":
        return lambda r: (r.title, r.id)
    if sort == "status":
        return lambda r: (-int(r.status == StepStatus.overdue), order[r.status.value], r.due_date)
    return lambda r: (r.kind.value, r.due_date)
