"""Security headers on every response, and an access log that never prints secrets."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
PUBLIC_PREFIXES = ("/static/", "/healthz", "/docs", "/openapi.json", "/docs-assets/")

_SECRET_PATH = re.compile(r"(/auth/link/|/auth/step/|/ical/s/)[^/\s?\"]+")
_SECRET_QUERY = re.compile(r"([?&](?:token|secret|key|password|apikey)=)[^&\s\"]+", re.I)


def redact(text: str) -> str:
    """A request line without the secrets a URL might carry."""
    return _SECRET_QUERY.sub(r"\1***", _SECRET_PATH.sub(r"\1***", text))


class RedactAccessLog(logging.Filter):
    """uvicorn.access filter: the path argument is redacted before formatting."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_access_log_filter() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactAccessLog) for f in logger.filters):
        logger.addFilter(RedactAccessLog())


def install_security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        h = response.headers
        # Swagger UI starts itself with one inline script: allowed on /docs only.
        docs = request.url.path == "/docs"
        h.setdefault(
            "Content-Security-Policy",
            CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'") if docs else CSP,
        )
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on
        # our own form POSTs, and the CSRF origin check would refuse them.
        h.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(PUBLIC_PREFIXES):
            h["Cache-Control"] = "no-store"
        return response
