"""The CLI speaks Russian throughout: help frame, usage errors, --version, completion."""

from __future__ import annotations

import os
from pathlib import Path

from tests.records_helpers import Cli


def test_help_and_usage_errors_are_russian(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli = Cli(cli_env, tmp_path / "home")
    helped = cli.run("organisation", "add", "--help").stdout
    for ru in (
        "Использование: roadmap organisation add [ПАРАМЕТРЫ]",
        "Аргументы",
        "Параметры",
        "Показать эту справку и выйти.",
        "[обязательно]",
        "[по умолчанию: school]",
    ):
        assert ru in helped, ru
    for en in ("Usage", "Options", "Show this message", "[required]", "[default"):
        assert en not in helped, en
    cases = [
        (("organisation", "add", "--bogus"), "Нет такого параметра: --bogus"),
        (("organisation", "add"), "Не указан аргумент «code»."),
        (("organisation", "add", "x", "-m", "m"), "Не указан обязательный параметр «--name»."),
        (("programme", "show", "x", "-m", "m"), "Недопустимое значение «programme»: ожидается"),
    ]
    for args, fragment in cases:
        err = cli.run(*args, code=2).stderr
        assert fragment in err and "Справка: 'roadmap" in err, (args, err)
        assert "Usage" not in err and "Try '" not in err


def test_version_and_completion(cli_env: dict[str, str], tmp_path: Path) -> None:
    cli = Cli(cli_env, tmp_path / "home")
    assert cli.run("--version").stdout.startswith("soczakaz (roadmap), версия ")
    assert "_roadmap_completion" in cli.run("completion", "bash").stdout
    assert "не поддерживается" in cli.run("completion", "tcsh", code=2).stderr
    cli.env |= {
        "_ROADMAP_COMPLETE": "complete_bash",
        "COMP_WORDS": "roadmap programme a",
        "COMP_CWORD": "2",
    }
    words = cli.run().stdout.split()
    assert words == ["add", "archive"], words
    assert os.environ.get("_ROADMAP_COMPLETE") is None
