"""The ``roadmap`` command: typer app with Russian output.

Every command is one row of ``REGISTRY`` (name, module, listing help); its module
is imported only when the command runs (``cli.lazy_group``), so ``roadmap --help``
and ``roadmap status`` start without SQLModel metadata, Prefect, reports or the
web app. A module either has ``register(app)`` or, for ``"module:attr"``, a
``typer.Typer`` sub-app. The help text here is what ``--help`` prints; a test
checks it against the command's own docstring.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.lazy_group import Lazy, LazyGroup
from cli.russian import install as install_russian

# In the order of a roadmap's life; commands before command groups (as typer lists them).
REGISTRY: tuple[Lazy, ...] = (
    Lazy(
        "init", "cli.roadmap_cmd", "Создать схему базы данных (повторный запуск ничего не меняет)."
    ),
    Lazy(
        "validate",
        "cli.roadmap_cmd",
        "Проверить шаблоны дорожных карт: все ошибки всех файлов в виде ФАЙЛ:СТРОКА:СТОЛБЕЦ.",
    ),
    Lazy(
        "load",
        "cli.roadmap_cmd",
        "Загрузить шаблон в дорожную карту муниципалитета на год (повторно — без изменений).",
    ),
    Lazy(
        "status",
        "cli.status_cmd",
        "Статус шагов муниципалитета: просроченные, ближайшие, заблокированные.",
    ),
    Lazy(
        "demo",
        "cli.demo_cmd",
        "Демо: база SQLite, три муниципалитета в разных часовых поясах, статусы,\n"
        "напоминания, экспертиза программ, отчёты, проверка журнала аудита.",
    ),
    Lazy(
        "sweep",
        "cli.sweep_cmd",
        "Пересчитать статусы шагов (поток Prefect «daily-sweep») и поставить напоминания.",
    ),
    Lazy(
        "shift",
        "cli.sweep_cmd",
        "Перенести срок шага и показать, как сдвинутся зависящие от него шаги.",
    ),
    Lazy("serve", "cli.serve_cmd", "Запустить веб-панель и JSON API (uvicorn)."),
    Lazy(
        "complete",
        "cli.evidence_cmd",
        "Отметить шаг выполненным с подтверждением (всё в одной транзакции).",
    ),
    Lazy(
        "reopen",
        "cli.evidence_cmd",
        "Открыть выполненный или отменённый шаг заново (подтверждения сохраняются).",
    ),
    Lazy("waive", "cli.evidence_cmd", "Отменить шаг как неприменимый (с причиной в журнале)."),
    Lazy(
        "history",
        "cli.evidence_cmd",
        "Полная история шага: кто, что, когда, с каким актом и файлом.",
    ),
    Lazy(
        "dispatch",
        "cli.outbox_cmd",
        "Отправить всё, что пора отправлять (поток Prefect «dispatch-outbox»).",
    ),
    Lazy(
        "up",
        "cli.up_cmd",
        "Запустить всё: сервер Prefect, расписания из prefect.yaml и веб-панель (Ctrl-C — стоп).",
    ),
    Lazy(
        "completion",
        "cli.records_cmd",
        'Вывести скрипт автодополнения: eval "$(roadmap completion bash)".',
    ),
    # Command groups.
    Lazy("token", "cli.serve_cmd", "Токены доступа к панели и API."),
    Lazy("person", "cli.person_cmd", "Люди: роли, области доступа, ссылки для входа."),
    Lazy("outbox", "cli.outbox_cmd", "Очередь уведомлений: журнал доставки и повторная отправка."),
    Lazy("municipality", "cli.municipality_cmd:app", "Муниципалитеты."),
    Lazy("calendar", "cli.calendar_cmd:app", "Производственный календарь РФ (рабочие дни)."),
    Lazy("indicator", "cli.indicator_cmd:app", "Показатели дорожной карты: план и факт."),
    Lazy("report", "cli.report_cmd:app", "Отчёты: годовой отчёт МОЦ и квартальный отчёт в РМЦ."),
    Lazy(
        "review",
        "cli.review_cmd:app",
        "Экспертиза программ (НОК): кампании, заявки, заключения.",
    ),
    Lazy("audit", "cli.audit_cmd:app", "Журнал аудита: проверка, контрольные точки, выгрузка."),
    Lazy("organisation", "cli.records_cmd", "Организации муниципалитета."),
    Lazy("programme", "cli.records_cmd", "Каталог программ дополнительного образования."),
    Lazy("event", "cli.records_cmd", "Реестр мероприятий МОЦ."),
    Lazy("navigator", "cli.records_cmd", "Выгрузки АИС «Навигатор»."),
    Lazy("narrative", "cli.records_cmd", "Тексты годового отчёта: анализ, итоги, перспективы."),
)


class RoadmapGroup(LazyGroup):
    REGISTRY = REGISTRY


app = typer.Typer(
    name="roadmap",
    help="soczakaz — дорожные карты социального заказа МОЦ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=RoadmapGroup,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("soczakaz")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            number = "неизвестна"
        typer.echo(f"soczakaz (roadmap), версия {number}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Показать версию и выйти.", is_eager=True, callback=_version
        ),
    ] = False,
) -> None:
    """soczakaz — дорожные карты социального заказа МОЦ."""


def _frame() -> None:
    """The Russian typer/click frame and the shell completion classes (as records_cmd did)."""
    from typer._completion_classes import completion_init

    install_russian()
    completion_init()


_frame()


if __name__ == "__main__":  # pragma: no cover
    app()
