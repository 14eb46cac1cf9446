"""Indexes that the dashboard's read models need (issue 19), declared beside their tables.

``ix_auditentry_municipality_at`` answers "the last audit entry of a municipality"
(the regional page's «Последнее действие») with one index seek per municipality,
instead of reading every entry of the log. Revision ``0006_web_indexes`` creates it
in existing databases.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index

from models.evidence import AuditEntry

AUDIT_TABLE: Any = AuditEntry.__table__  # type: ignore[attr-defined]
AUDIT_LAST_INDEX = Index(
    "ix_auditentry_municipality_at", AUDIT_TABLE.c.municipality_id, AUDIT_TABLE.c.at
)
