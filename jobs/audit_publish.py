"""Publishing checkpoints at the end of the daily sweep, and RFC 3161 stamps (issue 18).

For every chain whose tree head changed since its last publication: sign the checkpoint,
ask the configured TSA for a time stamp (a TSA that is down costs only the stamp: the
checkpoint is still published, with a warning), then write it to the publishing
directory, POST it to the HTTP endpoint and/or put an e-mail to the РМЦ into the outbox.
A chain is recorded as published only when every configured target took it, so a
failed target is tried again by the next sweep (the e-mail is deduplicated).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import logging
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlmodel import Session

from domain.audit.note import NoteError
from domain.audit.publish import Due, due_checkpoints, record_published, write_checkpoint_files
from domain.audit.timestamp import accept_reply, request_for, token_path
from domain.audit.trust import load_signer, write_public_key
from models.db import get_engine, session_scope
from models.settings import Settings
from notifications.channels import channel_of, mask
from notifications.outbox import enqueue

log = logging.getLogger(__name__)


def configured(cfg: Settings) -> bool:
    return bool(cfg.audit_publish_dir or cfg.audit_publish_url or cfg.audit_publish_email)


def state_dir(cfg: Settings) -> Path:
    key = cfg.audit_signing_key
    return cfg.audit_publish_state or key.with_name(key.name + ".published")


def fetch_stamp(cfg: Settings, body: str) -> tuple[bytes | None, str | None]:
    """(token, None), or (None, a Russian warning) when the TSA cannot stamp; (None, None)
    when no TSA is configured."""
    if not cfg.audit_tsa_url:
        return None, None
    request, nonce = request_for(body)
    where = f"служба времени {mask(cfg.audit_tsa_url, cfg, urls=(cfg.audit_tsa_url,))}"
    try:
        r = httpx.post(
            cfg.audit_tsa_url,
            content=request,
            headers={"Content-Type": "application/timestamp-query"},
            timeout=30,
        )
        r.raise_for_status()
        accept_reply(r.content, body=body, nonce=nonce, where=where)
    except httpx.HTTPError as exc:
        return None, f"{where} недоступна ({type(exc).__name__}): точка записана без метки времени"
    except NoteError as exc:
        return None, f"{exc.message}: точка записана без метки времени"
    return r.content, None


def stamp_file(cfg: Settings, checkpoint: Path, body: str) -> str | None:
    """Stamp a written checkpoint file (``cp.txt`` → ``cp.txt.tsr``); a warning or None."""
    token, warning = fetch_stamp(cfg, body)
    if token is not None:
        token_path(checkpoint).write_bytes(token)
    return warning


@dataclass
class Published:
    chains: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _mail(session: Session, cfg: Settings, due: Due, token: bytes | None, now: dt.datetime) -> None:
    assert cfg.audit_publish_email
    size, root = due.checkpoint.size, due.checkpoint.root.hex()
    stamp = (
        ""
        if token is None
        else "\nМетка времени RFC 3161 (base64):\n" + (base64.b64encode(token).decode())
    )
    text = (
        f"Контрольная точка журнала аудита цепочки «{due.chain}»: {size} записей.\n"
        "Сохраните текст ниже без изменений (roadmap audit witness / verify --since).\n\n"
        + due.note
        + stamp
    )
    enqueue(
        session,
        dedupe_key=f"audit-checkpoint:{due.chain}:{size}:{root[:32]}",
        municipality_id=None,
        step_id=None,
        person_id=None,
        rule="audit:checkpoint",
        channel=channel_of(cfg.audit_publish_email, cfg),
        target=cfg.audit_publish_email,
        subject=f"Контрольная точка журнала «{due.chain}»: {size} записей",
        body_text=text,
        body_html=f"<pre>{html.escape(text)}</pre>",
        body_short=f"Контрольная точка «{due.chain}»: {size} записей",
        not_before=now,
    )


def publish_checkpoints(cfg: Settings, *, now: dt.datetime) -> Published:
    """Publish every changed chain's checkpoint to the configured targets."""
    out = Published()
    if not configured(cfg):
        return out
    signer = load_signer(cfg.audit_signing_key, name=cfg.audit_key_name, create=True)
    write_public_key(signer, cfg.audit_signing_key)
    engine = get_engine(cfg.database_url)
    state = state_dir(cfg)
    with session_scope(engine) as s:
        due = due_checkpoints(s, signer=signer, state_dir=state)
    for d in due:
        token, warning = fetch_stamp(cfg, d.body)
        if warning:
            out.warnings.append(f"цепочка «{d.chain}»: {warning}")
        try:
            if cfg.audit_publish_dir is not None:
                write_checkpoint_files(cfg.audit_publish_dir, d, token)
            if cfg.audit_publish_url:
                _post_checked(cfg, d, token)
            if cfg.audit_publish_email:
                with session_scope(engine, immediate=True) as s:
                    _mail(s, cfg, d, token, now)
        except (OSError, httpx.HTTPError) as exc:
            urls = tuple(u for u in (cfg.audit_publish_url,) if u)
            why = mask(str(exc), cfg, urls=urls)
            out.warnings.append(
                f"цепочка «{d.chain}»: не опубликована ({why}); повтор при следующей проверке"
            )
            continue
        record_published(state, d, token)
        out.chains.append(d.chain)
    for w in out.warnings:
        log.warning("%s", w)
    return out


def _post_checked(cfg: Settings, due: Due, token: bytes | None) -> None:
    assert cfg.audit_publish_url
    headers = {"Content-Type": "text/plain; charset=utf-8", "X-Chain": due.chain}
    if token is not None:
        headers["X-Timestamp-Token"] = base64.b64encode(token).decode()
    r = httpx.post(cfg.audit_publish_url, content=due.note.encode(), headers=headers, timeout=30)
    r.raise_for_status()
