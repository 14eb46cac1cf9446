"""Layout of content-addressed files: ``<root>/ab/cd/<sha256>`` and their SHA-256.

Below both the evidence store (which writes files there) and the audit verifier (which
rehashes them), so neither imports the other for it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def path_for(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256[2:4] / sha256


def hash_file(path: Path, *, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
