"""Writes of the web app (completing a step) and the audit-chain check.

Both pages and the JSON API call these, so the access check for writes lives in
one place: ``scope.require_complete(step)`` before the domain function runs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain import audit_log
from domain.evidence import complete_step
from models import Evidence
from models.db import session_scope
from models.settings import Settings
from web.access import Scope

_FIELDS = TypeAdapter(dict[str, Any])


def parse_fields_json(raw: str) -> dict[str, Any]:
    """The ``fields`` form part: a JSON object; errors are 422 with its field path."""
    try:
        value = json.loads(raw or "{}")
    except json.JSONDecodeError as exc:
        raise RequestValidationError(
            [{"loc": ("body", "fields"), "msg": f"ожидается JSON-объект: {exc.msg}",
              "type": "json_invalid", "input": raw}]
        ) from None  # fmt: skip
    try:
        return _FIELDS.validate_python(value)
    except ValidationError:
        raise RequestValidationError(
            [{"loc": ("body", "fields"), "msg": "ожидается JSON-объект {\"поле\": значение}",
              "type": "dict_type", "input": raw}]
        ) from None  # fmt: skip


def complete(
    engine: Engine,
    scope: Scope,
    *,
    step_id: int,
    fields: dict[str, Any],
    file_bytes: bytes | None,
    file_name: str | None,
    settings: Settings,
    now: dt.datetime,
) -> Evidence:
    """Complete a step in one transaction (SQLite: BEGIN IMMEDIATE)."""
    with session_scope(engine, immediate=True) as session:
        step = scope.step(session, step_id)
        scope.require_complete(step)
        return complete_step(
            session,
            step_id=step_id,
            fields=fields,
            file_bytes=file_bytes or None,
            file_name=file_name,
            actor=scope.actor,
            settings=settings,
            now=now,
        )


@dataclass(frozen=True)
class ChainCheck:
    available: bool
    ok: bool
    message: str
    entries: int


def verify_chain(session: Session, chain: str) -> ChainCheck:
    """Recompute a municipality's chain with the audit-log helper's verify function."""
    verify = getattr(audit_log, "verify_chain", None) or getattr(audit_log, "verify", None)
    if verify is None:
        return ChainCheck(False, False, "проверка цепочки пока недоступна", 0)
    result = verify(session, chain=chain)
    ok = bool(getattr(result, "ok", result))
    entries = int(getattr(result, "entries", getattr(result, "checked", 0)) or 0)
    problems = getattr(result, "problems", None) or getattr(result, "errors", None) or []
    message = (
        f"цепочка цела: проверено записей — {entries}"
        if ok
        else "цепочка нарушена: " + "; ".join(str(p) for p in problems)
    )
    return ChainCheck(True, ok, message, entries)
