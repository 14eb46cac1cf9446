"""``roadmap dispatch`` and ``roadmap outbox list|retry``: the delivery log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlmodel import select

from cli.common import console, engine, handle_errors, now_utc, print_json, settings, transaction
from cli.prefect_runtime import prefect_api_for, warn_loopback_links
from domain.errors import InputError
from models import OutboxMessage, OutboxStatus, Person
from models.db import init_db
from notifications.channels import mask
from notifications.outbox import list_messages, retry, retry_dead

app = typer.Typer(help="Очередь уведомлений: журнал доставки и повторная отправка.")

STATUS_RU = {
    OutboxStatus.pending: "в очереди",
    OutboxStatus.sending: "отправляется",
    OutboxStatus.sent: "доставлено",
    OutboxStatus.dead: "не доставлено",
}
STATUS_STYLE = {"pending": "yellow", "sending": "cyan", "sent": "green", "dead": "bold red"}


def _shown_target(target: str) -> str:
    return target if target.startswith("@") else mask(target)


def _public(m: OutboxMessage, people: dict[int, str]) -> dict[str, Any]:
    return {
        "id": m.id,
        "status": m.status.value,
        "rule": m.rule,
        "channel": m.channel,
        "target": _shown_target(m.target),
        "step_id": m.step_id,
        "person_id": m.person_id,
        "person": people.get(m.person_id or 0, ""),
        "municipality_id": m.municipality_id,
        "subject": m.subject,
        "attempts": m.attempts,
        "not_before": m.not_before,
        "next_attempt_at": m.next_attempt_at,
        "sent_at": m.sent_at,
        "last_error": m.last_error,
        "dedupe_key": m.dedupe_key,
    }


@app.command("list")
@handle_errors
def list_cmd(
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="pending, sending, sent, dead (можно несколько раз)"),
    ] = None,
    step: Annotated[int | None, typer.Option("--step", help="номер шага")] = None,
    person: Annotated[int | None, typer.Option("--person", help="номер получателя")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="вывод в JSON")] = False,
) -> None:
    """Журнал доставки: по статусу, шагу или получателю (новые сверху)."""
    wanted = status or []
    bad = [s for s in wanted if s not in OutboxStatus.__members__]
    if bad:
        raise InputError(
            f"--status: неизвестный статус «{bad[0]}»; допустимы: "
            + ", ".join(OutboxStatus.__members__)
        )
    with transaction() as s:
        rows = list_messages(s, status=wanted, step_id=step, person_id=person, limit=limit)
        ids = {m.person_id for m in rows if m.person_id is not None}
        people: dict[int, str] = {}
        if ids:
            q = select(Person).where(Person.__table__.c.id.in_(ids))  # type: ignore[attr-defined]
            people = {p.id or 0: p.full_name for (p,) in s.execute(q)}
    data = [_public(m, people) for m in rows]
    if as_json:
        print_json(data)
        return
    if not data:
        console.print("Сообщений нет.")
        return
    table = Table(title="Журнал уведомлений", title_justify="left")
    for name in (
        "№",
        "Статус",
        "Правило",
        "Канал",
        "Получатель",
        "Шаг",
        "Тема",
        "Попыток",
        "Когда",
        "Ошибка",
    ):
        table.add_column(name, no_wrap=name in ("№", "Статус", "Правило"))
    for d in data:
        when = d["sent_at"] or d["next_attempt_at"]
        label = STATUS_RU[OutboxStatus(d["status"])]
        table.add_row(
            str(d["id"]),
            f"[{STATUS_STYLE[d['status']]}]{label}[/]",
            d["rule"],
            d["channel"],
            d["person"] or d["target"],
            str(d["step_id"] or "—"),
            d["subject"],
            str(d["attempts"]),
            f"{when:%d.%m.%Y %H:%M} UTC",
            d["last_error"] or "",
        )
    console.print(table)


def _since(value: str) -> dt.datetime:
    """ГГГГ-ММ-ДД (00:00 UTC) or an ISO moment with its zone (2026-12-01T09:00+03:00)."""
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--since: ожидается дата ГГГГ-ММ-ДД или момент с часовым поясом "
            f"(2026-12-01T09:00+03:00), получено «{value}»"
        ) from None
    if moment.tzinfo is None:
        raise InputError(f"--since: укажите часовой пояс (например, «{value}+03:00»)")
    return moment


@app.command("retry")
@handle_errors
def retry_cmd(
    message_id: Annotated[int | None, typer.Argument(help="номер сообщения")] = None,
    dead: Annotated[
        bool, typer.Option("--dead", help="вернуть в очередь все недоставленные сразу")
    ] = False,
    channel: Annotated[
        str | None,
        typer.Option("--channel", help="с --dead: только канал (email, webhook, mail…)"),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="с --dead: не доставленные начиная с даты/момента"),
    ] = None,
) -> None:
    """Вернуть недоставленное сообщение (или с --dead все) в очередь; попытки с нуля."""
    if (message_id is None) == (not dead):
        raise InputError("укажите номер сообщения или --dead (но не то и другое)")
    if not dead and (channel or since):
        raise InputError("--channel и --since действуют только вместе с --dead")
    start = _since(since) if since else None
    with transaction() as s:
        if dead:
            count = retry_dead(s, now=now_utc(), channel=channel, since=start)
        else:
            assert message_id is not None
            msg = retry(s, message_id=message_id, now=now_utc())
    if dead:
        console.print(f"Возвращено в очередь недоставленных сообщений: {count}.")
    else:
        console.print(f"Сообщение №{msg.id} возвращено в очередь: «{msg.subject}».")


@handle_errors
def dispatch(
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1)] = None,
    max_batches: Annotated[int, typer.Option("--max-batches", min=1)] = 1000,
    workers: Annotated[int | None, typer.Option("--workers", min=1)] = None,
    without_prefect: Annotated[
        bool, typer.Option("--without-prefect", help="без Prefect (тот же код доставки)")
    ] = False,
) -> None:
    """Отправить всё, что пора отправлять (поток Prefect «dispatch-outbox»)."""
    cfg = settings()
    eng = engine(cfg)
    init_db(eng)
    warn_loopback_links(cfg)
    if without_prefect:
        from jobs.dispatch import dispatch_pending

        counts = dispatch_pending(
            eng, cfg, batch_size=batch_size, max_batches=max_batches, workers=workers
        )
    else:
        with prefect_api_for(cfg):
            from flows.dispatch import dispatch_outbox

            counts = dispatch_outbox(
                batch_size=batch_size, max_batches=max_batches, workers=workers
            )
    console.print(
        f"Отправлено: {counts.get('sent', 0)}, повтор позже: {counts.get('retry', 0)}, "
        f"не доставлено: {counts.get('dead', 0)}, пакетов: {counts.get('batches', 0)}."
    )


def register(root: typer.Typer) -> None:
    root.command("dispatch")(dispatch)
    root.add_typer(app, name="outbox")
