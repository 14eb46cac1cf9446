"""``roadmap status`` on SQLite without SQLAlchemy: plain rows through the DB-API.

The status command only reads a municipality and its steps. Importing SQLModel and
every table costs more than the whole rest of the command (issue 19: ``roadmap
status`` <= 0.5 s), so a plain SQLite file at the current schema is read here with
``sqlite3``. Anything else (PostgreSQL, a URL with options, a missing file, a
schema that is not at the head revision and so needs ``init_db`` to create or
upgrade it) returns ``None`` and the caller takes the SQLAlchemy path, unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass

from domain.errors import NotFoundError
from models.enums import StepStatus
from models.migrate import head_revision

_PREFIXES = ("sqlite:///", "sqlite+pysqlite:///")
_STEP_COLUMNS = (
    "step.id, step.roadmap_id, step.key, step.period, step.title, step.kind,"
    " step.due_date, step.due_at, step.timezone, step.status, step.depends_on"
)


@dataclass(frozen=True, slots=True)
class Place:
    """The municipality as ``roadmap status`` shows it."""

    id: int
    code: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step with the columns ``roadmap status`` shows (models.Step's values)."""

    id: int
    roadmap_id: int
    key: str
    period: str
    title: str
    kind: str
    due_date: dt.date
    due_at: dt.datetime
    timezone: str
    status: StepStatus
    depends_on: list[str]


def sqlite_file(url: str) -> str | None:
    """The file of a plain ``sqlite:///PATH`` URL that exists, else None."""
    prefix = next((p for p in _PREFIXES if url.startswith(p)), None)
    if prefix is None:
        return None
    path = url[len(prefix) :]
    if not path or path == ":memory:" or any(c in path for c in "?%#"):
        return None
    return path if os.path.isfile(path) else None


def _step(row: tuple[object, ...]) -> StepRow:
    id_, roadmap_id, key, period, title, kind, due_date, due_at, tz, status, depends = row
    return StepRow(
        id=int(str(id_)),
        roadmap_id=int(str(roadmap_id)),
        key=str(key),
        period=str(period),
        title=str(title),
        kind=str(kind),
        due_date=dt.date.fromisoformat(str(due_date)),
        # Stored naive in UTC on SQLite (models.types.UTCDateTime).
        due_at=dt.datetime.fromisoformat(str(due_at)).replace(tzinfo=dt.UTC),
        timezone=str(tz),
        status=StepStatus(str(status)),
        depends_on=list(json.loads(str(depends))) if depends is not None else [],
    )


def read_status(url: str, code: str, year: int | None) -> tuple[Place, list[StepRow]] | None:
    """The municipality ``code`` and its steps (of ``year``), ordered as the ORM query
    of ``cli.status_cmd.load_states``; None when this fast path does not apply."""
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        return _read(conn, code, year)
    except sqlite3.Error:
        # Not a database, no alembic_version, locked past the timeout...: the ORM path
        # meets the same file and answers as it always did (init_db, its errors).
        return None
    finally:
        conn.close()


def _read(
    conn: sqlite3.Connection, code: str, year: int | None
) -> tuple[Place, list[StepRow]] | None:
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("BEGIN")  # one snapshot for the revision, the place and its steps
    version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if version is None or version[0] != head_revision():
        return None  # init_db upgrades it first
    found = conn.execute(
        "SELECT id, code, name, timezone FROM municipality WHERE code = ? LIMIT 1", (code,)
    ).fetchone()
    if found is None:
        raise NotFoundError(
            f"муниципалитет «{code}» не найден (добавьте: roadmap municipality add)",
            field="--municipality",
        )
    place = Place(id=found[0], code=found[1], name=found[2], timezone=found[3])
    if year is None:
        sql = f"SELECT {_STEP_COLUMNS} FROM step WHERE step.municipality_id = ?"
        args: tuple[object, ...] = (place.id,)
    else:
        sql = (
            f"SELECT {_STEP_COLUMNS} FROM step JOIN roadmap ON roadmap.id = step.roadmap_id"
            " WHERE step.municipality_id = ? AND roadmap.year = ?"
        )
        args = (place.id, year)
    rows = conn.execute(sql + ' ORDER BY step.due_date, step."key"', args).fetchall()
    return place, [_step(r) for r in rows]
