"""Signed links in step reminders: "open step S for person P" (issue 14).

``itsdangerous``-signed (HMAC-SHA256), purpose-bound payload (purpose, person, step, expiry,
nonce); nothing is stored when a link is made. ``web/step_links.py`` opens it
(single use, then a clean ``/steps/S``). The key is ``SOCZAKAZ_LINK_SECRET``
when set, otherwise the per-database server key shared by the sweep (which
writes reminders) and the dashboard.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer
from sqlalchemy import select
from sqlmodel import Session, col

from models.people import ServerKey
from models.settings import Settings

STEP_LINK_PREFIX = "/auth/step/"
STEP_LINK_DAYS = 14
_SALT = "soczakaz-step-link"
_PURPOSE = "step"


@dataclass(frozen=True)
class StepGrant:
    person_id: int
    step_id: int
    expires_at: dt.datetime
    nonce: str


def stored_key(session: Session) -> str:
    """The per-database signing key (the same row web.auth_sessions.server_key makes)."""
    row = session.execute(select(ServerKey).order_by(col(ServerKey.id))).scalars().first()
    if row is None:
        row = ServerKey(key=secrets.token_urlsafe(48))
        session.add(row)
        session.flush()
    return row.key


def verify_keys(session: Session, settings: Settings) -> list[str]:
    """Every key a genuine link may be signed with: the configured secret, else each
    stored server key (two first sweeps racing on an empty database may make two)."""
    secret = settings.link_secret
    if secret is not None and secret.get_secret_value():
        return [secret.get_secret_value()]
    rows = session.execute(select(col(ServerKey.key)).order_by(col(ServerKey.id))).scalars()
    return list(rows)


def grant_of(session: Session, settings: Settings, token: str) -> StepGrant | None:
    """The grant of a link signed with any of :func:`verify_keys`; None when forged."""
    for key in verify_keys(session, settings):
        grant = read_grant(key, token)
        if grant is not None:
            return grant
    return None


def link_key(session: Session, settings: Settings) -> str:
    """The signing key of step links: the configured secret, else the server key."""
    secret = settings.link_secret
    if secret is not None and secret.get_secret_value():
        return secret.get_secret_value()
    return stored_key(session)


def _signer(key: str) -> Signer:
    return Signer(key, salt=_SALT, key_derivation="hmac", digest_method=hashlib.sha256)


class StepLinks:
    """Signs links for many (person, step) pairs with one key lookup (~10 µs a link)."""

    def __init__(self, key: str, base_url: str, now: dt.datetime, days: int = STEP_LINK_DAYS):
        self._signer = _signer(key)
        self._base = base_url.rstrip("/")
        self._expires = int((now + dt.timedelta(days=days)).timestamp())

    def url(self, person_id: int, step_id: int) -> str:
        # purpose~person~step~expiry (unix s)~nonce, signed: short enough for a chat message.
        nonce = secrets.token_urlsafe(9)  # [A-Za-z0-9_-]: never the separators ~ or .
        value = f"{_PURPOSE}~{int(person_id)}~{int(step_id)}~{self._expires}~{nonce}"
        return f"{self._base}{STEP_LINK_PREFIX}{self._signer.sign(value).decode()}"


def read_grant(key: str, token: str) -> StepGrant | None:
    """The payload of a genuine step link (expired or not); None when forged."""
    try:
        value = _signer(key).unsign(token).decode()
    except (BadSignature, UnicodeError):
        return None
    parts = value.split("~")
    if len(parts) != 5 or parts[0] != _PURPOSE:
        return None
    try:
        return StepGrant(
            person_id=int(parts[1]),
            step_id=int(parts[2]),
            expires_at=dt.datetime.fromtimestamp(int(parts[3]), dt.UTC),
            nonce=parts[4],
        )
    except (ValueError, OverflowError, OSError):
        return None
