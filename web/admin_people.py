"""``/admin/people``: list, add, disable and invite people (issue 14).

Administrators manage everyone; a МОЦ head manages the МОЦ heads and the
organisations' contacts of their own municipality. Every decision is the
scope's (web/access.py): ``scope.people`` filters, ``scope.person`` /
``scope.organisation`` / ``scope.municipality`` find a row or answer 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlmodel import Session, col

from domain.errors import ConflictError, InputError, SoczakazError
from domain.vocabulary import ROLE_RU
from models import Municipality, Organisation, Person, Role
from web import admin_common as common
from web.access import Forbidden, Scope
from web.auth_pages import send_link
from web.auth_sessions import revoke_sessions
from web.auth_tokens import revoke_feeds, revoke_tokens
from web.deps import app_now, app_settings, get_scope, get_session

router = APIRouter(include_in_schema=False)
NEEDS_MUNICIPALITY = (Role.moc_head, Role.auditor)
LIST_LIMIT = 500  # past this the page asks to choose a municipality


def _rows(session: Session, scope: Scope, code: str | None) -> list[dict[str, Any]]:
    stmt = scope.people(select(Person))
    if code:
        m = scope.municipality(session, code)
        in_orgs = select(col(Organisation.id)).where(col(Organisation.municipality_id) == m.id)
        stmt = stmt.where(
            (col(Person.municipality_id) == m.id) | col(Person.organisation_id).in_(in_orgs)
        )
    people = list(
        session.execute(stmt.order_by(col(Person.full_name)).limit(LIST_LIMIT + 1)).scalars()
    )
    munis = {m.id: m.name for m in session.execute(select(Municipality)).scalars()}
    org_ids = {p.organisation_id for p in people if p.organisation_id}
    orgs = {
        o.id: o.name
        for o in session.execute(select(Organisation).where(col(Organisation.id).in_(org_ids)))
        .scalars()
        .all()
    }
    return [
        {
            "id": p.id,
            "name": p.full_name,
            "role": ROLE_RU.get(str(p.role), "—"),
            "municipality": munis.get(p.municipality_id, "—"),
            "organisation": orgs.get(p.organisation_id, "—"),
            "email": p.email or "—",
            "disabled": p.disabled_at is not None,
            "password": p.password_hash is not None,
            "me": p.id == scope.person_id,
            "can_invite": bool(p.notify),
        }
        for p in people
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
    rows = _rows(session, scope, code)
    chosen = next((m.id for m in munis if m.code == code), None) if code else None
    context = {
        "scope": scope,
        "people": rows[:LIST_LIMIT],
        "truncated": len(rows) > LIST_LIMIT,
        "code": code or "",
        "municipalities": munis,
        "organisations": common.organisations(session, scope, chosen),
        "muni_names": {m.id: m.name for m in munis},
        "roles": [(r.value, ROLE_RU[r.value]) for r in scope.assignable_roles],
        "form": form or {},
        "error": error,
        "notice": common.notice(request.query_params.get("ok")),
    }
    return common.render_admin(request, "people.html", context, status_code=status_code)


@router.get("/admin/people", response_class=HTMLResponse)
def people_page(
    request: Request,
    m: str | None = None,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    scope.require_manage()
    return _page(request, session, scope, code=m)


def _new_person(session: Session, scope: Scope, form: dict[str, str]) -> Person:
    try:
        role = Role(form["role"])
    except ValueError:
        raise InputError("Роль: выберите роль из списка") from None
    if role not in scope.assignable_roles:
        raise Forbidden(f"вы не можете назначать роль «{ROLE_RU[role.value]}»")
    name = common.clean_name(form["full_name"], "ФИО")
    email = common.clean_email(form["email"])
    taken = session.execute(
        select(col(Person.id)).where(func.lower(col(Person.email)) == email.lower())
    ).first()
    if taken is not None:
        raise ConflictError(f"Электронная почта: адрес {email} уже есть у другого человека")
    # The channel "email" of the settings with this person's address (no credential here).
    person = Person(full_name=name, role=role, email=email, notify=[f"email:{email}"])
    if role is Role.org_contact:
        if not form["organisation"].isdigit():
            raise InputError("Организация: для роли «организация» выберите организацию")
        org = scope.organisation(session, int(form["organisation"]))
        person.organisation_id, person.municipality_id = org.id, org.municipality_id
    elif role in NEEDS_MUNICIPALITY:
        if not form["municipality"]:
            raise InputError(f"Муниципалитет: обязателен для роли «{ROLE_RU[role.value]}»")
        muni = scope.municipality(session, form["municipality"])
        person.municipality_id = muni.id
        if role is Role.auditor:
            person.auditor_municipality_ids = [int(muni.id or 0)]
    session.add(person)
    session.flush()
    return person


@router.post("/admin/people", response_model=None)
def add_person(
    request: Request,
    full_name: str = Form(""),
    role: str = Form(""),
    municipality: str = Form(""),
    organisation: str = Form(""),
    email: str = Form(""),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> Response:
    scope.require_manage()
    form = {
        "full_name": full_name,
        "role": role,
        "municipality": municipality,
        "organisation": organisation,
        "email": email,
    }
    try:
        _new_person(session, scope, form)
    except (InputError, ConflictError) as exc:
        session.rollback()
        code = 409 if isinstance(exc, ConflictError) else 422
        return _page(request, session, scope, form=form, error=exc.message, status_code=code)
    session.commit()
    return RedirectResponse("/admin/people?ok=added", status_code=303)


@router.post("/admin/people/{person_id}/disable", response_model=None)
def disable_person(
    request: Request,
    person_id: int,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> Response:
    scope.require_manage()
    person = scope.person(session, person_id)
    if person.id == scope.person_id:
        raise InputError("Свою учётную запись отключить нельзя")
    now = app_now(request)
    if person.disabled_at is None:
        person.disabled_at = now
        session.add(person)
        revoke_sessions(session, person_id, now)
        revoke_tokens(session, person_id, now)
        revoke_feeds(session, person_id, now)
        session.commit()
    return RedirectResponse("/admin/people?ok=disabled", status_code=303)


@router.post("/admin/people/{person_id}/invite", response_model=None)
def invite_person(
    request: Request,
    person_id: int,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> Response:
    """The same invitation ``roadmap person invite`` sends (a sign-in link, via the outbox)."""
    scope.require_manage()
    person = scope.person(session, person_id)
    if person.disabled_at is not None:
        raise InputError("Учётная запись отключена: приглашение не отправляется")
    settings = app_settings(request)
    try:
        n = send_link(
            session, person, "/", settings.base_url, app_now(request), settings, invite=True
        )
    except SoczakazError:
        session.rollback()
        raise
    session.commit()
    return RedirectResponse(f"/admin/people?ok={'invited' if n else 'no-email'}", status_code=303)
