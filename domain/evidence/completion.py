"""Completing, superseding, re-opening and waiving steps, with typed evidence.

Each function works inside the caller's transaction: validate everything first,
then store the file, write the Evidence row, change the step and append to the
audit log. A validation error raises :class:`EvidenceError` before anything is
written (no row, no file). Nothing is ever deleted: re-opening keeps the evidence,
and newer evidence marks the older one ``superseded_by_id``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, select

from domain.audit import log as audit_log
from domain.errors import ConflictError, EvidenceError, InputError, NotFoundError
from domain.evidence.fields import FILE_REQUIRED, validate_fields
from domain.evidence.store import CheckedFile, check_file, remember_new_file, store
from domain.roadmap.deadlines import local_date
from domain.vocabulary import AuditAction
from models import Evidence, Step, StepStatus
from models.roadmap import CLOSED_STATUSES
from models.settings import Settings


def _step(session: Session, step_id: int) -> Step:
    step = session.get(Step, step_id)
    if step is None:
        raise NotFoundError(f"шаг с id={step_id} не найден")
    return step


def _label(step: Step) -> str:
    return f"{step.key} {step.period}".strip()


def current_evidence(session: Session, step_id: int) -> Evidence | None:
    """The step's latest evidence that has not been superseded."""
    return session.exec(
        select(Evidence)
        .where(Evidence.step_id == step_id, Evidence.superseded_by_id.is_(None))  # type: ignore[union-attr]
        .order_by(Evidence.id.desc())  # type: ignore[union-attr]
    ).first()


def _build_evidence(
    session: Session,
    step: Step,
    *,
    fields: dict[str, Any],
    file_bytes: bytes | None,
    file_name: str | None,
    actor: str,
    settings: Settings,
    now: dt.datetime,
) -> tuple[Evidence, CheckedFile | None]:
    """Validate fields and file (no writes) and build the unsaved Evidence row."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    if not actor.strip():
        raise InputError("не указан автор действия (--actor)")
    label = _label(step)
    required = list(step.evidence_required)
    model, extras = validate_fields(step.kind, fields, required=required, step_label=label)
    today = local_date(now, step.timezone)
    effective = model.effective_date()
    if effective is not None and effective > today:
        field = next(n for n, v in model.model_dump().items() if v == effective)
        raise EvidenceError(
            f"подтверждение шага «{label}» не принято: поле {field}: дата {effective} "
            f"ещё не наступила (сегодня {today} по времени муниципалитета)",
            field=field,
        )
    file_needed = "file" in required if required else step.kind in FILE_REQUIRED
    checked: CheckedFile | None = None
    if file_bytes is not None:
        checked = check_file(file_bytes, file_name or "file", max_bytes=settings.evidence_max_bytes)
    elif file_needed:
        raise EvidenceError(
            f"подтверждение шага «{label}» не принято: поле file (файл): "
            "приложите подписанный документ (--file)",
            field="file",
        )
    columns = {"act_type", "act_number", "act_date", "issuer", "url", "recipient"}
    dumped = model.model_dump(mode="json", exclude_none=True)
    typed = model.model_dump(exclude_none=True)
    evidence = Evidence(
        step_id=step.id,  # type: ignore[arg-type]
        municipality_id=step.municipality_id,
        kind=step.kind.value,
        **{k: typed[k] for k in columns if k in typed},
        data={**{k: v for k, v in dumped.items() if k not in columns}, **extras},
        file_sha256=checked.sha256 if checked else None,
        file_size=checked.size if checked else None,
        file_name=checked.name if checked else None,
        content_type=checked.content_type if checked else None,
        effective_date=effective or today,
        submitted_at=now,
        submitted_by=actor,
    )
    return evidence, checked


def _save(
    session: Session, evidence: Evidence, checked: CheckedFile | None, data: bytes | None, root: Any
) -> None:
    if checked is not None and data is not None:
        path, created = store(root, data, checked)
        if created:
            remember_new_file(session, path)
    session.add(evidence)
    session.flush()


def _evidence_payload(step: Step, ev: Evidence) -> dict[str, Any]:
    return {
        "step_id": step.id,
        "step": step.key,
        "period": step.period,
        "evidence_id": ev.id,
        "kind": ev.kind,
        "act_type": ev.act_type,
        "act_number": ev.act_number,
        "act_date": ev.act_date,
        "issuer": ev.issuer,
        "url": ev.url,
        "recipient": ev.recipient,
        "data": ev.data,
        "file_sha256": ev.file_sha256,
        "file_size": ev.file_size,
        "file_name": ev.file_name,
        "effective_date": ev.effective_date,
        "submitted_at": ev.submitted_at,
    }


def _supersede(session: Session, old: Evidence | None, new: Evidence) -> int | None:
    if old is None:
        return None
    old.superseded_by_id = new.id
    session.add(old)
    return old.id


def complete_step(
    session: Session,
    *,
    step_id: int,
    fields: dict[str, Any],
    file_bytes: bytes | None,
    file_name: str | None,
    actor: str,
    settings: Settings,
    now: dt.datetime,
) -> Evidence:
    """Validate evidence, store its file, mark the step done and log it."""
    step = _step(session, step_id)
    if step.status in CLOSED_STATUSES:
        raise ConflictError(
            f"шаг «{_label(step)}» уже закрыт (статус {step.status.value}); "
            "чтобы заменить подтверждение, используйте --supersede, или откройте шаг заново"
        )
    evidence, checked = _build_evidence(
        session,
        step,
        fields=fields,
        file_bytes=file_bytes,
        file_name=file_name,
        actor=actor,
        settings=settings,
        now=now,
    )
    old = current_evidence(session, step_id)
    _save(session, evidence, checked, file_bytes, settings.evidence_dir)
    previous = _supersede(session, old, evidence)
    was = step.status
    step.status = StepStatus.done
    step.done_at = now
    step.status_changed_at = now
    step.blocked_by = []
    session.add(step)
    payload = _evidence_payload(step, evidence)
    payload.update(previous_status=was.value, supersedes_evidence_id=previous)
    audit_log.append(
        session,
        municipality_id=step.municipality_id,
        actor=actor,
        action=AuditAction.step_completed,
        entity=f"step:{step.id}",
        payload=payload,
        at=now,
    )
    session.flush()
    return evidence


def supersede_evidence(
    session: Session,
    *,
    step_id: int,
    fields: dict[str, Any],
    file_bytes: bytes | None,
    file_name: str | None,
    actor: str,
    settings: Settings,
    now: dt.datetime,
    reason: str,
) -> Evidence:
    """Replace the evidence of a done step; the old row is kept and marked superseded."""
    step = _step(session, step_id)
    if step.status != StepStatus.done:
        raise ConflictError(f"шаг «{_label(step)}» не выполнен: заменять нечего")
    if not reason.strip():
        raise InputError("укажите причину замены подтверждения (--reason)")
    evidence, checked = _build_evidence(
        session,
        step,
        fields=fields,
        file_bytes=file_bytes,
        file_name=file_name,
        actor=actor,
        settings=settings,
        now=now,
    )
    old = current_evidence(session, step_id)
    _save(session, evidence, checked, file_bytes, settings.evidence_dir)
    previous = _supersede(session, old, evidence)
    payload = _evidence_payload(step, evidence)
    payload.update(reason=reason, supersedes_evidence_id=previous)
    audit_log.append(
        session,
        municipality_id=step.municipality_id,
        actor=actor,
        action=AuditAction.evidence_superseded,
        entity=f"step:{step.id}",
        payload=payload,
        at=now,
    )
    session.flush()
    return evidence


def _log_status_change(
    session: Session,
    step: Step,
    *,
    action: str,
    was: StepStatus,
    actor: str,
    now: dt.datetime,
    **extra: Any,
) -> None:
    """Stamp a manual status change on ``step`` and append it to the audit log."""
    step.status_changed_at = now
    session.add(step)
    payload = {
        "step_id": step.id,
        "step": step.key,
        "period": step.period,
        "previous_status": was.value,
        **extra,
    }
    audit_log.append(
        session,
        municipality_id=step.municipality_id,
        actor=actor,
        action=action,
        entity=f"step:{step.id}",
        payload=payload,
        at=now,
    )
    session.flush()


def reopen_step(
    session: Session, *, step_id: int, actor: str, reason: str, now: dt.datetime
) -> Step:
    """Re-open a done or waived step; its evidence stays (superseded on next completion)."""
    step = _step(session, step_id)
    if step.status not in CLOSED_STATUSES:
        raise ConflictError(f"шаг «{_label(step)}» не закрыт (статус {step.status.value})")
    if not reason.strip():
        raise InputError("укажите причину повторного открытия (--reason)")
    was = step.status
    step.status = StepStatus.overdue if step.due_at <= now else StepStatus.planned
    step.done_at = None
    _log_status_change(
        session,
        step,
        action=AuditAction.step_reopened,
        was=was,
        actor=actor,
        now=now,
        status=step.status.value,
        reason=reason,
    )
    return step


def waive_step(
    session: Session, *, step_id: int, actor: str, reason: str, now: dt.datetime
) -> Step:
    """Mark an open step as not applicable this time (with a logged reason)."""
    step = _step(session, step_id)
    if step.status in CLOSED_STATUSES:
        raise ConflictError(f"шаг «{_label(step)}» уже закрыт (статус {step.status.value})")
    if not reason.strip():
        raise InputError("укажите причину отмены шага (--reason)")
    was = step.status
    step.status = StepStatus.waived
    step.blocked_by = []
    _log_status_change(
        session, step, action=AuditAction.step_waived, was=was, actor=actor, now=now, reason=reason
    )
    return step
