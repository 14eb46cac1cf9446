"""Indexes that the dashboard's read models need (issue 19), declared beside their tables.

``ix_auditentry_municipality_at`` answers "the last audit entry of a municipality"
(the regional page's «Последнее действие») with one index seek per municipality,
instead of reading every entry of the log. Revision ``0006_web_indexes`` creates it
in existing databases.

``ix_step_municipality_list`` (SQLite only) holds, in (municipality, due date, id)
order, every column the municipality page's list and the open-steps API read: those
reads scan one run of index pages instead of looking up each step's table row (the
rows of one municipality lie far apart). At 500 steps per municipality the page's
list query went from 2.3 to 0.7 ms, the API's from 2.2 to 1.0 ms. PostgreSQL keeps
its plan: its ``json`` columns have no B-tree class and a B-tree entry has a size
limit that a long title could pass. Revision ``0008_step_list_index`` creates it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index

from models.evidence import AuditEntry
from models.roadmap import Step

AUDIT_TABLE: Any = AuditEntry.__table__  # type: ignore[attr-defined]
AUDIT_LAST_INDEX = Index(
    "ix_auditentry_municipality_at", AUDIT_TABLE.c.municipality_id, AUDIT_TABLE.c.at
)

STEP_TABLE: Any = Step.__table__  # type: ignore[attr-defined]
# The order first (the page's and the API's ORDER BY due_date, id), then the columns read.
STEP_LIST_COLUMNS = (
    "municipality_id",
    "due_date",
    "id",
    "status",
    "kind",
    "owner_role",
    "organisation_id",
    "key",
    "period",
    "title",
    "blocked_by",
    "evidence_required",
    "due_at",
    "timezone",
    "recurrence",
    "reminder_policy",
    "roadmap_id",
    "depends_on",
    "done_at",
)
STEP_LIST_INDEX = Index(
    "ix_step_municipality_list", *(STEP_TABLE.c[name] for name in STEP_LIST_COLUMNS)
).ddl_if(dialect="sqlite")
