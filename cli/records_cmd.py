"""Registers the command groups of what a МОЦ records (issue 15) in one place."""

from __future__ import annotations

import typer

from cli import event_cmd, narrative_cmd, navigator_cmd, organisation_cmd, programme_cmd


def register(app: typer.Typer) -> None:
    app.add_typer(organisation_cmd.app, name="organisation")
    app.add_typer(programme_cmd.app, name="programme")
    app.add_typer(event_cmd.app, name="event")
    app.add_typer(navigator_cmd.app, name="navigator")
    app.add_typer(narrative_cmd.app, name="narrative")
