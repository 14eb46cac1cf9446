"""CSRF for the sign-in forms, before any session exists (issue 14).

The sign-in page sets a signed random value in an HttpOnly, SameSite=Strict
cookie and puts the same value in its forms (``csrf_field()`` reads
``request.state.csrf``). A sign-in POST must bring both, equal and validly
signed, from our own origin; otherwise another site could sign a visitor in
under an account of its choosing (login CSRF) or send links in their name.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from web.auth_sessions import server_key
from web.deps import _same_origin, app_settings

LOGIN_CSRF_COOKIE = "soczakaz_login_csrf"
LOGIN_CSRF_SECONDS = 2 * 3600
STALE_FORM = "Форма входа устарела: обновите страницу и попробуйте ещё раз."


def _serializer(session: Session) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server_key(session), salt="soczakaz-login-csrf")


def _valid(session: Session, value: str) -> bool:
    if not value:
        return False
    try:
        _serializer(session).loads(value, max_age=LOGIN_CSRF_SECONDS)
    except BadSignature:
        return False
    return True


def prepare_login_csrf(request: Request, session: Session) -> str:
    """The token for this visitor's sign-in forms (kept if still valid, else new)."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = (
        current
        if _valid(session, current)
        else _serializer(session).dumps(secrets.token_urlsafe(16))
    )
    request.state.csrf = token
    return token


def set_login_csrf_cookie(request: Request, response: Response, token: str) -> None:
    secure = app_settings(request).base_url.startswith("https://") or (
        request.url.scheme == "https"
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_SECONDS,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )


def login_csrf_ok(request: Request, session: Session, submitted: str) -> bool:
    """A sign-in POST from our own page: same origin, cookie and form field agree."""
    if not _same_origin(request, app_settings(request)):
        return False
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not (cookie and submitted and hmac.compare_digest(cookie, submitted)):
        return False
    return _valid(session, cookie)
