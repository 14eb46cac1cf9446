"""Request dependencies (session, authenticated scope) and error mapping."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.errors import ConflictError, NotFoundError, SoczakazError, TransitionError
from models.settings import Settings
from web.access import Forbidden, NotVisible, Scope, build_scope, person_for_token

TOKEN_COOKIE = "soczakaz_token"


class Unauthenticated(Exception):
    """No token, or a token that matches nobody (HTTP 401)."""


def app_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def app_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def get_session(engine: Engine = Depends(app_engine)) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def request_token(request: Request) -> str:
    """Bearer header first, then ``?token=``, then the page cookie."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE) or ""


def get_scope(request: Request, session: Session = Depends(get_session)) -> Scope:
    person = person_for_token(session, request_token(request))
    if person is None:
        raise Unauthenticated()
    return build_scope(session, person)


_FIELD = re.compile(r"поле ([a-z_]+)")


def error_items(exc: SoczakazError) -> list[dict[str, Any]]:
    """One item per message line, with a field path when the line names a field."""
    items = []
    for line in [exc.message, *exc.details]:
        m = _FIELD.search(line)
        if m and m.group(1) == "file":
            loc = ["body", "file"]
        elif m:
            loc = ["body", "fields", m.group(1)]
        else:
            loc = ["body"]
        items.append({"loc": loc, "msg": line, "type": type(exc).__name__})
    return items


def status_for(exc: SoczakazError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError | TransitionError):
        return 409
    return 422


def api_error(exc: Exception) -> Response:
    if isinstance(exc, Unauthenticated):
        return JSONResponse(
            {"detail": "нужен токен доступа (заголовок Authorization: Bearer …)"},
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
