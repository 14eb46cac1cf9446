"""The dashboard's «цепочка цела» is the CLI's verdict, checkpoints included (issue 18)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.audit import log as audit_log
from domain.audit.tree import _at
from domain.audit.verify import verify_chain as links_only
from models.db import session_scope
from models.settings import Settings
from tests.test_audit_tree_cli import _attack, _run, _world
from tests.web_fixtures import World, auth
from web.actions import verify_chain as dashboard_verdict

pytest_plugins = ["tests.web_fixtures"]


def _rewrite_consistently(engine: Engine) -> None:
    """Every entry re-hashed with another actor: links and hashes still agree."""
    with session_scope(engine) as s:
        rows = list(
            s.execute(
                text(
                    "SELECT id, chain, seq, at, action, entity, payload "
                    "FROM auditentry WHERE chain = 'krylovsky' ORDER BY seq"
                )
            )
        )
    prev = audit_log.GENESIS_HASH
    for r in rows:
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


def test_cli_and_dashboard_agree_on_intact_and_tampered_chain(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    assert _run(["audit", "checkpoint"], cli_env)[0] == 0
    code, out = _run(["audit", "verify", "-m", "krylovsky"], cli_env)
    with session_scope(engine) as s:
        check = dashboard_verdict(s, "krylovsky", settings)
    assert code == 0 and check.ok, (out, check.message)
    assert check.message.startswith("цепочка цела") and f"записей: {check.entries}" in out

    _rewrite_consistently(engine)
    with session_scope(engine) as s:
        assert links_only(s, chain="krylovsky").ok  # links and hashes alone pass
        check = dashboard_verdict(s, "krylovsky", settings)
    code, out = _run(["audit", "verify", "-m", "krylovsky"], cli_env)
    assert code == 1 and not check.ok, out
    assert "НАРУШЕНА" in check.message and "подписанной контрольной точкой" in check.message
    first = check.problems[0]
    assert first.split(":")[0] in out and "переписана" in first, (first, out)


def test_dashboard_page_and_api_say_what_the_cli_says(
    client: TestClient, world: World, engine: Engine, cli_env: dict[str, str]
) -> None:
    """Through the running app: the auditor's page and the JSON API against ``audit verify``."""
    h = auth(world, "auditor")
    assert _run(["audit", "checkpoint"], cli_env)[0] == 0

    def views() -> tuple[int, dict[str, Any], str]:
        code, _out = _run(["audit", "verify", "-m", "krylovsky"], cli_env)
        api = client.get("/api/municipalities/krylovsky/audit/verify", headers=h).json()
        return code, api, client.get("/audit/krylovsky", headers=h).text

    code, api, page = views()
    assert code == 0 and api["ok"] is True and "цепочка цела" in page, api
    _rewrite_consistently(engine)  # only the signed checkpoint can tell
    code, api, page = views()
    assert code == 1 and api["ok"] is False and "цепочка НАРУШЕНА" in page, api
    assert any("подписанной контрольной точкой" in p for p in api["problems"]), api
