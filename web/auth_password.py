"""Password sign-in for those who want it (argon2id via argon2-cffi), issue 14.

* ``GET/POST /account/password`` — a signed-in person sets (or changes) a
  password; the other sessions of that person are signed out.
* ``POST /login/password`` — e-mail + password. Failures are counted per account
  and per client address (:data:`MAX_PER_ACCOUNT`, :data:`MAX_PER_ADDRESS` in
  :data:`WINDOW`); past the limit nothing is checked and the answer says so.
  Success starts the same signed, expiring, HttpOnly session a sign-in link does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from models import Person
from models.people import LoginAttempt, SignInSession
from web.access import Forbidden, Scope
from web.auth_csrf import STALE_FORM, login_csrf_ok
from web.auth_links import safe_next
from web.auth_pages import _page, set_session_cookie
from web.auth_sessions import start_session
from web.deps import app_now, get_scope, get_session

router = APIRouter(include_in_schema=False)

MIN_LENGTH = 10
MAX_LENGTH = 256
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20  # a school behind one NAT address has many honest typists
WINDOW = dt.timedelta(minutes=15)
WRONG = "Неверный адрес электронной почты или пароль."
LIMITED = (
    "Слишком много неудачных попыток входа по паролю. Вход по паролю временно "
    "закрыт: попробуйте через 15 минут или получите ссылку для входа на почту."
)


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, the library's maintained defaults


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when no such account exists: the same work either way."""
    return hasher().hash("soczakaz: no such account")


def password_problem(password: str, repeat: str, email: str) -> str | None:
    """The Russian reason a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"Пароль слишком короткий: нужно не меньше {MIN_LENGTH} символов."
    if len(password) > MAX_LENGTH:
        return f"Пароль слишком длинный: не больше {MAX_LENGTH} символов."
    if not password.strip():
        return "Пароль не может состоять из одних пробелов."
    if email and password.strip().lower() == email.strip().lower():
        return "Пароль не должен совпадать с адресом электронной почты."
    if password != repeat:
        return "Пароли не совпадают: введите один и тот же пароль дважды."
    return None


def verify_password(person: Person | None, password: str) -> bool:
    """True when the person exists, is active, has a password and it matches."""
    stored = person.password_hash if person is not None else None
    try:
        hasher().verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return person is not None and stored is not None and person.disabled_at is None


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"password:{kind}:{value.strip().lower()}".encode()).hexdigest()


def _failures(session: Session, key: str, now: dt.datetime) -> int:
    n = session.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(col(LoginAttempt.key_sha256) == key, col(LoginAttempt.at) >= now - WINDOW)
    ).scalar_one()
    return int(n)


def _account_page(
    request: Request, scope: Scope, context: dict[str, object], status_code: int = 200
) -> HTMLResponse:
    from web.pages import render

    return render(
        request, "account_password.html", {"scope": scope, **context}, status_code=status_code
    )


@router.get("/account/password", response_class=HTMLResponse)
def password_form(
    request: Request, scope: Scope = Depends(get_scope), session: Session = Depends(get_session)
) -> HTMLResponse:
    person = session.get(Person, scope.person_id)
    has = person is not None and person.password_hash is not None
    return _account_page(request, scope, {"has_password": has})


@router.post("/account/password", response_class=HTMLResponse)
def set_password(
    request: Request,
    password: str = Form(""),
    password2: str = Form(""),
    scope: Scope = Depends(get_scope),
    session: Session = Depends(get_session),
) -> HTMLResponse:
    current = getattr(request.state, "session_id", None)
    if current is None:
        raise Forbidden("пароль задаётся только в браузере после входа")
    person = session.get(Person, scope.person_id)
    assert person is not None
    problem = password_problem(password, password2, person.email)
    if problem:
        ctx = {"has_password": person.password_hash is not None, "message": problem}
        return _account_page(request, scope, ctx, 422)
    now = app_now(request)
    person.password_hash = hasher().hash(password)
    session.add(person)
    others = session.execute(
        select(SignInSession).where(
            col(SignInSession.person_id) == person.id,
            col(SignInSession.revoked_at).is_(None),
            col(SignInSession.id) != current,
        )
    ).scalars()
    for row in others:
        row.revoked_at = now
        session.add(row)
    session.commit()
    return _account_page(request, scope, {"has_password": True, "saved": True})


@router.post("/login/password", response_model=None)
def password_sign_in(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    csrf_token: str = Form(""),
    session: Session = Depends(get_session),
) -> Response:
    back = safe_next(next)
    if not login_csrf_ok(request, session, csrf_token):
        return _page(request, {"next": back, "message": STALE_FORM}, 403, session=session)
    now = app_now(request)
    client = request.client.host if request.client else "?"
    keys = (_key("account", email), _key("address", client))
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < now - WINDOW))
    if (
        _failures(session, keys[0], now) >= MAX_PER_ACCOUNT
        or _failures(session, keys[1], now) >= MAX_PER_ADDRESS
    ):
        ctx: dict[str, object] = {"next": back, "message": LIMITED, "email": email}
        return _page(request, ctx, 429, session=session)
    person = (
        session.execute(
            select(Person).where(func.lower(col(Person.email)) == email.strip().lower())
        )
        .scalars()
        .first()
        if email.strip()
        else None
    )
    if person is None or not verify_password(person, password) or person.id is None:
        for k in keys:
            session.add(LoginAttempt(key_sha256=k, at=now))
        ctx = {"next": back, "message": WRONG, "email": email}
        return _page(request, ctx, 401, session=session)
    if hasher().check_needs_rehash(person.password_hash or ""):
        person.password_hash = hasher().hash(password)
        session.add(person)
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.key_sha256) == keys[0]))
    cookie, _ = start_session(session, person.id, now)
    session.commit()
    response = RedirectResponse(back, status_code=303)
    set_session_cookie(request, response, cookie)
    return response
