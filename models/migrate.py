"""Alembic without an ini file: config built from our settings.

``ensure_schema`` is what every entry point calls (through ``models.db.init_db``):
an empty database is created from the current metadata and stamped at head; a
database made by an earlier release is upgraded to head, so no data is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # alembic and SQLAlchemy are imported only when they are used
    from alembic.config import Config
    from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"
# A table that every release has had: its presence without alembic_version means
# a database created by ``create_all`` of the baseline release, never stamped.
_BASELINE_TABLE = "municipality"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*["\']([^"\']+)["\']', re.M)


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest revision, read from the revision files (no alembic import: CLI start-up).

    The history is linear (revision ids are assigned in advance), so the head is the
    one revision that no other names as its ``down_revision``; a test checks this
    against alembic's own answer.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (parents if kind == "down_revision" else revisions).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The stamped revision, or None when the database has no alembic_version table."""
    from sqlalchemy import inspect, text

    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _run(engine: Engine, action: Callable[[Config], None]) -> None:
    import models.registry  # noqa: F401  (env.py compares against the whole metadata)

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg)


def stamp_head(engine: Engine) -> None:
    """Record that a freshly created schema is at the newest revision."""
    from alembic import command

    _run(engine, lambda cfg: command.stamp(cfg, "head"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every revision up to ``revision`` (default: the newest)."""
    from alembic import command

    _run(engine, lambda cfg: command.upgrade(cfg, revision))


def ensure_schema(engine: Engine, create_all: Callable[[Engine], None]) -> None:
    """Bring any database to head: create (empty), upgrade (older), or nothing (current)."""
    from sqlalchemy import inspect

    current = current_revision(engine)
    if current == head_revision():
        return
    if current is None:
        if not inspect(engine).has_table(_BASELINE_TABLE):
            create_all(engine)
            stamp_head(engine)
            return
        from alembic import command

        _run(engine, lambda cfg: command.stamp(cfg, "0001_baseline"))
    upgrade(engine)
