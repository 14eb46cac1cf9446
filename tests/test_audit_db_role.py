"""The application role may only INSERT/SELECT on the log and cannot switch triggers off."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from domain.audit.db_role import role_sql
from domain.errors import InputError


def test_bad_role_name_refused() -> None:
    with pytest.raises(InputError):
        role_sql("app; DROP TABLE x")


def test_app_role_cannot_edit_log_nor_disable_triggers(engine: Engine, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("a database role exists on PostgreSQL only (SQLite has no roles)")
    name = "app_" + uuid.uuid4().hex[:8]
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        for stmt in role_sql(name, schema=schema):
            conn.execute(text(stmt))
    try:
        refused = [
            "SET session_replication_role = replica",
            "ALTER TABLE auditentry DISABLE TRIGGER ALL",
            "UPDATE auditentry SET actor = 'x'",
            "DELETE FROM auditentry",
            "TRUNCATE auditentry",
        ]
        for stmt in refused:
            with engine.connect() as conn, conn.begin():
                conn.execute(text(f"SET LOCAL ROLE {name}"))
                with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                    conn.execute(text(stmt))
        with engine.connect() as conn, conn.begin():
            conn.execute(text(f"SET LOCAL ROLE {name}"))
            assert conn.execute(text("SELECT count(*) FROM auditentry")).scalar_one() >= 0
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))
