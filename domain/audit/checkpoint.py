"""Signed chain heads (Ed25519) that make a consistent rewrite of a chain detectable.

The private key lives in a file outside the database (``Settings.audit_signing_key``,
created with mode 0600 when missing). Each checkpoint is written twice: as an
``AuditCheckpoint`` row and as a line in ``<key>.heads.jsonl`` beside the key, so
that deleting the rows together with rewriting the chain is still detected.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import text
from sqlmodel import Session, select

from domain.audit.log import canonical, format_at
from models import AuditCheckpoint

MAGIC = "soczakaz-audit-checkpoint-v1\n"


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Read the PEM private key, or create it (0600) if the file does not exist."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: не ключ Ed25519")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def heads_file(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".heads.jsonl")


def _message(chain: str, seq: int, head: str, at: dt.datetime) -> bytes:
    body = canonical({"chain": chain, "seq": seq, "hash": head, "at": format_at(at)})
    return (MAGIC + body).encode()


def sign_heads(session: Session, *, key_path: Path, now: dt.datetime) -> list[AuditCheckpoint]:
    """Sign the current head of every non-empty chain; return the new checkpoints."""
    key = load_or_create_key(key_path)
    pub = public_key_text(key.public_key())
    rows = session.execute(
        text(
            "SELECT a.chain, a.seq, a.hash FROM auditentry a JOIN "
            "(SELECT chain, max(seq) AS seq FROM auditentry GROUP BY chain) h "
            "ON a.chain = h.chain AND a.seq = h.seq ORDER BY a.chain"
        )
    ).all()
    out: list[AuditCheckpoint] = []
    for chain, seq, head in rows:
        sig = key.sign(_message(chain, int(seq), head, now))
        cp = AuditCheckpoint(
            chain=chain,
            seq=int(seq),
            hash=head,
            at=now,
            public_key=pub,
            signature=base64.b64encode(sig).decode(),
        )
        session.add(cp)
        out.append(cp)
    session.flush()
    with heads_file(key_path).open("a", encoding="utf-8") as fh:
        for cp in out:
            fh.write(json.dumps(_record(cp), ensure_ascii=False) + "\n")
    return out


def _record(cp: AuditCheckpoint) -> dict[str, object]:
    return {
        "chain": cp.chain,
        "seq": cp.seq,
        "hash": cp.hash,
        "at": format_at(cp.at),
        "public_key": cp.public_key,
        "signature": cp.signature,
    }


@dataclass(frozen=True)
class Head:
    """A signed head the chain must still contain."""

    chain: str
    seq: int
    hash: str
    source: str  # "база" or the heads file name


def trusted_public_key(key_path: Path) -> str | None:
    """The public key of the signing key file, or None when there is no key file."""
    if not key_path.exists():
        return None
    return public_key_text(load_or_create_key(key_path).public_key())


def check_signature(
    *, chain: str, seq: int, head: str, at: dt.datetime, public_key: str, signature: str
) -> bool:
    try:
        pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        pub.verify(base64.b64decode(signature), _message(chain, seq, head, at))
    except (InvalidSignature, ValueError):
        return False
    return True


def heads_to_check(
    session: Session, *, key_path: Path, chain: str | None
) -> tuple[list[Head], list[str]]:
    """Signed heads from the database and the heads file; problems with signatures."""
    trusted = trusted_public_key(key_path)
    problems: list[str] = []
    heads: list[Head] = []
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.id)  # type: ignore[arg-type]
    if chain is not None:
        query = query.where(AuditCheckpoint.chain == chain)
    for cp in session.exec(query):
        problems.extend(
            _check_one(
                cp.chain,
                cp.seq,
                cp.hash,
                cp.at,
                cp.public_key,
                cp.signature,
                trusted,
                f"контрольная точка id={cp.id}",
            )
        )
        heads.append(Head(cp.chain, cp.seq, cp.hash, "база"))
    hf = heads_file(key_path)
    if hf.exists():
        for n, line in enumerate(hf.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                rec = json.loads(line)
                if chain is not None and rec["chain"] != chain:
                    continue
                at = dt.datetime.fromisoformat(rec["at"].replace("Z", "+00:00"))
                int(rec["seq"])
            except (ValueError, KeyError, TypeError, AttributeError):
                problems.append(f"{hf.name}, строка {n}: запись повреждена (не JSON вершины)")
                continue
            problems.extend(
                _check_one(
                    rec["chain"],
                    rec["seq"],
                    rec["hash"],
                    at,
                    rec["public_key"],
                    rec["signature"],
                    trusted,
                    f"{hf.name}:{n}",
                )
            )
            heads.append(Head(rec["chain"], int(rec["seq"]), rec["hash"], hf.name))
    return heads, problems


def _check_one(
    chain: str,
    seq: int,
    head: str,
    at: dt.datetime,
    pub: str,
    sig: str,
    trusted: str | None,
    where: str,
) -> list[str]:
    if trusted is not None and pub != trusted:
        return [
            f"{where}: контрольная точка цепочки «{chain}» подписана не доверенным "
            "ключом журнала (чужой ключ)"
        ]
    if not check_signature(chain=chain, seq=seq, head=head, at=at, public_key=pub, signature=sig):
        return [f"{where}: подпись цепочки {chain!r} на записи №{seq} недействительна"]
    return []
