"""Completion evidence of steps and the append-only, hash-chained audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from models.db import POST_CREATE_HOOKS
from models.types import JSONType, UTCDateTime, utcnow


class EvidenceBase(SQLModel):
    step_id: int = Field(foreign_key="step.id", index=True)
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    kind: str  # the step kind the evidence was validated for
    act_type: str | None = None  # приказ / постановление / распоряжение
    act_number: str | None = None  # as written: "№233", "№85/1"
    act_date: dt.date | None = None
    issuer: str | None = None
    url: str | None = None
    recipient: str | None = None
    # Kind-specific typed values (participant counts, certificate counts, nominal...).
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    file_sha256: str | None = Field(default=None, max_length=64)
    file_size: int | None = None
    file_name: str | None = None
    content_type: str | None = None
    # The date the result took effect (act date) — apart from the upload time.
    effective_date: dt.date | None = None
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_by: str


class Evidence(EvidenceBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Set when newer evidence supersedes this one (history is kept, never deleted).
    superseded_by_id: int | None = Field(default=None, foreign_key="evidence.id")


class EvidencePublic(EvidenceBase):
    id: int
    superseded_by_id: int | None


class AuditEntry(SQLModel, table=True):
    """One entry of a per-municipality hash chain. Never updated, never deleted."""

    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    # Chain name: the municipality code, or "_global" for settings and system entries.
    chain: str = Field(index=True, max_length=64)
    municipality_id: int | None = Field(default=None, index=True)
    seq: int
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str
    action: str = Field(index=True)
    entity: str = Field(default="", index=True)  # e.g. "step:42"
    payload: str = Field(sa_column=Column(Text, nullable=False))  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """A signed chain head (Ed25519); the public key is kept beside it."""

    id: int | None = Field(default=None, primary_key=True)
    chain: str = Field(index=True)
    seq: int
    hash: str
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    public_key: str
    signature: str


class AuditNode(SQLModel, table=True):
    """Hash of one complete, aligned subtree of a chain's RFC 6962 Merkle tree (issue 18).

    Row (level, idx) covers leaves ``[idx * 2**level, (idx + 1) * 2**level)``; level 0 is the
    leaf hash of entry ``seq = idx + 1``. Written with the entry, in its transaction
    (domain.audit.nodes), never changed: a proof reads O(log n) rows.
    """

    chain: str = Field(primary_key=True, max_length=64)
    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    idx: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# --- Append-only guards -------------------------------------------------------------
# PostgreSQL: triggers refuse UPDATE, DELETE and TRUNCATE of the audit tables. A
# superuser can still bypass them (session_replication_role = replica, or DISABLE
# TRIGGER); that is why signed checkpoints exist. SQLite gets the same guard for
# UPDATE/DELETE (it has no TRUNCATE; DELETE without WHERE fires the trigger).
APPEND_ONLY_TABLES = ("auditentry", "auditcheckpoint")
NODE_TABLES = ("auditnode",)  # revision 0004 (issue 18); baseline installs the first two

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION soczakaz_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'soczakaz: %% is append-only (%% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def install_append_only_triggers(
    bind: Engine | Connection, tables: tuple[str, ...] = APPEND_ONLY_TABLES
) -> None:
    """Install (idempotently) triggers that make the audit tables append-only."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            _install_triggers(conn, tables)
    else:
        _install_triggers(bind, tables)


def install_node_triggers(bind: Engine | Connection) -> None:
    install_append_only_triggers(bind, NODE_TABLES)


def _install_triggers(conn: Connection, tables: tuple[str, ...]) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_FUNCTION)
        for table in tables:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            conn.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION soczakaz_append_only()"
            )
            conn.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION soczakaz_append_only()"
            )
    elif conn.dialect.name == "sqlite":
        for table in tables:
            for op in ("UPDATE", "DELETE"):
                conn.exec_driver_sql(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} "
                    f"BEFORE {op} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, 'soczakaz: {table} is append-only ({op} refused)'); "
                    "END"
                )


POST_CREATE_HOOKS.append(install_append_only_triggers)
POST_CREATE_HOOKS.append(install_node_triggers)
