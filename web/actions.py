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

from domain.audit.verdict import chain_verdict
from domain.evidence.completion import complete_step
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
            [
                {
                    "loc": ("body", "fields"),
                    "msg": f"ожидается JSON-объект: {exc.msg}",
                    "type": "json_invalid",
                    "input": raw,
                }
            ]
        ) from None
    try:
        return _FIELDS.validate_python(value)
    except ValidationError:
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "fields"),
                    "msg": 'ожидается JSON-объект {"поле": значение}',
                    "type": "dict_type",
                    "input": raw,
                }
            ]
        ) from None


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
    ok: bool
    message: str
    entries: int
    problems: list[str]


def verify_chain(session: Session, chain: str, settings: Settings) -> ChainCheck:
    """The same verdict as ``roadmap audit verify -m CODE`` (checkpoints against the
    trusted public keys, evidence rows and files), in words for the dashboard."""
    report = chain_verdict(session, chain=chain, settings=settings)
    problems = [str(p) for p in report.problems]
    if report.ok:
        message = f"цепочка цела, проверено записей: {report.entries}"
    else:
        message = f"цепочка НАРУШЕНА ({len(problems)}): " + "; ".join(problems[:5])
    return ChainCheck(report.ok, message, report.entries, problems)
