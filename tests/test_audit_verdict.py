"""``chain_verdict`` (for the dashboard) says what the CLI says, checkpoints included (issue 18)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.audit import log as audit_log
from domain.audit.tree import _at
from domain.audit.verdict import chain_verdict
from models.db import session_scope
from models.settings import Settings
from tests.test_audit_tree_cli import _attack, _run, _world


def test_consistent_rewrite_after_checkpoint_fails_verdict_as_in_cli(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    assert _run(["audit", "checkpoint"], cli_env)[0] == 0
    with session_scope(engine) as s:
        assert chain_verdict(s, chain="krylovsky", settings=settings).ok
        rows = list(
            s.execute(
                text(
                    "SELECT id, chain, seq, at, action, entity, payload "
                    "FROM auditentry WHERE chain = 'krylovsky' ORDER BY seq"
                )
            )
        )
    prev = audit_log.GENESIS_HASH
    for r in rows:  # a full consistent rewrite: every entry re-hashed with another actor
        h = audit_log.entry_hash(
            prev,
            chain=r.chain,
            seq=r.seq,
            at=_at(r.at),
            actor="Петров",
            action=r.action,
            entity=r.entity,
            payload_text=r.payload,
        )
        _attack(
            engine,
            f"UPDATE auditentry SET actor = 'Петров', prev_hash = '{prev}', "
            f"hash = '{h}' WHERE id = {r.id}",
        )
        prev = h
    with session_scope(engine) as s:
        assert audit_log.verify_chain(s, chain="krylovsky").ok  # links and hashes alone pass
        verdict = chain_verdict(s, chain="krylovsky", settings=settings)
    code, out = _run(["audit", "verify", "-m", "krylovsky"], cli_env)
    assert code == 1 and not verdict.ok, out
    assert str(verdict.problems[0]).split(":")[0] in out
