"""Sign-in and access records (issue 14): sessions, links, tokens, feed secrets.

Every secret is stored as its SHA-256 only; the plain value is shown once to its
owner. Rows are revoked (``revoked_at``) rather than deleted, so that "sign out
everywhere" and token revocation are server-side decisions.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class TokenScope(StrEnum):
    read = "read"
    write = "write"


class SignInSession(SQLModel, table=True):
    """A browser session: the cookie carries a signed random id, we keep its hash."""

    __tablename__ = "sign_in_session"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    sid_sha256: str = Field(index=True, unique=True, max_length=64)
    csrf: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MagicLink(SQLModel, table=True):
    """A one-time sign-in link (e-mailed or printed by ``roadmap person login-link``)."""

    __tablename__ = "magic_link"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_sha256: str = Field(index=True, unique=True, max_length=64)
    next_path: str = "/"
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AccessToken(SQLModel, table=True):
    """A personal access token for the API (``Authorization: Bearer``) with scope and expiry."""

    __tablename__ = "access_token"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_sha256: str = Field(index=True, unique=True, max_length=64)
    scope: TokenScope = TokenScope.read
    label: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FeedSecret(SQLModel, table=True):
    """A read-only, revocable secret of one iCal feed of one person."""

    __tablename__ = "feed_secret"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    feed: str = Field(max_length=128)  # "municipality:<code>" | "organisation:<id>"
    secret_sha256: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Failed sign-in attempts per key (hashed e-mail or client address): rate limit."""

    __tablename__ = "login_attempt"
    id: int | None = Field(default=None, primary_key=True)
    key_sha256: str = Field(index=True, max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ServerKey(SQLModel, table=True):
    """The signing key of cookies and links, made once per database (shared by workers)."""

    __tablename__ = "server_key"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
