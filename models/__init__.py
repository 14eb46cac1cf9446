"""SQLModel tables of soczakaz, loaded on first use.

``from models import Step`` (any name below) imports :mod:`models.registry`, which
registers every table, exactly as importing this package did before issue 19. The
package itself stays light, so ``models.settings`` or ``models.migrate`` can be
imported without SQLModel (``roadmap status`` reads SQLite through the DB-API).
Code that needs the whole metadata without naming a table imports
``models.registry``.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.registry import (
        AuditCheckpoint,
        AuditEntry,
        CouncilDecision,
        Evidence,
        Expert,
        ExpertAssignment,
        Focus,
        IndicatorValue,
        Municipality,
        Organisation,
        OutboxMessage,
        OutboxStatus,
        Person,
        Programme,
        Recurrence,
        ReviewCampaign,
        ReviewCase,
        ReviewState,
        Roadmap,
        RoadmapTemplate,
        Role,
        Step,
        StepKind,
        StepStatus,
    )

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


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    registry = importlib.import_module("models.registry")
    try:
        return getattr(registry, name)
    except AttributeError:
        raise AttributeError(f"module 'models' has no attribute {name!r}") from None


# The Alembic environment (models/migrations/env.py) does ``import models`` for the
# whole metadata; when Alembic runs, register everything as before.
if "alembic" in sys.modules:  # pragma: no cover - exercised by the alembic command line
    import models.registry  # noqa: F401
