"""The typer/click frame in Russian: usage, panels, defaults and usage errors.

click and typer mark their texts with ``gettext``; each of their modules binds
``_`` at import. ``install()`` rebinds ``_``/``ngettext`` in those modules to a
lookup in ``RU`` (unknown texts pass through) and re-sets typer's panel titles,
so every help screen and usage error reads in Russian.
"""

from __future__ import annotations

import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

RU: dict[str, str] = {
    "Usage:": "Использование:",
    "Options": "Параметры",
    "Arguments": "Аргументы",
    "Commands": "Команды",
    "Positional arguments": "Позиционные аргументы",
    "Show this message and exit.": "Показать эту справку и выйти.",
    "Show the version and exit.": "Показать версию и выйти.",
    "[default: {}]": "[по умолчанию: {}]",
    "[env var: {}]": "[переменная окружения: {}]",
    "[required]": "[обязательно]",
    "default: {default}": "по умолчанию: {default}",
    "required": "обязательно",
    "env var: {var}": "переменная окружения: {var}",
    "(deprecated) ": "(устарело) ",
    "deprecated": "устарело",
    "(dynamic)": "(вычисляется)",
    "Error": "Ошибка",
    "Error: {message}": "Ошибка: {message}",
    "Aborted.": "Прервано.",
    "Aborted!": "Прервано!",
    "Try [blue]'{command_path} {help_option}'[/] for help.": (
        "Справка: [blue]'{command_path} {help_option}'[/]"
    ),
    "Try '{command} {option}' for help.": "Справка: '{command} {option}'",
    "No such option: {name}": "Нет такого параметра: {name}",
    "No such option {name!r}.": "Нет такого параметра {name!r}.",
    "No such command {name!r}.": "Нет такой команды {name!r}.",
    "Missing command.": "Не указана команда.",
    "Missing argument": "Не указан аргумент",
    "Missing option": "Не указан параметр",
    "Missing parameter": "Не указано значение",
    "Missing {param_type}": "Не указан {param_type}",
    "Missing parameter: {param_name}": "Не указано значение: {param_name}",
    "argument": "аргумент",
    "option": "параметр",
    "parameter": "значение",
    "Invalid value: {message}": "Недопустимое значение: {message}",
    "Invalid value for {param_hint}: {message}": "Недопустимое значение {param_hint}: {message}",
    "Option {name!r} does not take a value.": "Параметр {name!r} не принимает значения.",
    "Option {name!r} requires an argument.": "Параметру {name!r} нужно значение.",
    "Option {name!r} requires {nargs} arguments.": "Параметру {name!r} нужно значений: {nargs}.",
    "Got unexpected extra argument ({args})": "Лишний аргумент ({args})",
    "Got unexpected extra arguments ({args})": "Лишние аргументы ({args})",
    "Did you mean {possibility}?": "Может быть, {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Может быть, одно из: {possibilities}?)",
    "{value!r} is not a valid {number_type}.": "{value!r} — не {number_type}.",
    "integer": "целое число",
    "float": "число",
    "{value!r} is not one of {choices}.": "{value!r} — не одно из: {choices}.",
    "{value!r} is not a valid boolean.": "{value!r} — не логическое значение (да/нет).",
    "{value} is not in the range {range}.": "{value} вне диапазона {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} не существует.",
    "file": "файл",
    "directory": "каталог",
    "path": "путь",
    "%(prog)s, version %(version)s": "%(prog)s, версия %(version)s",
}
_PLURAL = {
    "Got unexpected extra argument ({args})": "Got unexpected extra arguments ({args})",
    "Option {name!r} requires an argument.": "Option {name!r} requires {nargs} arguments.",
    "Did you mean {possibility}?": "(Did you mean one of: {possibilities}?)",
}
MODULES = (
    "click.core",
    "click.exceptions",
    "click.parser",
    "click.types",
    "click.formatting",
    "click.decorators",
    "click.termui",
    "click.utils",
    "typer.core",
)
PANELS = {
    "DEFAULT_STRING": "[default: {}]",
    "ENVVAR_STRING": "[env var: {}]",
    "REQUIRED_LONG_STRING": "[required]",
    "DEPRECATED_STRING": "(deprecated) ",
    "ARGUMENTS_PANEL_TITLE": "Arguments",
    "OPTIONS_PANEL_TITLE": "Options",
    "COMMANDS_PANEL_TITLE": "Commands",
    "ERRORS_PANEL_TITLE": "Error",
    "ABORTED_TEXT": "Aborted.",
    "RICH_HELP": "Try [blue]'{command_path} {help_option}'[/] for help.",
}


def gettext(message: str) -> str:
    return RU.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Rebind the translation functions of click and typer (idempotent).

    ``typer.rich_utils`` (rich's markdown, tracebacks, pretty: about 0.1 s) is loaded by
    typer only for help and errors; it is translated when it loads (``_RichUtilsHook``),
    so a command that succeeds never imports it. click itself (~25 ms) is translated only
    for a typer that uses it: typer >= 0.20 runs on its own copy (``install_vendored``).
    """
    for name in MODULES if uses_click() else ("typer.core",):
        module = sys.modules.get(name) or __import__(name, fromlist=["_"])
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    if RICH_UTILS in sys.modules:
        _translate_rich_utils(sys.modules[RICH_UTILS])
    elif not any(isinstance(f, _RichUtilsHook) for f in sys.meta_path):
        sys.meta_path.insert(0, _RichUtilsHook())
    install_vendored()


RICH_UTILS = "typer.rich_utils"


def uses_click() -> bool:
    """True for a typer built on the click package (no vendored ``typer._click``)."""
    import importlib.util

    return importlib.util.find_spec("typer._click") is None


def _translate_rich_utils(rich_utils: Any) -> None:
    """Russian panel titles and error messages of typer's rich output (idempotent)."""
    if getattr(rich_utils, "_soczakaz_ru", False):
        return
    for attr, english in PANELS.items():
        setattr(rich_utils, attr, gettext(english))
    if hasattr(rich_utils, "_"):
        rich_utils._ = gettext
    original_error = rich_utils.rich_format_error

    def rich_format_error(exc: Any) -> None:
        english = exc.format_message
        exc.format_message = lambda: translate_message(english())
        original_error(exc)

    rich_utils.rich_format_error = rich_format_error
    rich_utils._soczakaz_ru = True


class _TranslatingLoader:
    """Loads ``typer.rich_utils`` with its own loader, then translates it.

    A loader and a finder are protocols (``create_module``/``exec_module``,
    ``find_spec``): not deriving from ``importlib.abc`` spares its import (~10 ms).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        module: ModuleType | None = self.inner.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self.inner.exec_module(module)
        _translate_rich_utils(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, … of the inner loader
        return getattr(self.inner, name)


class _RichUtilsHook:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != RICH_UTILS:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _TranslatingLoader(spec.loader)  # type: ignore[assignment]
        return spec


translate: Callable[[str], str] = gettext


# typer >= 0.20 vendors click (typer._click) with English f-strings: translate the
# finished messages instead.
MESSAGES: list[tuple[str, str]] = [
    (r"^No such option: (.+?)(?: \(Possible options: (.+)\))?$", "Нет такого параметра: {0}{1}"),
    (r"^No such command '(.+)'\.$", "Нет такой команды «{0}»."),
    (r"^Missing argument '(.+)'\.(.*)$", "Не указан аргумент «{0}».{1}"),
    (r"^Missing option '(.+)'\.(.*)$", "Не указан обязательный параметр «{0}».{1}"),
    (r"^Missing parameter: (.+)$", "Не указано значение: {0}"),
    (r"^Missing command\.$", "Не указана команда."),
    (r"^Invalid value for '(.+?)': (.*)$", "Недопустимое значение «{0}»: {1}"),
    (r"^Invalid value: (.*)$", "Недопустимое значение: {0}"),
    (r"^Got unexpected extra arguments? \((.+)\)$", "Лишние аргументы: {0}"),
    (r"^Option '(.+)' requires an argument\.$", "Параметру «{0}» нужно значение."),
    (r"^Option '(.+)' does not take a value\.$", "Параметр «{0}» не принимает значения."),
]
DETAILS = {
    "Input should be a valid integer, unable to parse string as an integer": "ожидается целое число",
    "Input should be a valid number, unable to parse string as a number": "ожидается число",
    "Input should be a valid boolean, unable to interpret input": "ожидается да/нет",
}


def translate_message(text: str) -> str:
    import re

    for pattern, template in MESSAGES:
        if m := re.match(pattern, text, flags=re.DOTALL):
            groups = [g or "" for g in m.groups()]
            if template.startswith("Нет такого параметра") and groups[1]:
                groups[1] = f" (есть: {groups[1]})"
            text = template.format(*groups, "")
            break
    for english, russian in DETAILS.items():
        text = text.replace(english, russian)
    return text


def install_vendored() -> None:
    """Russian frame for the click copy inside typer (``typer._click``), when present."""
    try:
        from typer._click import core as vcore  # type: ignore[import-not-found,unused-ignore]
        from typer._click import exceptions as vexc  # type: ignore[import-not-found,unused-ignore]
        from typer._click import formatting as vfmt  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - older typer uses click itself
        return
    if getattr(vexc, "_soczakaz_ru", False):
        return
    original_usage = vfmt.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[ПАРАМЕТРЫ]").replace("COMMAND [ARGS]...", "КОМАНДА …")
        original_usage(self, prog, args, "Использование: " if prefix is None else prefix)

    setattr(vfmt.HelpFormatter, "write_usage", write_usage)  # noqa: B010
    original_help = vcore.Command.get_help_option

    def get_help_option(self: Any, ctx: Any) -> Any:
        opt = original_help(self, ctx)
        if opt is not None:
            opt.help = gettext("Show this message and exit.")
        return opt

    setattr(vcore.Command, "get_help_option", get_help_option)  # noqa: B010
    setattr(vexc, "_soczakaz_ru", True)  # noqa: B010
