"""RFC 6962 / RFC 9162 Merkle tree over one chain's entries (issue 18).

Leaves hash as ``SHA-256(0x00 || data)``, interior nodes as ``SHA-256(0x01 || left || right)``;
the split of a tree of ``n`` leaves is at the largest power of two below ``n``. Inclusion and
consistency proofs follow RFC 6962 section 2.1 (generation) and RFC 9162 section 2.1.3/2.1.4
(verification). Every algorithm reads only hashes of *perfect aligned subtrees* (``get(level,
index)``: leaves ``[index * 2**level, (index + 1) * 2**level)``), which never change once
complete: a store that persists them as leaves arrive (:class:`Frontier`, domain.audit.nodes)
answers any proof with O(log n) look-ups, and :func:`needed` names them in advance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


Get = Callable[[int, int], bytes]  # (level, index) -> hash of a perfect aligned subtree


def perfect_parts(start: int, n: int) -> list[tuple[int, int]]:
    """The perfect aligned subtrees (level, index) that make up leaves [start, start + n)."""
    parts: list[tuple[int, int]] = []
    while n:
        height = n.bit_length() - 1
        parts.append((height, start >> height))
        start, n = start + (1 << height), n - (1 << height)
    return parts


def mth(get: Get, start: int, n: int) -> bytes:
    """RFC 6962 MTH of leaves [start, start + n) from perfect subtree hashes.

    ``start`` is a multiple of the largest power of two <= n (true of every subtree a
    proof names), so the range splits into perfect aligned subtrees, folded from the right.
    """
    if n == 0:
        return EMPTY_ROOT
    parts = perfect_parts(start, n)
    r = get(*parts[-1])
    for level, index in reversed(parts[:-1]):
        r = node_hash(get(level, index), r)
    return r


def inclusion_path(get: Get, index: int, size: int) -> list[bytes]:
    """RFC 6962 2.1.1 PATH(index, D[size]), bottom first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} not in a tree of {size}")
    path: list[bytes] = []
    start, n, m = 0, size, index
    while n > 1:
        k = _split(n)
        if m < k:
            path.append(mth(get, start + k, n - k))
            n = k
        else:
            path.append(mth(get, start, k))
            start, n, m = start + k, n - k, m - k
    path.reverse()
    return path


def consistency_path(get: Get, old: int, new: int) -> list[bytes]:
    """RFC 6962 2.1.2 PROOF(old, D[new]), bottom first."""
    if not 0 <= old <= new:
        raise ValueError(f"sizes {old} -> {new} impossible")
    if old in (0, new):
        return []
    path: list[bytes] = []
    start, n, m, complete = 0, new, old, True
    while m != n:
        k = _split(n)
        if m <= k:
            path.append(mth(get, start + k, n - k))
            n = k
        else:
            path.append(mth(get, start, k))
            start, n, m, complete = start + k, n - k, m - k, False
    if not complete:
        path.append(mth(get, start, n))
    path.reverse()
    return path


def needed(compute: Callable[[Get], object]) -> set[tuple[int, int]]:
    """The (level, index) nodes ``compute`` reads: run it once on dummy hashes.

    Lets a store fetch every node of a proof in one query, then run ``compute`` again.
    """
    seen: set[tuple[int, int]] = set()

    def record(level: int, index: int) -> bytes:
        seen.add((level, index))
        return EMPTY_ROOT

    compute(record)
    return seen


class Frontier:
    """Streaming tree: the perfect subtrees on the right edge (one per set bit of the size).

    ``push`` returns every node completed by the new leaf (the leaf itself first), which is
    what a store persists; ``root`` folds the frontier. Memory O(log n).
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != bin(size).count("1"):
            raise ValueError(f"a frontier of {size} leaves has {bin(size).count('1')} nodes")
        self.size = size
        self.stack = list(hashes)  # largest subtree first

    @staticmethod
    def nodes_of(size: int) -> list[tuple[int, int]]:
        return perfect_parts(0, size)

    def push(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        index, level, h = self.size, 0, leaf
        made = [(0, index, h)]
        stack, sha = self.stack, hashlib.sha256
        while index & 1:
            h = sha(b"\x01" + stack.pop() + h).digest()
            index >>= 1
            level += 1
            made.append((level, index, h))
        stack.append(h)
        self.size += 1
        return made

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        r = self.stack[-1]
        for h in reversed(self.stack[:-1]):
            r = node_hash(h, r)
        return r


class MerkleTree:
    """All levels of the tree over ``leaves`` (leaf hashes, not leaf data), in memory."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        level = self.levels[0]
        sha = hashlib.sha256
        while len(level) > 1:
            level = [
                sha(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
            ]
            self.levels.append(level)

    @classmethod
    def from_data(cls, items: Sequence[bytes]) -> MerkleTree:
        return cls([leaf_hash(d) for d in items])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def get(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} outside 0..{self.size}")
        return mth(self.get, 0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        size = self.size if size is None else size
        if size > self.size:
            raise ValueError(f"leaf {index} not in a tree of {size}")
        return inclusion_path(self.get, index, size)

    def consistency_proof(self, old: int, new: int | None = None) -> list[bytes]:
        new = self.size if new is None else new
        if new > self.size:
            raise ValueError(f"sizes {old} -> {new} impossible in a tree of {self.size}")
        return consistency_path(self.get, old, new)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """Root of leaf hashes, level by level (the fast path of verify)."""
    if not leaves:
        return EMPTY_ROOT
    return MerkleTree(leaves).root()


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` put the leaf hash at ``index`` under ``root``?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: is the tree ``old_root`` a prefix of the tree ``new_root``?"""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
