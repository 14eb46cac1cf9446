"""Alembic without an ini file: config built from our settings.

``ensure_schema`` is what every entry point calls (through ``models.db.init_db``):
an empty database is created from the current metadata and stamped at head; a
database made by an earlier release is upgraded to head, so no data is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
# A table that every release has had: its presence without alembic_version means
# a database created by ``create_all`` of the baseline release, never stamped.
_BASELINE_TABLE = "municipality"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The stamped revision, or None when the database has no alembic_version table."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _run(engine: Engine, action: Callable[[Config], None]) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg)


def stamp_head(engine: Engine) -> None:
    """Record that a freshly created schema is at the newest revision."""
    _run(engine, lambda cfg: command.stamp(cfg, "head"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every revision up to ``revision`` (default: the newest)."""
    _run(engine, lambda cfg: command.upgrade(cfg, revision))


def ensure_schema(engine: Engine, create_all: Callable[[Engine], None]) -> None:
    """Bring any database to head: create (empty), upgrade (older), or nothing (current)."""
    current = current_revision(engine)
    if current == head_revision():
        return
    if current is None:
        if not inspect(engine).has_table(_BASELINE_TABLE):
            create_all(engine)
            stamp_head(engine)
            return
        _run(engine, lambda cfg: command.stamp(cfg, "0001_baseline"))
    upgrade(engine)
