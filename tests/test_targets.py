"""Notification targets: a channel name plus the person's own address (issue 14)."""

from __future__ import annotations

import pytest

from domain.errors import InputError
from models.settings import Settings, SettingsInvalid, read_settings
from notifications.channels import channel_of, mask, resolve
from notifications.targets import carries_credential, check_target, with_address

CHANNELS = {
    "email": "mailtos://robot:S3cretPw@smtp.example.ru?from=moc@example.ru",
    "telegram": "tgram://123456:BotTokenXyz/",
    "hook": "json://hooks.example.ru/in?to={address}",
}


@pytest.mark.parametrize(
    "target",
    ["email:ivanova@school.ru", "telegram:123456", "@hook", "console://", "json://h.ru/x"],
)
def test_own_addresses_and_plain_urls_are_kept(target: str) -> None:
    assert check_target(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "mailtos://robot:S3cretPw@smtp.example.ru",
        "tgram://123456:BotTokenXyz/55",
        "json://h.ru/x?apikey=S3cret",
        "json://h.ru/x?token=S3cret",
        "discord://id/S3cretToken",
    ],
)
def test_credential_urls_are_refused_without_echoing_them(target: str) -> None:
    assert carries_credential(target)
    with pytest.raises(InputError) as err:
        check_target(target)
    assert "S3cret" not in err.value.message and "BotToken" not in err.value.message
    assert "SOCZAKAZ_CHANNELS" in err.value.message


def test_malformed_target_is_refused() -> None:
    with pytest.raises(InputError):
        check_target("ivanova school")


def test_addressed_targets_resolve_with_the_persons_address() -> None:
    cfg = Settings(channels=CHANNELS)
    email = resolve("email:ivanova@school.ru", cfg)
    assert email.startswith("mailtos://robot:S3cretPw@smtp.example.ru?")
    assert email.endswith("?from=moc@example.ru&to=ivanova@school.ru")
    assert resolve("telegram:123456", cfg) == "tgram://123456:BotTokenXyz/123456"
    assert resolve("hook:abc", cfg) == "json://hooks.example.ru/in?to=abc"
    assert channel_of("email:ivanova@school.ru", cfg) == "email"
    assert channel_of("telegram:1", cfg) == "telegram"
    assert channel_of("email:x@y.ru", Settings()) == "email"  # not configured yet
    with pytest.raises(LookupError):
        resolve("nosuch:1", cfg)
    with pytest.raises(LookupError):
        with_address("json://h.ru/x", "a", "plain")
    shown = mask(f"ошибка {email}", cfg)
    assert "S3cretPw" not in shown and "school.ru" not in shown


def test_malformed_channels_setting_names_the_variable_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for value in (
        '{"email": "mailtos://u:S3cretPw@x"',
        '{"email": 5, "x": "S3cretPw"}',
        '{"A b": "S3cretPw"}',
    ):
        monkeypatch.setenv("SOCZAKAZ_CHANNELS", value)
        with pytest.raises(SettingsInvalid) as err:
            read_settings()
        assert "SOCZAKAZ_CHANNELS" in err.value.message
        assert "S3cretPw" not in str(err.value) and err.value.__cause__ is None
