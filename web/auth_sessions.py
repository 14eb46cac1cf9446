"""Browser sessions: a signed, expiring, HttpOnly cookie naming a server-side row.

The cookie value is ``itsdangerous``-signed random id; the database keeps its
SHA-256, the per-session CSRF token, the expiry and the revocation time, so that
signing out (here or everywhere) is decided by the server.
"""

from __future__ import annotations

import datetime as dt
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlmodel import Session, col

from models import Person
from models.people import ServerKey, SignInSession
from web.auth_tokens import digest

COOKIE = "soczakaz_session"
SESSION_HOURS = 12


def server_key(session: Session) -> str:
    """The signing key stored in the database (made on first use, shared by workers)."""
    row = session.execute(select(ServerKey).order_by(col(ServerKey.id))).scalars().first()
    if row is None:
        row = ServerKey(key=secrets.token_urlsafe(48))
        session.add(row)
        session.flush()
    return row.key


def _serializer(session: Session) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(server_key(session), salt="soczakaz-session")


def start_session(session: Session, person_id: int, now: dt.datetime) -> tuple[str, SignInSession]:
    """A new session row and the cookie value for it."""
    sid = secrets.token_urlsafe(32)
    row = SignInSession(
        person_id=person_id,
        sid_sha256=digest(sid),
        csrf=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + dt.timedelta(hours=SESSION_HOURS),
    )
    session.add(row)
    session.flush()
    return _serializer(session).dumps(sid), row


def session_for_cookie(
    session: Session, cookie: str, now: dt.datetime
) -> tuple[Person, SignInSession] | None:
    if not cookie:
        return None
    try:
        sid = _serializer(session).loads(cookie, max_age=SESSION_HOURS * 3600)
    except BadSignature:
        return None
    row = session.execute(
        select(SignInSession).where(col(SignInSession.sid_sha256) == digest(str(sid)))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    person = session.get(Person, row.person_id)
    return None if person is None else (person, row)


def revoke_sessions(
    session: Session, person_id: int, now: dt.datetime, only: int | None = None
) -> int:
    """Revoke one session (``only``) or every live session of a person."""
    stmt = select(SignInSession).where(
        col(SignInSession.person_id) == person_id, col(SignInSession.revoked_at).is_(None)
    )
    if only is not None:
        stmt = stmt.where(col(SignInSession.id) == only)
    n = 0
    for row in session.execute(stmt).scalars():
        row.revoked_at = now
        session.add(row)
        n += 1
    session.flush()
    return n
