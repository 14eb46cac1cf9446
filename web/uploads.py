"""Request bodies are guarded before they are read (issue 14).

* a state-changing request with no credential at all, or with an unknown,
  revoked or expired bearer token, is answered 401 before its body is read
  (nothing reaches memory or disk);
* a declared ``Content-Length`` over the limit is answered 413 at once;
* a body that grows past the limit while streaming is cut off with 413.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_LIMIT = 50 * 1024 * 1024
OPEN_PATHS = ("/login", "/auth/")


class _TooLarge(Exception):
    pass


async def _live_token(scope: Scope, raw: bytes) -> bool:
    """Whether a bearer token is known, live and its person enabled (authentication only;
    what it may do is decided by web.deps.get_scope / web.access)."""
    from sqlmodel import Session
    from starlette.concurrency import run_in_threadpool

    from web.auth_tokens import grant_for_token

    app = scope.get("app")
    state: Any = getattr(app, "state", None)
    engine = getattr(state, "engine", None)
    if engine is None:
        return True  # not our app: leave the decision to the endpoint
    token = raw.decode("latin-1").strip()

    def check() -> bool:
        with Session(engine) as session:
            grant = grant_for_token(session, token, state.clock())
            return grant is not None

    return await run_in_threadpool(check)


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class UploadGuard:
    def __init__(self, app: ASGIApp, limit: int = DEFAULT_LIMIT) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope["headers"])
        path: str = scope["path"]
        cookie = headers.get(b"cookie", b"")
        if (
            not path.startswith(OPEN_PATHS)
            and b"authorization" not in headers
            and (b"soczakaz_session=" not in cookie)
        ):
            await _answer(send, 401, "нужен вход: войдите по ссылке из письма")
            return
        bearer = headers.get(b"authorization", b"")
        if bearer[:7].lower() == b"bearer " and not await _live_token(scope, bearer[7:]):
            # A wrong token is refused before its body is read, like no token at all.
            await _answer(send, 401, "токен доступа неизвестен, отозван или истёк")
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _answer(send, 413, f"файл больше допустимого ({self.limit // 2**20} МБ)")
            return
        seen = 0
        too_large = False
        answered = False
        message_413 = f"файл больше допустимого ({self.limit // 2**20} МБ)"

        async def limited_receive() -> Message:
            nonlocal seen, too_large
            if too_large:
                raise _TooLarge()
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_large = True
                    raise _TooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # Past the limit, whatever the app answers (FastAPI turns the cut-off body
            # into a 400 "error parsing the body") is replaced by one 413.
            nonlocal answered
            if too_large:
                if not answered and message["type"] == "http.response.start":
                    answered = True
                    await _answer(send, 413, message_413)
                return
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            pass
        if too_large and not answered:
            await _answer(send, 413, message_413)


def limit_of(settings: Any) -> int:
    """``SOCZAKAZ_UPLOAD_LIMIT_BYTES`` (default 50 MB)."""
    return int(getattr(settings, "upload_limit_bytes", DEFAULT_LIMIT))
