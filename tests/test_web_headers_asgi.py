"""Security headers from the plain ASGI middleware (web/headers.py, issue 19).

The same headers as the former ``@app.middleware("http")`` on every kind of response:
JSON, HTML, a redirect, static files (streamed), the docs page with its inline script.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from models.settings import Settings
from web.app import create_app
from web.headers import CSP


def _client(tmp_path: Path) -> TestClient:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", evidence_dir=tmp_path)
    return TestClient(create_app(settings))


def _common(headers: object) -> None:
    h = dict(headers)  # type: ignore[call-overload]
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "same-origin"


def test_public_and_private_responses_get_the_headers(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        r = c.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        _common(r.headers)
        assert r.headers["content-security-policy"] == CSP
        assert "no-store" not in r.headers.get("cache-control", "")
        r = c.get("/static/style.css")
        assert r.status_code == 200 and r.content
        _common(r.headers)
        assert "no-store" not in r.headers.get("cache-control", "")
        r = c.get("/m/x", follow_redirects=False)  # no credential: to the sign-in page
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        _common(r.headers)
        assert r.headers["cache-control"] == "no-store"
        r = c.get("/api/me")
        assert r.status_code == 401
        _common(r.headers)
        assert r.headers["cache-control"] == "no-store"
        assert r.headers["content-security-policy"] == CSP


def test_docs_allow_their_inline_script_only(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        r = c.get("/docs")
        assert r.status_code == 200
        assert "script-src 'self' 'unsafe-inline'" in r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers.get_list("content-security-policy") == [
            r.headers["content-security-policy"]
        ]
        assert (
            "unsafe-inline'"
            not in c.get("/healthz")
            .headers["content-security-policy"]
            .split("script-src")[1]
            .split(";")[0]
        )
