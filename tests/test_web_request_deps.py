"""Worker-thread round trips per request (issue 19).

FastAPI runs every plain ``def`` dependency in a worker thread: a round trip through
the thread pool per dependency and request, which a loaded two-core server feels in
its p95. The list pages keep the one that reads the database (the scope) and nothing
else; the session opens in the event loop (it closes in a thread), the clock runs in
the event loop and still is the app's clock.
"""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path
from typing import Any

from fastapi import Depends
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from models.settings import Settings
from web import api, pages
from web.app import create_app
from web.deps import get_scope, get_session, request_now


def _calls(dependant: Any) -> list[Any]:
    out = []
    for d in dependant.dependencies:
        out.append(d.call)
        out += _calls(d)
    return out


def _sync_dependencies(router: Any, path: str) -> set[str]:
    route = next(r for r in router.routes if isinstance(r, APIRoute) and r.path == path)
    return {
        c.__name__
        for c in _calls(route.dependant)
        if not (inspect.iscoroutinefunction(c) or inspect.isasyncgenfunction(c))
    }


def test_list_pages_run_only_database_dependencies_in_threads() -> None:
    wanted = {get_scope.__name__}  # the token or cookie lookup and the scope's reads
    assert inspect.isasyncgenfunction(get_session)
    assert _sync_dependencies(pages.router, "/m/{code}") == wanted
    assert _sync_dependencies(api.router, "/api/municipalities/{code}/steps") == wanted
    assert inspect.iscoroutinefunction(request_now)


def test_request_now_is_the_app_clock(tmp_path: Path) -> None:
    at = dt.datetime(2031, 5, 6, 7, 8, tzinfo=dt.UTC)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", evidence_dir=tmp_path)
    app = create_app(settings, clock=lambda: at)
    seen: list[dt.datetime] = []

    @app.get("/_now")
    async def _now(now: dt.datetime = Depends(request_now)) -> str:
        seen.append(now)
        return now.isoformat()

    with TestClient(app) as c:
        assert c.get("/_now").json() == at.isoformat()
    assert seen == [at]
