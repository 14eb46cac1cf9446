"""The one settings object of soczakaz (environment prefix ``SOCZAKAZ_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of the application; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="SOCZAKAZ_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///soczakaz.db"
    evidence_dir: Path = Path("evidence")
    evidence_max_bytes: int = 20 * 1024 * 1024
    default_timezone: str = "Europe/Moscow"
    # Working days before the deadline during which a step is "due_soon".
    due_soon_working_days: int = 7
    # Public base URL used in links inside reminders and iCal feeds.
    base_url: str = "http://127.0.0.1:8000"
    # Ed25519 private key used to sign audit checkpoints (kept outside the database).
    audit_signing_key: Path = Path("audit-signing.key")
    # Outbox delivery.
    outbox_max_attempts: int = 6
    outbox_backoff_base_seconds: float = 30.0
    outbox_backoff_cap_seconds: float = 3600.0
    outbox_batch_size: int = 200
    # A row left in "sending" longer than this (a dispatcher died) goes back to pending.
    outbox_lease_seconds: float = 300.0
    # Parallel senders per dispatcher (1 = at most one duplicate per crash).
    outbox_workers: int = 1
    # Named apprise URLs that persons may reference as "@name" (secrets live here, not in YAML).
    channels: dict[str, str] = {}
    # Working hours of recipients (local time) for the sending window.
    work_hours_start: int = 9
    work_hours_end: int = 18
    sweep_batch_size: int = 200
    # Web overview: seconds the per-scope status counts are reused (0 = always recount).
    # Completions through the web app clear it at once; sweeps show up within this time.
    web_overview_cache_seconds: float = 5.0


@lru_cache
def get_settings() -> Settings:
    """Process-wide settings (tests build their own ``Settings`` instead)."""
    return Settings()
