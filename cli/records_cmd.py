"""Registers what issue 15 adds to ``roadmap`` in one place: the record command groups,
the Russian typer/click frame, ``--version`` and ``roadmap completion``."""

from __future__ import annotations

from typing import Annotated

import typer

from cli import event_cmd, narrative_cmd, navigator_cmd, organisation_cmd, programme_cmd
from cli.russian import install as install_russian

SHELLS = ("bash", "zsh", "fish", "powershell")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("soczakaz")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            number = "неизвестна"
        typer.echo(f"soczakaz (roadmap), версия {number}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Показать версию и выйти.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    """soczakaz — дорожные карты социального заказа МОЦ."""


def completion(
    shell: Annotated[str, typer.Argument(help="оболочка: bash, zsh, fish или powershell")],
) -> None:
    """Вывести скрипт автодополнения: eval "$(roadmap completion bash)"."""
    from typer._completion_shared import get_completion_script

    if shell not in SHELLS:
        from cli.common import fail

        raise fail(f"оболочка «{shell}» не поддерживается; допустимо: {', '.join(SHELLS)}")
    typer.echo(
        get_completion_script(prog_name="roadmap", complete_var="_ROADMAP_COMPLETE", shell=shell)
    )


def register(app: typer.Typer) -> None:
    from typer._completion_classes import completion_init

    install_russian()
    completion_init()  # shell completion classes (main.py builds the app with add_completion=False)
    app.callback()(_root)
    app.command("completion")(completion)
    app.add_typer(organisation_cmd.app, name="organisation")
    app.add_typer(programme_cmd.app, name="programme")
    app.add_typer(event_cmd.app, name="event")
    app.add_typer(navigator_cmd.app, name="navigator")
    app.add_typer(narrative_cmd.app, name="narrative")
