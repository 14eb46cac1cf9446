"""The daily sweep publishes checkpoints after every change (issue 18): to a directory, to a
real HTTP receiver on 127.0.0.1, as an e-mail to the РМЦ through the outbox — and nothing
when the tree head did not change. Both the jobs path and ``roadmap sweep`` in a subprocess."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from domain.audit.note import parse_note, parse_verifier
from domain.audit.timestamp import token_path
from jobs.sweep import run_sweep
from models.db import session_scope
from models.settings import get_settings
from tests.audit_tsa_helpers import closed_port_url, make_tsa, serve_tsa
from tests.evidence_helpers import NOW
from tests.records_helpers import Cli
from tests.test_audit_tree_cli import _attack, _run, _world
from tests.test_audit_trust import _has


class Receiver:
    """The РМЦ's HTTP endpoint: keeps every POSTed note (or answers 500 when told)."""

    def __init__(self) -> None:
        self.got: list[tuple[str, str]] = []
        self.fail = False
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail:
                    self.send_response(500)
                else:
                    outer.got.append((self.headers["X-Chain"], body.decode()))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.srv = HTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.srv.server_port}/checkpoints?token=s3cret"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    threading.Thread(target=r.srv.serve_forever, daemon=True).start()
    yield r
    r.srv.shutdown()
    r.srv.server_close()


def _outbox(engine: Engine) -> list[tuple[str, str, str]]:
    with session_scope(engine) as s:
        rows = s.execute(text("SELECT dedupe_key, target, body_text FROM outboxmessage"))
        return [(r[0], r[1], r[2]) for r in rows]


def test_jobs_sweep_publishes_only_when_the_head_changed(
    engine: Engine,
    cli_env: dict[str, str],
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _world(engine, cli_env, tmp_path)
    pub = tmp_path / "published"
    env = cli_env | {
        "SOCZAKAZ_AUDIT_PUBLISH_DIR": str(pub),
        "SOCZAKAZ_AUDIT_PUBLISH_URL": receiver.url,
        "SOCZAKAZ_AUDIT_PUBLISH_EMAIL": "mailto://rmc@example.ru",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    counts = run_sweep(now=NOW, settings=get_settings())
    assert counts["checkpoints_published"] == 1
    note = (pub / "krylovsky.checkpoint").read_text(encoding="utf-8")
    verifier = parse_verifier(get_settings().audit_signing_key.with_suffix(".pub").read_text())
    assert parse_note(note).verified_by([verifier]) == ["soczakaz"]
    assert note.startswith("soczakaz/krylovsky\n2\n")
    assert receiver.got == [("krylovsky", note)]
    mails = _outbox(engine)
    assert len(mails) == 1 and mails[0][1] == "mailto://rmc@example.ru" and note in mails[0][2]

    counts = run_sweep(now=NOW, settings=get_settings())  # nothing changed
    assert counts["checkpoints_published"] == 0
    assert len(receiver.got) == 1 and len(_outbox(engine)) == 1

    # A change of the log, and the receiver down: the directory gets it, the chain is
    # not recorded as published, a warning names no secret; the next sweep sends it.
    waive = ["waive", "npa-moc", "-m", "krylovsky", "--year", "2025", "--reason", "не нужно"]
    code, out = _run([*waive, "--actor", "Иванова А.П."], cli_env)
    assert code == 0, out
    receiver.fail = True
    with caplog.at_level(logging.WARNING, logger="jobs.audit_publish"):
        counts = run_sweep(now=NOW, settings=get_settings())
    assert counts["checkpoints_published"] == 0
    assert (pub / "krylovsky.checkpoint").read_text(encoding="utf-8").split("\n")[1] == "3"
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "не опубликована" in warned and "s3cret" not in warned, warned
    receiver.fail = False
    counts = run_sweep(now=NOW, settings=get_settings())
    assert counts["checkpoints_published"] == 1
    assert receiver.got[-1][1].startswith("soczakaz/krylovsky\n3\n"), receiver.got
    assert len(_outbox(engine)) == 2  # one e-mail per head, the retry did not duplicate it


def test_roadmap_sweep_subprocess_publishes_with_a_stamp_and_verify_checks_it(
    engine: Engine, cli_env: dict[str, str], tmp_path: Path, receiver: Receiver
) -> None:
    _world(engine, cli_env, tmp_path)
    pki = make_tsa(tmp_path / "tsa")
    pub = tmp_path / "published"
    env = cli_env | {
        "SOCZAKAZ_AUDIT_PUBLISH_DIR": str(pub),
        "SOCZAKAZ_AUDIT_PUBLISH_URL": receiver.url,
        "SOCZAKAZ_AUDIT_TSA_CERTS": str(pki.chain),
    }
    with serve_tsa(pki) as tsa:
        cli = Cli(env | {"SOCZAKAZ_AUDIT_TSA_URL": tsa}, tmp_path / "home1")
        cli.run("sweep", "--without-prefect", "--as-of", "2025-03-10")
    assert token_path(pub / "krylovsky.checkpoint").exists()
    assert len(receiver.got) == 1
    # TSA down now, but nothing changed: nothing is published, no warning about stamps.
    cli = Cli(env | {"SOCZAKAZ_AUDIT_TSA_URL": closed_port_url()}, tmp_path / "home2")
    done = cli.run("sweep", "--without-prefect", "--as-of", "2025-03-10")
    assert len(receiver.got) == 1 and "без метки времени" not in done.stderr
    # Plain verify checks the log against the operator's copy of the published point.
    done = cli.run("audit", "verify")
    assert _has(done.stdout, "внешних точек: 1") and _has(done.stdout, "метка времени"), done
    # A change while the TSA is down: published anyway, without a stamp, with a warning.
    waive = ["waive", "npa-moc", "-m", "krylovsky", "--year", "2025", "--reason", "не нужно"]
    cli.run(*waive, "--actor", "Иванова А.П.")
    done = cli.run("sweep", "--without-prefect", "--as-of", "2025-03-10")
    assert _has(done.stderr, "без метки времени"), done
    assert len(receiver.got) == 2 and receiver.got[1][1].startswith("soczakaz/krylovsky\n3\n")
    assert not token_path(pub / "krylovsky.checkpoint").exists()  # the stale stamp is gone
    done = cli.run("audit", "verify")
    assert _has(done.stderr, "нет метки времени"), done  # policy warn: exit 0
    _attack(engine, "DELETE FROM auditentry WHERE seq = 3")
    done = cli.run("audit", "verify", code=1)
    assert _has(done.stdout + done.stderr, "усечение"), done
