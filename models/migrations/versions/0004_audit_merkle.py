"""Audit log as a Merkle tree: the stored subtrees of each chain (issue 18).

``auditnode`` holds the hash of every complete, aligned subtree of each chain's
RFC 6962 tree (level 0: the leaf ``SHA-256(0x00 || entry hash)``), so that proofs and
checkpoint roots read O(log n) rows. The table is append-only like the log itself.
Existing chains get their tree built here from the stored entry hashes, in seq order,
up to the first gap in seq (a chain already broken stays broken: ``verify`` names it).
The hashing is written out here, not imported, so that this revision never changes.
No existing row changes.

Revision ID: 0004_audit_merkle
"""

import hashlib

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

from models.evidence import NODE_TABLES, install_node_triggers

revision = "0004_audit_merkle"
down_revision = "0003_records"
branch_labels = None
depends_on = None

_BATCH = 5000


def _backfill(bind: sa.Connection, chain: str) -> None:
    insert = sa.text("INSERT INTO auditnode (chain, level, idx, hash) VALUES (:c, :l, :i, :h)")
    rows = bind.execute(
        sa.text("SELECT seq, hash FROM auditentry WHERE chain = :c ORDER BY seq"), {"c": chain}
    )
    stack: list[bytes] = []  # the right edge: one perfect subtree per set bit of the size
    size, batch = 0, []
    sha = hashlib.sha256
    for seq, entry_hash in rows:
        if int(seq) != size + 1:
            break
        h = sha(b"\x00" + bytes.fromhex(entry_hash)).digest()
        index, level = size, 0
        batch.append({"c": chain, "l": 0, "i": index, "h": h})
        while index & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            index >>= 1
            level += 1
            batch.append({"c": chain, "l": level, "i": index, "h": h})
        stack.append(h)
        size += 1
        if len(batch) >= _BATCH:
            bind.execute(insert, batch)
            batch = []
    if batch:
        bind.execute(insert, batch)


def upgrade() -> None:
    op.create_table(
        "auditnode",
        sa.Column("chain", AutoString(length=64), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("chain", "level", "idx"),
    )
    bind = op.get_bind()
    chains = [c for (c,) in bind.execute(sa.text("SELECT DISTINCT chain FROM auditentry"))]
    for chain in sorted(chains):
        _backfill(bind, chain)
    install_node_triggers(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in NODE_TABLES:
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.drop_table("auditnode")
