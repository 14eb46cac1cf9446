"""Shared fixtures: real SQLite and real PostgreSQL, one fresh schema per test.

``db_url`` is parametrised over both backends. PostgreSQL (127.0.0.1:5432, user
postgres, db test) is skipped only when unreachable, loudly; with
``SOCZAKAZ_REQUIRE_POSTGRES=1`` (CI) an unreachable server fails the run instead.
Select one backend with ``-m "not postgres"`` or ``--backend sqlite``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from models.db import init_db, make_engine
from models.settings import Settings

PG_ADMIN_DSN = os.environ.get("SOCZAKAZ_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("SOCZAKAZ_REQUIRE_POSTGRES", "") == "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        action="append",
        default=[],
        help="run database tests on this backend only (sqlite, postgresql); repeatable",
    )


def _backends(config: pytest.Config) -> list[str]:
    chosen = config.getoption("--backend") or ["sqlite", "postgresql"]
    return [b for b in ("sqlite", "postgresql") if b in chosen]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        # ``@pytest.mark.backends("postgresql")``: a test of one database's mechanism runs
        # on that database only (not as a skipped leg on the other).
        only = metafunc.definition.get_closest_marker("backends")
        params = [
            pytest.param(b, marks=[pytest.mark.postgres] if b == "postgresql" else [])
            for b in _backends(metafunc.config)
            if only is None or b in only.args
        ]
        metafunc.parametrize("backend", params, scope="function")


_pg_state: dict[str, object] = {}


def _pg_available() -> bool:
    if "ok" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3) as conn:
                conn.execute("select 1")
            _pg_state["ok"] = True
        except Exception as exc:  # pragma: no cover - depends on the machine
            _pg_state["ok"] = False
            _pg_state["why"] = str(exc)
    return bool(_pg_state["ok"])


def _pg_url(schema: str) -> str:
    base = PG_ADMIN_DSN.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}?options=-csearch_path%3D{schema}"


@pytest.fixture
def blank_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of a database with no tables at all (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    yield from _pg_schema_url()


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty, initialised database on the chosen backend."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        engine = make_engine(url)
        init_db(engine)
        engine.dispose()
        yield url
        return
    for url in _pg_schema_url():
        engine = make_engine(url)
        init_db(engine)
        engine.dispose()
        yield url


def _pg_schema_url() -> Iterator[str]:
    if not _pg_available():
        msg = f"PostgreSQL unreachable at {PG_ADMIN_DSN}: {_pg_state.get('why')}"
        if REQUIRE_PG:
            pytest.fail(msg)
        pytest.skip("SKIPPING POSTGRESQL: " + msg)
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield _pg_url(schema)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        evidence_dir=tmp_path / "evidence",
        audit_signing_key=tmp_path / "audit.key",
    )


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for CliRunner / subprocess runs against the test database."""
    return {
        "SOCZAKAZ_DATABASE_URL": settings.database_url,
        "SOCZAKAZ_EVIDENCE_DIR": str(settings.evidence_dir),
        "SOCZAKAZ_AUDIT_SIGNING_KEY": str(settings.audit_signing_key),
    }


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One Prefect test harness (ephemeral API, temp PREFECT_HOME) for the session.

    Prefect configures its logging once, when it is first imported (prefect.main):
    importing it here, outside any CliRunner invocation, gives its console handler the
    real stderr and not a CliRunner stream that is closed after that invocation.
    """
    import prefect.main  # noqa: F401
    from prefect.settings import (
        PREFECT_HOME,
        PREFECT_SERVER_ANALYTICS_ENABLED,
        temporary_settings,
    )
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    with temporary_settings({PREFECT_HOME: str(home), PREFECT_SERVER_ANALYTICS_ENABLED: False}):
        with prefect_test_harness(server_startup_timeout=120):
            yield
