"""SQLModel tables of soczakaz; importing this package registers them all."""

import models.status_counts  # noqa: F401  (issue 19: step counters and their triggers)
from models.core import Municipality, Organisation, Person, Role
from models.evidence import AuditCheckpoint, AuditEntry, Evidence
from models.indicators import IndicatorValue
from models.outbox import OutboxMessage, OutboxStatus
from models.people import AccessToken, FeedSecret, MagicLink, SignInSession  # noqa: F401  (issue 14)
from models.records import EventRecord, Narrative  # noqa: F401  (issue 15)
from models.review import (
    CouncilDecision,
    Expert,
    ExpertAssignment,
    Focus,
    Programme,
    ReviewCampaign,
    ReviewCase,
    ReviewState,
)
from models.roadmap import (
    Recurrence,
    Roadmap,
    RoadmapTemplate,
    Step,
    StepKind,
    StepStatus,
)
from models.sweep_state import SweepPending, SweepWatermark  # noqa: F401  (issue 19)
from models.web_indexes import AUDIT_LAST_INDEX  # noqa: F401  (issue 19)

__all__ = [
    "AuditCheckpoint",
    "AuditEntry",
    "CouncilDecision",
    "Evidence",
    "Expert",
    "ExpertAssignment",
    "Focus",
    "IndicatorValue",
    "Municipality",
    "Organisation",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Programme",
    "Recurrence",
    "ReviewCampaign",
    "ReviewCase",
    "ReviewState",
    "Roadmap",
    "RoadmapTemplate",
    "Role",
    "Step",
    "StepKind",
    "StepStatus",
]
