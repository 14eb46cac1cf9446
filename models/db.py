"""Engine and session helpers for SQLite (embedded) and PostgreSQL (scale)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

# DDL run after create_all, per dialect name (e.g. append-only triggers on PostgreSQL).
POST_CREATE_HOOKS: list[Callable[[Engine], None]] = []


def make_engine(url: str, **kwargs: Any) -> Engine:
    """A new engine; SQLite gets WAL, foreign keys and explicit BEGIN handling."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN (so BEGIN IMMEDIATE is possible).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """Process-wide engine for a URL."""
    return make_engine(url)


def _create_all(engine: Engine) -> None:
    import models.registry  # noqa: F401  (every table on the metadata)

    SQLModel.metadata.create_all(engine)
    for hook in POST_CREATE_HOOKS:
        hook(engine)


# Engines already brought to head in this process (a weak set: disposed engines go).
_READY: weakref.WeakSet[Engine] = weakref.WeakSet()


def init_db(engine: Engine) -> None:
    """Bring the database to the newest schema (idempotent, once per process and URL).

    Empty: created from the metadata and stamped at head. Made by an older release:
    upgraded through the Alembic revisions, data kept.
    """
    import models.registry  # noqa: F401  (registers every table on the metadata)
    from models.migrate import ensure_schema

    if engine in _READY:
        return
    ensure_schema(engine, _create_all)
    _READY.add(engine)


@contextmanager
def session_scope(engine: Engine, *, immediate: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error.

    ``immediate=True`` takes the SQLite write lock at BEGIN (``BEGIN IMMEDIATE``),
    which serialises writers instead of failing them; it is a no-op elsewhere.
    """
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if immediate else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
