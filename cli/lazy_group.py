"""A typer group whose sub-commands are imported only when invoked.

``roadmap --help`` lists every command from a registry of (name, module, help)
rows without importing the command modules; invoking a command (or asking for
its own ``--help``, or completing its options) imports its module, registers it
on a scratch ``typer.Typer`` exactly as an eager app would, and swaps the real
click command in. Groups (``roadmap audit …``) are loaded whole, so commands a
module adds to its sub-app later are picked up without touching the registry.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """One top-level command: ``module`` registers it, ``help`` is its listing text.

    ``module`` is ``"cli.x"`` (its ``register(app)`` adds the command) or
    ``"cli.x:attr"`` (``attr`` is a ``typer.Typer`` sub-app added under ``name``).
    ``help`` must equal the first paragraph of the real help (tests compare them).
    """

    name: str
    module: str
    help: str


class Placeholder(TyperCommand):
    """Stands for a command in listings until it is invoked."""

    def __init__(self, entry: Lazy) -> None:
        super().__init__(name=entry.name, help=entry.help)
        self.entry = entry


_LOADED: dict[tuple[str, str], dict[str, Any]] = {}


def load_commands(module: str, name: str) -> dict[str, Any]:
    """The click commands a registry row's module contributes, built as an eager app would
    (a ``module:attr`` row: just the sub-app, under ``name``)."""
    path, _, attr = module.partition(":")
    key = (module, name if attr else "")
    if key not in _LOADED:
        scratch = typer.Typer()
        mod = importlib.import_module(path)
        if attr:
            scratch.add_typer(getattr(mod, attr), name=name)
        else:
            mod.register(scratch)
        _LOADED[key] = dict(typer.main.get_group(scratch).commands)
    return _LOADED[key]


def load(entry: Lazy) -> Any:
    """The real click command of a registry row."""
    return load_commands(entry.module, entry.name)[entry.name]


class LazyGroup(TyperGroup):
    """The root group: ``REGISTRY`` (set by ``cli.main``) rows become placeholders."""

    REGISTRY: tuple[Lazy, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for entry in self.REGISTRY:
            self.commands.setdefault(entry.name, Placeholder(entry))

    def real(self, name: str) -> Any:
        command = self.commands.get(name)
        if isinstance(command, Placeholder):
            command = load(command.entry)
            self.commands[name] = command
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args:
            self.real(args[0])
        return super().resolve_command(ctx, args)

    def load_all(self) -> None:
        """Every command for real (tests compare the eager and the lazy help)."""
        for name in list(self.commands):
            self.real(name)
