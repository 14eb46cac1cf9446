"""``roadmap complete | reopen | waive | history``: completion evidence and step history."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pendulum
import typer
from rich.table import Table
from sqlmodel import Session

from cli.common import console, handle_errors, now_utc, print_json, settings, transaction
from domain import lookup
from domain.audit.history import step_evidence, step_history
from domain.errors import EvidenceError, InputError
from domain.evidence.completion import complete_step, reopen_step, supersede_evidence, waive_step
from domain.inputs import effective_moment, split_pairs, word
from domain.records.backdating import note_backdated
from domain.vocabulary import AuditAction
from models import Step

Opt = typer.Option
Municipality = Annotated[str, Opt("--municipality", "-m", help="код муниципалитета")]
Year = Annotated[int | None, Opt("--year", help="год дорожной карты")]
Period = Annotated[str | None, Opt("--period", help="период: 2025, 2025-Q1, 2025-03")]
Actor = Annotated[str, Opt("--actor", help="кто выполняет действие (ФИО)")]
Reason = Annotated[str, Opt("--reason", help="причина")]
Str = Annotated[str | None, Opt()]


def _pairs(values: list[str] | None, *, field: str) -> dict[str, str] | None:
    """``["a=1", "b=2"]``, ``["a=1,b=2"]``; commas inside "…" or «…» stay in the value."""
    try:
        return split_pairs(values, field=field)
    except InputError as exc:
        raise EvidenceError(exc.message, field=exc.field) from None


CERT_TYPES = {
    "учёта": "accounting_certificates",
    "учета": "accounting_certificates",
    "уч": "accounting_certificates",
    "accounting": "accounting_certificates",
    "пф": "pf_certificates",
    "pf": "pf_certificates",
}


def _certificate_counts(values: list[str] | None) -> dict[str, str]:
    """``--count учёта=688 --count ПФ=120`` -> accounting_certificates / pf_certificates."""
    out: dict[str, str] = {}
    for kind, n in (_pairs(values, field="--count") or {}).items():
        key = CERT_TYPES.get(word(kind))
        if key is None:
            raise EvidenceError(
                f"поле --count: вид сертификата «{kind}» неизвестен; допустимо: учёта, ПФ"
            )
        out[key] = n
    return out


def _read_file(path: Path | None) -> tuple[bytes | None, str | None]:
    if path is None:
        return None, None
    if not path.is_file():
        raise EvidenceError(f"поле file (файл): файл «{path}» не найден")
    return path.read_bytes(), path.name


def _step(s: Session, municipality: str, step: str, year: int | None, period: str | None) -> Step:
    """``KEY`` or ``KEY@PERIOD`` (``--period`` builds the same reference) of ``-m CODE``."""
    m = lookup.municipality(s, municipality, field="--municipality")
    return lookup.step(s, municipality=m, ref=lookup.step_ref(step, period), year=year)


def register(app: typer.Typer) -> None:
    app.command("complete")(complete)
    app.command("reopen")(reopen)
    app.command("waive")(waive)
    app.command("history")(history)


@handle_errors
def complete(
    step: Annotated[str, typer.Argument(help="ключ шага, например npa-moc")],
    municipality: Municipality,
    actor: Actor,
    year: Year = None,
    period: Period = None,
    act_type: Annotated[str | None, Opt(help="приказ | постановление | распоряжение")] = None,
    act_number: Annotated[str | None, Opt(help="номер как в документе: №85/1")] = None,
    act_date: Annotated[str | None, Opt(help="дата подписания ГГГГ-ММ-ДД")] = None,
    issuer: Annotated[str | None, Opt(help="кем издан")] = None,
    url: Annotated[str | None, Opt(help="ссылка на публикацию")] = None,
    file: Annotated[Path | None, Opt(help="подписанный документ / протокол / отчёт")] = None,
    event_date: Str = None,
    participants: Str = None,
    participants_by_category: Annotated[list[str] | None, Opt(help="педагоги=20,…")] = None,
    recipient: Str = None,
    sent_date: Str = None,
    accounting_certificates: Annotated[str | None, Opt(help="число сертификатов учёта")] = None,
    pf_certificates: Annotated[str | None, Opt(help="число сертификатов ПФ")] = None,
    nominal: Annotated[str | None, Opt(help="номинал сертификата ПФ, руб.")] = None,
    protocol_number: Annotated[str | None, Opt(help="номер протокола МОС")] = None,
    protocol_date: Str = None,
    title: Annotated[str | None, Opt("--title", help="название акта или мероприятия")] = None,
    count: Annotated[
        list[str] | None,
        Opt("--count", help="сертификаты по видам: --count учёта=688 --count ПФ=120"),
    ] = None,
    category: Annotated[
        list[str] | None, Opt("--category", help='сертификаты по категориям: "5-7 лет"=120')
    ] = None,
    value: Annotated[list[str] | None, Opt("--value", help="показатель=значение")] = None,
    field: Annotated[list[str] | None, Opt("--field", help="другое поле: имя=значение")] = None,
    at: Annotated[
        str | None, Opt("--at", help="когда шаг выполнен, с поясом: 2023-12-29T15:00+03:00")
    ] = None,
    supersede: Annotated[bool, Opt(help="заменить подтверждение выполненного шага")] = False,
    reason: Annotated[str, Opt(help="причина замены (с --supersede)")] = "",
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Отметить шаг выполненным с подтверждением (всё в одной транзакции)."""
    fields: dict[str, Any] = {
        "act_type": act_type,
        "act_number": act_number,
        "act_date": act_date,
        "issuer": issuer,
        "url": url,
        "event_date": event_date,
        "participants": participants,
        "participants_by_category": _pairs(
            participants_by_category, field="participants_by_category"
        ),
        "recipient": recipient,
        "sent_date": sent_date,
        "accounting_certificates": accounting_certificates,
        "pf_certificates": pf_certificates,
        "nominal": nominal,
        "protocol_number": protocol_number,
        "protocol_date": protocol_date,
        "values": _pairs(value, field="values"),
        "title": title,
        "by_category": _pairs(category, field="--category"),
        **_certificate_counts(count),
        **(_pairs(field, field="field") or {}),
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    data, name = _read_file(file)
    cfg = settings()
    recorded = now_utc()
    now = effective_moment(at, field="--at", now=recorded)  # back-dating allowed, never future
    with transaction(immediate=True) as s:
        target = _step(s, municipality, step, year, period)
        assert target.id is not None
        common: dict[str, Any] = dict(
            step_id=target.id,
            fields=fields,
            file_bytes=data,
            file_name=name,
            actor=actor,
            settings=cfg,
            now=now,
        )
        ev = (
            supersede_evidence(s, reason=reason, **common)
            if supersede
            else complete_step(s, **common)
        )
        if now < recorded:
            note_backdated(
                s,
                municipality_id=target.municipality_id,
                actor=actor,
                entity=f"step:{target.id}",
                action=AuditAction.step_completed,
                effective=now,
                recorded=recorded,
            )
        head = step_history(s, step_id=target.id)[-1]
    if as_json:
        print_json(
            {"evidence": ev.model_dump(mode="json"), "audit_seq": head.seq, "audit_hash": head.hash}
        )
        return
    what = f"{ev.act_type} {ev.act_number} от {ev.act_date:%d.%m.%Y}" if ev.act_date else ev.kind
    verb = "подтверждение заменено" if supersede else "выполнен"
    console.print(f"Шаг «{step}»: {verb} — {what}", highlight=False)
    if ev.file_sha256:
        console.print(
            f"  файл {ev.file_name}, {ev.file_size} байт, SHA-256 {ev.file_sha256}", highlight=False
        )
    console.print(f"  журнал: запись №{head.seq}, хеш {head.hash}", highlight=False)


@handle_errors
def reopen(
    step: Annotated[str, typer.Argument(help="ключ шага")],
    municipality: Municipality,
    actor: Actor,
    reason: Reason,
    year: Year = None,
    period: Period = None,
) -> None:
    """Открыть выполненный или отменённый шаг заново (подтверждения сохраняются)."""
    with transaction(immediate=True) as s:
        target = _step(s, municipality, step, year, period)
        assert target.id is not None
        st = reopen_step(s, step_id=target.id, actor=actor, reason=reason, now=now_utc())
    console.print(
        f"Шаг «{step}» открыт заново (статус {st.status.value}); причина: {reason}", highlight=False
    )


@handle_errors
def waive(
    step: Annotated[str, typer.Argument(help="ключ шага")],
    municipality: Municipality,
    actor: Actor,
    reason: Reason,
    year: Year = None,
    period: Period = None,
) -> None:
    """Отменить шаг как неприменимый (с причиной в журнале)."""
    with transaction(immediate=True) as s:
        target = _step(s, municipality, step, year, period)
        assert target.id is not None
        waive_step(s, step_id=target.id, actor=actor, reason=reason, now=now_utc())
    console.print(f"Шаг «{step}» отменён; причина: {reason}", highlight=False)


@handle_errors
def history(
    step: Annotated[str, typer.Argument(help="ключ шага")],
    municipality: Municipality,
    year: Year = None,
    period: Period = None,
    as_json: Annotated[bool, Opt("--json", help="вывод в JSON")] = False,
) -> None:
    """Полная история шага: кто, что, когда, с каким актом и файлом."""
    with transaction() as s:
        target = _step(s, municipality, step, year, period)
        assert target.id is not None
        items = step_history(s, step_id=target.id)
        evidence = step_evidence(s, step_id=target.id)
        tz = target.timezone
        title = f"{target.key} {target.period}".strip() + f" — {target.title}"
    if as_json:
        print_json(
            {
                "step": title,
                "entries": [i.__dict__ for i in items],
                "evidence": [e.model_dump(mode="json") for e in evidence],
            }
        )
        return
    if not items:
        raise InputError(f"по шагу «{step}» в журнале записей нет")
    table = Table(title=f"История шага {title}", title_justify="left")
    for col in ("№", "Время (местное)", "Кто", "Действие", "Подробности", "Хеш"):
        table.add_column(col, overflow="fold")
    for i in items:
        local = pendulum.instance(i.at).in_timezone(tz).format("DD.MM.YYYY HH:mm")
        table.add_row(str(i.seq), local, i.actor, i.label, _details(i.payload), i.hash[:12])
    console.print(table)


def _details(p: dict[str, Any]) -> str:
    parts = []
    if p.get("act_number"):
        parts.append(f"{p.get('act_type', '')} {p['act_number']} от {p.get('act_date', '')}")
    if p.get("file_name"):
        parts.append(f"файл {p['file_name']} ({str(p.get('file_sha256', ''))[:12]}…)")
    if p.get("reason"):
        parts.append(f"причина: {p['reason']}")
    if p.get("recipient"):
        parts.append(f"получатель: {p['recipient']}")
    return "; ".join(parts) or "—"
