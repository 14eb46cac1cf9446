"""Least-privilege PostgreSQL role for the application (issue 18).

The application role owns nothing: it reads and writes the working tables but may only
INSERT and SELECT on the audit log and its checkpoints. Not being a superuser nor the
owner, it cannot ``SET session_replication_role = replica`` nor disable the triggers, so
the append-only guarantee no longer rests on the connection string's good behaviour.
"""

from __future__ import annotations

import re

from domain.errors import InputError

LOG_TABLES = ("auditentry", "auditcheckpoint")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def role_sql(name: str, *, schema: str = "public", password: str | None = None) -> list[str]:
    """The statements a DBA runs (as the owner of the schema) to create the role."""
    if not _NAME.match(name) or not _NAME.match(schema):
        raise InputError(f"имя роли/схемы «{name}»/«{schema}»: латиница, цифры и «_»")
    login = "LOGIN" if password is None else "LOGIN PASSWORD " + _literal(password)
    logs = ", ".join(f"{schema}.{t}" for t in LOG_TABLES)
    return [
        f"CREATE ROLE {name} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        f"GRANT USAGE ON SCHEMA {schema} TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {name}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {logs} FROM {name}",
    ]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
