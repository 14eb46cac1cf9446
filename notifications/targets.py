"""Notification targets of a person: a channel NAME plus their own address.

A person row holds only what is theirs (issue 14):

* ``email:ivanova@school.ru``, ``telegram:123456`` — channel ``email`` /
  ``telegram`` of ``SOCZAKAZ_CHANNELS`` (or the Prefect Secret block
  ``soczakaz-channel-<name>``) with the person's address put in at send time;
* ``@name`` — a whole channel of the settings (a shared chat, a webhook);
* a plain apprise URL only when it carries no credential (``console://``,
  ``json://host/path``, ``mailto://user@host`` without a password).

Channel URLs with passwords, API keys or bot tokens live in the settings only;
:func:`check_target` refuses them anywhere a person row is written.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from domain.errors import InputError

# Schemes whose URLs need no secret of their own (secrets, if any, are in userinfo/query).
PLAIN_SCHEMES = frozenset(
    {"console", "json", "jsons", "form", "forms", "xml", "xmls", "mailto", "mailtos"}
)
SECRET_QUERY_KEYS = re.compile(
    r"pass|pwd|secret|token|key|auth|sig|credential|session|cookie", re.IGNORECASE
)
_NAMED = re.compile(r"@([a-z][a-z0-9_-]{0,31})")
_ADDRESSED = re.compile(r"([a-z][a-z0-9_-]{0,31}):([^\s/?#<>\"']{1,254})")
EMAIL_SCHEMES = frozenset({"mailto", "mailtos"})
PLACEHOLDER = "{address}"
HINT = (
    "храните учётные данные канала в SOCZAKAZ_CHANNELS, а у человека укажите имя канала "
    "и его адрес, например email:ivanova@school.ru или telegram:123456"
)


def addressed(target: str) -> tuple[str, str] | None:
    """(channel name, address) of ``name:address``; None for other forms."""
    if "://" in target:
        return None
    m = _ADDRESSED.fullmatch(target)
    return (m.group(1), m.group(2)) if m else None


def carries_credential(url: str) -> bool:
    """True when a URL holds a password, a secret-looking query value or a token host."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return True
    if password:
        return True
    if parts.scheme.lower() not in PLAIN_SCHEMES:
        return True  # tgram://BOTTOKEN/…, discord://ID/TOKEN …: the URL is the secret
    return any(SECRET_QUERY_KEYS.search(k) for k, _ in parse_qsl(parts.query))


def check_target(target: str, *, field: str = "--notify") -> str:
    """The target as stored, or InputError (Russian) for credentials and malformed text."""
    text = target.strip()
    if _NAMED.fullmatch(text) or addressed(text):
        return text
    if "://" not in text:
        raise InputError(
            f"{field}: «{text}» — ожидается имя канала и адрес (email:ivanova@school.ru, "
            "telegram:123456), ссылка на канал @имя или адрес apprise без учётных данных"
        )
    if carries_credential(text):
        scheme = text.split("://", 1)[0]
        raise InputError(
            f"{field}: адрес {scheme}://… содержит учётные данные канала и не сохраняется; {HINT}"
        )
    return text


def with_address(url: str, address: str, name: str) -> str:
    """The channel URL of ``name`` with a person's own address put in."""
    if PLACEHOLDER in url:
        return url.replace(PLACEHOLDER, address)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in EMAIL_SCHEMES:
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "to"]
        query.append(("to", address))
        return urlunsplit(parts._replace(query=urlencode(query, safe="@")))
    if scheme == "tgram":
        path = parts.path.rstrip("/") + "/" + address
        return urlunsplit(parts._replace(path=path))
    if scheme == "console":
        return f"console://{address}"
    raise LookupError(
        f"канал {name}: некуда подставить адрес получателя (добавьте {PLACEHOLDER} в адрес канала)"
    )
