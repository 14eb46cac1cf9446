"""Append to the per-municipality hash chain of the audit log.

Every entry hashes ``prev_hash + "\\n" + canonical(fields)`` where ``fields`` are
chain, seq, at (ISO UTC), actor, action, entity and payload. The payload is stored
as its canonical JSON text, so the canonical form of the whole entry can be rebuilt
from the stored text without re-parsing it (see :func:`entry_hash`).

Appends are serialised per chain: on PostgreSQL by a transaction-scoped advisory
lock on the chain name; on SQLite by the database writer lock (callers open their
transaction with ``session_scope(immediate=True)``). ``UNIQUE(chain, seq)`` is the
last guard on both.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from domain.errors import NotFoundError
from models import AuditEntry, Municipality

GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = "_global"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused in audit payload: {value!r}")
        return format_at(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"not serialisable in an audit payload: {type(value).__name__}")


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, UTF-8 as is, no spaces, dates ISO."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )


def format_at(at: dt.datetime) -> str:
    """The timestamp as hashed: UTC, microseconds, ``Z`` suffix (2025-03-14T09:30:00.000000Z)."""
    if at.tzinfo is not dt.UTC:
        at = at.astimezone(dt.UTC)
    # Same text as strftime("%Y-%m-%dT%H:%M:%S.%fZ") for years 1000-9999, several times faster.
    return at.isoformat(timespec="microseconds")[:26] + "Z"


@lru_cache(maxsize=4096)
def _s(value: str) -> str:
    """A JSON string literal, as json.dumps(value, ensure_ascii=False) writes it."""
    return encode_basestring(value)


def entry_hash(
    prev_hash: str,
    *,
    chain: str,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    payload_text: str,
) -> str:
    """SHA-256 of ``prev_hash + "\\n" + canonical(entry)``.

    The canonical entry is assembled by hand in sorted-key order with the stored
    payload text verbatim; for a canonical payload this equals ``canonical({...})``
    of the whole entry, and any change of the stored text changes the hash.
    """
    body = (
        '{"action":'
        + _s(action)
        + ',"actor":'
        + _s(actor)
        + ',"at":"'
        + format_at(at)
        + '","chain":'
        + _s(chain)
        + ',"entity":'
        + _s(entity)
        + ',"payload":'
        + payload_text
        + ',"seq":'
        + str(seq)
        + "}"
    )
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def chain_for(session: Session, municipality_id: int | None) -> str:
    """The chain name of a municipality (its code), or ``_global``."""
    if municipality_id is None:
        return GLOBAL_CHAIN
    m = session.get(Municipality, municipality_id)
    if m is None:
        raise NotFoundError(f"муниципалитет с id={municipality_id} не найден")
    return m.code


def lock_chain(session: Session, chain: str) -> None:
    """Serialise appends to one chain until the end of the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:c))"), {"c": chain})


def chain_head(session: Session, chain: str) -> tuple[int, str]:
    """(seq, hash) of the last entry of a chain, or (0, genesis)."""
    row = session.execute(
        text("SELECT seq, hash FROM auditentry WHERE chain = :c ORDER BY seq DESC LIMIT 1"),
        {"c": chain},
    ).first()
    if row is None:
        return 0, GENESIS_HASH
    return int(row[0]), str(row[1])


def append(
    session: Session,
    *,
    municipality_id: int | None,
    actor: str,
    action: str,
    entity: str,
    payload: dict[str, Any],
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry to the municipality's chain inside the caller's transaction."""
    action = str(action)  # an AuditAction is stored as its plain value
    if at is None:
        at = dt.datetime.now(dt.UTC)
    elif at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {at!r}")
    at = at.astimezone(dt.UTC)
    if not actor:
        raise ValueError("audit entry needs an actor")
    chain = chain_for(session, municipality_id)
    lock_chain(session, chain)
    last_seq, prev_hash = chain_head(session, chain)
    payload_text = canonical(payload)
    seq = last_seq + 1
    entry = AuditEntry(
        chain=chain,
        municipality_id=municipality_id,
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        payload=payload_text,
        prev_hash=prev_hash,
        hash=entry_hash(
            prev_hash,
            chain=chain,
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            payload_text=payload_text,
        ),
    )
    session.add(entry)
    session.flush()
    from domain.audit.nodes import add_leaf  # the stored Merkle tree (issue 18)

    add_leaf(session, chain, seq, entry.hash)
    return entry
