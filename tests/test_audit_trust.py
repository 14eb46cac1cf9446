"""``audit verify`` with public keys only: trusted keys from a file or a setting (issue 18)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.audit.checkpoint import _message, heads_file
from domain.audit.log import format_at
from domain.audit.note import generate
from domain.audit.tree import _at
from models.db import session_scope
from models.settings import Settings
from tests.test_audit_tree_cli import _attack, _run, _world
from tests.test_audit_verdict import _rewrite_consistently


def _has(out: str, needle: str) -> bool:
    """``needle`` in the output, whatever the line wrapping of the console."""
    return "".join(needle.split()) in "".join(out.split())


def _public_only(settings: Settings, env: dict[str, str], tmp: Path) -> dict[str, str]:
    """The auditor's copy of the public key; the private key is gone from this machine."""
    trusted = tmp / "auditor" / "trusted.pub"
    trusted.parent.mkdir()
    shutil.copy(settings.audit_signing_key.with_suffix(".pub"), trusted)
    settings.audit_signing_key.unlink()
    settings.audit_signing_key.with_suffix(".pub").unlink()
    return {**env, "SOCZAKAZ_AUDIT_TRUSTED_KEYS": str(trusted)}


def _resign_all(engine: Engine, settings: Settings) -> None:
    """Mallory signs the rewritten heads with her own key, named like the real one."""
    mallory = generate("soczakaz")
    with session_scope(engine) as s:
        cps = list(s.execute(text("SELECT id, chain, seq, at FROM auditcheckpoint")))
        heads = {
            (r.chain, r.seq): r.hash
            for r in s.execute(text("SELECT chain, seq, hash FROM auditentry"))
        }
    lines = []
    for cp in cps:
        head = heads[(cp.chain, cp.seq)]
        sig = base64.b64encode(
            mallory.private.sign(_message(cp.chain, cp.seq, head, _at(cp.at)))
        ).decode()
        pub = mallory.verifier().text()
        _attack(
            engine,
            f"UPDATE auditcheckpoint SET hash = '{head}', public_key = '{pub}', "
            f"signature = '{sig}' WHERE id = {cp.id}",
        )
        rec = {"chain": cp.chain, "seq": cp.seq, "hash": head, "at": format_at(_at(cp.at))}
        lines.append(json.dumps({**rec, "public_key": pub, "signature": sig}) + "\n")
    heads_file(settings.audit_signing_key).write_text("".join(lines), encoding="utf-8")


def test_verify_with_public_keys_only_and_a_resigned_rewrite_fails(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    code, out = _run(["audit", "checkpoint"], cli_env)
    assert code == 0, out
    env = _public_only(settings, cli_env, tmp_path)
    code, out = _run(["audit", "verify"], env)
    assert code == 0 and _has(out, "контрольных точек: 1") and _has(out, "trusted.pub"), out
    assert not settings.audit_signing_key.exists()  # verify did not create a key either

    _rewrite_consistently(engine)
    _resign_all(engine, settings)
    for args in (["audit", "verify"], ["audit", "verify", "-m", "krylovsky"]):
        code, out = _run(args, env)
        assert code == 1, out
        assert _has(out, "цепочки «krylovsky» на записи №2"), out
        assert _has(out, "ключом «soczakaz»") and _has(out, "нет среди доверенных"), out
        assert not _has(out, "не ключом")
    # The operator's own key file would accept Mallory's key: --key names the trusted file.
    code, out = _run(["audit", "verify", "--key", env["SOCZAKAZ_AUDIT_TRUSTED_KEYS"]], cli_env)
    assert code == 1 and _has(out, "нет среди доверенных"), out


def test_no_trusted_key_is_a_problem_and_a_bad_key_file_names_its_line(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    assert _run(["audit", "checkpoint"], cli_env)[0] == 0
    settings.audit_signing_key.with_suffix(".pub").unlink()
    code, out = _run(["audit", "verify"], cli_env)
    assert code == 1 and _has(out, "нет доверенных открытых ключей"), out
    bad = tmp_path / "bad.pub"
    bad.write_text("# РМЦ\nsoczakaz+0000+AAAA\n", encoding="utf-8")
    code, out = _run(["audit", "verify"], {**cli_env, "SOCZAKAZ_AUDIT_TRUSTED_KEYS": str(bad)})
    assert code == 2 and _has(out, "bad.pub, строка 2"), out


def test_since_uses_the_configured_trusted_keys(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    keys = tmp_path / "keys"
    assert _run(["audit", "keygen", "--out", str(keys)], cli_env)[0] == 0
    cp = tmp_path / "cp.txt"
    args = ["audit", "checkpoint", "-m", "krylovsky", "--out", str(cp)]
    assert _run([*args, "--key", str(keys / "soczakaz.key")], cli_env)[0] == 0
    env = {**cli_env, "SOCZAKAZ_AUDIT_TRUSTED_KEYS": str(keys / "soczakaz.pub")}
    code, out = _run(["audit", "verify", "--since", str(cp)], env)
    assert code == 0 and "продолжает контрольную точку" in out, out
    _attack(engine, "DELETE FROM auditentry WHERE seq = 2")
    code, out = _run(["audit", "verify", "--since", str(cp)], env)
    assert code == 1 and _has(out, "усечение"), out
