"""Personal access tokens (API, ``Authorization: Bearer``) and iCal feed secrets.

Only SHA-256 digests are stored; the plain value is returned once. Tokens have a
scope (read / write) and an expiry; feed secrets are read-only and bound to one
feed. Both are revoked server-side (``revoked_at``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from domain import lookup
from models import Person
from models.people import AccessToken, FeedSecret, TokenScope

TOKEN_PREFIX = "szk_"
DEFAULT_DAYS = 90


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def add_access_token(
    session: Session,
    person_id: int,
    token: str,
    *,
    scope: TokenScope = TokenScope.write,
    expires_at: dt.datetime,
    label: str = "",
) -> AccessToken:
    row = AccessToken(
        person_id=person_id,
        token_sha256=digest(token),
        scope=scope,
        expires_at=expires_at,
        label=label,
    )
    session.add(row)
    session.flush()
    return row


def issue_token(
    session: Session,
    person_id: int,
    *,
    scope: TokenScope = TokenScope.write,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
    label: str = "",
) -> str:
    """A new random token of a person (shown once; other tokens keep working)."""
    lookup.person(session, person_id)  # NotFoundError for an unknown id
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = _now(now) + dt.timedelta(days=days)
    add_access_token(session, person_id, token, scope=scope, expires_at=expires, label=label)
    return token


def revoke_tokens(session: Session, person_id: int, now: dt.datetime | None = None) -> int:
    rows = session.execute(
        select(AccessToken).where(
            col(AccessToken.person_id) == person_id, col(AccessToken.revoked_at).is_(None)
        )
    ).scalars()
    n = 0
    for row in rows:
        row.revoked_at = _now(now)
        session.add(row)
        n += 1
    session.flush()
    return n


@dataclass(frozen=True)
class TokenGrant:
    person: Person
    scope: TokenScope


_GRANT = (
    select(AccessToken, Person)
    .join(Person, col(Person.id) == col(AccessToken.person_id))
    .where(col(AccessToken.token_sha256) == bindparam("sha256"))
)


def grant_for_token(session: Session, token: str, now: dt.datetime) -> TokenGrant | None:
    """The live token's person and scope, or None (unknown, revoked or expired)."""
    if not token:
        return None
    # Token and person in one statement (every API request), built once: SQLAlchemy
    # keeps a statement's cache key, so it is not recomputed per request (issue 19).
    found = session.execute(_GRANT, {"sha256": digest(token)}).one_or_none()
    if found is None:
        return None
    row, person = found
    if row.revoked_at is not None or row.expires_at <= now:
        return None
    return TokenGrant(person, TokenScope(row.scope))


def issue_feed_secret(session: Session, person_id: int, feed: str) -> str:
    """A read-only secret of one feed ("municipality:CODE" or "organisation:ID")."""
    secret = secrets.token_urlsafe(24)
    session.add(FeedSecret(person_id=person_id, feed=feed, secret_sha256=digest(secret)))
    session.flush()
    return secret


def feed_grant(session: Session, secret: str) -> tuple[Person, str] | None:
    row = session.execute(
        select(FeedSecret).where(col(FeedSecret.secret_sha256) == digest(secret))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    person = session.get(Person, row.person_id)
    return None if person is None else (person, row.feed)


def revoke_feeds(session: Session, person_id: int, now: dt.datetime | None = None) -> int:
    rows = list(
        session.execute(
            select(FeedSecret).where(
                col(FeedSecret.person_id) == person_id, col(FeedSecret.revoked_at).is_(None)
            )
        ).scalars()
    )
    for row in rows:
        row.revoked_at = _now(now)
        session.add(row)
    session.flush()
    return len(rows)
