"""Sign-in pages: e-mail link request, link landing, sign out (here / everywhere)."""

from __future__ import annotations

import datetime as dt
import hashlib

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from models import Person
from models.people import LoginAttempt
from notifications.channels import channel_of
from notifications.outbox import enqueue
from web.access import Scope
from web.auth_csrf import STALE_FORM, login_csrf_ok, prepare_login_csrf, set_login_csrf_cookie
from web.auth_links import consume_link, login_link, safe_next
from web.auth_sessions import COOKIE, SESSION_HOURS, revoke_sessions, start_session
from web.deps import app_engine, app_now, app_settings, get_scope, get_session

router = APIRouter(include_in_schema=False)

MAX_ATTEMPTS = 5
WINDOW = dt.timedelta(minutes=15)


_CSRF_VALUE = 'name="csrf_token" value="'


def with_csrf(request: Request, html: str) -> str:
    """Put the current session's CSRF token into a page rendered for someone else.

    A split on the literal, not a regex: the overview of a region is megabytes long."""
    token = getattr(request.state, "csrf", "")
    parts = html.split(_CSRF_VALUE)
    out = [parts[0]]
    for part in parts[1:]:
        end = part.find('"')
        out.append(_CSRF_VALUE + (token + part[end:] if end >= 0 else part))
    return "".join(out)


def _page(
    request: Request,
    context: dict[str, object],
    status_code: int = 200,
    *,
    session: Session | None = None,
) -> HTMLResponse:
    """The sign-in page, with a fresh login-CSRF token for its forms."""
    from web.pages import render

    if session is None:
        with Session(app_engine(request)) as own:
            token = prepare_login_csrf(request, own)
            own.commit()  # the server key, when this is the first page ever signed
    else:
        token = prepare_login_csrf(request, session)
        session.commit()
    response = render(request, "login.html", {"scope": None, **context}, status_code=status_code)
    set_login_csrf_cookie(request, response, token)
    return response


def _key(text: str) -> str:
    return hashlib.sha256(text.strip().lower().encode("utf-8")).hexdigest()


def _limited(session: Session, keys: list[str], now: dt.datetime) -> bool:
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < now - WINDOW))
    n = session.execute(
        select(func.count()).select_from(LoginAttempt).where(col(LoginAttempt.key_sha256).in_(keys))
    ).scalar_one()
    return int(n) >= MAX_ATTEMPTS


@router.get("/login", response_class=HTMLResponse)
def login(
    request: Request, next: str = "/", session: Session = Depends(get_session)
) -> HTMLResponse:
    return _page(request, {"next": safe_next(next)}, session=session)


@router.post("/login", response_class=HTMLResponse)
def request_link(
    request: Request,
    email: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form(""),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    """Send a one-time link to the person with this e-mail (the answer never says who exists)."""
    if not login_csrf_ok(request, session, csrf_token):
        return _page(
            request, {"next": safe_next(next), "message": STALE_FORM}, 403, session=session
        )
    now = app_now(request)
    settings = app_settings(request)
    client = request.client.host if request.client else "?"
    keys = [_key("email:" + email), _key("ip:" + client)]
    if _limited(session, keys, now):
        session.commit()
        return _page(
            request,
            {
                "next": safe_next(next),
                "message": "Слишком много попыток входа. Попробуйте через 15 минут.",
            },
            429,
            session=session,
        )
    for k in keys:
        session.add(LoginAttempt(key_sha256=k, at=now))
    person = (
        session.execute(
            select(Person).where(func.lower(col(Person.email)) == email.strip().lower())
        )
        .scalars()
        .first()
        if email.strip()
        else None
    )
    if person is not None and person.disabled_at is None and person.id is not None:
        send_link(session, person, safe_next(next), settings.base_url, now, settings)
    session.commit()
    return _page(request, {"next": safe_next(next), "sent": True}, session=session)


INVITE_DAYS = 3


def send_link(
    session: Session,
    person: Person,
    next_path: str,
    base_url: str,
    now: dt.datetime,
    settings: object,
    *,
    invite: bool = False,
) -> int:
    """Queue a sign-in link to every e-mail channel of a person (through the outbox).

    An invitation (``invite=True``, from the admin page) stays valid for
    :data:`INVITE_DAYS` days: it is read when the person gets to it, not at once.
    """
    assert person.id is not None
    minutes = INVITE_DAYS * 24 * 60 if invite else 15
    url = login_link(session, person.id, next_path, base_url=base_url, now=now, minutes=minutes)
    if invite:
        subject, kind = "Приглашение в soczakaz", "invite"
        text = (
            f"Здравствуйте, {person.full_name}!\n\nВас пригласили в панель дорожных карт "
            f"soczakaz. Ссылка для первого входа (действует {INVITE_DAYS} дня, один раз):\n"
            f"{url}\n\nПотом входите по ссылке из письма на странице входа или задайте "
            "пароль в своей учётной записи."
        )
    else:
        subject, kind = "Вход в soczakaz", "signin"
        text = (
            f"Здравствуйте, {person.full_name}!\n\nСсылка для входа в панель soczakaz "
            f"(действует 15 минут, один раз):\n{url}\n\nЕсли вы не запрашивали вход, "
            "просто удалите это письмо."
        )
    sent = 0
    for i, target in enumerate(person.notify):
        if channel_of(target, settings) != "email":  # type: ignore[arg-type]
            continue
        sent += enqueue(
            session,
            dedupe_key=f"{kind}:{person.id}:{now.isoformat()}:{i}",
            municipality_id=person.municipality_id,
            step_id=None,
            person_id=person.id,
            rule="sign_in",
            channel="email",
            target=target,
            subject=subject,
            body_text=text,
            body_html="",
            body_short=subject,
            not_before=now,
        )
    return sent


@router.get("/auth/link/{token}")
def open_link(request: Request, token: str, session: Session = Depends(get_session)) -> Response:
    """The link from the e-mail: sign in (once) and go to the page it was made for."""
    now = app_now(request)
    link = consume_link(session, token, now)
    person = session.get(Person, link.person_id) if link else None
    if link is None or person is None or person.disabled_at is not None:
        session.commit()
        return _page(
            request,
            {
                "next": "/",
                "message": "Ссылка для входа недействительна: "
                "она уже использована или истекла. Запросите новую.",
            },
            400,
            session=session,
        )
    cookie, _ = start_session(session, link.person_id, now)
    session.commit()
    response = RedirectResponse(safe_next(link.next_path), status_code=303)
    set_session_cookie(request, response, cookie)
    return response


def set_session_cookie(request: Request, response: Response, cookie: str) -> None:
    secure = app_settings(request).base_url.startswith("https://") or (
        request.url.scheme == "https"
    )
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )


@router.post("/logout")
def logout(
    request: Request, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> Response:
    only = getattr(request.state, "session_id", None)
    if only is not None:
        revoke_sessions(session, scope.person_id, app_now(request), only=only)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/logout/everywhere")
def logout_everywhere(
    request: Request, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> Response:
    revoke_sessions(session, scope.person_id, app_now(request))
    session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
