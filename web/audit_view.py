"""The auditor's view of a chain: entries in words, signed checkpoints, time order."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from domain.audit.checkpoint import heads_to_check
from domain.audit.verdict import trust_of
from domain.evidence.fields import LABELS
from domain.vocabulary import (
    AUDIT_ACTION_RU,
    KIND_RU,
    REVIEW_STATE_RU,
    STATUS_RU,
    entity_ru,
)
from models import AuditEntry
from models.settings import Settings

# Payload keys shown in words (the rest stays in the JSON one click away).
SHOWN = (
    "act_type",
    "act_number",
    "act_date",
    "issuer",
    "recipient",
    "sent_date",
    "file_name",
    "verdict",
    "comment",
    "round",
    "title",
)
VERDICT_RU = {"positive": "положительное", "negative": "отрицательное"}


@dataclass
class EntryWords:
    seq: int
    at: Any
    actor: str
    action: str  # in words
    entity: str  # in words
    link: str | None
    facts: list[tuple[str, str]]
    change: str | None  # "было → стало"
    payload: str  # pretty JSON


def _label(key: str) -> str:
    words = {
        "verdict": "заключение",
        "comment": "комментарий",
        "round": "раунд",
        "file_name": "файл",
    }
    return words.get(key) or LABELS.get(key, "сведения")


def _state(value: Any) -> str:
    text = str(value)
    return STATUS_RU.get(text) or REVIEW_STATE_RU.get(text) or text


def in_words(e: AuditEntry) -> EntryWords:
    data: dict[str, Any] = json.loads(e.payload) if e.payload else {}
    facts = [
        (_label(k), VERDICT_RU.get(str(data[k]), str(data[k])))
        for k in SHOWN
        if data.get(k) not in (None, "", {})
    ]
    if data.get("kind") in KIND_RU:
        facts.insert(0, ("вид шага", KIND_RU[data["kind"]]))
    change = None
    if "previous_status" in data and e.action == "step.completed":
        change = f"{_state(data['previous_status'])} → {STATUS_RU['done']}"
    elif "from" in data and "to" in data:
        change = f"{_state(data['from'])} → {_state(data['to'])}"
    link = f"/steps/{e.entity[5:]}" if e.entity.startswith("step:") else None
    return EntryWords(
        e.seq,
        e.at,
        e.actor,
        AUDIT_ACTION_RU.get(e.action, "действие в журнале"),
        entity_ru(e.entity),
        link,
        facts,
        change,
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
    )


@dataclass
class ChainState:
    checkpoints: int = 0
    checkpoint_problems: list[str] = field(default_factory=list)
    last_checkpoint_seq: int | None = None
    backwards: list[str] = field(default_factory=list)  # entries dated before their predecessor

    @property
    def ok(self) -> bool:
        return not self.checkpoint_problems and not self.backwards


def chain_state(
    session: Session,
    chain: str,
    municipality_id: int,
    key_path: Path,
    *,
    settings: Settings | None = None,
) -> ChainState:
    """Checkpoints (against the trusted public keys of ``settings``) and time order."""
    trust = trust_of(settings) if settings is not None else None
    heads, problems = heads_to_check(session, key_path=key_path, chain=chain, trust=trust)
    state = ChainState(len(heads), problems, max((h.seq for h in heads), default=None))
    rows = session.execute(
        select(col(AuditEntry.seq), col(AuditEntry.at))
        .where(col(AuditEntry.municipality_id) == municipality_id)
        .order_by(col(AuditEntry.seq))
    ).all()
    prev = None
    for seq, at in rows:
        if prev is not None and at < prev[1]:
            state.backwards.append(f"запись № {seq} датирована раньше записи № {prev[0]}")
        prev = (seq, at)
    return state
