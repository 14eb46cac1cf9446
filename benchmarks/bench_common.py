"""What the benchmark scripts share: a fresh database per run and peak memory."""

from __future__ import annotations

import resource
import uuid
from pathlib import Path

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def rss_mb() -> tuple[float, float]:
    """Peak RSS in MB of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def fresh_database(kind: str, workdir: Path) -> tuple[str, str | None]:
    """A URL of an empty database: a SQLite file, or a new PostgreSQL schema (returned)."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", None
    import psycopg

    schema = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    base = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}?options=-csearch_path%3D{schema}", schema
