"""What an attacker with DBA rights does to the audit log (issue 18 tests).

``tampering`` switches the append-only triggers off the way a superuser can
(PostgreSQL: ``SET LOCAL session_replication_role = replica``; SQLite: dropping them);
``rehash`` recomputes a chain's hashes after an edit, ``rebuild_tree`` replaces the
stored Merkle tree by the tree of the edited chain — together a fork that only a
checkpoint kept outside the database can expose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from domain.audit.log import GENESIS_HASH, entry_hash
from domain.audit.merkle import Frontier, leaf_hash

COLS = "id, chain, seq, at, actor, action, entity, payload, prev_hash, hash"


@contextmanager
def tampering(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            names = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'audit%'")
            ).scalars()
            for name in list(names):
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield conn


def aware(at: Any) -> dt.datetime:
    if isinstance(at, str):  # raw SQLite text
        at = dt.datetime.fromisoformat(at)
    assert isinstance(at, dt.datetime)
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def rows(conn: Connection, chain: str) -> list[Any]:
    return list(
        conn.execute(
            text(f"SELECT {COLS} FROM auditentry WHERE chain = :c ORDER BY seq"), {"c": chain}
        )
    )


def rehash(conn: Connection, chain: str, from_seq: int = 1) -> None:
    """Recompute prev_hash/hash from ``from_seq`` on, as a careful attacker would."""
    prev = GENESIS_HASH
    for r in rows(conn, chain):
        if r.seq >= from_seq:
            h = entry_hash(
                prev,
                chain=r.chain,
                seq=r.seq,
                at=aware(r.at),
                actor=r.actor,
                action=r.action,
                entity=r.entity,
                payload_text=r.payload,
            )
            conn.execute(
                text("UPDATE auditentry SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": prev, "h": h, "i": r.id},
            )
            prev = h
        else:
            prev = r.hash


def rebuild_tree(conn: Connection, chain: str) -> None:
    """Replace the stored tree of ``chain`` by the tree of its current rows."""
    conn.execute(text("DELETE FROM auditnode WHERE chain = :c"), {"c": chain})
    frontier = Frontier()
    made: list[tuple[int, int, bytes]] = []
    for r in rows(conn, chain):
        made += frontier.push(leaf_hash(bytes.fromhex(r.hash)))
    if made:
        conn.execute(
            text("INSERT INTO auditnode (chain, level, idx, hash) VALUES (:c, :l, :i, :h)"),
            [{"c": chain, "l": lv, "i": ix, "h": h} for lv, ix, h in made],
        )


def fork(engine: Engine, chain: str, sql: str) -> None:
    """Edit with ``sql``, then rehash the chain and rebuild its tree: a consistent fork."""
    with tampering(engine) as conn:
        conn.execute(text(sql))
        rehash(conn, chain)
        rebuild_tree(conn, chain)
