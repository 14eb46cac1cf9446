"""RFC 3161 time stamps of checkpoints against a local TSA (openssl ts), as people run them."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from domain.audit.checkpoint import head_message
from domain.audit.head_stamps import stamps_file
from domain.audit.note import NoteError, parse_note
from domain.audit.timestamp import check_token, read_certs, request_for, token_path
from models.settings import Settings
from tests.audit_tsa_helpers import Pki, closed_port_url, make_tsa, reply, serve_tsa
from tests.evidence_helpers import NOW
from tests.test_audit_tree_cli import _run, _world
from tests.test_audit_trust import _has


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_tsa(tmp_path_factory.mktemp("tsa"))


def _keys(env: dict[str, str], tmp: Path) -> tuple[Path, dict[str, str]]:
    keys = tmp / "keys"
    assert _run(["audit", "keygen", "--out", str(keys)], env)[0] == 0
    return keys / "soczakaz.key", {**env, "SOCZAKAZ_AUDIT_TRUSTED_KEYS": str(keys / "soczakaz.pub")}


def _checkpoint(env: dict[str, str], key: Path, out: Path) -> str:
    code, text = _run(
        ["audit", "checkpoint", "-m", "krylovsky", "--out", str(out), "--key", str(key)], env
    )
    assert code == 0 and out.exists(), text
    return text


def test_stamp_verifies_and_a_token_for_other_data_fails(
    engine: Engine, cli_env: dict[str, str], tmp_path: Path, pki: Pki
) -> None:
    _world(engine, cli_env, tmp_path)
    key, env = _keys(cli_env, tmp_path)
    env["SOCZAKAZ_AUDIT_TSA_CERTS"] = str(pki.chain)
    cp = tmp_path / "cp.txt"
    with serve_tsa(pki) as url:
        env["SOCZAKAZ_AUDIT_TSA_URL"] = url
        out = _checkpoint(env, key, cp)
    assert _has(out, "Метка времени RFC 3161") and token_path(cp).exists(), out
    code, out = _run(["audit", "verify", "--since", str(cp)], env)
    assert code == 0 and _has(out, "метка времени") and _has(out, "не позже"), out

    # A genuine token of the same TSA, but for another checkpoint, put beside this one.
    body = "soczakaz/krylovsky\n9\n" + "A" * 43 + "=\n"
    query, _nonce = request_for(body)
    token_path(cp).write_bytes(reply(pki, query))
    code, out = _run(["audit", "verify", "--since", str(cp)], env)
    assert code == 1 and _has(out, "метка времени выдана для других данных"), out


def test_tampered_checkpoint_and_foreign_tsa_fail_with_russian_messages(
    tmp_path: Path, pki: Pki
) -> None:
    body = "soczakaz/krylovsky\n2\n" + "B" * 43 + "=\n"
    query, _ = request_for(body)
    token = reply(pki, query)
    certs = read_certs(pki.chain)
    at = check_token(token, body=body, certs=certs, where="cp.txt")
    assert at.tzinfo is not None
    tampered = body.replace("\n2\n", "\n3\n")
    with pytest.raises(NoteError, match="выдана для других данных"):
        check_token(token, body=tampered, certs=certs, where="cp.txt")
    stranger = make_tsa(tmp_path / "stranger", name="Stranger TSA")
    with pytest.raises(NoteError, match="не подтверждается сертификатами службы времени"):
        check_token(token, body=body, certs=read_certs(stranger.chain), where="cp.txt")
    with pytest.raises(NoteError, match="повреждена"):
        check_token(b"\x30\x03junk", body=body, certs=certs, where="cp.txt")


def test_tsa_down_checkpoint_written_with_warning_verify_by_policy(
    engine: Engine, cli_env: dict[str, str], tmp_path: Path, pki: Pki
) -> None:
    _world(engine, cli_env, tmp_path)
    key, env = _keys(cli_env, tmp_path)
    env |= {"SOCZAKAZ_AUDIT_TSA_URL": closed_port_url(), "SOCZAKAZ_AUDIT_TSA_CERTS": str(pki.chain)}
    cp = tmp_path / "cp.txt"
    out = _checkpoint(env, key, cp)
    assert _has(out, "недоступна") and _has(out, "без метки времени"), out
    assert not token_path(cp).exists() and parse_note(cp.read_text(encoding="utf-8"))
    code, out = _run(["audit", "verify", "--since", str(cp)], env)
    assert code == 0 and _has(out, "ВНИМАНИЕ") and _has(out, "нет метки времени"), out
    strict = {**env, "SOCZAKAZ_AUDIT_TSA_POLICY": "require"}
    code, out = _run(["audit", "verify", "--since", str(cp)], strict)
    assert code == 1 and _has(out, "НАРУШЕНИЕ") and _has(out, "нет метки времени"), out
    code, out = _run(["audit", "verify"], {**env, "SOCZAKAZ_AUDIT_TSA_POLICY": "always"})
    assert code == 2 and _has(out, "SOCZAKAZ_AUDIT_TSA_POLICY"), out


def test_signed_heads_are_stamped_and_checked(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path, pki: Pki
) -> None:
    _world(engine, cli_env, tmp_path)
    env = cli_env | {"SOCZAKAZ_AUDIT_TSA_CERTS": str(pki.chain)}
    with serve_tsa(pki) as url:
        code, out = _run(["audit", "checkpoint"], env | {"SOCZAKAZ_AUDIT_TSA_URL": url})
    assert code == 0 and _has(out, "Меток времени RFC 3161: 1"), out
    code, out = _run(["audit", "verify"], env)
    assert code == 0 and _has(out, "на записи №2: метка времени"), out

    # The stamp of another head (same TSA, genuine) swapped in: detected.
    stamps = stamps_file(settings.audit_signing_key)
    rec = json.loads(stamps.read_text(encoding="utf-8"))
    query, _ = request_for(head_message("krylovsky", 1, "0" * 64, NOW))
    rec["tsr"] = base64.b64encode(reply(pki, query)).decode()
    stamps.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    code, out = _run(["audit", "verify", "-m", "krylovsky"], env)
    assert code == 1 and _has(out, "метка времени выдана для других данных"), out

    # TSA down: the head is still signed, with a warning; verify reports it by policy.
    stamps.unlink()
    down = env | {"SOCZAKAZ_AUDIT_TSA_URL": closed_port_url()}
    code, out = _run(["audit", "checkpoint"], down)
    assert code == 0 and _has(out, "Подписано контрольных точек: 1"), out
    assert _has(out, "без метки времени"), out
    code, out = _run(["audit", "verify"], down)
    assert code == 0 and _has(out, "ВНИМАНИЕ") and _has(out, "нет метки времени"), out
    code, out = _run(["audit", "verify"], down | {"SOCZAKAZ_AUDIT_TSA_POLICY": "require"})
    assert code == 1 and _has(out, "нет метки времени"), out
