"""Every SQLModel table of soczakaz: importing this module registers them all.

``models`` itself is light (its names load on first use, issue 19: ``roadmap status``
starts without SQLModel); whatever needs the whole metadata (``create_all``, Alembic,
``from models import Step``) imports this module.
"""

import models.overdue_oldest
import models.status_counts  # noqa: F401  (issue 19: step counters and their triggers)
from models.core import Municipality, Organisation, Person, Role
from models.evidence import AuditCheckpoint, AuditEntry, Evidence
from models.indicators import IndicatorValue
from models.outbox import OutboxMessage, OutboxStatus
from models.people import AccessToken, FeedSecret, MagicLink, SignInSession
from models.records import EventRecord, Narrative
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
from models.sweep_state import SweepPending, SweepWatermark
from models.web_indexes import AUDIT_LAST_INDEX

__all__ = [
    "AUDIT_LAST_INDEX",
    "AccessToken",
    "AuditCheckpoint",
    "AuditEntry",
    "CouncilDecision",
    "EventRecord",
    "Evidence",
    "Expert",
    "ExpertAssignment",
    "FeedSecret",
    "Focus",
    "IndicatorValue",
    "MagicLink",
    "Municipality",
    "Narrative",
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
    "SignInSession",
    "Step",
    "StepKind",
    "StepStatus",
    "SweepPending",
    "SweepWatermark",
]
