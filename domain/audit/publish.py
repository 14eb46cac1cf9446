"""Publish the latest signed checkpoint of every changed chain (issue 18).

``publish_checkpoints`` is a plain function for the daily sweep job: for each municipality
whose tree grew since the last published checkpoint it signs a new checkpoint and sends it
to the configured place — a directory (``file:/path``) or an HTTP endpoint (``http(s)://``,
POST of the note text). The last published note of each chain is kept in the directory
``state_dir`` so that an unchanged chain is not published again.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import text
from sqlmodel import Session

from domain.audit.note import NoteError, Signer, parse_body, parse_note
from domain.audit.tree import make_checkpoint


def _send(target: str, chain: str, note: str) -> None:
    if target.startswith("file:"):
        folder = Path(target[len("file:") :])
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{chain}.checkpoint.tmp"
        tmp.write_text(note, encoding="utf-8")
        tmp.replace(folder / f"{chain}.checkpoint")
    elif target.startswith(("http://", "https://")):
        r = httpx.post(
            target,
            content=note.encode(),
            timeout=30,
            headers={"Content-Type": "text/plain; charset=utf-8", "X-Chain": chain},
        )
        r.raise_for_status()
    else:
        raise NoteError(f"место публикации «{target}»: ожидается file:/путь или http(s)://")


def publish_checkpoints(
    session: Session, *, signer: Signer, target: str, state_dir: Path
) -> list[str]:
    """Sign and publish a checkpoint for every chain that changed; return those chains."""
    chains = [
        c
        for (c,) in session.execute(
            text("SELECT DISTINCT chain FROM auditentry WHERE chain <> '_global' ORDER BY chain")
        )
    ]
    state_dir.mkdir(parents=True, exist_ok=True)
    published: list[str] = []
    for chain in chains:
        note = make_checkpoint(session, chain, signer)
        last = state_dir / f"{chain}.checkpoint"
        if last.exists():
            old = parse_body(parse_note(last.read_text(encoding="utf-8")).body)
            if (old.size, old.root) == (
                parse_body(parse_note(note).body).size,
                parse_body(parse_note(note).body).root,
            ):
                continue
        _send(target, chain, note)
        last.write_text(note, encoding="utf-8")
        published.append(chain)
    return published
