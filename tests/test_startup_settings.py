"""models.settings reads what pydantic-settings' ``BaseSettings`` read, without importing it.

The settings object was a ``BaseSettings``; importing pydantic-settings cost ~50 ms of
every command's start (issue 19). Each case here builds the same fields on a real
``BaseSettings`` (as the class was declared) and compares the values field by field.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.settings import Settings, SettingsError, SettingsInvalid, read_settings

ROOT = Path(__file__).resolve().parents[1]


def _twin() -> type[BaseSettings]:
    fields: dict[str, Any] = {n: (f.annotation, f) for n, f in Settings.model_fields.items()}
    model = create_model("Twin", __base__=BaseSettings, **fields)
    model.model_config = SettingsConfigDict(env_prefix="SOCZAKAZ_", env_file=".env", extra="ignore")
    model.model_rebuild(force=True)
    return model


def _values(model: Any) -> dict[str, Any]:
    return {n: getattr(model, n) for n in Settings.model_fields}


ENV_FILE = """\
# comment
SOCZAKAZ_BASE_URL=https://moc.example.ru
export SOCZAKAZ_OUTBOX_WORKERS=3
SOCZAKAZ_AUDIT_KEY_NAME="quoted name"  # trailing comment
soczakaz_sweep_batch_size=50
SOCZAKAZ_DATABASE_URL=sqlite:///from-dotenv.db
SOCZAKAZ_CHANNELS={"mail": "mailto://a@b.ru"}
UNRELATED=1
"""
CASES: list[tuple[dict[str, str], bool, dict[str, Any]]] = [
    ({}, False, {}),
    (
        {
            "SOCZAKAZ_DATABASE_URL": "postgresql://u@h/db",
            "SOCZAKAZ_DUE_SOON_WORKING_DAYS": "3",
            "soczakaz_evidence_dir": "/tmp/ev",
            "SOCZAKAZ_CHANNELS": '{"tg": "tgram://x/y", "mail": "mailto://c@d.ru"}',
            "SOCZAKAZ_LINK_SECRET": "s3cret",
            "SOCZAKAZ_REPORT_TEMPLATE": "t.docx",
            "SOCZAKAZ_AUDIT_TSA_URL": "",
            "SOCZAKAZ_UNKNOWN": "ignored",
        },
        False,
        {},
    ),
    ({"SOCZAKAZ_DATABASE_URL": "sqlite:///env.db"}, True, {}),
    (
        {"SOCZAKAZ_CHANNELS": '{"a": "json://x"}', "SOCZAKAZ_OUTBOX_WORKERS": "2"},
        True,
        {"channels": {"b": "json://y"}, "outbox_workers": 5, "not_a_field": 1},
    ),
]


@pytest.mark.parametrize(("env", "dotenv", "init"), CASES)
def test_values_equal_what_base_settings_reads(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    dotenv: bool,
    init: dict[str, Any],
) -> None:
    for name in [n for n in __import__("os").environ if n.upper().startswith("SOCZAKAZ_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    if dotenv:
        (tmp_path / ".env").write_text(ENV_FILE, encoding="utf-8")
    ours, theirs = Settings(**init), _twin()(**init)
    assert _values(ours) == _values(theirs)
    if env or dotenv:  # the case reads something: not just the defaults
        assert _values(ours) != _values(Settings.model_construct())


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [("SOCZAKAZ_CHANNELS", "{not json", SettingsError), ("SOCZAKAZ_OUTBOX_WORKERS", "x", None)],
)
def test_bad_values_fail_as_before_and_name_the_variable_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, error: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as ours:
        Settings()
    with pytest.raises(ValueError) as theirs:
        _twin()()
    assert type(ours.value).__name__ == type(theirs.value).__name__
    if error is not None:
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(SettingsInvalid) as invalid:
        read_settings()
    assert name in invalid.value.message and value not in invalid.value.message


def test_importing_the_settings_loads_no_pydantic_settings() -> None:
    code = (
        "import sys, json; from models.settings import get_settings; get_settings()\n"
        "print(json.dumps([m for m in ('pydantic_settings', 'asyncio', 'dotenv')"
        " if m in sys.modules]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
