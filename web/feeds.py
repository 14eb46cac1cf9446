"""iCal feeds per municipality and per organisation (open steps as all-day events)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy import select
from sqlmodel import Session, col

from domain.vocabulary import KIND_RU, STATUS_RU
from models import Step
from models.roadmap import OPEN_STATUSES
from models.settings import Settings
from web.access import Scope, build_scope
from web.auth_tokens import feed_grant
from web.deps import Unauthenticated, app_settings, get_scope, get_session
from web.ical import CalendarEvent, render_calendar

router = APIRouter(prefix="/ical", tags=["ical"])

OPEN_VALUES = [s.value for s in OPEN_STATUSES]


def _events(steps: Iterable[Step], base_url: str) -> list[CalendarEvent]:
    out = []
    for s in steps:
        label = f"{s.title} ({s.period})" if s.period else s.title
        what = f"{KIND_RU.get(s.kind, s.kind)}; статус: {STATUS_RU.get(s.status, s.status)}"
        out.append(
            CalendarEvent(
                uid=f"step-{s.id}@soczakaz",
                day=s.due_date,
                summary=label,
                description=f"{what}; срок — конец дня {s.due_date:%d.%m.%Y} ({s.timezone})",
                url=f"{base_url.rstrip('/')}/steps/{s.id}",
                stamp=s.status_changed_at,
                categories=KIND_RU.get(s.kind, s.kind),
            )
        )
    return out


def _ics(name: str, steps: Iterable[Step], settings: Settings, filename: str) -> Response:
    body = render_calendar(name, _events(steps, settings.base_url))
    return Response(
        body.encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/municipality/{code}.ics")
def municipality_feed(
    code: str,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    settings: Settings = Depends(app_settings),
) -> Response:
    m = scope.municipality(session, code)
    steps = session.execute(
        scope.steps(select(Step).where(col(Step.municipality_id) == m.id))
        .where(col(Step.status).in_(OPEN_VALUES))
        .order_by(col(Step.due_date), col(Step.id))
    ).scalars()
    return _ics(f"Дорожная карта: {m.name}", steps, settings, f"{m.code}.ics")


@router.get("/organisation/{org_id}.ics")
def organisation_feed(
    org_id: int,
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
    settings: Settings = Depends(app_settings),
) -> Response:
    org = scope.organisation(session, org_id)
    steps = session.execute(
        scope.steps(select(Step).where(col(Step.organisation_id) == org.id))
        .where(col(Step.status).in_(OPEN_VALUES))
        .order_by(col(Step.due_date), col(Step.id))
    ).scalars()
    return _ics(f"Сроки: {org.short_name or org.name}", steps, settings, f"org-{org.id}.ics")


@router.get("/s/{secret}.ics")
def secret_feed(
    secret: str,
    session: Session = Depends(get_session),
    settings: Settings = Depends(app_settings),
) -> Response:
    """A feed by its read-only secret (calendar apps cannot send headers)."""
    found = feed_grant(session, secret)
    if found is None:
        raise Unauthenticated("ссылка на календарь неизвестна или отозвана")
    person, feed = found
    scope = build_scope(session, person)
    kind, _, key = feed.partition(":")
    if kind == "municipality":
        return municipality_feed(key, scope, session, settings)
    if kind == "organisation" and key.isdigit():
        return organisation_feed(int(key), scope, session, settings)
    raise Unauthenticated("ссылка на календарь неизвестна или отозвана")
