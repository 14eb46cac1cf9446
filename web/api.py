"""JSON API under /api (OpenAPI at /docs): the same data as the pages."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from domain.audit.history import HistoryItem, step_history
from domain.errors import ConflictError
from domain.evidence.store import path_for
from models import AuditEntry, ReviewCase, Step
from models.evidence import EvidencePublic
from models.outbox import OutboxPublic
from models.roadmap import StepKind, StepPublic
from models.settings import Settings
from notifications.channels import mask
from web import detail_queries, overview_queries, queries
from web.access import NotVisible, Scope
from web.actions import complete, parse_fields_json, verify_chain
from web.cache import TTLCache
from web.deps import app_engine, app_now, app_settings, get_scope, get_session
from web.step_json import public_steps_select, steps_response

router = APIRouter(prefix="/api", tags=["api"])

STATUS_PATTERN = "^(open|planned|due_soon|due|overdue|blocked|done|waived)$"


def _audit_public(e: AuditEntry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "chain": e.chain,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "payload": json.loads(e.payload),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def _history_public(i: HistoryItem) -> dict[str, Any]:
    """A history item in the shape of an audit entry (the same keys as ``_audit_public``)."""
    return {
        "seq": i.seq,
        "chain": i.chain,
        "at": i.at.isoformat(),
        "actor": i.actor,
        "action": i.action,
        "entity": i.entity,
        "payload": i.payload,
        "prev_hash": i.prev_hash,
        "hash": i.hash,
    }


def cached_overview(
    request: Request, session: Session, scope: Scope
) -> list[overview_queries.MunicipalitySummary]:
    cache: TTLCache[list[overview_queries.MunicipalitySummary]] = request.app.state.overview_cache
    return cache.get(scope.cache_key, lambda: overview_queries.overview(session, scope))


@router.get("/me")
def me(scope: Scope = Depends(get_scope)) -> dict[str, Any]:
    ids = None if scope.municipality_ids is None else sorted(scope.municipality_ids)
    return {
        "person_id": scope.person_id,
        "role": scope.role.value,
        "actor": scope.actor,
        "municipality_ids": ids,
        "organisation_id": scope.organisation_id,
    }


@router.get("/municipalities")
def municipalities(
    request: Request, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> list[dict[str, Any]]:
    """Municipalities in scope with step counts by status (most overdue first)."""
    return [m.as_dict() for m in cached_overview(request, session, scope)]


@router.get("/municipalities/{code}")
def municipality(
    code: str, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> dict[str, Any]:
    m = scope.municipality(session, code)
    assert m.id is not None
    summary = overview_queries.MunicipalitySummary(m.id, m.code, m.name, m.timezone)
    summary.counts = overview_queries.counts_for(session, scope, m.id)
    return summary.finish().as_dict()


@router.get("/municipalities/{code}/steps", response_model=list[StepPublic])
def municipality_steps(
    code: str,
    status: str | None = Query(None, pattern=STATUS_PATTERN),
    kind: StepKind | None = None,
    owner: str | None = Query(None, pattern=r"^(org:\d+|[a-z_]+)$"),
    limit: int = Query(500, ge=1, le=5000),
    offset: int = Query(0, ge=0),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> Response:
    m = scope.municipality(session, code)
    filters = queries.StepFilters(status=status, kind=kind.value if kind else None, owner=owner)
    base = public_steps_select(session).where(col(Step.municipality_id) == m.id)
    stmt = filters.apply(scope.steps(base))
    stmt = stmt.order_by(col(Step.due_date), col(Step.id)).limit(limit).offset(offset)
    return steps_response(session, stmt)  # the bytes of list[StepPublic] (web/step_json.py)


def _reminder_public(o: Any, settings: Settings) -> dict[str, Any]:
    """An outbox row for the API: the target's credentials masked (issue 14)."""
    row = OutboxPublic.model_validate(o).model_dump(mode="json", exclude={"body_html", "body_text"})
    row["target"] = mask(str(row.get("target", "")), settings, urls=(str(o.target),))
    for key in ("last_error",):
        if row.get(key):
            row[key] = mask(str(row[key]), settings, urls=(str(o.target),))
    return row


@router.get("/steps/{step_id}")
def step_detail(
    step_id: int,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    settings: Settings = Depends(app_settings),
) -> dict[str, Any]:
    step = scope.step(session, step_id)
    return {
        "step": StepPublic.model_validate(step).model_dump(mode="json"),
        "can_complete": scope.can_complete(step),
        "evidence": [
            EvidencePublic.model_validate(e).model_dump(mode="json")
            for e in detail_queries.step_evidence(session, step)
        ],
        "reminders": [
            _reminder_public(o, settings) for o in detail_queries.step_reminders(session, step)
        ],
        "history": [_history_public(i) for i in step_history(session, step_id=step_id)],
    }


@router.post("/steps/{step_id}/complete", response_model=EvidencePublic)
def complete_api(
    request: Request,
    step_id: int,
    fields: str = Form(
        "{}", description='JSON-объект полей подтверждения, напр. {"act_number": "№233"}'
    ),
    file: UploadFile | None = File(None),
    scope: Scope = Depends(get_scope),
    engine: Engine = Depends(app_engine),
    settings: Settings = Depends(app_settings),
    now: dt.datetime = Depends(app_now),
) -> Any:
    """Complete a step with typed evidence and an optional file (multipart)."""
    parsed = parse_fields_json(fields)
    data = file.file.read() if file is not None else None
    name = file.filename if file is not None else None
    ev = complete(
        engine,
        scope,
        step_id=step_id,
        fields=parsed,
        file_bytes=data,
        file_name=name,
        settings=settings,
        now=now,
    )
    request.app.state.overview_cache.clear()
    return EvidencePublic.model_validate(ev)


@router.get("/evidence/{evidence_id}/file")
def evidence_file(
    evidence_id: int,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    settings: Settings = Depends(app_settings),
) -> FileResponse:
    """Download the stored file of an evidence (content-addressed store)."""
    ev = scope.evidence(session, evidence_id)
    path = path_for(settings.evidence_dir, ev.file_sha256) if ev.file_sha256 else None
    if path is None or not path.exists():
        raise NotVisible(f"у подтверждения с id={evidence_id} нет файла")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != ev.file_sha256:
        raise ConflictError(f"файл подтверждения id={evidence_id} повреждён: SHA-256 не совпадает")
    return FileResponse(
        path,
        media_type=ev.content_type or "application/octet-stream",
        filename=ev.file_name or f"evidence-{evidence_id}",
    )


@router.get("/organisations/{org_id}/steps", response_model=list[StepPublic])
def organisation_steps(
    org_id: int, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> list[Step]:
    return detail_queries.organisation_steps(session, scope, scope.organisation(session, org_id))


def _audit_query(
    q: str | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> detail_queries.AuditQuery:
    return detail_queries.AuditQuery(q=q, since=since, until=until)


@router.get("/municipalities/{code}/audit")
def audit(
    code: str,
    query: detail_queries.AuditQuery = Depends(_audit_query),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Audit entries of a municipality, newest first (search and dates in its zone)."""
    m = scope.municipality(session, code)
    return [_audit_public(e) for e in detail_queries.audit_entries(session, scope, m, query)]


@router.get("/municipalities/{code}/audit/verify")
def audit_verify(
    code: str,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    settings: Settings = Depends(app_settings),
) -> dict[str, Any]:
    m = scope.municipality(session, code)
    scope.require_audit()
    check = verify_chain(session, m.code, settings)
    return {
        "chain": m.code,
        "ok": check.ok,
        "entries": check.entries,
        "message": check.message,
        "problems": check.problems,
    }


@router.get("/municipalities/{code}/audit.csv")
def audit_csv(
    code: str,
    query: detail_queries.AuditQuery = Depends(_audit_query),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> Response:
    """Export of the (filtered) audit log as CSV, UTF-8 with BOM for Excel."""
    m = scope.municipality(session, code)
    query.limit = 1_000_000
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["seq", "at", "actor", "action", "entity", "payload", "prev_hash", "hash"])
    for e in reversed(detail_queries.audit_entries(session, scope, m, query)):
        w.writerow(
            [e.seq, e.at.isoformat(), e.actor, e.action, e.entity, e.payload, e.prev_hash, e.hash]
        )
    return Response(
        "\ufeff" + buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{m.code}.csv"'},
    )


@router.get("/review/cases")
def review_cases(
    scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> list[dict[str, Any]]:
    """Review cases in scope (experts: the cases assigned to them)."""
    rows = session.execute(
        scope.review_cases(select(ReviewCase)).order_by(col(ReviewCase.id))
    ).scalars()
    return [
        {
            "id": c.id,
            "campaign_id": c.campaign_id,
            "programme_id": c.programme_id,
            "round": c.round,
            "state": c.state.value,
        }
        for c in rows
    ]
