"""Request dependencies (session, authenticated scope) and error mapping."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from domain.errors import ConflictError, NotFoundError, SoczakazError, TransitionError
from models.people import TokenScope
from models.settings import Settings
from web.access import Forbidden, NotVisible, Scope, build_scope
from web.auth_sessions import COOKIE, session_for_cookie
from web.auth_tokens import grant_for_token

# Name of the old token cookie: never read any more (kept so that older imports load).
TOKEN_COOKIE = "soczakaz_token"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Unauthenticated(Exception):
    """No credential, or one that is unknown, expired or revoked (HTTP 401)."""

    def __init__(self, message: str = "нужен вход: войдите по ссылке из письма") -> None:
        super().__init__(message)
        self.message = message


def app_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


async def request_now(request: Request) -> datetime:
    """``app_now`` as a dependency that runs in the event loop: the clock does no I/O, and
    a plain ``def`` dependency costs a worker-thread round trip per request (issue 19)."""
    return app_now(request)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Opening one does no I/O (it connects on first use, in the
    endpoint's thread), so it opens in the event loop; only the close (a rollback and
    the return of the connection to the pool) goes to a worker thread. A plain ``def``
    generator, plus ``Depends(app_engine)``, cost three round trips per request (#19)."""
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        await run_in_threadpool(session.close)


async def submitted_csrf(request: Request) -> str:
    """The CSRF token of a state-changing request: header, else the form field."""
    if request.method in SAFE_METHODS:
        return ""
    header = request.headers.get(CSRF_HEADER, "")
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def _same_origin(request: Request, settings: Settings) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers send Origin on every cross-origin POST; Sec-Fetch-Site confirms.
        return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    own = {str(request.base_url).rstrip("/"), settings.base_url.rstrip("/")}
    return origin.rstrip("/") in own


def get_scope(
    request: Request,
    session: Session = Depends(get_session),
    csrf: str = Depends(submitted_csrf),
) -> Scope:
    """THE authorization decision point of the web app (deny by default).

    Credentials: a personal access token in ``Authorization: Bearer`` (API,
    scripts) or the signed session cookie (browser). Never the URL. Writes
    need a write-scoped token, or a cookie plus the session's CSRF token and
    a same-origin request. The scope then filters every read.
    """
    now = app_now(request)
    if "token" in request.query_params:
        raise Unauthenticated("токен в адресе не принимается: войдите по ссылке из письма")
    auth = request.headers.get("authorization", "")
    unsafe = request.method not in SAFE_METHODS
    if auth:
        if not auth.lower().startswith("bearer "):
            raise Unauthenticated("ожидается заголовок Authorization: Bearer <токен>")
        grant = grant_for_token(session, auth[7:].strip(), now)
        if grant is None:
            raise Unauthenticated("токен доступа неизвестен, отозван или истёк")
        if unsafe and grant.scope is not TokenScope.write:
            raise Forbidden("токен только для чтения: изменения недоступны")
        person = grant.person
    else:
        found = session_for_cookie(session, request.cookies.get(COOKIE, ""), now)
        if found is None:
            raise Unauthenticated()
        person, row = found
        request.state.csrf = row.csrf
        request.state.session_id = row.id
        if unsafe and not _same_origin(request, app_settings(request)):
            raise Forbidden("запрос с чужого сайта отклонён")
        if unsafe and not (csrf and hmac.compare_digest(csrf, row.csrf)):
            raise Forbidden("форма устарела: обновите страницу и повторите")
    scope = build_scope(session, person)
    request.state.scope = scope
    return scope


def error_items(exc: SoczakazError) -> list[dict[str, Any]]:
    """One item per message line, located at the field the error names (``field=``)."""
    return [
        {"loc": _loc(p.field), "msg": p.text, "type": type(exc).__name__} for p in exc.located()
    ]


def _loc(field: str | None) -> list[str]:
    if field is None:
        return ["body"]
    if field == "file":
        return ["body", "file"]
    return ["body", "fields", field]


def status_for(exc: SoczakazError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError | TransitionError):
        return 409
    return 422


def api_error(exc: Exception) -> Response:
    if isinstance(exc, Unauthenticated):
        return JSONResponse(
            {"detail": exc.message},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if isinstance(exc, Forbidden):
        return JSONResponse({"detail": exc.message}, status_code=403)
    if isinstance(exc, NotVisible):
        return JSONResponse({"detail": exc.message}, status_code=404)
    assert isinstance(exc, SoczakazError)
    return JSONResponse(
        {"detail": error_items(exc), "message": exc.message, "details": exc.details},
        status_code=status_for(exc),
    )
