"""Least-privilege PostgreSQL role for the application (issue 18).

The application role owns nothing: it reads and writes the working tables but may only
INSERT and SELECT on the audit log, its checkpoints and its stored Merkle tree. Not being a
superuser nor the owner, it cannot ``SET session_replication_role = replica``, nor disable,
drop or replace the triggers, so the append-only guarantee no longer rests on the
connection string's good behaviour. The statements are idempotent: run them again after
every upgrade (new tables get the working rights by default privileges; the log's are
revoked again).
"""

from __future__ import annotations

import re

from domain.errors import InputError

LOG_TABLES = ("auditentry", "auditcheckpoint", "auditnode")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LIMITS = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION NOINHERIT"


def role_sql(name: str, *, schema: str = "public", password: str | None = None) -> list[str]:
    """The statements a DBA runs (as the owner of the schema) to create or refresh the role."""
    if not _NAME.match(name) or not _NAME.match(schema):
        raise InputError(f"имя роли/схемы «{name}»/«{schema}»: латиница, цифры и «_»")
    logs = ", ".join(f"{schema}.{t}" for t in LOG_TABLES)
    work = "SELECT, INSERT, UPDATE, DELETE"
    stmts = [
        "DO $$ BEGIN "
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} LOGIN {_LIMITS}; END IF; END $$",
        f"ALTER ROLE {name} LOGIN {_LIMITS}",
    ]
    if password is not None:
        stmts.append(f"ALTER ROLE {name} PASSWORD {_literal(password)}")
    return [
        *stmts,
        f"REVOKE ALL ON SCHEMA {schema} FROM {name}",
        f"GRANT USAGE ON SCHEMA {schema} TO {name}",
        f"GRANT {work} ON ALL TABLES IN SCHEMA {schema} TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {name}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {work} ON TABLES TO {name}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {name}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {logs} FROM {name}",
    ]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
