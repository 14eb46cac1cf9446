"""Verification of the audit log: chains, signed heads, evidence rows and files.

The chain is streamed in ``(chain, seq)`` order (server-side cursor on PostgreSQL,
``yield_per``), so memory stays bounded whatever the log size. Each entry is
checked against the *stored* hash of its predecessor, so one altered entry is
reported once, at the place where it was altered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from domain.audit.checkpoint import heads_to_check
from domain.audit.head_stamps import StampPolicy, check_head_stamps
from domain.audit.log import GENESIS_HASH, canonical, entry_hash
from domain.audit.timestamp import StampCheck
from domain.audit.trust import Trust
from domain.content_store import hash_file, path_for
from domain.errors import NotFoundError
from models import AuditEntry, Evidence, Municipality, Step

EVIDENCE_ACTIONS = ("step.completed", "evidence.superseded")
# Status a step must have after each logged action (None: open again).
STEP_CLOSING: dict[str, str | None] = {
    "step.completed": "done",
    "evidence.superseded": "done",
    "step.waived": "waived",
    "step.reopened": None,
}
# Evidence columns that must equal what the log recorded when the evidence was given.
LOGGED_FIELDS = (
    "step_id",
    "kind",
    "act_type",
    "act_number",
    "act_date",
    "issuer",
    "url",
    "recipient",
    "data",
    "file_sha256",
    "file_size",
    "file_name",
    "effective_date",
    "submitted_at",
)


def fingerprint(values: dict[str, Any]) -> bytes:
    """16 bytes standing for the logged fields of one evidence (memory: O(evidence))."""
    picked = {name: values.get(name) for name in LOGGED_FIELDS}
    return hashlib.sha256(canonical(picked).encode()).digest()[:16]


def _row_values(ev: Evidence) -> dict[str, Any]:
    return {name: json.loads(canonical(getattr(ev, name))) for name in LOGGED_FIELDS}


def _which_field(session: Session, ev: Evidence, row: dict[str, Any]) -> str:
    """Rare path: find the logged payload again and name the first differing field."""
    t = AuditEntry.__table__.c  # type: ignore[attr-defined]
    needle = f'%"evidence_id":{ev.id},%'
    payload = session.execute(
        select(t.payload)
        .where(t.action.in_(EVIDENCE_ACTIONS), t.payload.like(needle))
        .order_by(t.seq.desc())
    ).scalar()
    logged = json.loads(payload) if payload else {}
    for name in LOGGED_FIELDS:
        if logged.get(name) != row[name]:
            return f"поле {name} отличается от журнала"
    return "строка отличается от журнала"


@dataclass(frozen=True)
class Problem:
    where: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.why}"


@dataclass
class VerifyReport:
    entries: int = 0
    chains: int = 0
    evidence: int = 0
    files: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a missing time stamp (policy warn)
    stamps: list[str] = field(default_factory=list)  # verified time stamps of signed heads

    @property
    def ok(self) -> bool:
        return not self.problems


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


def verify_evidence(
    session: Session,
    report: VerifyReport,
    *,
    municipality_id: int | None,
    logged: dict[int, bytes],
    evidence_root: Path,
) -> None:
    """Every evidence row must be logged as given, and its file must hash as recorded."""
    stmt = select(Evidence).order_by(Evidence.id)  # type: ignore[arg-type]
    if municipality_id is not None:
        stmt = stmt.where(Evidence.municipality_id == municipality_id)  # type: ignore[arg-type]
    seen_files: dict[str, bool] = {}
    for ev in session.scalars(stmt, execution_options={"yield_per": 1000}):
        report.evidence += 1
        where = f"подтверждение id={ev.id} (шаг id={ev.step_id})"
        expected = logged.pop(ev.id, None)  # type: ignore[arg-type]
        if expected is None:
            report.problems.append(
                Problem(where, "нет записи в журнале: строка добавлена в обход журнала")
            )
        elif expected != fingerprint(row := _row_values(ev)):
            report.problems.append(Problem(where, _which_field(session, ev, row)))
        if ev.file_sha256 is None:
            continue
        if ev.file_sha256 not in seen_files:
            path = path_for(evidence_root, ev.file_sha256)
            if not path.exists():
                report.problems.append(Problem(where, f"файл {ev.file_name} ({path}) отсутствует"))
                seen_files[ev.file_sha256] = False
                continue
            seen_files[ev.file_sha256] = hash_file(path) == ev.file_sha256
            report.files += 1
            if not seen_files[ev.file_sha256]:
                report.problems.append(
                    Problem(where, f"файл {ev.file_name} ({path}) изменён: SHA-256 не совпадает")
                )


def verify_steps(
    session: Session,
    report: VerifyReport,
    *,
    municipality_id: int | None,
    closed: dict[int, str | None],
) -> None:
    """A step is done/waived in the database exactly when the log says so."""
    t = Step.__table__.c  # type: ignore[attr-defined]
    stmt = select(t.id, t.key, t.period, t.status).order_by(t.id)
    if municipality_id is not None:
        stmt = stmt.where(t.municipality_id == municipality_id)
    for r in session.execute(stmt, execution_options={"yield_per": 5000}):
        status = str(getattr(r.status, "value", r.status))
        logged = closed.get(r.id)
        is_closed = status in ("done", "waived")
        if (is_closed or logged is not None) and status != logged:
            where = f"шаг «{r.key} {r.period}".rstrip() + f"» (id={r.id})"
            why = (
                f"статус «{status}» в базе, а по журналу «{logged or 'открыт'}»: "
                "статус изменён в обход журнала"
            )
            report.problems.append(Problem(where, why))


def verify_deleted_evidence(report: VerifyReport, logged: dict[int, bytes]) -> None:
    """Evidence the log recorded but whose row is gone (``logged`` holds the leftovers)."""
    for evidence_id in sorted(logged):
        report.problems.append(
            Problem(f"подтверждение id={evidence_id}", "записано в журнале, но строки нет: удалено")
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
        code_col = Municipality.__table__.c.code  # type: ignore[attr-defined]
        m = session.scalars(select(Municipality).where(code_col == municipality_code)).first()
        if m is None:
            raise NotFoundError(f"муниципалитет «{municipality_code}» не найден")
        municipality_id = m.id
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
