"""RFC 3161 stamps of the signed chain heads of ``roadmap audit checkpoint`` (issue 18).

Each stamp covers the exact text the head's Ed25519 signature covers (chain, entry
number, hash, signing time). Stamps are kept beside the heads file, one JSON line each,
in ``<key>.heads.tsr.jsonl``; verify matches them to the signed heads it found.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from domain.audit.checkpoint import Head, head_message
from domain.audit.log import format_at
from domain.audit.note import NoteError
from domain.audit.timestamp import StampCheck, TsaCerts, check_token, read_certs


@dataclass(frozen=True)
class StampPolicy:
    """What verify expects of stamps (from the settings)."""

    certs: Path | None
    policy: str  # warn | require
    expected: bool  # a TSA is configured: stamps should be there


def stamps_file(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".heads.tsr.jsonl")


def record_stamp(
    key_path: Path, *, chain: str, seq: int, head: str, at: dt.datetime, token: bytes
) -> None:
    rec = {"chain": chain, "seq": seq, "hash": head, "at": format_at(at)}
    line = json.dumps({**rec, "tsr": base64.b64encode(token).decode()}, ensure_ascii=False)
    with stamps_file(key_path).open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _tokens(path: Path, into: StampCheck) -> dict[tuple[str, int, str, str], bytes]:
    found: dict[tuple[str, int, str, str], bytes] = {}
    if not path.exists():
        return found
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rec = json.loads(line)
            key = (str(rec["chain"]), int(rec["seq"]), str(rec["hash"]), str(rec["at"]))
            found[key] = base64.b64decode(rec["tsr"], validate=True)
        except (ValueError, KeyError, TypeError, binascii.Error):
            into.problems.append(f"{path.name}, строка {n}: запись метки времени повреждена")
    return found


def check_head_stamps(
    key_path: Path, heads: list[Head], policy: StampPolicy, into: StampCheck
) -> None:
    """Every signed head's stamp verifies; a missing one is reported by policy."""
    tokens = _tokens(stamps_file(key_path), into)
    strict = into.problems if policy.policy == "require" else into.warnings
    certs: TsaCerts | None = None
    seen: set[tuple[str, int, str, str]] = set()
    for h in heads:
        if h.at is None:
            continue
        key = (h.chain, h.seq, h.hash, format_at(h.at))
        if key in seen:
            continue  # the database row and the heads file line of one head
        seen.add(key)
        where = f"контрольная точка цепочки «{h.chain}» на записи №{h.seq}"
        token = tokens.get(key)
        if token is None:
            if policy.expected or policy.policy == "require":
                strict.append(f"{where}: нет метки времени")
            continue
        if policy.certs is None:
            strict.append(f"{where}: метка времени не проверена — не заданы сертификаты TSA")
            continue
        certs = certs or read_certs(policy.certs)
        try:
            at = check_token(
                token, body=head_message(h.chain, h.seq, h.hash, h.at), certs=certs, where=where
            )
        except NoteError as exc:
            into.problems.append(exc.message)
            continue
        into.times.append(f"{where}: метка времени {at.isoformat()}")
