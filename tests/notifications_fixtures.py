"""Fixtures over the real loopback receivers of benchmarks/loopback.py (SMTP and HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller

from benchmarks.loopback import HttpSink, SmtpHandler, free_port, start_http_sink

__all__ = ["HttpSink", "SmtpHandler", "SmtpSink", "free_port", "http_sink", "smtp_sink"]
__all__ += ["start_http_sink"]


@dataclass
class SmtpSink:
    handler: SmtpHandler
    port: int

    def url(self, to: str = "org@example.ru") -> str:
        return f"mailto://robot@127.0.0.1:{self.port}?to={to}&from=robot@soczakaz.ru&secure=no"

    def texts(self) -> list[tuple[str, str, str]]:
        """(subject, plain text, html) of every accepted message, decoded."""
        out = []
        for m in self.handler.received:
            plain = m.get_body(preferencelist=("plain",))
            html = m.get_body(preferencelist=("html",))
            out.append(
                (
                    str(m["subject"]),
                    plain.get_content() if plain else "",
                    html.get_content() if html else "",
                )
            )
        return out


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    handler = SmtpHandler()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield SmtpSink(handler, port)
    finally:
        ctl.stop()


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = start_http_sink()
    try:
        yield sink
    finally:
        sink.close()
