"""publish_checkpoints: to a directory and to a real HTTP receiver on 127.0.0.1 (issue 18)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from sqlalchemy.engine import Engine

from domain.audit.note import generate, parse_note
from domain.audit.publish import publish_checkpoints
from models.db import session_scope
from models.settings import Settings
from tests.test_audit_tree_cli import _world


def test_publish_to_file_and_http_only_when_changed(
    engine: Engine, settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _world(engine, cli_env, tmp_path)
    signer = generate("soczakaz")
    got: list[bytes] = []

    class H(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    srv = HTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        with session_scope(engine) as s:
            out = tmp_path / "pub"
            assert publish_checkpoints(
                s, signer=signer, target=f"file:{out}", state_dir=tmp_path / "st1"
            ) == ["krylovsky"]
            note = (out / "krylovsky.checkpoint").read_text(encoding="utf-8")
            assert parse_note(note).verified_by([signer.verifier()]) == ["soczakaz"]
            url = f"http://127.0.0.1:{srv.server_port}/cp"
            assert publish_checkpoints(
                s, signer=signer, target=url, state_dir=tmp_path / "st2"
            ) == ["krylovsky"]
            assert (
                publish_checkpoints(s, signer=signer, target=url, state_dir=tmp_path / "st2") == []
            )
    finally:
        srv.shutdown()
    assert len(got) == 1 and got[0].decode().startswith("soczakaz/krylovsky\n")
