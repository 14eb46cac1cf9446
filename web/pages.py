"""Server-rendered dashboard pages (Jinja2, Russian)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2.filters import do_urlencode
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from domain.audit.history import step_history
from domain.errors import SoczakazError
from domain.evidence.fields import LABELS
from models import IndicatorValue, StepKind, StepStatus
from models.settings import Settings
from web import detail_queries, queries
from web import region_charts as charts
from web.access import Scope
from web.actions import complete, verify_chain
from web.api import STATUS_PATTERN, cached_overview
from web.audit_view import chain_state, in_words
from web.deps import (
    app_engine,
    app_now,
    app_settings,
    error_items,
    get_scope,
    get_session,
    request_now,
    status_for,
)
from web.forms import (
    errors_by_field,
    fields_from_form,
    file_required,
    form_fields,
    missing_evidence,
)
from web.municipality_rows import late_rows, plan_rows
from web.municipality_view import municipality_view
from web.region_pages import api as region_api
from web.region_pages import router as region_router
from web.region_words import install_filters
from web.row_html import overview_row

router = APIRouter(include_in_schema=False)
# Built once (SQLAlchemy keeps a statement's cache key): a municipality's indicators of a year.
INDICATORS = select(
    col(IndicatorValue.period), col(IndicatorValue.target), col(IndicatorValue.actual)
).where(
    col(IndicatorValue.municipality_id) == bindparam("m"),
    col(IndicatorValue.year) == bindparam("y"),
)
AUDIT_PAGE = 100
router.include_router(region_router)
# pages.router is mounted without a schema; the regional JSON joins the documented API here.
api_router = region_api
__all__ = ["api_router", "html_with_token", "install_filters", "render", "router"]


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a template (private pages are never cached: see web.headers)."""
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, name, context, status_code=status_code
    )
    return response


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Trivial endpoint: the benchmark's baseline on the same server."""
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> HTMLResponse:
    def page() -> str:
        rows = cached_overview(request, session, scope)
        template = request.app.state.templates.get_template("overview.html")
        ctx = {"request": request, "scope": scope, "rows": rows, "overview_row": overview_row}
        return str(template.render(ctx))

    # Thousands of rows take ~100 ms to render: the page is reused for the cache's TTL.
    return html_with_token(
        request, request.app.state.overview_cache.get(("overview-html", scope.cache_key), page)
    )


def html_with_token(request: Request, html: str) -> HTMLResponse:
    """An already rendered page (sign-in and its cookies are handled by web.auth*);
    a cached page gets this session's CSRF token in its forms (issue 14)."""
    from web.auth_pages import with_csrf

    return HTMLResponse(with_csrf(request, html))


@router.get("/m/{code}", response_class=HTMLResponse)
def municipality(
    request: Request,
    code: str,
    status: str | None = Query(None, pattern="^$|" + STATUS_PATTERN),
    kind: str | None = Query(None, pattern="^$|^(" + "|".join(StepKind) + ")$"),
    owner: str | None = Query(None, pattern=r"^$|^(org:\d+|[a-z_]+)$"),
    sort: str = Query("due", pattern="^(" + "|".join(queries.SORTS) + ")$"),
    page: int = Query(1, ge=1, le=100_000),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    now: dt.datetime = Depends(request_now),
) -> HTMLResponse:
    m = scope.municipality(session, code)
    filters = queries.StepFilters(status=status or None, kind=kind or None, owner=owner or None)
    view = municipality_view(session, scope, m, filters=filters, now=now, sort=sort, page=page)
    base = {k: v for k, v in (("status", status), ("kind", kind), ("owner", owner)) if v}
    rows = [r for _, month in view.months for r in month]
    # Per-row strings computed once per page rather than once per row (issue 19):
    # the template's own filter and macro, so the text is the same.
    status_qs = {s.value: do_urlencode(dict(base, status=s.value)) for s in StepStatus}
    page_qs = {
        n: do_urlencode(dict(base, sort=view.sort, page=n)) for n in range(1, view.pages + 1)
    }
    who = request.app.state.templates.env.get_template("_status.html").module.who
    people = {x.person for x in view.late} | set(view.people.values())
    whos = {p: who(p) for p in people}
    filters_ = request.app.state.templates.env.filters
    # core rows: a read, nothing to flush
    values = session.connection().execute(INDICATORS, {"m": m.id, "y": view.today.year}).all()
    return render(
        request,
        "municipality.html",
        {
            "scope": scope,
            "v": view,
            "filters": filters,
            "base": base,
            "progress": charts.progress_year(rows, view.today.year, view.today),
            "coverage": charts.coverage_quarters(values),
            "statuses": list(StepStatus),
            "kinds": list(StepKind),
            "status_qs": status_qs,
            "page_qs": page_qs,
            "whos": whos,
            "plan_html": plan_rows(view.plan, view.organisations, status_qs, filters_),
            "late_html": late_rows(view.late, whos, filters_),
        },
    )


def _step_context(session: Session, scope: Scope, step_id: int) -> dict[str, Any]:
    step = scope.step(session, step_id)
    from models import Municipality, Organisation

    return {
        "scope": scope,
        "step": step,
        "municipality": session.get(Municipality, step.municipality_id),
        "organisation": session.get(Organisation, step.organisation_id)
        if step.organisation_id
        else None,
        "evidence": detail_queries.step_evidence(session, step),
        "reminders": detail_queries.step_reminders(session, step),
        "history": step_history(session, step_id=step_id),
        "can_complete": scope.can_complete(step) and step.status not in ("done", "waived"),
        "form_fields": form_fields(step),
        "file_required": file_required(step),
        "errors": {},
        "general_errors": [],
        "values": {},
        "missing": missing_evidence(step.kind, list(step.evidence_required)),
        "people": queries.responsible_people(session, step.municipality_id),
        "dependencies": detail_queries.dependency_links(session, step),
        "field_labels": LABELS,
    }


@router.get("/steps/{step_id}", response_class=HTMLResponse)
def step_page(
    request: Request,
    step_id: int,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    return render(request, "step.html", _step_context(session, scope, step_id))


@router.post("/steps/{step_id}/complete", response_class=HTMLResponse)
async def step_complete(
    request: Request,
    step_id: int,
    scope: Scope = Depends(get_scope),
    engine: Engine = Depends(app_engine),
    settings: Settings = Depends(app_settings),
    now: dt.datetime = Depends(app_now),
) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    data: bytes | None = None
    name: str | None = None
    if upload is not None and not isinstance(upload, str) and upload.filename:
        data = await upload.read()
        name = upload.filename

    def run() -> Response:
        with Session(engine) as session:
            step = scope.step(session, step_id)
            fields = fields_from_form(step, values)
        try:
            complete(
                engine,
                scope,
                step_id=step_id,
                fields=fields,
                file_bytes=data,
                file_name=name,
                settings=settings,
                now=now,
            )
        except SoczakazError as exc:
            with Session(engine) as session:
                ctx = _step_context(session, scope, step_id)
            ctx["errors"], ctx["general_errors"] = errors_by_field(error_items(exc))
            ctx["values"] = values
            return render(request, "step.html", ctx, status_code=status_for(exc))
        request.app.state.overview_cache.clear()
        return RedirectResponse(f"/steps/{step_id}?done=1", status_code=303)

    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(run)


@router.get("/audit/{code}", response_class=HTMLResponse)
def audit_page(
    request: Request,
    code: str,
    q: str | None = None,
    since: str | None = Query(None, pattern=r"^$|^\d{4}-\d{2}-\d{2}$"),
    until: str | None = Query(None, pattern=r"^$|^\d{4}-\d{2}-\d{2}$"),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    settings: Settings = Depends(app_settings),
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    m = scope.municipality(session, code)
    query = detail_queries.AuditQuery(
        q=q or None,
        since=dt.date.fromisoformat(since) if since else None,
        until=dt.date.fromisoformat(until) if until else None,
        limit=AUDIT_PAGE + 1,  # one more tells whether a next page exists
        offset=(page - 1) * AUDIT_PAGE,
    )
    found = detail_queries.audit_entries(session, scope, m, query)
    entries = [in_words(e) for e in found[:AUDIT_PAGE]]
    more = len(found) > AUDIT_PAGE
    filters = {k: v for k, v in (("q", q), ("since", since), ("until", until)) if v}
    check = verify_chain(session, m.code, settings)
    assert m.id is not None
    state = chain_state(session, m.code, m.id, settings.audit_signing_key, settings=settings)
    return render(
        request,
        "audit.html",
        {
            "scope": scope,
            "m": m,
            "entries": entries,
            "query": query,
            "check": check,
            "state": state,
            "qs": request.url.query,
            "page": page,
            "more": more,
            "filters": filters,
        },
    )


@router.get("/org/{org_id}", response_class=HTMLResponse)
def organisation_page(
    request: Request,
    org_id: int,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    now: dt.datetime = Depends(app_now),
) -> HTMLResponse:
    org = scope.organisation(session, org_id)
    steps = detail_queries.organisation_steps(session, scope, org)
    from domain.roadmap.deadlines import local_date
    from models import Municipality

    m = session.get(Municipality, org.municipality_id)
    assert m is not None
    today = local_date(now, m.timezone)
    people = queries.responsible_people(session, m.id or 0)
    week = today + dt.timedelta(days=7)
    open_ = [s for s in steps if s.status not in ("done", "waived", "overdue", "blocked")]
    return render(
        request,
        "organisation.html",
        {
            "scope": scope,
            "org": org,
            "m": m,
            "today": today,
            "late": queries.late_steps(steps, today, people),
            "week": [s for s in open_ if s.due_date <= week],
            "blocked": [s for s in steps if s.status == "blocked"],
            "later": [s for s in open_ if s.due_date > week],
            "closed": [s for s in steps if s.status in ("done", "waived")],
            "contact": people.get(f"org:{org.id}"),
        },
    )
