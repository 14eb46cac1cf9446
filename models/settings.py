"""The one settings object of soczakaz (environment prefix ``SOCZAKAZ_``).

A pydantic model that reads its values the way pydantic-settings' ``BaseSettings``
did with ``env_prefix="SOCZAKAZ_"``, ``env_file=".env"``, ``extra="ignore"``:
keyword arguments over the environment over ``.env`` over the defaults, variable
names in any case, JSON for dict fields. Importing pydantic-settings (asyncio,
argparse, every cloud provider: ~50 ms) was a tenth of ``roadmap status`` (issue 19);
tests/test_startup_settings.py checks the same values as ``BaseSettings`` gives.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, field_validator

PREFIX = "soczakaz_"
ENV_FILE = ".env"


class SettingsError(ValueError):
    """A variable whose value cannot be decoded (as pydantic-settings words it)."""


class Settings(BaseModel):
    """Every tunable of the application; nothing else reads the environment."""

    model_config = ConfigDict(extra="ignore", validate_default=True)

    def __init__(self, **values: Any) -> None:
        super().__init__(**_with_environment(values))

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
    # Outbox delivery: capped exponential backoff with jitter (base·2^(n-1), at most the
    # cap, times 0.5–1.0). The defaults keep retrying for at least 2 h 45 min (at most
    # 5 h 30 min) before a message becomes a dead letter, so a receiver outage of an
    # hour or two costs no message.
    outbox_max_attempts: int = 16
    outbox_backoff_base_seconds: float = 60.0
    outbox_backoff_cap_seconds: float = 1800.0
    outbox_batch_size: int = 200
    # A row left in "sending" longer than this (a dispatcher died) goes back to pending.
    outbox_lease_seconds: float = 300.0
    # Parallel senders per dispatcher (1 = at most one duplicate per crash).
    outbox_workers: int = 1
    # Named apprise URLs (the channel credentials live here only, never in a person row):
    # a person references one as "@name" or "name:own-address" (notifications/targets.py).
    channels: dict[str, str] = {}
    # Key that signs the links in step reminders (web/step_links.py); unset = the
    # per-database server key.
    link_secret: SecretStr | None = None
    # Largest request body the web app reads (uploads are streamed and cut off past it).
    upload_limit_bytes: int = 50 * 1024 * 1024
    # Working hours of recipients (local time) for the sending window.
    work_hours_start: int = 9
    work_hours_end: int = 18
    sweep_batch_size: int = 200
    # Web overview: seconds the per-scope status counts are reused (0 = always recount).
    # Completions through the web app clear it at once; sweeps show up within this time.
    web_overview_cache_seconds: float = 5.0
    # Seconds a Prefect-backed command waits for its local Prefect API server to start
    # (the very first start creates Prefect's database and takes ~30 s on 2 cores).
    prefect_startup_timeout_seconds: float = 300.0
    # Reports (docs/reports.md): the region's own Word template (None = the built-in one)
    # and a YAML file of header details per municipality code (zone, МОЦ, head).
    report_template: Path | None = None
    report_details: Path | None = None
    # Audit log (docs/audit.md, issue 18). Trusted public keys for `audit verify` and the
    # dashboard: a file of C2SP verifier keys, one a line (None = the .pub file beside
    # audit_signing_key). Verification never reads the private key.
    audit_trusted_keys: Path | None = None
    # Name of the signing key in signed notes when the key file is PEM.
    audit_key_name: str = "soczakaz"
    # RFC 3161 time-stamping authority (None = no time stamps), its certificates (PEM:
    # TSA certificate, intermediates, root) and what a missing stamp is: warn | require.
    audit_tsa_url: str | None = None
    audit_tsa_certs: Path | None = None
    audit_tsa_policy: str = "warn"
    # Publishing of checkpoints by the daily sweep when a tree head changed: a directory,
    # an HTTP endpoint (POST of the note) and/or a recipient of the outbox (e-mail to the
    # РМЦ: an apprise URL or "@name" of channels). State of the last publication: below
    # audit_publish_state (None = "<signing key>.published" beside the key).
    audit_publish_dir: Path | None = None
    audit_publish_url: str | None = None
    audit_publish_email: str | None = None
    audit_publish_state: Path | None = None

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not CHANNEL_NAME.fullmatch(name):
                raise ValueError("bad channel name")
        return value

    def loopback_link_warning(self) -> str | None:
        """A Russian warning when reminder links would point to this machine only
        (``base_url`` on a loopback address) while messages go to real recipients."""
        if not _is_loopback(self.base_url):
            return None
        real = [url for url in self.channels.values() if not _is_loopback(url)]
        if not real:
            return None
        return (
            f"SOCZAKAZ_BASE_URL={self.base_url} указывает на этот компьютер, а напоминания "
            "уходят настоящим получателям: ссылки в письмах у них не откроются. Задайте "
            "публичный адрес панели, например SOCZAKAZ_BASE_URL=https://moc.example.ru"
        )


CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def _dotenv() -> dict[str, str | None]:
    """``.env`` of the working directory (python-dotenv, imported only when it exists)."""
    if not os.path.isfile(ENV_FILE):
        return {}
    from dotenv import dotenv_values

    return {k.lower(): v for k, v in dotenv_values(ENV_FILE).items()}


def _merged(low: Any, high: Any) -> Any:
    """``high`` over ``low``; dicts key by key (pydantic-settings' deep update)."""
    if isinstance(low, dict) and isinstance(high, dict):
        return {**low, **{k: _merged(low.get(k), v) for k, v in high.items()}}
    return high


def _with_environment(init: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments over ``SOCZAKAZ_*`` variables over ``.env``."""
    out: dict[str, Any] = {}
    environ = {k.lower(): v for k, v in os.environ.items()}
    for source, found in (("DotEnvSettingsSource", _dotenv()), ("EnvSettingsSource", environ)):
        for name, field in Settings.model_fields.items():
            raw = found.get(PREFIX + name)
            if raw is None:
                continue
            value: Any = raw
            if get_origin(field.annotation) in (dict, list) or field.annotation in (dict, list):
                try:
                    value = json.loads(raw)
                except ValueError as exc:
                    raise SettingsError(
                        f'error parsing value for field "{name}" from source "{source}"'
                    ) from exc
            out[name] = _merged(out.get(name), value)
    for name, value in init.items():
        out[name] = _merged(out.get(name), value)
    return out


class SettingsInvalid(ValueError):
    """Settings that cannot be read; the message names the variables, never their values."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_HINTS = {
    "channels": 'ожидается JSON-объект {"имя": "адрес apprise"}; имя — латиница, цифры, _ и -',
}


def _invalid(fields: list[str]) -> SettingsInvalid:
    names = sorted(dict.fromkeys(fields))
    shown = ", ".join(f"SOCZAKAZ_{n.upper()}" for n in names)
    hint = "; ".join(_HINTS[n] for n in names if n in _HINTS)
    return SettingsInvalid(
        f"настройки не прочитаны: неверное значение {shown}" + (f" ({hint})" if hint else "")
    )


def _is_loopback(url: str) -> bool:
    """True for URLs whose host is localhost or a loopback IP (console:// counts too)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme in ("console", "") or host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.endswith(".localhost")


def get_settings() -> Settings:
    """The settings of this process, built once per environment.

    Keyed on the ``SOCZAKAZ_*`` variables and the working directory (``.env``), so a
    changed environment (a test's monkeypatch, a CLI invocation in-process) gets fresh
    settings without any cache clearing. Treat the result as read-only (``model_copy``).
    """
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("SOCZAKAZ_")))
    return _settings_for(env, os.getcwd())


@lru_cache(maxsize=16)
def _settings_for(_env: tuple[tuple[str, str], ...], _cwd: str) -> Settings:
    return read_settings()


_FIELD_IN = re.compile(r'field "([a-z_]+)"')


def read_settings() -> Settings:
    """``Settings()`` whose errors name the variables only (values may hold secrets)."""
    try:
        return Settings()
    except ValidationError as exc:
        fields = [str(e["loc"][0]) if e["loc"] else "?" for e in exc.errors()]
        raise _invalid(fields) from None
    except SettingsError as exc:
        m = _FIELD_IN.search(str(exc))
        raise _invalid([m.group(1) if m else "?"]) from None
