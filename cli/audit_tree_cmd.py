"""``roadmap audit keygen | prove | check-proof | consistency`` and Merkle checkpoints (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import (
    console,
    err_console,
    get_municipality,
    handle_errors,
    now_utc,
    transaction,
)
from domain.audit.note import (
    NoteError,
    Signer,
    Verifier,
    generate,
    parse_signer,
    parse_verifier,
)
from domain.audit.tree import (
    check_consistency,
    check_proof,
    check_since,
    consistency_proof,
    make_checkpoint,
    open_checkpoint,
    prove,
)


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NoteError(
            f"{path}: не удалось прочитать {what}: {getattr(exc, 'strerror', None) or exc}"
        ) from None


def load_verifiers(path: Path | None) -> list[Verifier]:
    if path is None:
        raise NoteError("укажите --key: файл доверенных открытых ключей")
    out = []
    for n, line in enumerate(_read(path, "открытые ключи").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            try:
                out.append(parse_verifier(line))
            except NoteError as exc:
                raise NoteError(f"{path}, строка {n}: {exc.message}") from None
    if not out:
        raise NoteError(f"{path}: нет ни одного открытого ключа")
    return out


def load_witnesses(path: Path | None) -> list[Verifier]:
    """Witness keys (type 0x04) whose cosignature a checkpoint must carry."""
    if path is None:
        return []
    keys = load_verifiers(path)
    for v in keys:
        if not v.is_witness:
            raise NoteError(f"{path}: ключ «{v.name}» — не ключ свидетеля (keygen --witness)")
    return keys


def load_signer(path: Path | None) -> Signer:
    if path is None:
        raise NoteError("укажите --key: закрытый ключ, созданный «roadmap audit keygen»")
    try:
        return parse_signer(_read(path, "закрытый ключ"))
    except NoteError as exc:
        raise NoteError(f"{path}: {exc.message}") from None


def write_checkpoint(code: str, out: Path | None, key: Path | None) -> None:
    signer = load_signer(key)
    with transaction() as s:
        get_municipality(s, code)
        note = make_checkpoint(s, code, signer)
    if out is None:
        console.print(note, end="", highlight=False, markup=False)
        return
    out.write_text(note, encoding="utf-8")
    size = note.split("\n")[1]
    console.print(f"Контрольная точка цепочки «{code}» ({size} записей) → {out}", highlight=False)


def verify_since(since: Path, trusted: Path | None) -> None:
    verifiers = load_verifiers(trusted)
    note = _read(since, "контрольную точку")
    with transaction() as s:
        problems = check_since(s, note, verifiers)
    if problems:
        for p in problems:
            err_console.print(f"[bold red]НАРУШЕНИЕ[/] {p}", highlight=False)
        raise typer.Exit(1)
    console.print(f"OK журнал продолжает контрольную точку {since}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("db-role")
    @handle_errors
    def db_role_cmd(
        name: Annotated[str, typer.Argument(help="имя роли приложения")],
        schema: Annotated[str, typer.Option("--schema")] = "public",
        print_sql: Annotated[
            bool, typer.Option("--print-sql", help="только напечатать SQL для администратора БД")
        ] = False,
        create: Annotated[bool, typer.Option("--create", help="выполнить в базе")] = False,
        password_env: Annotated[
            str | None,
            typer.Option("--password-env", help="переменная окружения с паролем роли"),
        ] = None,
    ) -> None:
        """Роль PostgreSQL с наименьшими правами: журнал аудита — только INSERT и SELECT."""
        import os

        from sqlalchemy import text

        from domain.audit.db_role import role_sql

        if print_sql and create:
            raise NoteError("--print-sql и --create вместе не указываются")
        password = None
        if password_env is not None:
            password = os.environ.get(password_env)
            if not password:
                raise NoteError(f"--password-env: переменная {password_env} пуста или не задана")
        if not create:  # the DBA copies it as is; a password is never printed
            stmts = role_sql(name, schema=schema)
            typer.echo(";\n".join(stmts) + ";")
            if password_env is not None:
                typer.echo(
                    f"-- пароль: ALTER ROLE {name} PASSWORD '…'; (значение из {password_env})"
                )
            return
        with transaction() as s:
            if s.get_bind().dialect.name != "postgresql":
                raise NoteError("роль создаётся только в PostgreSQL (в SQLite ролей нет)")
            for stmt in role_sql(name, schema=schema, password=password):
                s.execute(text(stmt))
        console.print(
            f"Роль {name} готова: журнал аудита — только INSERT и SELECT; строка подключения "
            f"приложения: postgresql+psycopg://{name}:ПАРОЛЬ@ХОСТ:5432/БАЗА",
            highlight=False,
        )

    @app.command("keygen")
    @handle_errors
    def keygen(
        out: Annotated[Path, typer.Option("--out", help="каталог для ключей")],
        name: Annotated[str, typer.Option("--name", help="имя ключа")] = "soczakaz",
        witness: Annotated[
            bool, typer.Option("--witness", help="ключ свидетеля (РМЦ): косигнатуры, тип 0x04")
        ] = False,
    ) -> None:
        """Создать пару ключей Ed25519: закрытый (не показывается) и открытый."""
        signer = generate(name, witness=witness)
        out.mkdir(parents=True, exist_ok=True)
        priv, pub = out / f"{name}.key", out / f"{name}.pub"
        if priv.exists():
            raise NoteError(f"{priv}: ключ уже существует, не перезаписываю")
        priv.touch(mode=0o600)
        priv.write_text(signer.text() + "\n", encoding="utf-8")
        pub.write_text(signer.public().text() + "\n", encoding="utf-8")
        console.print(f"Закрытый ключ: {priv} (права 600)\nОткрытый ключ: {pub}", highlight=False)

    @app.command("prove")
    @handle_errors
    def prove_cmd(
        entry: Annotated[int, typer.Argument(help="номер записи (seq)")],
        municipality: Annotated[str, typer.Option("--municipality", "-m")],
        out: Annotated[Path, typer.Option("--out")],
        size: Annotated[
            int | None, typer.Option("--size", help="размер дерева (как в контрольной точке)")
        ] = None,
    ) -> None:
        """Доказательство включения одной записи в дерево журнала (O(log n) строк базы)."""
        with transaction() as s:
            get_municipality(s, municipality)
            doc = prove(s, municipality, entry, size)
        out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        console.print(
            f"Доказательство записи №{entry} ({len(doc['proof'])} хешей) → {out}", highlight=False
        )

    @app.command("check-proof")
    @handle_errors
    def check_proof_cmd(
        proof: Annotated[Path, typer.Argument(help="файл доказательства")],
        checkpoint: Annotated[Path, typer.Option("--checkpoint")],
        key: Annotated[Path, typer.Option("--key", help="доверенные открытые ключи")],
        witness: Annotated[
            Path | None, typer.Option("--witness", help="ключи свидетелей: нужна их косигнатура")
        ] = None,
    ) -> None:
        """Проверить доказательство без базы данных: запись входит в подписанное дерево."""
        verifiers = load_verifiers(key) + load_witnesses(witness)
        cp = open_checkpoint(
            _read(checkpoint, "контрольную точку"), verifiers, where=str(checkpoint)
        )
        try:
            doc: Any = json.loads(_read(proof, "доказательство"))
        except json.JSONDecodeError as exc:
            raise NoteError(f"{proof}, строка {exc.lineno}: повреждённый JSON") from None
        if not isinstance(doc, dict):
            raise NoteError(f"{proof}: ожидается объект JSON")
        name = check_proof(doc, cp)
        console.print(f"OK {name} входит в дерево из {cp.size} записей", highlight=False)

    @app.command("consistency")
    @handle_errors
    def consistency_cmd(
        old: Annotated[Path, typer.Argument(help="старая контрольная точка")],
        new: Annotated[Path, typer.Argument(help="новая контрольная точка")],
        key: Annotated[Path, typer.Option("--key", help="доверенные открытые ключи")],
        out: Annotated[Path | None, typer.Option("--out", help="доказательство JSON")] = None,
    ) -> None:
        """Доказать, что новая контрольная точка продолжает старую (не развилка)."""
        verifiers = load_verifiers(key)
        a = open_checkpoint(_read(old, "контрольную точку"), verifiers, where=str(old))
        b = open_checkpoint(_read(new, "контрольную точку"), verifiers, where=str(new))
        with transaction() as s:
            proof = consistency_proof(s, a, b)
        check_consistency(a, b, proof)
        if out is not None:
            out.write_text(json.dumps([h.hex() for h in proof]), encoding="utf-8")
        console.print(
            f"OK {new} продолжает {old} ({a.size} → {b.size} записей, "
            f"доказательство из {len(proof)} хешей)",
            highlight=False,
        )

    @app.command("witness")
    @handle_errors
    def witness_cmd(
        checkpoint: Annotated[Path, typer.Argument(help="опубликованная контрольная точка")],
        key: Annotated[Path, typer.Option("--key", help="открытые ключи журнала")],
        witness_key: Annotated[Path, typer.Option("--witness-key", help="закрытый ключ РМЦ")],
        state: Annotated[Path, typer.Option("--state", help="файл последней заверенной точки")],
        proof: Annotated[Path | None, typer.Option("--proof", help="доказательство JSON")] = None,
        out: Annotated[Path | None, typer.Option("--out")] = None,
    ) -> None:
        """РМЦ: проверить продолжение последней заверенной точки и добавить косигнатуру."""
        from domain.audit.witness import read_state, witness

        verifiers, signer = load_verifiers(key), load_signer(witness_key)
        text = _read(checkpoint, "контрольную точку")
        old = None
        if state.exists():
            old = read_state(_read(state, "состояние свидетеля"), signer, verifiers, str(state))
        done = witness(
            text,
            log_keys=verifiers,
            signer=signer,
            state=old,
            proof=_proof_hashes(proof),
            timestamp=int(now_utc().timestamp()),
            where=str(checkpoint),
        )
        _write_atomic(state, done.note)
        _write_atomic(out or checkpoint, done.note)
        since = f" (продолжает точку из {old.size})" if old is not None else ""
        console.print(
            f"Заверено РМЦ «{signer.name}»: {done.checkpoint.size} записей{since} → "
            f"{out or checkpoint}",
            highlight=False,
        )


def _proof_hashes(path: Path | None) -> list[bytes]:
    if path is None:
        return []
    try:
        doc = json.loads(_read(path, "доказательство"))
        hashes = doc["proof"] if isinstance(doc, dict) else doc
        out = [bytes.fromhex(h) for h in hashes]
        if any(len(h) != 32 for h in out) or len(out) > 64:
            raise ValueError("hash length")
    except (ValueError, TypeError, KeyError):
        raise NoteError(f"{path}: повреждённое доказательство согласованности") from None
    return out


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
