"""Issue 18 fixes of the heads file: corrupt line, checkpoint count, message of a foreign key."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from domain.audit.checkpoint import _check_one, heads_file
from models.settings import Settings
from tests.test_audit_tree_cli import _run, _world


def test_count_and_corrupt_heads_line(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    code, out = _run(["audit", "checkpoint"], cli_env)
    assert code == 0 and "Подписано контрольных точек: 1" in out, out
    code, out = _run(["audit", "verify"], cli_env)
    assert code == 0 and "контрольных точек: 1" in out, out
    hf = heads_file(settings.audit_signing_key)
    with hf.open("a", encoding="utf-8") as fh:
        fh.write('{"chain": "krylovsky", broken\n')
    code, out = _run(["audit", "verify"], cli_env)
    assert code == 1 and "строка 2: запись повреждена" in out, out


def test_foreign_key_message_names_the_checkpoint_chain() -> None:
    import datetime as dt

    from domain.audit.note import generate
    from domain.audit.trust import Trust

    own, mallory = generate("soczakaz"), generate("soczakaz")
    trust = Trust((own.verifier(),), "trusted.pub")
    pub = mallory.verifier().text()
    msg = _check_one("krylovsky", 1, "0" * 64, dt.datetime.now(dt.UTC), pub, "B", trust, "x")
    assert msg and "цепочки «krylovsky» на записи №1" in msg[0] and "доверенных" in msg[0]
