"""What the administration pages share: the municipalities a manager may choose,
notices after a redirect, and the page renderer."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlmodel import Session, col

from domain.errors import InputError
from models import Municipality, Organisation
from web.access import Scope

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")

# ?ok=<key> after a redirect: the Russian notice shown at the top of the page.
NOTICES = {
    "added": "Человек добавлен. Отправьте приглашение, чтобы он мог войти.",
    "disabled": "Учётная запись отключена: вход, сеансы, токены и календари больше не работают.",
    "invited": "Приглашение со ссылкой для входа поставлено в очередь отправки.",
    "no-email": "Приглашение не отправлено: у человека нет адреса электронной почты.",
    "org-added": "Организация добавлена.",
}


def notice(key: str | None) -> str | None:
    return NOTICES.get(key or "")


def municipalities(session: Session, scope: Scope) -> list[Municipality]:
    """The municipalities this manager may act in (admins: all)."""
    stmt = scope.municipalities(select(Municipality).order_by(col(Municipality.name)))
    return list(session.execute(stmt).scalars())


def organisations(
    session: Session, scope: Scope, municipality_id: int | None
) -> list[Organisation]:
    stmt = scope.organisations(select(Organisation))
    if municipality_id is not None:
        stmt = stmt.where(col(Organisation.municipality_id) == municipality_id)
    stmt = stmt.order_by(col(Organisation.municipality_id), col(Organisation.name))
    return list(session.execute(stmt).scalars())


def clean_name(value: str, what: str) -> str:
    text = " ".join(value.split())
    if len(text) < 2:
        raise InputError(f"{what}: укажите не меньше двух букв")
    if len(text) > 200:
        raise InputError(f"{what}: не длиннее 200 знаков")
    return text


def clean_email(value: str) -> str:
    text = value.strip()
    if not text:
        raise InputError("Электронная почта: укажите адрес, на него придёт приглашение")
    if len(text) > 254 or not EMAIL.match(text):
        raise InputError(f"Электронная почта: «{text}» не похоже на адрес вида name@example.ru")
    return text


def render_admin(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    from web.pages import render

    return render(request, f"admin/{name}", context, status_code=status_code)
