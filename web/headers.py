"""Security headers on every response, and an access log that never prints secrets."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
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


class SecurityHeaders:
    """Plain ASGI middleware (issue 19): the headers are added to the response start
    message as it passes; no task group or body stream per request, unlike
    ``@app.middleware("http")``. The same headers and the same precedence (an endpoint's
    own value wins, except ``Cache-Control`` on private pages)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                # Swagger UI starts itself with one inline script: allowed on /docs only.
                h.setdefault("Content-Security-Policy", DOCS_CSP if path == "/docs" else CSP)
                h.setdefault("X-Content-Type-Options", "nosniff")
                h.setdefault("X-Frame-Options", "DENY")
                # same-origin, not no-referrer: with no-referrer Chromium sends "Origin:
                # null" on our own form POSTs, and the CSRF origin check would refuse them.
                h.setdefault("Referrer-Policy", "same-origin")
                if not path.startswith(PUBLIC_PREFIXES):
                    h["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
