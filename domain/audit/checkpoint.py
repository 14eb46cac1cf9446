"""Signed chain heads (Ed25519) that make a consistent rewrite of a chain detectable.

The private key lives in a file outside the database (``Settings.audit_signing_key``,
created with mode 0600 when missing); its public key is written beside it (``.pub``).
Each checkpoint is written twice: as an ``AuditCheckpoint`` row and as a line in
``<key>.heads.jsonl`` beside the key, so that deleting the rows together with rewriting
the chain is still detected. Checking needs public keys only (:mod:`domain.audit.trust`):
a head signed by a key that is not trusted is a problem naming key, chain and entry.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import text
from sqlmodel import Session, select

from domain.audit.log import canonical, format_at
from domain.audit.note import NoteError
from domain.audit.trust import (
    DEFAULT_KEY_NAME,
    Trust,
    load_signer,
    resolve_trust,
    stored_key,
    write_public_key,
)
from models import AuditCheckpoint

MAGIC = "soczakaz-audit-checkpoint-v1\n"


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def heads_file(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".heads.jsonl")


def head_message(chain: str, seq: int, head: str, at: dt.datetime) -> str:
    """The text a head's signature (and its RFC 3161 stamp) covers."""
    return _message(chain, seq, head, at).decode()


def _message(chain: str, seq: int, head: str, at: dt.datetime) -> bytes:
    body = canonical({"chain": chain, "seq": seq, "hash": head, "at": format_at(at)})
    return (MAGIC + body).encode()


def sign_heads(
    session: Session, *, key_path: Path, now: dt.datetime, name: str = DEFAULT_KEY_NAME
) -> list[AuditCheckpoint]:
    """Sign the current head of every non-empty chain; return the new checkpoints."""
    signer = load_signer(key_path, name=name, create=True)
    write_public_key(signer, key_path)
    pub = signer.verifier().text()  # "name+id+key": the row names its key
    rows = session.execute(
        text(
            "SELECT a.chain, a.seq, a.hash FROM auditentry a JOIN "
            "(SELECT chain, max(seq) AS seq FROM auditentry GROUP BY chain) h "
            "ON a.chain = h.chain AND a.seq = h.seq ORDER BY a.chain"
        )
    ).all()
    out: list[AuditCheckpoint] = []
    for chain, seq, head in rows:
        sig = signer.private.sign(_message(chain, int(seq), head, now))
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
    at: dt.datetime | None = None  # when it was signed (part of the signed message)


def check_signature(
    *, chain: str, seq: int, head: str, at: dt.datetime, public_key: str, signature: str
) -> bool:
    try:
        _name, raw = stored_key(public_key)
        pub = Ed25519PublicKey.from_public_bytes(raw)
        pub.verify(base64.b64decode(signature), _message(chain, seq, head, at))
    except (InvalidSignature, ValueError, NoteError):
        return False
    return True


def heads_to_check(
    session: Session, *, key_path: Path, chain: str | None, trust: Trust | None = None
) -> tuple[list[Head], list[str]]:
    """Signed heads from the database and the heads file; problems with signatures.

    ``trust`` defaults to the public key file beside ``key_path``; the private key is
    never read here.
    """
    if trust is None:
        trust = resolve_trust(override=None, configured=None, key_path=key_path)
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
                trust,
                f"контрольная точка id={cp.id}",
            )
        )
        heads.append(Head(cp.chain, cp.seq, cp.hash, "база", cp.at))
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
                    trust,
                    f"{hf.name}:{n}",
                )
            )
            heads.append(Head(rec["chain"], int(rec["seq"]), rec["hash"], hf.name, at))
    if heads and not trust.verifiers:
        problems.append(
            "нет доверенных открытых ключей: подписи контрольных точек не с чем сверить — "
            "задайте SOCZAKAZ_AUDIT_TRUSTED_KEYS (файл открытых ключей) или --key"
        )
    return heads, problems


def _check_one(
    chain: str,
    seq: int,
    head: str,
    at: dt.datetime,
    pub: str,
    sig: str,
    trust: Trust,
    where: str,
) -> list[str]:
    point = f"{where}: контрольная точка цепочки «{chain}» на записи №{seq}"
    try:
        name, raw = stored_key(pub)
    except NoteError:
        return [f"{point}: открытый ключ подписи не читается — строка подделана"]
    if trust.verifiers and trust.by_raw(raw, name) is None:
        who = f"«{name}»" if name else "без имени"
        fp = hashlib.sha256(raw).hexdigest()[:8]
        return [
            f"{point} подписана ключом {who} (отпечаток {fp}), которого нет среди "
            f"доверенных ({trust.source}: {trust.names()}) — подпись не принимается: "
            "журнал могли переписать и подписать заново чужим ключом"
        ]
    if not check_signature(chain=chain, seq=seq, head=head, at=at, public_key=pub, signature=sig):
        return [f"{point}: подпись недействительна — точка изменена после подписания"]
    return []
