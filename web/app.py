"""The FastAPI application factory: dashboard pages, JSON API, iCal feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pendulum
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup
from sqlalchemy.engine import Engine

from domain.errors import SoczakazError
from domain.vocabulary import KIND_RU, ROLE_RU, STATUS_RU
from models.db import make_engine
from models.settings import Settings
from web import admin_orgs, admin_people, api, auth_pages, auth_password, feeds, pages, step_links
from web.access import Forbidden, NotVisible
from web.cache import TTLCache
from web.deps import CSRF_FIELD, Unauthenticated, api_error, error_items, status_for
from web.docs import install_docs
from web.headers import install_access_log_filter, install_security_headers
from web.uploads import UploadGuard, limit_of

HERE = Path(__file__).parent

MONTHS_GEN = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
MONTHS_NOM = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
]


@lru_cache(maxsize=4096)
def ru_date(value: dt.date | None) -> str:
    if value is None:
        return "—"
    return f"{value.day} {MONTHS_GEN[value.month - 1]} {value.year} г."


def ru_month(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS_NOM[int(month) - 1]} {year}"


def local_time(value: dt.datetime | None, tz: str = "Europe/Moscow") -> str:
    if value is None:
        return "—"
    local = pendulum.instance(value).in_timezone(tz)
    return f"{ru_date(local.date())}, {local:%H:%M} ({tz})"


def _templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    t.env.filters.update(
        ru_date=ru_date,
        ru_month=ru_month,
        local_time=local_time,
        status_ru=lambda s: STATUS_RU.get(s, s),
        kind_ru=lambda k: KIND_RU.get(k, k),
        role_ru=lambda r: ROLE_RU.get(r, r),
    )
    t.env.globals.update(
        status_names=STATUS_RU, kind_names=KIND_RU, role_names=ROLE_RU, csrf_field=csrf_field
    )
    pages.install_filters(t.env)  # words for every code (web/region_words.py)
    return t


@pass_context
def csrf_field(context: Any) -> Markup:
    """The hidden CSRF input of the signed-in session (empty value without a session)."""
    request = context.get("request")
    token = getattr(request.state, "csrf", "") if request is not None else ""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)


def create_app(
    settings: Settings,
    *,
    engine: Engine | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """A new app bound to ``settings`` (its own engine unless one is given)."""
    app = FastAPI(
        docs_url=None,  # served from local assets by web.docs (offline)
        redoc_url=None,
        title="soczakaz: дорожные карты социального заказа",
        description="Дорожные карты социального заказа МОЦ: панель и JSON API.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    app.state.clock = clock or (lambda: dt.datetime.now(dt.UTC))
    app.state.templates = _templates()
    app.state.overview_cache = TTLCache[list[Any]](settings.web_overview_cache_seconds)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(auth_pages.router)
    app.include_router(step_links.router)  # /auth/step/<signed> (reminder links)
    app.include_router(auth_password.router)
    app.include_router(admin_people.router)
    app.include_router(admin_orgs.router)
    app.include_router(pages.router)
    app.include_router(pages.api_router)  # /api/regions/{name} (web/region_pages.py)
    install_docs(app)
    install_security_headers(app)
    app.add_middleware(UploadGuard, limit=limit_of(settings))
    install_access_log_filter()

    def is_page(request: Request) -> bool:
        path = request.url.path
        return not (path.startswith("/api") or path.startswith("/ical"))

    def page_error(request: Request, code: int, message: str, items: list[str]) -> Response:
        if code == 401:  # the sign-in page, with its login-CSRF token (web/auth_csrf.py)
            return auth_pages._page(request, {"next": "/", "message": message}, 401)
        return pages.render(
            request,
            "error.html",
            {"scope": None, "code": code, "message": message, "items": items},
            status_code=code,
        )

    async def on_error(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return api_error(exc)
        if isinstance(exc, Unauthenticated):
            if request.method == "GET":
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            return page_error(request, 401, exc.message, [])
        if isinstance(exc, Forbidden | NotVisible):
            code = 403 if isinstance(exc, Forbidden) else 404
            return page_error(request, code, exc.message, [])
        assert isinstance(exc, SoczakazError)
        return page_error(
            request, status_for(exc), exc.message, [i["msg"] for i in error_items(exc)][1:]
        )

    for exc_type in (Unauthenticated, Forbidden, NotVisible, SoczakazError):
        app.add_exception_handler(exc_type, on_error)
    return app
