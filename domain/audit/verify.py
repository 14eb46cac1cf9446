"""Verification of the audit log: chains, signed heads, evidence rows and files.

The chain is streamed in ``(chain, seq)`` order (server-side cursor on PostgreSQL,
``yield_per``), so memory stays bounded whatever the log size. Each entry is
checked against the *stored* hash of its predecessor, so one altered entry is
reported once, at the place where it was altered.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from domain import lookup
from domain.audit.checkpoint import heads_to_check
from domain.audit.evidence_check import (
    EVIDENCE_ACTIONS,
    STEP_CLOSING,
    fingerprint,
    verify_deleted_evidence,
    verify_evidence,
    verify_steps,
)
from domain.audit.head_stamps import StampPolicy, check_head_stamps
from domain.audit.log import GENESIS_HASH, entry_hash
from domain.audit.report import Problem as Problem
from domain.audit.report import VerifyReport as VerifyReport
from domain.audit.timestamp import StampCheck
from domain.audit.trust import Trust
from models import AuditEntry


def _rows(session: Session, chain: str | None, batch: int) -> Iterator[Any]:
    t = AuditEntry.__table__  # type: ignore[attr-defined]
    stmt = select(
        t.c.id,
        t.c.chain,
        t.c.seq,
        t.c.at,
        t.c.actor,
        t.c.action,
        t.c.entity,
        t.c.payload,
        t.c.prev_hash,
        t.c.hash,
    )
    if chain is not None:
        stmt = stmt.where(t.c.chain == chain)
    stmt = stmt.order_by(t.c.chain, t.c.seq)
    yield from session.execute(stmt, execution_options={"yield_per": batch})


def _where(chain: str, seq: int, id_: int) -> str:
    return f"цепочка {chain}, запись №{seq} (id={id_})"


def verify_chains(
    session: Session,
    report: VerifyReport,
    *,
    chain: str | None,
    heads: dict[tuple[str, int], str],
    logged: dict[int, bytes],
    closed: dict[int, str | None] | None = None,
    batch: int = 5000,
) -> None:
    """Recompute every chain; record problems, signed heads seen, evidence logged."""
    current: str | None = None
    expected_seq, prev = 1, GENESIS_HASH
    broken: set[str] = set()
    for r in _rows(session, chain, batch):
        id_, ch, seq, at, actor, action, entity, payload_text, prev_hash, stored = r
        if ch != current:
            current, expected_seq, prev = ch, 1, GENESIS_HASH
            report.chains += 1
        report.entries += 1
        why = ""
        if seq != expected_seq:
            why = f"ожидалась запись №{expected_seq}: записи удалены, вставлены или переставлены"
        elif prev_hash != prev:
            why = "ссылка на предыдущую запись не совпадает: предыдущая запись изменена"
        elif stored != entry_hash(
            prev_hash,
            chain=ch,
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            payload_text=payload_text,
        ):
            why = "хеш не совпадает: содержимое записи изменено"
        if why and ch not in broken:
            report.problems.append(Problem(_where(ch, seq, id_), why))
            broken.add(ch)
        if heads:
            signed = heads.pop((ch, seq), None)
            if signed is not None and signed != stored:
                why = "не совпадает с подписанной контрольной точкой: цепочка переписана"
                report.problems.append(Problem(_where(ch, seq, id_), why))
        if action in STEP_CLOSING:
            if closed is not None and entity.startswith("step:"):
                closed[int(entity[5:])] = STEP_CLOSING[action]
            if action in EVIDENCE_ACTIONS:
                try:
                    payload = json.loads(payload_text)
                    logged[int(payload["evidence_id"])] = fingerprint(payload)
                except (ValueError, KeyError, TypeError):
                    why = "запись о подтверждении не читается"
                    report.problems.append(Problem(_where(ch, seq, id_), why))
        expected_seq, prev = seq + 1, stored
    for (ch, seq), _h in sorted(heads.items()):
        report.problems.append(
            Problem(
                f"цепочка {ch}",
                f"нет записи №{seq}, подписанной контрольной точкой: "
                "записи удалены или журнал очищен",
            )
        )


def verify(
    session: Session,
    *,
    municipality_code: str | None,
    evidence_root: Path,
    key_path: Path,
    trust: Trust | None = None,
    stamps: StampPolicy | None = None,
    batch: int = 5000,
) -> VerifyReport:
    """Verify chains (all, or one municipality's), signed heads, evidence and files.

    ``key_path`` locates the heads file and, when ``trust`` is None, the public key
    beside the signing key; no private key is read.
    """
    report = VerifyReport()
    municipality_id: int | None = None
    if municipality_code is not None:
        municipality_id = lookup.municipality(session, municipality_code, field="--municipality").id
    heads_list, sig_problems = heads_to_check(
        session, key_path=key_path, chain=municipality_code, trust=trust
    )
    report.problems.extend(Problem("контрольные точки", p) for p in sig_problems)
    if stamps is not None:
        check = StampCheck([], [], [])
        check_head_stamps(key_path, heads_list, stamps, check)
        report.problems.extend(Problem("метки времени", p) for p in check.problems)
        report.warnings.extend(check.warnings)
        report.stamps.extend(check.times)
    # The database and the heads file hold a copy of each checkpoint: count each once.
    report.checkpoints = len({(h.chain, h.seq, h.hash) for h in heads_list})
    heads = {(h.chain, h.seq): h.hash for h in heads_list}
    # Several heads may sign the same (chain, seq); a mismatch between them is a problem too.
    for h in heads_list:
        if heads[(h.chain, h.seq)] != h.hash:
            report.problems.append(
                Problem(
                    f"цепочка {h.chain}",
                    f"контрольные точки для записи №{h.seq} расходятся ({h.source})",
                )
            )
    logged: dict[int, bytes] = {}
    closed: dict[int, str | None] = {}
    verify_chains(
        session,
        report,
        chain=municipality_code,
        heads=heads,
        logged=logged,
        closed=closed,
        batch=batch,
    )
    verify_evidence(
        session, report, municipality_id=municipality_id, logged=logged, evidence_root=evidence_root
    )
    verify_deleted_evidence(report, logged)
    verify_steps(session, report, municipality_id=municipality_id, closed=closed)
    return report


def verify_chain(session: Session, *, chain: str) -> VerifyReport:
    """Links and hashes of one chain only (``ok``, ``entries``, ``problems``).

    The full check — signed checkpoints, evidence rows and files — is :func:`verify`.
    """
    report = VerifyReport()
    verify_chains(session, report, chain=chain, heads={}, logged={})
    return report
