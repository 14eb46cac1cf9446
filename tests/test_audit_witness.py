"""The РМЦ as a witness: C2SP tlog-cosignatures, forks and rollbacks refused, a damaged
state file is an error (issue 18). Run as people run it: the CLI, on both databases."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from sqlalchemy.engine import Engine

from domain.audit.note import cosigned_message, parse_note, parse_verifier
from models.settings import Settings
from tests.audit_attacks import fork
from tests.evidence_helpers import NOW
from tests.test_audit_tree_cli import ACT, _run, _world


def _complete_again(env: dict[str, str], tmp: Path) -> None:
    """One more logged completion (the first after the reopen, then superseding ones)."""
    args = ["complete", "npa-moc", "-m", "krylovsky", "--year", "2025", *ACT]
    args += ["--file", str(tmp / "p.pdf"), "--actor", "Иванова А.П."]
    code, out = _run(args, env)
    if code != 0:
        code, out = _run([*args, "--supersede", "--reason", "опечатка"], env)
    assert code == 0, out


def test_witness_cosigns_per_c2sp_and_refuses_fork_rollback_and_bad_state(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    _complete_again(cli_env, tmp_path)
    k = tmp_path / "keys"
    assert _run(["audit", "keygen", "--out", str(k)], cli_env)[0] == 0
    code, out = _run(["audit", "keygen", "--out", str(k), "--name", "rmc", "--witness"], cli_env)
    assert code == 0, out
    key, pub, rmc_key, rmc_pub = (
        str(k / n) for n in ("soczakaz.key", "soczakaz.pub", "rmc.key", "rmc.pub")
    )
    assert parse_verifier((k / "rmc.pub").read_text()).is_witness
    state = tmp_path / "rmc-state.txt"
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"

    def checkpoint(path: Path) -> None:
        code, out = _run(
            ["audit", "checkpoint", "-m", "krylovsky", "--out", str(path), "--key", key], cli_env
        )
        assert code == 0, out

    def witness(path: Path, *extra: str) -> tuple[int, str]:
        return _run(
            [
                "audit",
                "witness",
                str(path),
                "--key",
                pub,
                "--witness-key",
                rmc_key,
                "--state",
                str(state),
                *extra,
            ],
            cli_env,
        )

    checkpoint(old)
    proof = tmp_path / "proof.json"
    assert _run(["audit", "prove", "-m", "krylovsky", "1", "--out", str(proof)], cli_env)[0] == 0
    check = ["audit", "check-proof", str(proof), "--checkpoint", str(old), "--key", pub]
    code, out = _run([*check, "--witness", rmc_pub], cli_env)
    assert code == 2 and "не заверена свидетелем «rmc»" in out, out

    code, out = witness(old)
    assert code == 0 and "Заверено РМЦ" in out, out
    assert state.read_text() == old.read_text()
    # The cosignature is the spec's: key id (type 0x04), u64 time, Ed25519 over the message.
    note = parse_note(old.read_text())
    name, _kid, sig = note.signatures[-1]
    assert name == "rmc" and len(sig) == 72
    when = int.from_bytes(sig[:8], "big")
    assert when == int(NOW.timestamp())
    rmc = parse_verifier((k / "rmc.pub").read_text())
    rmc.public.verify(sig[8:], cosigned_message(note.body, when))
    assert dt.datetime.fromtimestamp(when, dt.UTC) == NOW
    code, out = _run([*check, "--witness", rmc_pub], cli_env)
    assert code == 0 and "OK" in out, out

    # The log grows: without a consistency proof the witness refuses, with one it cosigns.
    _complete_again(cli_env, tmp_path)
    checkpoint(new)
    code, out = witness(new)
    assert code == 2 and "нужно доказательство согласованности" in out, out
    cons = tmp_path / "cons.json"
    code, out = _run(
        ["audit", "consistency", str(old), str(new), "--key", pub, "--out", str(cons)], cli_env
    )
    assert code == 0, out
    code, out = witness(new, "--proof", str(cons))
    old_size = parse_note(old.read_text()).body.split("\n")[1]
    assert code == 0 and f"продолжает точку из {old_size}" in out, out
    witnessed = state.read_text()

    # Rollback: the older checkpoint presented again.
    code, out = witness(old)
    assert code == 2 and "откат или усечение" in out, out
    # Fork: the operator rewrites entry 1 and the stored tree, signs with the real key.
    fork(engine, "krylovsky", "UPDATE auditentry SET actor = 'Петров' WHERE seq = 1")
    forked = tmp_path / "fork.txt"
    checkpoint(forked)
    code, out = witness(forked)
    assert code == 2 and "развилка" in out and "другой корень" in out, out
    garbage = tmp_path / "garbage.json"
    garbage.write_text('["' + "00" * 32 + '"]')
    _complete_again(cli_env, tmp_path)
    checkpoint(forked)
    code, out = witness(forked, "--proof", str(garbage))
    assert code == 2 and "развилка" in out, out
    assert "\u2014 rmc " not in forked.read_text()
    assert state.read_text() == witnessed  # a refusal never moves the state

    # Damaged proof and state files: an error naming the file, never a traceback.
    garbage.write_text("{not json")
    code, out = witness(forked, "--proof", str(garbage))
    assert code == 2 and "повреждённое доказательство" in out, out
    state.write_text("soczakaz/krylovsky\n3\n")
    code, out = witness(new)
    assert code == 2 and "файл состояния свидетеля повреждён" in out, out
    # A state file swapped for a checkpoint the witness never cosigned is refused too.
    state.write_text(forked.read_text())
    code, out = witness(new)
    assert code == 2 and "не заверена свидетелем «rmc»" in out, out
    body = base64.b64encode(b"x").decode()
    state.write_bytes(b"\xff\xfe" + body.encode())
    code, out = witness(new)
    assert code == 2 and "не удалось прочитать" in out, out
