"""One-time sign-in links: single use, valid for minutes, stored hashed.

``login_link(session, person_id, next="/steps/7")`` is what ``roadmap person
login-link``, ``roadmap up --demo`` and the e-mail sign-in use. The link opens
``/auth/link/<token>``; the first visit signs in and goes to ``next``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlmodel import Session, col

from domain import lookup
from domain.errors import InputError
from models.people import MagicLink
from web.auth_tokens import digest

LINK_MINUTES = 15
LINK_PREFIX = "/auth/link/"


def safe_next(path: str | None) -> str:
    """A local path to return to after sign-in; anything else becomes "/"."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    if any(ord(ch) < 32 for ch in path):
        return "/"
    return path


def create_link(
    session: Session,
    person_id: int,
    *,
    next_path: str = "/",
    now: dt.datetime | None = None,
    minutes: int = LINK_MINUTES,
) -> str:
    """A new link token for an active person (the plain token, shown once)."""
    person = lookup.person(session, person_id)
    if person.disabled_at is not None:
        raise InputError(f"учётная запись id={person_id} отключена: ссылка не выдаётся")
    at = now or dt.datetime.now(dt.UTC)
    token = secrets.token_urlsafe(32)
    session.add(
        MagicLink(
            person_id=person_id,
            token_sha256=digest(token),
            next_path=safe_next(next_path),
            created_at=at,
            expires_at=at + dt.timedelta(minutes=minutes),
        )
    )
    session.flush()
    return token


def login_link(
    session: Session,
    person_id: int,
    next: str = "/",
    *,
    base_url: str = "http://127.0.0.1:8000",
    now: dt.datetime | None = None,
    minutes: int = LINK_MINUTES,
) -> str:
    """The full one-time sign-in URL of a person, returning to ``next``."""
    token = create_link(session, person_id, next_path=next, now=now, minutes=minutes)
    return f"{base_url.rstrip('/')}{LINK_PREFIX}{token}"


def consume_link(session: Session, token: str, now: dt.datetime) -> MagicLink | None:
    """Mark a live link used and return it; None when unknown, used or expired."""
    row: MagicLink | None = session.execute(
        select(MagicLink).where(col(MagicLink.token_sha256) == digest(token)).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    session.add(row)
    session.flush()
    return row
