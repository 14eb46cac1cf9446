"""A local HTTP inbox for the demo: apprise ``json://`` webhooks land in a JSONL file."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@contextmanager
def http_inbox(path: Path) -> Iterator[str]:
    """Serve on 127.0.0.1 (free port); yield the apprise URL that posts into ``path``."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            record = {
                "idempotency_key": self.headers.get("Idempotency-Key"),
                "message": json.loads(body or b"{}"),
            }
            with lock, path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/inbox"
    finally:
        server.shutdown()
        server.server_close()
