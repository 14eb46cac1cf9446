"""Stored Merkle tree of each chain: every complete aligned subtree, kept as entries arrive.

``add_leaf`` runs inside :func:`domain.audit.log.append` (same transaction, under the
chain lock): it writes the leaf and every subtree the leaf completes (on average two rows),
reading only the left siblings it folds. A proof or a checkpoint root then reads
O(log n) rows (:class:`StoredTree`). Rows are never updated (append-only triggers).

The tree is the application's own record of what it appended: an entry written
around the application has no leaf, so the next append and ``verify --since`` say so
instead of silently absorbing it. Revision 0004 built the tree of entries written before
it from their stored hashes; ``verify`` re-checks those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlmodel import Session

from domain.audit.merkle import Get, leaf_hash, needed, node_hash
from domain.errors import SoczakazError

T = TypeVar("T")
_BATCH = 5000


class TreeError(SoczakazError):
    """The stored tree and the chain disagree (entries written or deleted around the app)."""


def driver(session: Session, sql: str, chain: str) -> list[Any]:
    """Rows of ``sql`` with ``:c`` bound to ``chain``, run at the driver level.

    The proof path issues a handful of small statements; SQLAlchemy's text() parsing and
    compiling cost more than the index probes themselves, so they are skipped here.
    """
    conn = session.connection()
    style = conn.dialect.paramstyle
    if style == "qmark":
        return list(conn.exec_driver_sql(sql.replace(":c", "?1"), (chain,)))
    if style == "pyformat":
        return list(conn.exec_driver_sql(sql.replace(":c", "%(c)s"), {"c": chain}))
    return list(conn.execute(text(sql), {"c": chain}))


def fetch(session: Session, chain: str, keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of ``keys``: one statement of primary-key probes (UNION ALL)."""
    if not keys:
        return {}
    # Integers we computed ourselves, inlined; each key is one primary-key probe.
    if session.get_bind().dialect.name == "postgresql":  # one small plan: a nested loop
        lv_list = ",".join(str(int(lv)) for lv, _ in sorted(keys))
        ix_list = ",".join(str(int(ix)) for _, ix in sorted(keys))
        sql = (
            "SELECT n.level, n.idx, n.hash FROM unnest(ARRAY["
            + lv_list
            + "]::int[], ARRAY["
            + ix_list
            + "]::int[]) AS k(l, i) JOIN auditnode n ON n.chain = :c "
            "AND n.level = k.l AND n.idx = k.i"
        )
    else:
        probe = (
            "SELECT level, idx, hash FROM auditnode WHERE chain = :c AND level = {} AND idx = {}"
        )
        sql = " UNION ALL ".join(probe.format(int(lv), int(ix)) for lv, ix in sorted(keys))
    return {(int(lv), int(ix)): bytes(h) for lv, ix, h in driver(session, sql, chain)}


def head(session: Session, chain: str) -> tuple[int, str]:
    """(seq, hash) of the chain's last entry, or (0, "") for an empty chain."""
    rows = driver(
        session,
        "SELECT seq, hash FROM auditentry WHERE chain = :c ORDER BY seq DESC LIMIT 1",
        chain,
    )
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, "")


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
    """One chain's tree as stored: ``run(compute)`` feeds ``compute`` the nodes it needs.

    With ``head`` (the chain's last (seq, hash)) the tree is taken to be exactly as long as
    the chain, and every ``run`` checks that in the same query: the leaf of the last entry
    is that entry's, and there is no leaf beyond it.
    """

    def __init__(self, session: Session, chain: str, head: tuple[int, str] | None = None) -> None:
        self.session, self.chain, self.head = session, chain, head
        self.size = stored_size(session, chain) if head is None else head[0]

    def run(self, compute: Callable[[Get], T]) -> T:
        keys = needed(compute)
        if self.head is not None:
            keys |= {(0, self.size), (0, self.size - 1)} if self.size else {(0, 0)}
        found = fetch(self.session, self.chain, keys)
        if self.head is not None:
            self._guard(found)

        def get(level: int, index: int) -> bytes:
            try:
                return found[(level, index)]
            except KeyError:
                raise TreeError(
                    f"цепочка «{self.chain}»: в дереве журнала нет узла ({level}, {index}) — "
                    "дерево повреждено или удалено в обход приложения"
                ) from None

        return compute(get)

    def _guard(self, found: dict[tuple[int, int], bytes]) -> None:
        assert self.head is not None
        seq, head = self.head
        if (0, seq) in found or (seq and (0, seq - 1) not in found):
            raise TreeError(length_problem(self.chain, seq, stored_size(self.session, self.chain)))
        if seq and found[(0, seq - 1)] != leaf_hash(bytes.fromhex(head)):
            raise TreeError(
                f"цепочка «{self.chain}»: последняя запись №{seq} не совпадает с деревом журнала — "
                "изменена в обход приложения (roadmap audit verify)"
            )


def entries_ru(first: int, last: int, verb: tuple[str, str]) -> str:
    """«запись №6 удалена» / «записи №4…№5 удалены» (verb: singular, plural)."""
    if first == last:
        return f"запись №{first} {verb[0]}"
    return f"записи №{first}…№{last} {verb[1]}"


def length_problem(chain: str, entries: int, leaves: int) -> str:
    if entries > leaves:
        what = entries_ru(leaves + 1, entries, ("не входит", "не входят"))
        return f"цепочка «{chain}»: {what} в дерево журнала — добавлены в обход приложения"
    what = entries_ru(entries + 1, leaves, ("удалена", "удалены"))
    return (
        f"цепочка «{chain}»: в дереве журнала {leaves} записей, в цепочке {entries} — "
        f"{what} в обход приложения"
    )


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
