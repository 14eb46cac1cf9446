"""Which checkpoints are due for publishing, and the record of the last publication (issue 18).

After every change the daily sweep publishes the signed checkpoint of each chain whose
tree head (size and root) changed since its last publication (``jobs/audit_publish.py``
sends it: a directory, an HTTP endpoint, an e-mail to the РМЦ through the outbox). The
last published note of each chain, and its RFC 3161 token when there is one, are kept in
``state_dir`` as ``<chain>.checkpoint`` (+ ``.tsr``): the operator's own copy, which
``roadmap audit verify`` checks the log against. Nothing here sends anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from domain.audit.log import GLOBAL_CHAIN
from domain.audit.note import Checkpoint, NoteError, Signer, parse_body, parse_note
from domain.audit.timestamp import token_path
from domain.audit.tree import make_checkpoint


@dataclass(frozen=True)
class Due:
    """A signed checkpoint not published yet."""

    chain: str
    note: str
    checkpoint: Checkpoint

    @property
    def body(self) -> str:
        return self.checkpoint.body()


def state_file(state_dir: Path, chain: str) -> Path:
    return state_dir / f"{chain}.checkpoint"


def last_published(state_dir: Path, chain: str) -> Checkpoint | None:
    """The last published head of a chain (a damaged record counts as none: publish again)."""
    path = state_file(state_dir, chain)
    try:
        return parse_body(parse_note(path.read_text(encoding="utf-8")).body)
    except (OSError, UnicodeDecodeError, NoteError):
        return None


def due_checkpoints(session: Session, *, signer: Signer, state_dir: Path) -> list[Due]:
    """Sign a checkpoint for every chain whose head changed since it was last published."""
    chains = [
        str(c)
        for (c,) in session.execute(
            text("SELECT DISTINCT chain FROM auditentry WHERE chain <> :g ORDER BY chain"),
            {"g": GLOBAL_CHAIN},
        )
    ]
    due: list[Due] = []
    for chain in chains:
        note = make_checkpoint(session, chain, signer)
        cp = parse_body(parse_note(note).body)
        old = last_published(state_dir, chain)
        if old is None or (old.size, old.root) != (cp.size, cp.root):
            due.append(Due(chain, note, cp))
    return due


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_checkpoint_files(folder: Path, due: Due, token: bytes | None) -> Path:
    """``<chain>.checkpoint`` and its ``.tsr`` in ``folder`` (a stale token is removed)."""
    path = state_file(folder, due.chain)
    write_atomic(path, due.note.encode())
    tsr = token_path(path)
    if token is not None:
        write_atomic(tsr, token)
    elif tsr.exists():
        tsr.unlink()
    return path


def record_published(state_dir: Path, due: Due, token: bytes | None) -> None:
    write_checkpoint_files(state_dir, due, token)
