"""Sending outbox rows through apprise (or the console channel), one ``Sender`` per thread.

A ``Sender`` keeps one Apprise object per channel URL and the HTTP session / SMTP
connection under it (``notifications.transport``) until it is closed, so a batch of
messages to one receiver pays for one connection, not one per message.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TextIO, cast

from models.settings import Settings
from notifications.channels import (
    _LOG,
    EMAIL_SCHEMES,
    HEADER_SCHEMES,
    Delivery,
    mask,
    resolve,
    scheme_of,
)

if TYPE_CHECKING:  # apprise is imported when a message is sent (fast CLI start)
    import apprise


class Message(Protocol):
    """What a send reads of an outbox row (an ``OutboxMessage`` or an ``Outgoing``)."""

    @property
    def target(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body_text(self) -> str: ...
    @property
    def body_html(self) -> str: ...
    @property
    def body_short(self) -> str: ...
    @property
    def dedupe_key(self) -> str: ...


class Outgoing(NamedTuple):
    """The columns of a claimed row that the dispatcher sends (read without the ORM)."""

    id: int
    target: str
    rule: str
    subject: str
    body_text: str
    body_html: str
    body_short: str
    dedupe_key: str


class Sender:
    """Sends messages for one thread: Apprise objects are built once per channel URL and
    the connections under them are kept (``notifications.transport``) until ``close``.

    The e-mail plugin throttles consecutive sends on one object by 5.5 s; a kept e-mail
    object has that client-side pause switched off (one message per SMTP transaction,
    as a fresh object per message had). Other schemes get a new object per message.
    """

    def __init__(self, settings: Settings, *, stdout: TextIO | None = None) -> None:
        from notifications.transport import Pool

        self.settings = settings
        self.stdout = stdout
        self.pool = Pool()
        self.pool.__enter__()
        self._objects: dict[str, apprise.Apprise] = {}

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.pool.__exit__(None, None, None)

    def _apprise_for(self, url: str, key: str) -> apprise.Apprise | None:
        import apprise

        scheme = scheme_of(url)
        if scheme not in HEADER_SCHEMES and scheme not in EMAIL_SCHEMES:
            fresh = apprise.Apprise()
            return fresh if fresh.add(url) else None
        obj = self._objects.get(url)
        if obj is None:
            obj = apprise.Apprise()
            if not obj.add(url):
                return None
            if scheme in EMAIL_SCHEMES:
                for plugin in obj:
                    cast(Any, plugin).request_rate_per_sec = 0
            self._objects[url] = obj
        if scheme in HEADER_SCHEMES:
            for plugin in obj:
                cast(Any, plugin).headers["Idempotency-Key"] = key
        return obj

    def send(self, msg: Message) -> Delivery:
        """Deliver one message; never raises for a delivery problem."""
        settings = self.settings
        try:
            url = resolve(msg.target, settings)
        except LookupError as exc:
            return Delivery(False, str(exc))
        scheme = scheme_of(url)
        if scheme == "console":
            out = self.stdout or sys.stdout
            out.write(f"[{msg.rule}] {msg.subject}\n{msg.body_text}\n\n")
            out.flush()
            return Delivery(True)
        import apprise

        obj = self._apprise_for(url, msg.dedupe_key)
        if obj is None:
            return Delivery(False, f"адрес канала не распознан apprise (схема {scheme}://)")
        if scheme in EMAIL_SCHEMES:
            html = bool(msg.body_html)
            body, fmt = (
                (msg.body_html, apprise.NotifyFormat.HTML)
                if html
                else (msg.body_text, apprise.NotifyFormat.TEXT)
            )
            title = msg.subject
        elif scheme in HEADER_SCHEMES:
            body, fmt, title = msg.body_text, apprise.NotifyFormat.TEXT, msg.subject
        else:
            body, fmt, title = msg.body_short or msg.body_text, apprise.NotifyFormat.TEXT, ""
        self.pool.key = url
        _LOG.local.buf = []
        try:
            ok = bool(obj.notify(body=body, title=title, body_format=fmt))
            errors = list(_LOG.local.buf)
        finally:
            _LOG.local.buf = None
        if ok:
            return Delivery(True)
        detail = "; ".join(dict.fromkeys(errors[-4:])) or "apprise: отправка не удалась"
        return Delivery(False, mask(detail, settings, urls=(url,)))


def send(msg: Message, settings: Settings, *, stdout: TextIO | None = None) -> Delivery:
    """Deliver one message on fresh connections; never raises for a delivery problem."""
    with Sender(settings, stdout=stdout) as sender:
        return sender.send(msg)
