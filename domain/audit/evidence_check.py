"""Evidence rows, evidence files and step statuses against what the audit log recorded.

Part of ``roadmap audit verify`` (:mod:`domain.audit.verify`): while the chains are
streamed, each evidence action leaves a 16-byte fingerprint of the logged fields and each
closing action the status the step must have; these functions then compare the tables.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from domain.audit.log import canonical
from domain.audit.report import Problem, VerifyReport
from domain.content_store import hash_file, path_for
from models import AuditEntry, Evidence, Step

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
