"""Stored Merkle tree of each chain: every complete aligned subtree, kept as entries arrive.

``add_leaf`` runs inside :func:`domain.audit.log.append` (same transaction, under the
chain lock): it writes the leaf and every subtree the leaf completes (on average two rows),
reading only the left siblings it folds. A proof or a checkpoint root then reads
O(log n) rows (:class:`StoredTree`). Rows are never updated (append-only triggers).

The tree is the application's own record of what it appended: an entry written
around the application has no leaf, so the next append and ``verify --since`` say so
instead of silently absorbing it. ``backfill`` builds the tree of entries written before
revision 0004 (the migration) from their stored hashes; ``verify`` re-checks those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session

from domain.audit.merkle import Frontier, Get, leaf_hash, needed, node_hash
from domain.errors import SoczakazError

T = TypeVar("T")
_BATCH = 5000


class TreeError(SoczakazError):
    """The stored tree and the chain disagree (entries written or deleted around the app)."""


def _in(keys: Iterable[tuple[int, int]]) -> str:
    # Integers we computed ourselves, inlined: one index probe per (level, idx).
    return " OR ".join(f"(level = {int(lv)} AND idx = {int(ix)})" for lv, ix in sorted(keys))


def fetch(session: Session, chain: str, keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not keys:
        return {}
    rows = session.execute(
        text(f"SELECT level, idx, hash FROM auditnode WHERE chain = :c AND ({_in(keys)})"),
        {"c": chain},
    )
    return {(int(lv), int(ix)): bytes(h) for lv, ix, h in rows}


def stored_size(session: Session, chain: str) -> int:
    last = session.execute(
        text("SELECT max(idx) FROM auditnode WHERE chain = :c AND level = 0"), {"c": chain}
    ).scalar()
    return 0 if last is None else int(last) + 1


def insert(session: Session, chain: str, nodes: list[tuple[int, int, bytes]]) -> None:
    if nodes:
        session.execute(
            text("INSERT INTO auditnode (chain, level, idx, hash) VALUES (:c, :l, :i, :h)"),
            [{"c": chain, "l": lv, "i": ix, "h": h} for lv, ix, h in nodes],
        )


class StoredTree:
    """One chain's tree as stored: ``run(compute)`` feeds ``compute`` the nodes it needs."""

    def __init__(self, session: Session, chain: str) -> None:
        self.session, self.chain = session, chain
        self.size = stored_size(session, chain)

    def run(self, compute: Callable[[Get], T]) -> T:
        found = fetch(self.session, self.chain, needed(compute))

        def get(level: int, index: int) -> bytes:
            try:
                return found[(level, index)]
            except KeyError:
                raise TreeError(
                    f"цепочка «{self.chain}»: в дереве журнала нет узла ({level}, {index}) — "
                    "дерево повреждено или удалено в обход приложения"
                ) from None

        return compute(get)

    def frontier(self) -> Frontier:
        keys = Frontier.nodes_of(self.size)
        found = fetch(self.session, self.chain, set(keys))
        if len(found) != len(keys):
            raise TreeError(f"цепочка «{self.chain}»: правый край дерева журнала неполон")
        return Frontier(self.size, [found[k] for k in keys])


def add_leaf(session: Session, chain: str, seq: int, entry_hash_hex: str) -> None:
    """Store the leaf of entry ``seq`` and the subtrees it completes (append, under the lock)."""
    index = seq - 1
    keys = {(0, index)}
    if index:
        keys.add((0, index - 1))
    level = 0
    while (index >> level) & 1:
        keys.add((level, (index >> level) - 1))
        level += 1
    found = fetch(session, chain, keys)
    if (0, index) in found:
        raise TreeError(
            f"цепочка «{chain}»: запись №{seq} уже есть в дереве журнала, а в цепочке её нет — "
            "записи удалены в обход приложения (roadmap audit verify)"
        )
    if index and (0, index - 1) not in found:
        raise TreeError(
            f"цепочка «{chain}»: записи №{index} нет в дереве журнала — записи добавлены в "
            "обход приложения (roadmap audit verify)"
        )
    h = leaf_hash(bytes.fromhex(entry_hash_hex))
    made = [(0, index, h)]
    for lv in range(level):
        h = node_hash(found[(lv, (index >> lv) - 1)], h)
        made.append((lv + 1, index >> (lv + 1), h))
    insert(session, chain, made)


def backfill(
    session: Session, chain: str, rows: Iterator[Any], *, start: int = 0
) -> tuple[int, bytes]:
    """Store the tree of ``rows`` (``(seq, hash)``, in order, from leaf ``start`` on).

    Returns (size, root). Each row's seq must follow its predecessor's: a gap is refused.
    """
    tree = StoredTree(session, chain)
    if tree.size != start:
        raise TreeError(
            f"цепочка «{chain}»: дерево журнала хранит {tree.size} листьев, а не {start}"
        )
    frontier = tree.frontier()
    batch: list[tuple[int, int, bytes]] = []
    for seq, h in rows:
        if int(seq) != frontier.size + 1:
            raise TreeError(
                f"цепочка «{chain}»: после записи №{frontier.size} идёт №{seq} — записи удалены "
                "или вставлены"
            )
        batch.extend(frontier.push(leaf_hash(bytes.fromhex(h))))
        if len(batch) >= _BATCH:
            insert(session, chain, batch)
            batch = []
    insert(session, chain, batch)
    return frontier.size, frontier.root()
