"""ASGI entry point for multi-worker uvicorn: ``uvicorn web.asgi:app``."""

from __future__ import annotations

from models.settings import get_settings
from web.app import create_app
from web.gc_tuning import settle_heap

app = create_app(get_settings())
settle_heap()  # a serving process (web/gc_tuning.py)
