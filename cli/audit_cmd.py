"""``roadmap audit verify | checkpoint | export``: proof for auditors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    console,
    err_console,
    get_municipality,
    handle_errors,
    now_utc,
    parse_date,
    settings,
    transaction,
)
from domain.audit.checkpoint import head_message, heads_file, sign_heads
from domain.audit.head_stamps import record_stamp, stamps_file
from domain.audit.history import export_entries
from domain.audit.note import parse_note
from domain.audit.timestamp import POLICIES, StampCheck, check_stamp_file, token_path
from domain.audit.tree import check_since
from domain.audit.trust import Trust
from domain.audit.verdict import chain_verdict, trust_of
from domain.errors import InputError
from models import AuditCheckpoint
from models.settings import Settings

app = typer.Typer(
    help="Журнал аудита: проверка, контрольные точки, выгрузка.", no_args_is_help=True
)


@app.command("verify")
@handle_errors
def verify(
    municipality: Annotated[str | None, typer.Option("--municipality", "-m")] = None,
    since: Annotated[Path | None, typer.Option("--since", help="контрольная точка извне")] = None,
    trusted: Annotated[
        Path | None, typer.Option("--key", help="файл доверенных открытых ключей")
    ] = None,
) -> None:
    """Пересчитать цепочки, подписи контрольных точек и файлы (нужны только открытые ключи)."""
    cfg = settings()
    if cfg.audit_tsa_policy not in POLICIES:
        raise InputError(
            f"SOCZAKAZ_AUDIT_TSA_POLICY: допустимо {' или '.join(POLICIES)}, "
            f"получено «{cfg.audit_tsa_policy}»"
        )
    trust = trust_of(cfg, trusted)
    if since is not None and not trust.verifiers:
        raise InputError(
            "--since: нет доверенных открытых ключей — укажите --key или "
            "SOCZAKAZ_AUDIT_TRUSTED_KEYS"
        )
    problems: list[str] = []
    stamps = StampCheck([], [], [])
    outside = [since] if since is not None else _published(cfg, municipality, trust)
    with transaction() as s:
        for path in outside:
            note = _read_note(path)
            problems += check_since(s, note, list(trust.verifiers))
            check_stamp_file(
                path,
                parse_note(note).body,
                expected=bool(cfg.audit_tsa_url or cfg.audit_tsa_certs),
                certs=cfg.audit_tsa_certs,
                policy=cfg.audit_tsa_policy,
                into=stamps,
            )
        report = chain_verdict(s, chain=municipality, settings=cfg, trusted_keys=trusted)
    problems += stamps.problems + [str(p) for p in report.problems]
    stamps.warnings += report.warnings
    stamps.times += report.stamps
    summary = (
        f"записей: {report.entries}, цепочек: {report.chains}, подтверждений: "
        f"{report.evidence}, файлов: {report.files}, контрольных точек: "
        f"{report.checkpoints}, внешних точек: {len(outside)}; доверенные ключи: "
        f"{trust.source or 'не заданы'}"
    )
    for w in stamps.warnings:
        err_console.print(f"[bold yellow]ВНИМАНИЕ[/] {w}", highlight=False)
    if not problems:
        for path in outside:
            console.print(f"OK журнал продолжает контрольную точку {path}", highlight=False)
        for t in stamps.times:
            console.print(f"OK {t}", highlight=False)
        console.print(f"[bold green]OK[/] журнал не изменён — {summary}", highlight=False)
        return
    err_console.print(f"[bold red]НАРУШЕНИЕ[/] {problems[0]}", highlight=False)
    for p in problems[1:20]:
        err_console.print(f"  также: {p}", highlight=False)
    if len(problems) > 20:
        err_console.print(f"  … всего нарушений: {len(problems)}", highlight=False)
    err_console.print(f"Проверено: {summary}", highlight=False)
    raise typer.Exit(1)


def _stamp_heads(cfg: Settings, made: list[AuditCheckpoint]) -> None:
    """RFC 3161 stamps of the heads just signed (after the transaction: no lock held)."""
    from jobs.audit_publish import fetch_stamp

    stamped = 0
    for cp in made:
        at = cp.at if cp.at.tzinfo else cp.at.replace(tzinfo=dt.UTC)
        token, warning = fetch_stamp(cfg, head_message(cp.chain, cp.seq, cp.hash, at))
        if token is None:
            err_console.print(f"[bold yellow]ВНИМАНИЕ[/] {warning}", highlight=False)
            continue
        record_stamp(
            cfg.audit_signing_key, chain=cp.chain, seq=cp.seq, head=cp.hash, at=at, token=token
        )
        stamped += 1
    where = stamps_file(cfg.audit_signing_key)
    console.print(f"Меток времени RFC 3161: {stamped} → {where}", highlight=False)


def _published(cfg: Settings, municipality: str | None, trust: Trust) -> list[Path]:
    """The operator's copies of the last published checkpoints (daily sweep), if any."""
    from jobs.audit_publish import state_dir  # lazy: httpx and the outbox only when needed

    folder = state_dir(cfg)
    if not trust.verifiers or not folder.is_dir():
        return []
    found = sorted(folder.glob("*.checkpoint"))
    return [p for p in found if municipality is None or p.stem == municipality]


def _read_note(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"{path}: не удалось прочитать контрольную точку: {why}") from None


@app.command("checkpoint")
@handle_errors
def checkpoint(
    municipality: Annotated[str | None, typer.Option("--municipality", "-m")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="файл контрольной точки")] = None,
    key: Annotated[Path | None, typer.Option("--key", help="закрытый ключ (audit keygen)")] = None,
) -> None:
    """Подписать текущие вершины цепочек ключом Ed25519 (ключ хранится вне базы)."""
    cfg = settings()
    if municipality is not None:
        from cli.audit_tree_cmd import write_checkpoint

        write_checkpoint(municipality, out, key)
        if out is not None and cfg.audit_tsa_url:
            from jobs.audit_publish import stamp_file

            warning = stamp_file(cfg, out, parse_note(_read_note(out)).body)
            if warning:
                err_console.print(f"[bold yellow]ВНИМАНИЕ[/] {warning}", highlight=False)
            else:
                console.print(f"Метка времени RFC 3161 → {token_path(out)}", highlight=False)
        return
    with transaction(immediate=True) as s:
        made = sign_heads(s, key_path=cfg.audit_signing_key, now=now_utc(), name=cfg.audit_key_name)
    if not made:
        console.print("Журнал пуст: подписывать нечего.")
        return
    for cp in made:
        console.print(f"цепочка {cp.chain}: запись №{cp.seq}, хеш {cp.hash}", highlight=False)
    if cfg.audit_tsa_url:
        _stamp_heads(cfg, made)
    key = cfg.audit_signing_key
    console.print(
        f"Подписано контрольных точек: {len(made)}; ключ {key}, копия вершин: {heads_file(key)}",
        highlight=False,
    )


@app.command("export")
@handle_errors
def export(
    municipality: Annotated[str, typer.Option("--municipality", "-m")],
    out: Annotated[Path, typer.Option("--out", help="файл выгрузки")],
    fmt: Annotated[str, typer.Option("--format", help="jsonl | csv | xlsx")] = "jsonl",
    date_from: Annotated[str | None, typer.Option("--from", help="с даты ГГГГ-ММ-ДД")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="по дату ГГГГ-ММ-ДД")] = None,
) -> None:
    """Выгрузить журнал муниципалитета с хешами цепочки (для аудиторов)."""
    from reports.audit_export import FORMATS, write_export  # lazy: fast CLI start

    if fmt not in FORMATS:
        raise InputError(f"--format: допустимо {', '.join(FORMATS)}, получено «{fmt}»")
    start = parse_date(date_from, field="--from") if date_from else None
    end = parse_date(date_to, field="--to") if date_to else None
    if start and end and end < start:
        raise InputError("--to раньше --from")
    with transaction() as s:
        get_municipality(s, municipality)  # fail before the output file is created
        rows = export_entries(s, municipality_code=municipality, date_from=start, date_to=end)
        n = write_export(rows, fmt=fmt, out=out)
    console.print(f"Выгружено записей: {n} → {out}", highlight=False)


from cli.audit_tree_cmd import register as _register_tree  # noqa: E402

_register_tree(app)
