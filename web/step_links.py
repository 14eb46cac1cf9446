"""The landing of reminder links: ``GET /auth/step/<signed>`` (issue 14).

The link (``notifications.links``) says "open step S for person P". Its first
visit records the nonce (hashed, in ``magic_link``), signs P in and answers 303
with the clean ``/steps/S``: the token never outlives that one request line,
which the access log masks (``web.headers.redact``). A used or expired link, or
a disabled person, leads to ``/steps/S`` without signing in — the step page asks
for sign-in and comes back (``/login?next=/steps/S``). A tampered link (another
step, another person) fails the signature and is refused with 400.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from models import Person
from models.people import MagicLink
from models.settings import Settings
from notifications.links import (
    STEP_LINK_DAYS,
    STEP_LINK_PREFIX,
    StepGrant,
    StepLinks,
    grant_of,
    link_key,
)
from web.auth_sessions import start_session
from web.auth_tokens import digest
from web.deps import app_now, app_settings, get_session

__all__ = ["STEP_LINK_PREFIX", "consume_grant", "router", "step_link"]

router = APIRouter(include_in_schema=False)


def step_link(
    session: Session,
    settings: Settings,
    person_id: int,
    step_id: int,
    *,
    now: dt.datetime,
    days: int = STEP_LINK_DAYS,
) -> str:
    """The signed link that opens ``/steps/<step_id>`` for ``person_id``."""
    return StepLinks(link_key(session, settings), settings.base_url, now, days).url(
        person_id, step_id
    )


def consume_grant(session: Session, grant: StepGrant, now: dt.datetime) -> bool:
    """Record the first use of a live link; False when expired or already used."""
    if grant.expires_at <= now:
        return False
    key = digest(f"step-link:{grant.nonce}")
    used = session.execute(
        select(col(MagicLink.id)).where(col(MagicLink.token_sha256) == key)
    ).first()
    if used is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                MagicLink(
                    person_id=grant.person_id,
                    token_sha256=key,
                    next_path=f"/steps/{grant.step_id}",
                    created_at=now,
                    expires_at=grant.expires_at,
                    used_at=now,
                )
            )
    except IntegrityError:  # a concurrent first use won
        return False
    return True


@router.get("/auth/step/{token}")
def open_step_link(
    request: Request, token: str, session: Session = Depends(get_session)
) -> Response:
    """Sign the recipient in (first use) and go to the clean step URL."""
    from web.auth_pages import _page, set_session_cookie

    now = app_now(request)
    grant = grant_of(session, app_settings(request), token)
    if grant is None:
        session.commit()
        return _page(
            request,
            {"next": "/", "message": "Ссылка из напоминания повреждена. Войдите по e-mail."},
            400,
        )
    target = f"/steps/{grant.step_id}"
    person = session.get(Person, grant.person_id)
    fresh = person is not None and person.disabled_at is None
    if fresh and consume_grant(session, grant, now):
        cookie, _ = start_session(session, grant.person_id, now)
        session.commit()
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(request, response, cookie)
        return response
    # Used, expired or disabled: the step page itself asks for sign-in and comes back.
    session.commit()
    return RedirectResponse(target, status_code=303)
