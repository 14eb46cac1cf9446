"""Bookkeeping that keeps the daily sweep proportional to what changed (issue 19).

Time alone moves a step along planned -> due_soon -> due -> overdue; the sweep finds
exactly those rows through ``ix_step_sweep`` (municipality, status, due date): the
rows whose transition moment has passed are a few index ranges.

Whether a step is *blocked* does not depend on time at all, only on its roadmap's
rows: a dependency closing or reopening, an occurrence appearing or vanishing, a
due date, period or dependency list changing. Database triggers record the roadmap
of every such change in ``sweep_pending``; the sweep recomputes blockers only for
those roadmaps and deletes the entries it has read. Triggers (not application code)
make it impossible for a writer to forget the bookkeeping.

``sweep_watermark`` remembers the month of each municipality's last full
roll-forward: recurring occurrences can only become due when the month changes.
"""

from __future__ import annotations

from sqlalchemy import Index, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from models.db import POST_CREATE_HOOKS
from models.roadmap import Step


class SweepPending(SQLModel, table=True):
    """A roadmap whose blockers must be recomputed by the next sweep (append-only log)."""

    __tablename__ = "sweep_pending"
    id: int | None = Field(default=None, primary_key=True)
    roadmap_id: int = Field(index=True)
    municipality_id: int = Field(index=True)


class SweepWatermark(SQLModel, table=True):
    """The monthly period label of the municipality's last full roll-forward."""

    __tablename__ = "sweep_watermark"
    municipality_id: int = Field(primary_key=True)
    rolled_period: str = Field(max_length=16)


STEP_TABLE = Step.__table__  # type: ignore[attr-defined]
# Rows whose transition moment passed, per status: municipality, status, due-date range.
SWEEP_INDEX = Index(
    "ix_step_sweep", STEP_TABLE.c.municipality_id, STEP_TABLE.c.status, STEP_TABLE.c.due_date
)
# Steps that depend on others, per roadmap: the blockers pass reads only those rows.
DEPENDENT_INDEX = Index(
    "ix_step_dependent",
    STEP_TABLE.c.roadmap_id,
    sqlite_where=text("depends_on <> '[]'"),
    postgresql_where=text("depends_on::text <> '[]'"),
)
# The latest period of every recurring series, without reading one-time steps.
RECURRING_INDEX = Index(
    "ix_step_recurring",
    *(STEP_TABLE.c[c] for c in ("municipality_id", "recurrence", "roadmap_id", "key", "period")),
)

_CLOSED = "('done', 'waived')"
# A change that can alter blockers: open/closed flips, dates, periods, dependencies.
_RELEVANT = (
    f"((OLD.status IN {_CLOSED}) {{ne}} (NEW.status IN {_CLOSED})"
    " OR OLD.due_date {ne} NEW.due_date OR OLD.period {ne} NEW.period"
    " OR OLD.roadmap_id {ne} NEW.roadmap_id OR {old_deps} {ne} {new_deps})"
)

_PG_DDL = [
    """CREATE OR REPLACE FUNCTION soczakaz_sweep_pending_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sweep_pending (roadmap_id, municipality_id)
    VALUES (NEW.roadmap_id, NEW.municipality_id);
  IF OLD.roadmap_id IS DISTINCT FROM NEW.roadmap_id THEN
    INSERT INTO sweep_pending (roadmap_id, municipality_id)
      VALUES (OLD.roadmap_id, OLD.municipality_id);
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE OR REPLACE FUNCTION soczakaz_sweep_pending_new() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sweep_pending (roadmap_id, municipality_id)
    SELECT DISTINCT roadmap_id, municipality_id FROM sweep_new_rows;
  RETURN NULL;
END
$$""",
    """CREATE OR REPLACE FUNCTION soczakaz_sweep_pending_old() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sweep_pending (roadmap_id, municipality_id)
    SELECT DISTINCT roadmap_id, municipality_id FROM sweep_old_rows;
  RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS step_sweep_pending_ins ON step",
    "DROP TRIGGER IF EXISTS step_sweep_pending_del ON step",
    "DROP TRIGGER IF EXISTS step_sweep_pending_upd ON step",
    "CREATE TRIGGER step_sweep_pending_ins AFTER INSERT ON step"
    " REFERENCING NEW TABLE AS sweep_new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION soczakaz_sweep_pending_new()",
    "CREATE TRIGGER step_sweep_pending_del AFTER DELETE ON step"
    " REFERENCING OLD TABLE AS sweep_old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION soczakaz_sweep_pending_old()",
    "CREATE TRIGGER step_sweep_pending_upd AFTER UPDATE ON step FOR EACH ROW WHEN "
    + _RELEVANT.format(
        ne="IS DISTINCT FROM", old_deps="OLD.depends_on::text", new_deps="NEW.depends_on::text"
    )
    + " EXECUTE FUNCTION soczakaz_sweep_pending_row()",
]


def _sqlite_insert(row: str) -> str:
    return (
        f"INSERT INTO sweep_pending (roadmap_id, municipality_id)"
        f" SELECT {row}.roadmap_id, {row}.municipality_id WHERE NOT EXISTS"
        f" (SELECT 1 FROM sweep_pending WHERE roadmap_id = {row}.roadmap_id);"
    )


# SQLite has one writer at a time, so deduplicating on insert is race-free there.
_SQLITE_DDL = [
    "CREATE TRIGGER IF NOT EXISTS step_sweep_pending_ins AFTER INSERT ON step BEGIN "
    + _sqlite_insert("NEW")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS step_sweep_pending_del AFTER DELETE ON step BEGIN "
    + _sqlite_insert("OLD")
    + " END",
    "CREATE TRIGGER IF NOT EXISTS step_sweep_pending_upd AFTER UPDATE ON step WHEN "
    + _RELEVANT.format(ne="IS NOT", old_deps="OLD.depends_on", new_deps="NEW.depends_on")
    + " BEGIN "
    + _sqlite_insert("NEW")
    + _sqlite_insert("OLD")
    + " END",
]


def install_sweep_triggers(bind: Engine | Connection) -> None:
    """Install (idempotently) the triggers that fill ``sweep_pending``."""
    if isinstance(bind, Engine):
        with bind.begin() as conn:
            _install(conn)
    else:
        _install(bind)


def _install(conn: Connection) -> None:
    ddl = _PG_DDL if conn.dialect.name == "postgresql" else _SQLITE_DDL
    for statement in ddl:
        conn.exec_driver_sql(statement)


def mark_all_pending(conn: Connection) -> None:
    """Every roadmap needs its blockers recomputed (after an upgrade or a bulk reset)."""
    conn.exec_driver_sql(
        "INSERT INTO sweep_pending (roadmap_id, municipality_id)"
        " SELECT id, municipality_id FROM roadmap"
    )


POST_CREATE_HOOKS.append(install_sweep_triggers)
