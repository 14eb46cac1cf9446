"""RFC 6962 / RFC 9162 Merkle tree: hashes, inclusion and consistency proofs (issue 18).

Vectors: the certificate-transparency reference test data (the eight leaves used by RFC 6962
implementations and by RFC 9162 test suites).
"""

from __future__ import annotations

import random
from functools import partial

import pytest

from domain.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    MerkleTree,
    consistency_path,
    inclusion_path,
    leaf_hash,
    mth,
    needed,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION_0_OF_8 = [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
]
CONSISTENCY = {
    (1, 8): INCLUSION_0_OF_8,
    (6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    (2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
}


def test_empty_and_leaf_hash_domain_separation() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert MerkleTree([]).root() == EMPTY_ROOT
    assert leaf_hash(b"").hex() == ROOTS[0]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_rfc6962_vectors(size: int) -> None:
    tree = MerkleTree.from_data(LEAVES)
    assert tree.root(size).hex() == ROOTS[size - 1]
    assert MerkleTree.from_data(LEAVES[:size]).root().hex() == ROOTS[size - 1]


def test_inclusion_vector() -> None:
    tree = MerkleTree.from_data(LEAVES)
    proof = tree.inclusion_proof(0, 8)
    assert [p.hex() for p in proof] == INCLUSION_0_OF_8
    assert verify_inclusion(leaf_hash(LEAVES[0]), 0, 8, proof, bytes.fromhex(ROOTS[7]))


@pytest.mark.parametrize(("old", "new"), sorted(CONSISTENCY))
def test_consistency_vectors(old: int, new: int) -> None:
    tree = MerkleTree.from_data(LEAVES)
    proof = tree.consistency_proof(old, new)
    assert [p.hex() for p in proof] == CONSISTENCY[(old, new)]
    assert verify_consistency(
        old, new, bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1]), proof
    )


def test_every_proof_of_small_trees_verifies_and_tampering_fails() -> None:
    rng = random.Random(18)
    data = [rng.randbytes(rng.randint(0, 40)) for _ in range(40)]
    tree = MerkleTree.from_data(data)
    for size in range(1, 41):
        root = tree.root(size)
        for i in range(size):
            proof = tree.inclusion_proof(i, size)
            assert verify_inclusion(leaf_hash(data[i]), i, size, proof, root)
            assert not verify_inclusion(leaf_hash(b"forged"), i, size, proof, root)
            if proof:
                bad = [*proof[:-1], bytes(32)]
                assert not verify_inclusion(leaf_hash(data[i]), i, size, bad, root)
        for old in range(0, size + 1):
            proof = tree.consistency_proof(old, size)
            old_root = tree.root(old)
            assert verify_consistency(old, size, old_root, root, proof)
            if 0 < old < size:
                assert not verify_consistency(old, size, bytes(32), root, proof)
                assert not verify_consistency(old, size, old_root, bytes(32), proof)


def test_fork_is_not_consistent() -> None:
    honest = MerkleTree.from_data(LEAVES)
    forked = MerkleTree.from_data([*LEAVES[:3], b"rewritten", *LEAVES[4:]])
    proof = forked.consistency_proof(5, 8)
    assert not verify_consistency(5, 8, honest.root(5), forked.root(8), proof)


def test_stored_subtrees_answer_every_proof_with_log_n_lookups() -> None:
    """What domain.audit.nodes persists (Frontier.push) is enough for every proof."""
    rng = random.Random(6962)
    data = [rng.randbytes(8) for _ in range(70)]
    tree = MerkleTree.from_data(data)
    frontier, stored = Frontier(), {}
    for size, d in enumerate(data, start=1):
        for level, index, h in frontier.push(leaf_hash(d)):
            assert (level, index) not in stored  # each subtree written once, when complete
            stored[(level, index)] = h
        assert frontier.root() == tree.root(size)
    assert len(stored) == sum(70 >> k for k in range(7))  # exactly the complete subtrees

    def get(level: int, index: int) -> bytes:
        return stored[(level, index)]

    for size in range(1, 71):
        assert mth(get, 0, size) == tree.root(size)
        for i in range(size):
            keys = needed(partial(inclusion_path, index=i, size=size))
            assert len(keys) <= 2 * size.bit_length()
            assert inclusion_path(get, i, size) == tree.inclusion_proof(i, size)
        for old in range(size + 1):
            assert consistency_path(get, old, size) == tree.consistency_proof(old, size)
