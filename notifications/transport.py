"""Connection reuse under apprise: kept HTTP and SMTP connections per sender thread.

apprise's webhook plugins call ``requests.request`` (a new TCP connection per message)
and its e-mail plugin opens, logs in and quits an SMTP connection per message. The
plugins still build every message themselves (URL parsing, payload, headers, MIME);
only the connection under them is kept: the ``requests`` and ``smtplib`` names inside
those plugin modules are thin stand-ins using the current thread's pool while one is
open (``with Pool():``; plain webhook requests over ``notifications.http_kept``)."""

from __future__ import annotations

import http.cookiejar
import smtplib
import ssl
import threading
from types import ModuleType, TracebackType
from typing import Any

import requests

from notifications.http_kept import KeptHttp

MAX_MAILS_PER_CONNECTION = 100  # many servers close a session after ~100 messages
_WEBHOOK_MODULES = (
    "apprise.plugins.custom_json",
    "apprise.plugins.custom_form",
    "apprise.plugins.custom_xml",
)
_EMAIL_MODULE = "apprise.plugins.email.base"
_current = threading.local()
_install_lock = threading.Lock()


def current() -> Pool | None:
    pool: Pool | None = getattr(_current, "pool", None)
    return pool


class _LazyContext:
    """The e-mail plugin's per-message ``ssl.create_default_context()`` (loading the CA
    store costs tens of ms), built only when a new connection needs TLS, with the
    settings the plugin made on it replayed in order."""

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        object.__setattr__(self, "_spec", (args, kwargs))
        object.__setattr__(self, "_set", {})
        object.__setattr__(self, "_real", None)

    def __setattr__(self, name: str, value: Any) -> None:
        self._set[name] = value
        if self._real is not None:
            setattr(self._real, name, value)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)

    def real(self) -> ssl.SSLContext:
        if self._real is None:
            args, kwargs = self._spec
            ctx = ssl.create_default_context(*args, **kwargs)
            for name, value in self._set.items():
                setattr(ctx, name, value)
            object.__setattr__(self, "_real", ctx)
        real: ssl.SSLContext = self._real
        return real


def _unwrap(kwargs: dict[str, Any]) -> dict[str, Any]:
    ctx = kwargs.get("context")
    return {**kwargs, "context": ctx.real()} if isinstance(ctx, _LazyContext) else kwargs


class _Mail:
    """A kept SMTP connection: starttls/login happen once, quit() only marks a message done."""

    def __init__(self, conn: smtplib.SMTP) -> None:
        self.conn = conn
        self.tls = False
        self.login_as: tuple[str, str] | None = None
        self.sent = 0
        self.broken = False

    def starttls(self, **kwargs: Any) -> Any:
        if not self.tls:
            self.tls = True
            return self.conn.starttls(**_unwrap(kwargs))
        return None

    def login(self, user: str, password: str) -> Any:
        if self.login_as != (user, password):
            self.login_as = (user, password)
            return self.conn.login(user, password)
        return None

    def sendmail(self, *args: Any, **kwargs: Any) -> Any:
        self.sent += 1
        try:
            return self.conn.sendmail(*args, **kwargs)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            raise exc  # the session is still usable (smtplib sent RSET)
        except smtplib.SMTPResponseException as exc:
            self.broken = exc.smtp_code == 421
            raise
        except BaseException:
            self.broken = True
            raise

    def quit(self) -> None:
        if self.broken or self.sent >= MAX_MAILS_PER_CONNECTION:
            pool = current()
            if pool is not None:
                pool.drop(self)
            else:
                _close(self.conn)


def _close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()


class Pool:
    """The connections of one sender thread; ``key`` names the channel URL being sent to."""

    def __init__(self) -> None:
        self.key = ""
        self._session: requests.Session | None = None
        self.http = KeptHttp()  # cheap until a request needs a connection
        self._mail: dict[tuple[Any, ...], _Mail] = {}

    def session(self) -> requests.Session:
        if self._session is None:
            s = requests.Session()
            s.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
            self._session = s
        return self._session

    def smtp(self, factory: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Mail:
        key = (self.key, factory, args)
        kept = self._mail.get(key)
        if kept is None:
            kept = _Mail(factory(*args, **_unwrap(kwargs)))
            self._mail[key] = kept
        return kept

    def drop(self, kept: _Mail) -> None:
        for key, value in list(self._mail.items()):
            if value is kept:
                del self._mail[key]
        _close(kept.conn)

    def __enter__(self) -> Pool:
        install()
        _current.pool = self
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        _current.pool = None
        for kept in list(self._mail.values()):
            self.drop(kept)
        if self._session is not None:
            self._session.close()
        self.http.close()


class _Requests(ModuleType):
    """``requests`` as the webhook plugins see it: a plain request goes over a kept
    connection (``notifications.http_kept``), others via the session."""

    def __init__(self) -> None:
        super().__init__("requests")

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        pool = current()
        if pool is None:
            return requests.request(method, url, **kwargs)
        kept = pool.http.request(method, url, **kwargs)
        return kept if kept is not None else pool.session().request(method, url, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)


class _Smtplib(ModuleType):
    """``smtplib`` as the e-mail plugin sees it: SMTP()/SMTP_SSL() give the kept connection."""

    def __init__(self) -> None:
        super().__init__("smtplib")

    def SMTP(self, *args: Any, **kwargs: Any) -> Any:
        pool = current()
        return (
            smtplib.SMTP(*args, **kwargs) if pool is None else pool.smtp(smtplib.SMTP, args, kwargs)
        )

    def SMTP_SSL(self, *args: Any, **kwargs: Any) -> Any:
        pool = current()
        factory = smtplib.SMTP_SSL
        return factory(*args, **kwargs) if pool is None else pool.smtp(factory, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(smtplib, name)


class _Ssl(ModuleType):
    """``ssl`` as the e-mail plugin sees it: contexts are built lazily inside a pool."""

    def __init__(self) -> None:
        super().__init__("ssl")

    def create_default_context(self, *args: Any, **kwargs: Any) -> Any:
        if current() is None:
            return ssl.create_default_context(*args, **kwargs)
        return _LazyContext(args, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)


_installed = False


def install() -> None:
    """Put the stand-ins into apprise's plugin modules (once per process)."""
    global _installed
    if _installed:
        return
    import importlib

    with _install_lock:
        if _installed:
            return
        for name in _WEBHOOK_MODULES:
            module = importlib.import_module(name)
            if getattr(module, "requests", None) is requests:
                module.requests = _Requests()  # type: ignore[attr-defined]
        email_module = importlib.import_module(_EMAIL_MODULE)
        if getattr(email_module, "smtplib", None) is smtplib:
            email_module.smtplib = _Smtplib()  # type: ignore[attr-defined]
        if getattr(email_module, "ssl", None) is ssl:
            email_module.ssl = _Ssl()  # type: ignore[attr-defined]
        _installed = True
