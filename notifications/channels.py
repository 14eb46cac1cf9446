"""Delivery of one outbox row through apprise (or the console channel).

Targets are apprise URLs or ``@name`` references resolved against
``Settings.channels`` at send time, so secrets never sit in the database, the
roadmap YAML or the log. A ``Sender`` (one per sender thread) keeps one Apprise object
per channel URL and the HTTP session / SMTP connection under it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from models.settings import Settings
from notifications.targets import addressed, with_address

EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
HEADER_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})
CHANNEL_OF_SCHEME = {
    "mailto": "email",
    "mailtos": "email",
    "json": "webhook",
    "jsons": "webhook",
    "form": "webhook",
    "forms": "webhook",
    "xml": "webhook",
    "xmls": "webhook",
    "tgram": "telegram",
    "console": "console",
}
KINDS = frozenset(CHANNEL_OF_SCHEME.values())
_URL_RE = re.compile(r"\b([a-z][a-z0-9+.-]*)://[^\s'\"<>]+", re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    ok: bool
    error: str = ""


def scheme_of(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else url.lower()


def channel_of(target: str, settings: Settings) -> str:
    """email | webhook | telegram | console | <scheme> (no secret is resolved here)."""
    if target.startswith("@"):
        url = settings.channels.get(target[1:])
        return CHANNEL_OF_SCHEME.get(scheme_of(url), scheme_of(url)) if url else "named"
    pair = addressed(target)
    if pair is not None:
        url = settings.channels.get(pair[0])
        if url:
            return CHANNEL_OF_SCHEME.get(scheme_of(url), scheme_of(url))
        return pair[0] if pair[0] in KINDS else "named"
    scheme = scheme_of(target)
    return CHANNEL_OF_SCHEME.get(scheme, scheme)


_HOST_RE = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?$|^localhost(:\d+)?$")


def _secret_pieces(url: str) -> list[str]:
    """Parts of a channel URL that may carry a secret: userinfo, token hosts, path, query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    pieces = [url, parts.path, parts.query, parts.password or "", parts.username or ""]
    host = parts.netloc.rsplit("@", 1)[-1]
    if not _HOST_RE.match(host):
        pieces.append(host)
    return sorted((p for p in pieces if len(p) >= 4 and p != "/"), key=len, reverse=True)


def mask(text: str, settings: Settings | None = None, *, urls: tuple[str, ...] = ()) -> str:
    """Hide every URL (credentials, tokens, paths) and the pieces of known channel URLs."""
    known = [*urls, *(settings.channels.values() if settings is not None else ())]
    text = _URL_RE.sub(lambda m: f"{m.group(1)}://***", text)
    for url in known:
        for piece in _secret_pieces(url):
            text = text.replace(piece, "***")
    return text


SECRET_BLOCK_PREFIX = "soczakaz-channel-"
SECRET_TTL_SECONDS = 300.0
_secrets: dict[str, tuple[float, str | None]] = {}
_secrets_lock = threading.Lock()


def _secret_block(name: str) -> str | None:
    """The value of the Prefect Secret block ``soczakaz-channel-<name>`` (cached 5 min)."""
    with _secrets_lock:
        hit = _secrets.get(name)
        if hit and time.monotonic() - hit[0] < SECRET_TTL_SECONDS:
            return hit[1]
    value: str | None
    try:
        from prefect.blocks.system import Secret

        block: Any = Secret.load(SECRET_BLOCK_PREFIX + name, validate=False)
        value = str(block.get())
    except Exception:  # no such block, or no Prefect API reachable
        value = None
    with _secrets_lock:
        _secrets[name] = (time.monotonic(), value)
    return value


def resolve(target: str, settings: Settings) -> str:
    """The apprise URL of a target, resolved at send time: ``@name`` comes from
    ``Settings.channels`` (SOCZAKAZ_CHANNELS) or the Prefect Secret block
    ``soczakaz-channel-<name>``."""
    if target.startswith("@"):
        name = target[1:]
        url = settings.channels.get(name) or _secret_block(name)
        if not url:
            raise LookupError(
                f"канал {target} не настроен (SOCZAKAZ_CHANNELS или блок Prefect Secret "
                f"«{SECRET_BLOCK_PREFIX}{name}»)"
            )
        return url
    pair = addressed(target)
    if pair is not None:
        name, address = pair
        url = settings.channels.get(name) or _secret_block(name)
        if not url:
            raise LookupError(
                f"канал «{name}» не настроен (SOCZAKAZ_CHANNELS или блок Prefect Secret "
                f"«{SECRET_BLOCK_PREFIX}{name}»)"
            )
        return with_address(url, address, name)
    return target


class _ThreadCapture(logging.Filter):
    """Collects apprise's warnings and exception details per thread (parallel sends
    keep their own errors). Records below the logger's former level are captured
    but not passed on, so nothing new reaches the application's log handlers."""

    def __init__(self, passthrough: int) -> None:
        super().__init__()
        self.passthrough = passthrough
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        buf = getattr(self.local, "buf", None)
        if buf is not None:
            text = record.getMessage()
            if record.levelno >= logging.WARNING or _DETAIL_RE.search(text):
                buf.append(text.strip())
        return record.levelno >= self.passthrough

    def enabled(self, level: int) -> bool:
        """The apprise logger's ``isEnabledFor``: a record is made only when it reaches
        the application's handlers or may be captured. apprise logs a failure's detail
        (response body, socket exception) at DEBUG right after its warning, so below
        WARNING a thread's send makes records only once something was captured; a
        successful send makes none (its DEBUG/INFO lines and the payload dump apprise
        builds for them were ≈ 20 % of a webhook message's CPU)."""
        if _apprise_logger.disabled or logging.root.manager.disable >= level:
            return False  # logging.disable() and a disabled logger still win
        if level >= self.passthrough:
            return True
        buf = getattr(self.local, "buf", None)
        return buf is not None and (level >= logging.WARNING or bool(buf))


_DETAIL_RE = re.compile(r"exception|error|response", re.IGNORECASE)
_apprise_logger = logging.getLogger("apprise")
_LOG = _ThreadCapture(_apprise_logger.getEffectiveLevel())
_apprise_logger.addFilter(_LOG)
_apprise_logger.setLevel(logging.DEBUG)
_apprise_logger.isEnabledFor = _LOG.enabled  # type: ignore[method-assign]
