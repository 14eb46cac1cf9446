"""The application role may only INSERT/SELECT on the log and cannot switch triggers off,
while the application works through it (issue 18)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from domain.audit.db_role import role_sql
from domain.errors import InputError
from models.db import make_engine
from models.settings import Settings
from tests.evidence_helpers import PDF, make_step_in_db
from tests.test_audit_tree_cli import ACT, _run

runner = CliRunner()


def test_bad_role_name_refused() -> None:
    with pytest.raises(InputError):
        role_sql("app; DROP TABLE x")


def test_print_sql_for_the_dba(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("B18_ROLE_PW", "секрет-123")
    code, out = _run(
        ["audit", "db-role", "soczakaz_app", "--print-sql", "--password-env", "B18_ROLE_PW"],
        cli_env,
    )
    assert code == 0, out
    assert "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON public.auditentry, " in out
    assert "public.auditnode" in out and "NOSUPERUSER" in out
    assert "секрет-123" not in out  # a password is never printed
    code, out = _run(["audit", "db-role", "Bad-Name", "--print-sql"], cli_env)
    assert code == 2 and "латиница" in out, out


@pytest.fixture
def app_role(engine: Engine, cli_env: dict[str, str], backend: str) -> Iterator[str]:
    """A fresh application role made by ``roadmap audit db-role --create``; its URL."""
    if backend != "postgresql":
        code, out = _run(["audit", "db-role", "soczakaz_app", "--create"], cli_env)
        assert code == 2 and "только в PostgreSQL" in out, out
        pytest.skip("a database role exists on PostgreSQL only (SQLite has no roles)")
    name = "app_" + uuid.uuid4().hex[:8]
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    code, out = _run(["audit", "db-role", name, "--schema", schema, "--create"], cli_env)
    assert code == 0 and "только INSERT и SELECT" in out, out
    try:
        yield cli_env["SOCZAKAZ_DATABASE_URL"].replace("://postgres@", f"://{name}@", 1)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))


REFUSED = [
    "SET session_replication_role = replica",
    "ALTER TABLE auditentry DISABLE TRIGGER ALL",
    "ALTER TABLE auditentry DISABLE TRIGGER auditentry_no_change",
    "DROP TRIGGER auditentry_no_change ON auditentry",
    "ALTER TABLE auditnode DISABLE TRIGGER ALL",
    "CREATE OR REPLACE FUNCTION soczakaz_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "UPDATE auditentry SET actor = 'x'",
    "DELETE FROM auditentry",
    "TRUNCATE auditentry",
    "UPDATE auditnode SET hash = hash",
    "DELETE FROM auditnode",
    "TRUNCATE auditcheckpoint",
    "DELETE FROM auditcheckpoint",
]


def test_app_role_cannot_edit_log_nor_disable_triggers_yet_the_app_works(
    engine: Engine,
    settings: Settings,
    cli_env: dict[str, str],
    app_role: str,
    tmp_path: Path,
) -> None:
    make_step_in_db(engine)
    env = {**cli_env, "SOCZAKAZ_DATABASE_URL": app_role}
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(PDF)
    # The application, connected as the role: a completion and a sweep.
    args = ["complete", "npa-moc", "-m", "krylovsky", "--year", "2025", *ACT, "--file", str(pdf)]
    code, out = _run([*args, "--actor", "Иванова А.П."], env)
    assert code == 0, out
    code, out = _run(["sweep", "--without-prefect", "--as-of", "2025-03-10"], env)
    assert code == 0, out
    k = tmp_path / "k"
    assert _run(["audit", "keygen", "--out", str(k)], env)[0] == 0
    cp = tmp_path / "cp.txt"
    code, out = _run(
        [
            "audit",
            "checkpoint",
            "-m",
            "krylovsky",
            "--out",
            str(cp),
            "--key",
            str(k / "soczakaz.key"),
        ],
        env,
    )
    assert code == 0, out
    code, out = _run(["audit", "verify", "--since", str(cp), "--key", str(k / "soczakaz.pub")], env)
    assert code == 0, out

    role_engine = make_engine(app_role)
    try:
        with role_engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one().startswith("app_")
            entries = conn.execute(text("SELECT count(*) FROM auditentry")).scalar_one()
            assert entries >= 1
            assert conn.execute(text("SELECT count(*) FROM auditnode")).scalar_one() >= entries
        for stmt in REFUSED:
            with role_engine.connect() as conn, conn.begin():
                with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                    conn.execute(text(stmt))
    finally:
        role_engine.dispose()
    with engine.connect() as conn:  # nothing changed
        assert conn.execute(text("SELECT count(*) FROM auditentry")).scalar_one() == entries
        assert conn.execute(text("SELECT min(actor) FROM auditentry")).scalar_one() != "x"
