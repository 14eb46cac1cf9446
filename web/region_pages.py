"""Pages of the regional view (РМЦ), the НОК page of a municipality, XLSX export."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlmodel import Session, col

from domain.errors import NotFoundError
from domain.vocabulary import REVIEW_STATE_RU
from models import Organisation, Programme, ReviewCase
from models.review import ReviewCampaign, ReviewState
from web import regional
from web.access import Scope
from web.deps import app_now, get_scope, get_session
from web.region_charts import funnel
from web.region_export import workbook
from web.region_table import (
    PAGE_SIZE,
    QUERY_MAX,
    page_links,
    parse_page,
    region_query,
    region_table,
)
from web.row_html import region_row

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["Регион (РМЦ)"])
S = ReviewState
# НОК funnel: a case counts in every stage it has reached.
FUNNEL: tuple[tuple[str, frozenset[str]], ...] = (
    ("Подано заявок", frozenset(s.value for s in S if s is not S.DRAFT)),
    (
        "Прошли формальную проверку",
        frozenset(s.value for s in S if s not in (S.DRAFT, S.SUBMITTED, S.FORMALLY_REJECTED)),
    ),
    (
        "Положительное заключение",
        frozenset({"POSITIVE", "COUNCIL_DECISION", "REGIONAL_STAGE", "IN_REGISTER"}),
    ),
    ("Включено в реестр", frozenset({"IN_REGISTER"})),
)


def funnel_stages(states: list[str]) -> list[tuple[str, int]]:
    return [(label, sum(1 for s in states if s in members)) for label, members in FUNNEL]


def _render(request: Request, name: str, ctx: dict[str, Any]) -> HTMLResponse:
    from web.pages import render

    return render(request, name, ctx)


@router.get("/region", response_class=HTMLResponse)
def region_index(
    request: Request, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> HTMLResponse:
    return _render(
        request, "regions.html", {"scope": scope, "regions": regional.regions(session, scope)}
    )


def _rows(
    request: Request,
    session: Session,
    scope: Scope,
    name: str,
    now: dt.datetime,
    sort: str,
    desc: bool,
) -> list[regional.RegionRow]:
    """The region's rows, reused for the overview cache's TTL (cleared by writes here)."""
    cache = request.app.state.overview_cache
    key = ("region", name, scope.cache_key, now.date())
    rows: list[regional.RegionRow] = cache.get(
        key, lambda: regional.region_rows(session, scope, name, now=now, year=now.year)
    )
    if not rows:
        raise NotFoundError(f"Регион «{name}» не найден или недоступен")
    return regional.sort_rows(rows, sort, desc)


@router.get("/region/{name}", response_class=HTMLResponse)
def region_page(
    request: Request,
    name: str,
    sort: str = Query("late", pattern="^(" + "|".join(regional.SORTS) + ")$"),
    desc: int = Query(1, ge=0, le=1),
    q: str = "",
    page: str | None = None,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    now: dt.datetime = Depends(app_now),
) -> Response:
    """One page of the region's municipalities (web/region_table.py); a page number that is
    not one (``abc``, ``0``, past the last page) redirects to the nearest page there is."""
    q = q.strip()[:QUERY_MAX]
    asked = parse_page(page)

    def build() -> tuple[int, str]:
        table = region_table(
            session, scope, name, now=now, year=now.year, sort=sort, desc=bool(desc), q=q,
            page=asked or 1, size=PAGE_SIZE,
        )  # fmt: skip
        if table is None:
            raise NotFoundError(f"Регион «{name}» не найден или недоступен")
        html = request.app.state.templates.get_template("region.html").render(
            {
                "request": request,
                "scope": scope,
                "name": name,
                "t": table,
                "sort": sort,
                "desc": desc,
                "q": q,
                "buckets": regional.BUCKET_TITLES,
                "rows_html": Markup(
                    "".join(region_row(r, regional.BUCKET_TITLES) for r in table.rows)
                ),
                "links": page_links(table.page, table.pages),
                "qs": region_query,
                "first": (table.page - 1) * PAGE_SIZE + 1,
            }
        )
        return table.page, str(html)

    key = ("region-html", name, scope.cache_key, now.date(), sort, desc, q, asked or 1)
    shown, html = request.app.state.overview_cache.get(key, build)
    if asked != shown:
        return RedirectResponse("?" + region_query(sort, desc, q, page=shown), status_code=303)
    return HTMLResponse(html)


@router.get("/region/{name}/export.xlsx")
def region_xlsx(
    request: Request,
    name: str,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    now: dt.datetime = Depends(app_now),
) -> Response:
    rows = _rows(request, session, scope, name, now, "late", True)
    filename = f"Регион — {name} — {now:%d.%m.%Y}.xlsx"
    return Response(
        workbook(rows),
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@router.get("/m/{code}/nok", response_class=HTMLResponse)
def nok_page(
    request: Request,
    code: str,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    m = scope.municipality(session, code)
    cases = session.execute(
        scope.review_cases(
            select(
                ReviewCase,
                col(Programme.title),
                col(Organisation.short_name),
                col(Organisation.name),
                col(ReviewCampaign.title),
            )
            .join(Programme, col(Programme.id) == col(ReviewCase.programme_id))
            .join(Organisation, col(Organisation.id) == col(Programme.organisation_id))
        )
        .where(col(ReviewCampaign.municipality_id) == m.id)
        .order_by(col(ReviewCase.id))
    ).all()
    states = [c[0].state.value for c in cases]
    counts = {REVIEW_STATE_RU[s.value]: states.count(s.value) for s in S if s.value in states}
    return _render(
        request,
        "nok.html",
        {
            "scope": scope,
            "m": m,
            "cases": cases,
            "counts": counts,
            "funnel": funnel(funnel_stages(states)),
        },
    )


@api.get(
    "/regions/{name}",
    summary="Муниципалитеты региона для РМЦ",
    description="По каждому видимому муниципалитету региона: шагов всего и выполнено, "
    "просрочено и распределение просрочки по рабочим дням (1–5, 6–10, 11–20, более 20), "
    "наибольшая просрочка, охват детей к плану за год, заявки НОК (всего, в реестре, "
    "отклонено) и время последней записи журнала.",
)
def region_api(
    request: Request,
    name: str,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    now: dt.datetime = Depends(app_now),
) -> list[dict[str, Any]]:
    rows = _rows(request, session, scope, name, now, "late", True)
    return [
        {
            "code": r.code,
            "name": r.name,
            "timezone": r.timezone,
            "total": r.total,
            "done": r.done,
            "percent_done": r.percent_done,
            "overdue": r.overdue,
            "late_working_days": dict(zip(regional.BUCKET_TITLES, r.heat, strict=True)),
            "max_late_working_days": r.max_late,
            "coverage_target": r.target,
            "coverage_actual": r.actual,
            "coverage_percent": r.coverage,
            "nok_total": r.nok_total,
            "nok_in_register": r.nok_register,
            "nok_rejected": r.nok_rejected,
            "last_activity": r.last_activity.isoformat() if r.last_activity else None,
        }
        for r in rows
    ]
