"""Merkle checkpoints as people run them: keygen, checkpoint, prove, check-proof, verify --since,
consistency and witness; attacks after a checkpoint kept outside the database (issue 18)."""

from __future__ import annotations

from pathlib import Path

import time_machine
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli.main import app
from models.settings import Settings
from tests.audit_attacks import fork as make_fork
from tests.evidence_helpers import NOW, PDF, make_step_in_db

runner = CliRunner()
ACT = [
    "--act-type",
    "приказ",
    "--act-number",
    "№85/1",
    "--act-date",
    "2025-03-03",
    "--issuer",
    "Управление образования МО Крыловский район",
]


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    with time_machine.travel(NOW, tick=False):
        r = runner.invoke(app, args, env=env)
    assert "Traceback" not in r.output
    return r.exit_code, r.output


def _world(engine: Engine, env: dict[str, str], tmp: Path) -> None:
    make_step_in_db(engine)
    pdf = tmp / "p.pdf"
    pdf.write_bytes(PDF)
    code, out = _run(
        [
            "complete",
            "npa-moc",
            "-m",
            "krylovsky",
            "--year",
            "2025",
            *ACT,
            "--file",
            str(pdf),
            "--actor",
            "Иванова А.П.",
        ],
        env,
    )
    assert code == 0, out
    code, out = _run(
        [
            "reopen",
            "npa-moc",
            "-m",
            "krylovsky",
            "--year",
            "2025",
            "--reason",
            "ошибка",
            "--actor",
            "Иванова А.П.",
        ],
        env,
    )


def _attack(engine: Engine, sql: str) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for (name,) in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type='trigger'")
            ).all():
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        conn.execute(text(sql))


def test_checkpoint_proof_and_attacks(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    keys, cp, proof = tmp_path / "keys", tmp_path / "cp.txt", tmp_path / "proof.json"
    code, out = _run(["audit", "keygen", "--out", str(keys)], cli_env)
    assert code == 0, out
    secret = (keys / "soczakaz.key").read_text()
    # PRIVATE+KEY+name+id+<base64>; the base64 itself may hold "+": split only four times.
    key_b64 = secret.strip().split("+", 4)[4]
    assert len(key_b64) > 40 and key_b64 not in out  # the private key is never printed
    key, pub = str(keys / "soczakaz.key"), str(keys / "soczakaz.pub")
    code, out = _run(
        ["audit", "checkpoint", "-m", "krylovsky", "--out", str(cp), "--key", key], cli_env
    )
    assert code == 0, out
    assert cp.read_text().startswith("soczakaz/krylovsky\n")
    code, out = _run(["audit", "prove", "-m", "krylovsky", "1", "--out", str(proof)], cli_env)
    assert code == 0, out
    code, out = _run(
        ["audit", "check-proof", str(proof), "--checkpoint", str(cp), "--key", pub], cli_env
    )
    assert code == 0 and "OK" in out, out
    code, out = _run(["audit", "verify", "--since", str(cp), "--key", pub], cli_env)
    assert code == 0, out

    # An attacker re-signs a checkpoint with a key of the same name: not trusted.
    _run(["audit", "keygen", "--out", str(tmp_path / "evil")], cli_env)
    evil_cp = tmp_path / "evil.txt"
    _run(
        [
            "audit",
            "checkpoint",
            "-m",
            "krylovsky",
            "--out",
            str(evil_cp),
            "--key",
            str(tmp_path / "evil" / "soczakaz.key"),
        ],
        cli_env,
    )
    code, out = _run(
        ["audit", "check-proof", str(proof), "--checkpoint", str(evil_cp), "--key", pub], cli_env
    )
    assert code == 2 and "не подписана ни одним доверенным ключом" in out, out

    # Corrupt checkpoint and proof files: a Russian error, exit 2, no traceback.
    bad = tmp_path / "bad.txt"
    bad.write_text("soczakaz/krylovsky\nmany\n", encoding="utf-8")
    code, out = _run(["audit", "verify", "--since", str(bad), "--key", pub], cli_env)
    assert code == 2 and "подписанная заметка" in out, out
    bad.write_text("{not json", encoding="utf-8")
    code, out = _run(
        ["audit", "check-proof", str(bad), "--checkpoint", str(cp), "--key", pub], cli_env
    )
    assert code == 2 and "повреждённый JSON" in out, out

    # Rewrite after the checkpoint: a careful attacker edits the payload of entry 1.
    _attack(
        engine,
        "UPDATE auditentry SET payload = replace(payload, '85/1', '85/2') "
        "WHERE chain = 'krylovsky' AND seq = 1",
    )
    code, out = _run(["audit", "verify", "--since", str(cp), "--key", pub], cli_env)
    assert code == 1 and "развилка" in out and "krylovsky" in out, out

    # Truncation: the last entry is deleted.
    _attack(
        engine,
        "DELETE FROM auditentry WHERE chain = 'krylovsky' AND seq = "
        "(SELECT max(seq) FROM auditentry WHERE chain = 'krylovsky')",
    )
    code, out = _run(["audit", "verify", "--since", str(cp), "--key", pub], cli_env)
    assert code == 1 and "усечение" in out, out


def test_consistency_and_witness_refuses_fork(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    keys = tmp_path / "keys"
    _run(["audit", "keygen", "--out", str(keys)], cli_env)
    _run(["audit", "keygen", "--out", str(tmp_path / "rmc"), "--name", "rmc"], cli_env)
    key, pub = str(keys / "soczakaz.key"), str(keys / "soczakaz.pub")
    rmc_key, state = str(tmp_path / "rmc" / "rmc.key"), tmp_path / "rmc-state.txt"
    old, new, cons = tmp_path / "old.txt", tmp_path / "new.txt", tmp_path / "cons.json"
    _run(["audit", "checkpoint", "-m", "krylovsky", "--out", str(old), "--key", key], cli_env)
    code, out = _run(
        [
            "audit",
            "witness",
            str(old),
            "--key",
            pub,
            "--witness-key",
            rmc_key,
            "--state",
            str(state),
        ],
        cli_env,
    )
    assert code == 0, out
    assert "\u2014 rmc " in old.read_text()
    _run(
        [
            "complete",
            "npa-moc",
            "-m",
            "krylovsky",
            "--year",
            "2025",
            *ACT,
            "--file",
            str(tmp_path / "p.pdf"),
            "--actor",
            "Иванова А.П.",
        ],
        cli_env,
    )
    _run(["audit", "checkpoint", "-m", "krylovsky", "--out", str(new), "--key", key], cli_env)
    code, out = _run(
        ["audit", "consistency", str(old), str(new), "--key", pub, "--out", str(cons)], cli_env
    )
    assert code == 0 and "продолжает" in out, out
    code, out = _run(
        [
            "audit",
            "witness",
            str(new),
            "--key",
            pub,
            "--witness-key",
            rmc_key,
            "--state",
            str(state),
            "--proof",
            str(cons),
        ],
        cli_env,
    )
    assert code == 0, out

    # A fork: the operator rewrites entry 1 and signs a new head with the real key.
    make_fork(engine, "krylovsky", "UPDATE auditentry SET actor = 'Петров' WHERE seq = 1")
    fork, fork_cons = tmp_path / "fork.txt", tmp_path / "fork.json"
    _run(
        [
            "complete",
            "npa-moc",
            "-m",
            "krylovsky",
            "--year",
            "2025",
            *ACT,
            "--file",
            str(tmp_path / "p.pdf"),
            "--actor",
            "Иванова А.П.",
        ],
        cli_env,
    )
    _run(["audit", "checkpoint", "-m", "krylovsky", "--out", str(fork), "--key", key], cli_env)
    code, out = _run(
        ["audit", "consistency", str(new), str(fork), "--key", pub, "--out", str(fork_cons)],
        cli_env,
    )
    assert code == 2 and "развилка" in out, out
    fork_cons.write_text("[]", encoding="utf-8")
    code, out = _run(
        [
            "audit",
            "witness",
            str(fork),
            "--key",
            pub,
            "--witness-key",
            rmc_key,
            "--state",
            str(state),
            "--proof",
            str(fork_cons),
        ],
        cli_env,
    )
    assert code == 2 and "развилка" in out, out
    assert "\u2014 rmc " not in fork.read_text()


def test_as_people_run_it_in_a_subprocess(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    _world(engine, cli_env, tmp_path)
    env = {**os.environ, **cli_env, "HOME": str(tmp_path / "home")}
    exe = str(Path(sys.executable).with_name("roadmap"))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, "audit", *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    k, cp, pr = tmp_path / "k", tmp_path / "cp.txt", tmp_path / "pr.json"
    assert run("keygen", "--out", str(k)).returncode == 0
    assert (
        run(
            "checkpoint", "-m", "krylovsky", "--out", str(cp), "--key", str(k / "soczakaz.key")
        ).returncode
        == 0
    )
    assert run("prove", "-m", "krylovsky", "1", "--out", str(pr)).returncode == 0
    env["SOCZAKAZ_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # no database
    done = run("check-proof", str(pr), "--checkpoint", str(cp), "--key", str(k / "soczakaz.pub"))
    assert done.returncode == 0 and "OK" in done.stdout, done.stdout + done.stderr
    cp.write_text(cp.read_text().replace("\n", "\n\n", 1))
    bad = run("check-proof", str(pr), "--checkpoint", str(cp), "--key", str(k / "soczakaz.pub"))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr, bad.stderr
