"""One municipality's chain as an RFC 6962 Merkle tree: checkpoints, proofs, --since (issue 18).

The leaf of entry ``seq`` is the entry hash recomputed from its stored fields and the
recomputed hash of the entry before it, so a leaf commits to the entry and to the whole
prefix. A checkpoint's origin is ``soczakaz/<chain>``; it names the chain it covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from domain.audit.log import GENESIS_HASH, _s, entry_hash, format_at
from domain.audit.merkle import MerkleTree, leaf_hash, verify_consistency, verify_inclusion
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


def chain_tree(session: Session, chain: str) -> tuple[MerkleTree, list[Any]]:
    """The tree of a chain and its rows (ordered by seq)."""
    rows = list(
        session.execute(
            text(f"SELECT {_COLS} FROM auditentry WHERE chain = :c ORDER BY seq"), {"c": chain}
        )
    )
    prev, leaves = GENESIS_HASH, []
    sha, s, chain_lit = hashlib.sha256, _s, _s(chain)
    for seq, at, actor, action, entity, payload, _ph, _h in rows:
        if isinstance(at, dt.datetime) and at.tzinfo is None:  # stored as naive UTC
            at_text = at.isoformat(timespec="microseconds") + "Z"
        elif isinstance(at, str) and len(at) == 26 and at[10] == " ":  # raw SQLite text
            at_text = at[:10] + "T" + at[11:] + "Z"
        else:
            at_text = format_at(_at(at))
        # The same text as domain.audit.log.entry_hash (checked by the proof tests).
        body = (
            prev
            + '\n{"action":'
            + s(action)
            + ',"actor":'
            + s(actor)
            + ',"at":"'
            + at_text
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
        leaves.append(sha(b"\x00" + digest).digest())
        prev = digest.hex()
    return MerkleTree(leaves), rows


def make_checkpoint(session: Session, chain: str, signer: Signer) -> str:
    tree, _ = chain_tree(session, chain)
    return sign_checkpoint(Checkpoint(origin_of(chain), tree.size, tree.root()), signer)


def open_checkpoint(note_text: str, verifiers: list[Verifier], *, where: str) -> Checkpoint:
    """The checkpoint of a note signed by at least one trusted key, or a Russian error."""
    note = parse_note(note_text)
    cp = parse_body(note.body)
    if not note.verified_by(verifiers):
        names = ", ".join(sorted({n for n, _, _ in note.signatures}))
        raise NoteError(
            f"{where}: контрольная точка цепочки «{chain_of(cp)}» не подписана ни одним "
            f"доверенным ключом (подписи: {names})"
        )
    return cp


def check_since(session: Session, note_text: str, verifiers: list[Verifier]) -> list[str]:
    """Problems of the current log against an older trusted checkpoint (empty when fine)."""
    cp = open_checkpoint(note_text, verifiers, where="--since")
    chain = chain_of(cp)
    tree, rows = chain_tree(session, chain)
    if tree.size < cp.size:
        return [
            f"цепочка «{chain}»: в журнале {tree.size} записей, а контрольная точка "
            f"заверяет {cp.size} — записи №{tree.size + 1}…№{cp.size} удалены (усечение)"
        ]
    if tree.root(cp.size) != cp.root:
        first = _first_divergent(tree, cp)
        return [
            f"цепочка «{chain}»: первые {cp.size} записей не совпадают с контрольной "
            f"точкой — запись №{rows[first].seq} изменена или журнал подменён (развилка)"
        ]
    return []


def _first_divergent(tree: MerkleTree, cp: Checkpoint) -> int:
    """Best effort: the signed root covers only the prefix, so name the last covered entry."""
    return cp.size - 1


def prove(session: Session, chain: str, seq: int) -> dict[str, Any]:
    tree, rows = chain_tree(session, chain)
    index = next((i for i, r in enumerate(rows) if r.seq == seq), None)
    if index is None:
        raise NoteError(f"цепочка «{chain}»: записи №{seq} нет")
    r = rows[index]
    return {
        "format": "soczakaz-inclusion-proof/1",
        "origin": origin_of(chain),
        "tree_size": tree.size,
        "index": index,
        "entry": {
            "chain": chain,
            "seq": r.seq,
            "at": format_at(_at(r.at)),
            "actor": r.actor,
            "action": r.action,
            "entity": r.entity,
            "payload": r.payload,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        },
        "proof": [p.hex() for p in tree.inclusion_proof(index)],
    }


def check_proof(doc: dict[str, Any], cp: Checkpoint) -> str:
    """Offline: does the entry of ``doc`` belong to the tree of ``cp``? Returns the entry name."""
    try:
        e = doc["entry"]
        at = dt.datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
        h = entry_hash(
            e["prev_hash"],
            chain=e["chain"],
            seq=int(e["seq"]),
            at=at,
            actor=e["actor"],
            action=e["action"],
            entity=e["entity"],
            payload_text=e["payload"],
        )
        index, size = int(doc["index"]), int(doc["tree_size"])
        proof = [bytes.fromhex(p) for p in doc["proof"]]
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
    tree, _ = chain_tree(session, chain_of(new))
    return tree.consistency_proof(old.size, new.size)


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
