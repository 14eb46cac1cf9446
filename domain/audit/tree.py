"""One municipality's chain as an RFC 6962 Merkle tree: checkpoints, proofs, --since (issue 18).

The leaf of entry ``seq`` is the entry hash recomputed from its stored fields and the
recomputed hash of the entry before it, so a leaf commits to the entry and to the whole
prefix. A checkpoint's origin is ``soczakaz/<chain>``; it names the chain it covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from domain.audit.log import GENESIS_HASH, _s, entry_hash, format_at
from domain.audit.merkle import (
    Frontier,
    MerkleTree,
    consistency_path,
    inclusion_path,
    leaf_hash,
    mth,
    verify_consistency,
    verify_inclusion,
)
from domain.audit.nodes import StoredTree, driver, entries_ru, head, length_problem
from domain.audit.note import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    parse_body,
    parse_note,
    sign_checkpoint,
)

ORIGIN_PREFIX = "soczakaz/"
_COLS = "seq, at, actor, action, entity, payload, prev_hash, hash"


def origin_of(chain: str) -> str:
    return ORIGIN_PREFIX + chain


def chain_of(cp: Checkpoint) -> str:
    if not cp.origin.startswith(ORIGIN_PREFIX):
        raise NoteError(f"контрольная точка чужого журнала: источник «{cp.origin}»")
    return cp.origin[len(ORIGIN_PREFIX) :]


def _at(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]


def _rows(session: Session, chain: str, batch: int = 5000) -> Iterator[Any]:
    return iter(
        session.execute(
            text(f"SELECT {_COLS} FROM auditentry WHERE chain = :c ORDER BY seq"),
            {"c": chain},
            execution_options={"yield_per": batch},
        )
    )


def _at_text(at: Any) -> str:
    if isinstance(at, dt.datetime) and at.tzinfo is None:  # stored as naive UTC
        return at.isoformat(timespec="microseconds") + "Z"
    if isinstance(at, str) and len(at) == 26 and at[10] == " ":  # raw SQLite text
        return at[:10] + "T" + at[11:] + "Z"
    return format_at(_at(at))


def digests(rows: Iterable[Any], chain: str) -> Iterator[bytes]:
    """Entry hashes recomputed from stored fields, each linked to the *recomputed* previous.

    The same text as :func:`domain.audit.log.entry_hash` (checked by the proof tests),
    inlined: this loop is the cost of ``verify --since``.
    """
    prev, sha, s, chain_lit = GENESIS_HASH, hashlib.sha256, _s, _s(chain)
    for seq, at, actor, action, entity, payload, _ph, _h in rows:
        body = (
            prev
            + '\n{"action":'
            + s(action)
            + ',"actor":'
            + s(actor)
            + ',"at":"'
            + _at_text(at)
            + '","chain":'
            + chain_lit
            + ',"entity":'
            + s(entity)
            + ',"payload":'
            + payload
            + ',"seq":'
            + str(seq)
            + "}"
        )
        digest = sha(body.encode()).digest()
        yield digest
        prev = digest.hex()


def chain_tree(session: Session, chain: str) -> tuple[MerkleTree, list[Any]]:
    """The in-memory tree of a chain recomputed from its rows, and the rows (tests, small)."""
    rows = list(_rows(session, chain))
    return MerkleTree([leaf_hash(d) for d in digests(rows, chain)]), rows


def _stored(session: Session, chain: str) -> StoredTree:
    """The stored tree of a chain; each use checks it covers exactly the chain."""
    return StoredTree(session, chain, head=head(session, chain))


def make_checkpoint(session: Session, chain: str, signer: Signer) -> str:
    """Sign the stored tree's head: O(log n) rows, refused when tree and chain disagree."""
    tree = _stored(session, chain)
    size = tree.size
    root = tree.run(lambda g: mth(g, 0, size))
    return sign_checkpoint(Checkpoint(origin_of(chain), size, root), signer)


def open_checkpoint(note_text: str, verifiers: list[Verifier], *, where: str) -> Checkpoint:
    """The checkpoint of a note signed by a trusted log key, or a Russian error.

    Witness keys (type 0x04) among ``verifiers`` are a policy: each of them must have
    cosigned the checkpoint (c2sp.org/tlog-cosignature), or it is refused.
    """
    note = parse_note(note_text)
    cp = parse_body(note.body)
    good = note.checked(verifiers)
    if not any(not v.is_witness for v, _ in good):
        names = ", ".join(sorted({n for n, _, _ in note.signatures}))
        raise NoteError(
            f"{where}: контрольная точка цепочки «{chain_of(cp)}» не подписана ни одним "
            f"доверенным ключом (подписи: {names})"
        )
    cosigned = {(v.name, v.id) for v, _ in good if v.is_witness}
    for v in verifiers:
        if v.is_witness and (v.name, v.id) not in cosigned:
            raise NoteError(
                f"{where}: контрольная точка цепочки «{chain_of(cp)}» не заверена свидетелем "
                f"«{v.name}» (нет его действительной косигнатуры)"
            )
    return cp


@dataclass
class Recomputed:
    """One pass over a chain: entries, the root of the first ``at`` of them, the full root."""

    entries: int
    root_at: bytes | None
    root: bytes


def recompute(session: Session, chain: str, at: int) -> Recomputed:
    frontier, snap = Frontier(), None
    push = frontier.push
    if at == 0:
        snap = frontier.root()
    for digest in digests(_rows(session, chain), chain):
        push(hashlib.sha256(b"\x00" + digest).digest())
        if frontier.size == at:
            snap = frontier.root()
    return Recomputed(frontier.size, snap, frontier.root())


def check_since(session: Session, note_text: str, verifiers: list[Verifier]) -> list[str]:
    """Problems of the current log against an older trusted checkpoint (empty when fine).

    One pass recomputes every entry hash and the tree: its first ``cp.size`` leaves must give
    the signed root (truncation, rewrite, fork), and the whole chain must give the root of the
    tree the application stored as it appended (entries written around it after the point).
    """
    cp = open_checkpoint(note_text, verifiers, where="--since")
    chain = chain_of(cp)
    got = recompute(session, chain, cp.size)
    problems: list[str] = []
    if got.entries < cp.size:
        found = _first_divergent(session, chain, cp.size, cp.root)
        gone = entries_ru(got.entries + 1, cp.size, ("удалена", "удалены"))
        if found is None:
            problems.append(
                f"цепочка «{chain}»: в журнале {got.entries} записей, а контрольная точка "
                f"заверяет {cp.size} — {gone} (усечение)"
            )
        else:
            problems.append(
                f"цепочка «{chain}»: запись №{found[0]} — первая, что не совпадает с "
                f"контрольной точкой: {found[1]}; в журнале {got.entries} записей из "
                f"{cp.size} заверенных (усечение)"
            )
    elif got.root_at != cp.root:
        problems.append(_divergence(session, chain, cp.size, cp.root, "контрольной точкой"))
    tree = StoredTree(session, chain)
    if tree.size != got.entries:
        problems.append(length_problem(chain, got.entries, tree.size))
    elif not problems and tree.run(lambda g: mth(g, 0, tree.size)) != got.root:
        problems.append(
            _divergence(session, chain, got.entries, None, "деревом, записанным приложением")
        )
    return problems


def _divergence(session: Session, chain: str, size: int, root: bytes | None, what: str) -> str:
    found = _first_divergent(session, chain, size, root)
    if found is None:
        return (
            f"цепочка «{chain}»: первые {size} записей не совпадают с {what} — журнал и "
            "дерево в базе подменены вместе (развилка); первую изменённую запись по базе "
            f"не установить, она не позже №{size}"
        )
    seq, why = found
    return (
        f"цепочка «{chain}»: запись №{seq} — первая, что не совпадает с {what}: {why} "
        "(все следующие расходятся тоже; развилка)"
    )


def _first_divergent(
    session: Session, chain: str, size: int, root: bytes | None
) -> tuple[int, str] | None:
    """(seq, reason) of the first of (at most) ``size`` entries that differs from the stored tree.

    Only meaningful when the stored tree is the one ``root`` signed (checked first; with
    ``root=None`` the stored tree is taken as reference). A leaf commits to its entry *and*
    the whole prefix, so recomputed and stored leaves agree up to the first change and differ
    from it on: a binary search reads O(log n) stored leaves.
    """
    tree = StoredTree(session, chain)
    if tree.size < size:
        return None
    if root is not None and tree.run(lambda g: mth(g, 0, size)) != root:
        return None
    leaves = bytearray()
    rows = _rows(session, chain)
    for digest, _ in zip(digests(rows, chain), range(size), strict=False):
        leaves += leaf_hash(digest)

    def differs(i: int) -> bool:
        return bytes(leaves[32 * i : 32 * i + 32]) != tree.run(lambda g: g(0, i))

    lo, hi = 0, len(leaves) // 32 - 1  # fewer rows than ``size``: search what is left
    if hi < 0:
        return None
    if not differs(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if differs(mid):
            hi = mid
        else:
            lo = mid + 1
    return _why(session, chain, lo)


def _why(session: Session, chain: str, position: int) -> tuple[int, str]:
    row = session.execute(
        text(f"SELECT {_COLS} FROM auditentry WHERE chain = :c ORDER BY seq LIMIT 1 OFFSET :p"),
        {"c": chain, "p": position},
    ).one()
    seq = int(row.seq)
    if seq != position + 1:
        return seq, f"на месте записи №{position + 1} стоит №{seq}: записи удалены или вставлены"
    h = entry_hash(
        row.prev_hash,
        chain=chain,
        seq=seq,
        at=_at(row.at),
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        payload_text=row.payload,
    )
    if h != row.hash:
        return seq, "содержимое изменено, хеш записи не пересчитан"
    if position and row.prev_hash != _prev_stored(session, chain, seq):
        return seq, "ссылка на предыдущую запись не совпадает"
    return seq, "запись переписана с пересчётом хешей"


def _prev_stored(session: Session, chain: str, seq: int) -> str | None:
    return session.execute(
        text("SELECT hash FROM auditentry WHERE chain = :c AND seq = :s"),
        {"c": chain, "s": seq - 1},
    ).scalar()


def prove(session: Session, chain: str, seq: int, size: int | None = None) -> dict[str, Any]:
    """Inclusion proof of entry ``seq`` in the tree of ``size`` entries (default: all).

    Reads the entry and O(log n) stored nodes; refuses an entry that no longer matches
    the leaf the application stored for it.
    """
    # One statement for the entry and the chain's head, one for the O(log n) nodes.
    last = "(SELECT max(seq) FROM auditentry WHERE chain = :c)"
    sql = f"SELECT {_COLS} FROM auditentry WHERE chain = :c AND seq IN ({int(seq)}, {last})"
    found = sorted(driver(session, sql, chain), key=lambda row: int(row.seq))
    head_row = found[-1] if found else None
    tree = StoredTree(
        session, chain, head=(int(head_row.seq), head_row.hash) if head_row else (0, "")
    )
    size = tree.size if size is None else size
    if not 1 <= size <= tree.size:
        raise NoteError(f"цепочка «{chain}»: размер дерева {size} вне 1…{tree.size}")
    if not 1 <= seq <= size:
        raise NoteError(f"цепочка «{chain}»: записи №{seq} нет в дереве из {size} записей")
    index = seq - 1
    if not found or int(found[0].seq) != seq:
        raise NoteError(f"цепочка «{chain}»: записи №{seq} нет")
    r = found[0]
    stored_leaf, path = tree.run(lambda g: (g(0, index), inclusion_path(g, index, size)))
    entry = {
        "chain": chain,
        "seq": r.seq,
        "at": format_at(_at(r.at)),
        "actor": r.actor,
        "action": r.action,
        "entity": r.entity,
        "payload": r.payload,
        "prev_hash": r.prev_hash,
        "hash": r.hash,
    }
    if _hash_of(entry) != r.hash or leaf_hash(bytes.fromhex(r.hash)) != stored_leaf:
        raise NoteError(
            f"цепочка «{chain}»: запись №{seq} не совпадает с деревом журнала — изменена "
            "(roadmap audit verify)"
        )
    return {
        "format": "soczakaz-inclusion-proof/1",
        "origin": origin_of(chain),
        "tree_size": size,
        "index": index,
        "entry": entry,
        "proof": [p.hex() for p in path],
    }


def _hash_of(e: dict[str, Any]) -> str:
    return entry_hash(
        e["prev_hash"],
        chain=e["chain"],
        seq=int(e["seq"]),
        at=dt.datetime.fromisoformat(e["at"].replace("Z", "+00:00")),
        actor=e["actor"],
        action=e["action"],
        entity=e["entity"],
        payload_text=e["payload"],
    )


def check_proof(doc: dict[str, Any], cp: Checkpoint) -> str:
    """Offline: does the entry of ``doc`` belong to the tree of ``cp``? Returns the entry name."""
    try:
        e = doc["entry"]
        h = _hash_of(e)
        index, size = int(doc["index"]), int(doc["tree_size"])
        proof = [bytes.fromhex(p) for p in doc["proof"]]
        if not isinstance(e["hash"], str) or len(proof) > 64:
            raise ValueError("hash")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise NoteError(f"файл доказательства повреждён: {exc!s}") from None
    name = f"запись №{e['seq']} цепочки «{e['chain']}»"
    if doc.get("origin") != cp.origin or origin_of(e["chain"]) != cp.origin:
        raise NoteError(f"{name}: доказательство для другого журнала, чем контрольная точка")
    if h != e["hash"]:
        raise NoteError(f"{name}: хеш записи не совпадает с её содержимым")
    if size != cp.size:
        raise NoteError(
            f"{name}: доказательство для дерева из {size} записей, контрольная точка — {cp.size}"
        )
    if not verify_inclusion(leaf_hash(bytes.fromhex(h)), index, size, proof, cp.root):
        raise NoteError(f"{name}: не входит в дерево контрольной точки")
    return name


def consistency_proof(session: Session, old: Checkpoint, new: Checkpoint) -> list[bytes]:
    """RFC 6962 consistency proof between two sizes from the stored tree (O(log n) rows)."""
    chain = chain_of(new)
    tree = StoredTree(session, chain)
    if not 0 <= old.size <= new.size <= tree.size:
        raise NoteError(
            f"цепочка «{chain}»: размеры {old.size} → {new.size} вне дерева из {tree.size} записей"
        )
    return tree.run(lambda g: consistency_path(g, old.size, new.size))


def check_consistency(old: Checkpoint, new: Checkpoint, proof: list[bytes]) -> None:
    if old.origin != new.origin:
        raise NoteError(f"контрольные точки разных цепочек: «{chain_of(old)}» и «{chain_of(new)}»")
    if new.size < old.size:
        raise NoteError(
            f"цепочка «{chain_of(new)}»: новая точка короче старой "
            f"({new.size} < {old.size}) — усечение"
        )
    if not verify_consistency(old.size, new.size, old.root, new.root, proof):
        raise NoteError(
            f"цепочка «{chain_of(new)}»: новая контрольная точка не продолжает "
            f"старую (развилка или переписывание)"
        )
