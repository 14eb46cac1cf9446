"""``/admin/organisations``: the organisations of a manager's municipalities (issue 14).

Adding one goes through ``domain.records.organisations.add_organisation`` (the
same rules and audit entry as ``roadmap organisation add``); the form's own
checks come first so that every message names a field of this page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlmodel import Session, col

from domain.errors import ConflictError, InputError
from domain.records import organisations as orgs
from domain.records.labels import ORG_KIND_RU
from models import Person
from models.core import OrganisationKind
from web import admin_common as common
from web.access import Scope
from web.deps import app_now, get_scope, get_session

router = APIRouter(include_in_schema=False)


def _rows(session: Session, scope: Scope, code: str | None) -> list[dict[str, Any]]:
    muni_id = scope.municipality(session, code).id if code else None
    found = common.organisations(session, scope, muni_id)
    codes = {m.id: m.code for m in common.municipalities(session, scope)}
    contacts: dict[int | None, int] = dict(
        session.execute(  # type: ignore[arg-type]
            select(col(Person.organisation_id), func.count())
            .where(col(Person.organisation_id).in_([o.id for o in found]))
            .where(col(Person.disabled_at).is_(None))
            .group_by(col(Person.organisation_id))
        ).all()
    )
    return [
        {
            "id": o.id,
            "name": o.name,
            "short_name": o.short_name,
            "code": o.code,
            "kind": ORG_KIND_RU.get(o.kind, "—"),
            "inn": o.inn or "—",
            "navigator": o.in_navigator,
            "municipality_id": o.municipality_id,
            "muni_code": codes.get(o.municipality_id, ""),
            "contacts": int(contacts.get(o.id, 0)),
        }
        for o in found
    ]


def _page(
    request: Request,
    session: Session,
    scope: Scope,
    *,
    code: str | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    munis = common.municipalities(session, scope)
    context = {
        "scope": scope,
        "orgs": _rows(session, scope, code),
        "code": code or "",
        "municipalities": munis,
        "muni_names": {m.id: m.name for m in munis},
        "kinds": [(k.value, ORG_KIND_RU[k]) for k in OrganisationKind],
        "form": form or {},
        "error": error,
        "notice": common.notice(request.query_params.get("ok")),
    }
    return common.render_admin(request, "organisations.html", context, status_code=status_code)


@router.get("/admin/organisations", response_class=HTMLResponse)
def organisations_page(
    request: Request,
    m: str | None = None,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    scope.require_manage()
    return _page(request, session, scope, code=m)


def _check(form: dict[str, str]) -> None:
    code = form["code"].strip()
    if not code or len(code) > 64 or not all(c.isalnum() or c in "-_" for c in code):
        raise InputError(
            "Краткий код: латинские буквы, цифры и дефис без пробелов, например ddt-center"
        )
    common.clean_name(form["name"], "Полное название")
    inn = form["inn"].strip()
    if inn and not (inn.isdigit() and len(inn) in (10, 12)):
        raise InputError(f"ИНН: 10 или 12 цифр, получено «{inn}»")
    if form["kind"] not in {k.value for k in OrganisationKind}:
        raise InputError("Тип: выберите тип организации из списка")
    if not form["municipality"]:
        raise InputError("Муниципалитет: выберите муниципалитет")


@router.post("/admin/organisations", response_model=None)
def add_organisation(
    request: Request,
    municipality: str = Form(""),
    code: str = Form(""),
    name: str = Form(""),
    short_name: str = Form(""),
    kind: str = Form("school"),
    inn: str = Form(""),
    in_navigator: str = Form(""),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> Response:
    scope.require_manage()
    form = {
        "municipality": municipality,
        "code": code,
        "name": name,
        "short_name": short_name,
        "kind": kind,
        "inn": inn,
        "in_navigator": in_navigator,
    }
    try:
        _check(form)
        muni = scope.municipality(session, municipality)
        assert muni.id is not None
        orgs.add_organisation(
            session,
            municipality_id=muni.id,
            code=code,
            name=" ".join(name.split()),
            kind=kind,
            short_name=short_name,
            inn=inn,
            in_navigator=bool(in_navigator),
            actor=scope.actor,
            now=app_now(request),
        )
    except (InputError, ConflictError) as exc:
        session.rollback()
        status = 409 if isinstance(exc, ConflictError) else 422
        return _page(request, session, scope, form=form, error=exc.message, status_code=status)
    session.commit()
    target = f"/admin/organisations?m={quote(municipality, safe='')}&ok=org-added"
    return RedirectResponse(target, status_code=303)
