"""The enumerations of the tables, without SQLModel: statuses, kinds, roles.

Pure ``StrEnum`` classes (what a column stores); the table modules re-export them,
so ``from models.roadmap import StepStatus`` keeps working, while pure code
(domain.roadmap.deadlines, domain.vocabulary, ``roadmap status``) imports them from
here without loading SQLModel (issue 19: the CLI starts fast).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    moc_head = "moc_head"
    org_contact = "org_contact"
    expert = "expert"
    auditor = "auditor"
    rmc = "rmc"


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    dead = "dead"


class ReviewState(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    FORMALLY_REJECTED = "FORMALLY_REJECTED"
    EXPERTS_ASSIGNED = "EXPERTS_ASSIGNED"
    UNDER_REVIEW = "UNDER_REVIEW"
    POSITIVE = "POSITIVE"
    NEGATIVE = "NEGATIVE"
    DISAGREEMENT = "DISAGREEMENT"
    REVISION = "REVISION"
    COUNCIL_DECISION = "COUNCIL_DECISION"
    REGIONAL_STAGE = "REGIONAL_STAGE"
    IN_REGISTER = "IN_REGISTER"
    ARCHIVED = "ARCHIVED"


class StepKind(StrEnum):
    normative_act = "normative_act"
    certificate_setup = "certificate_setup"
    expert_review = "expert_review"
    report = "report"
    event = "event"
    indicator = "indicator"


class Recurrence(StrEnum):
    once = "once"
    yearly = "yearly"
    quarterly = "quarterly"
    monthly = "monthly"


class StepStatus(StrEnum):
    planned = "planned"
    due_soon = "due_soon"
    due = "due"
    overdue = "overdue"
    blocked = "blocked"
    done = "done"
    waived = "waived"
