"""``roadmap demo``: a fresh SQLite database with three municipalities in three zones,
statuses swept, reminders delivered to a local inbox, an НОК campaign, reports,
a verified audit log and the dashboard URL."""

from __future__ import annotations

import json
from pathlib import Path

import pendulum
import typer
from sqlmodel import col, select

from cli import status_cmd
from cli.common import console, handle_errors, parse_date, settings
from cli.demo_data import DEMO_MUNICIPALITIES, seed_demo
from cli.demo_sink import http_inbox
from domain import lookup
from domain.vocabulary import REVIEW_STATE_RU
from models import Municipality, Person, Role, Step, StepKind
from models.db import init_db, make_engine, session_scope


def demo(
    db: Path = typer.Option(
        Path("soczakaz-demo.db"), "--db", help="Файл SQLite для демо (пересоздаётся)"
    ),
    as_of: str | None = typer.Option(None, "--as-of", help="Дата «сегодня» демо ГГГГ-ММ-ДД"),
    out: Path = typer.Option(
        Path("demo-output"), "--out", help="Папка для отчётов, писем и файлов"
    ),
) -> None:
    """Демо: база SQLite, три муниципалитета в разных часовых поясах, статусы,
    напоминания, экспертиза программ, отчёты, проверка журнала аудита."""
    from cli.demo_review import seed_demo_campaign
    from domain.audit.checkpoint import sign_heads
    from domain.audit.verify import verify
    from domain.calendar.time import as_of_instant
    from domain.review.transitions import state_counts
    from jobs.dispatch import dispatch_pending
    from jobs.sweep import sweep_in_session
    from reports.build import write_annual
    from web.auth_links import login_link

    if as_of:
        day = parse_date(as_of, field="--as-of")
        now = pendulum.instance(as_of_instant(day))
    else:
        now = pendulum.now("UTC")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    init_db(engine)
    from models.migrate import stamp_head  # lazy: alembic is slow to import

    stamp_head(engine)
    inbox = out / "inbox.jsonl"
    inbox.unlink(missing_ok=True)
    with http_inbox(inbox) as sink_url:
        cfg = settings().model_copy(
            update={
                "database_url": url,
                "evidence_dir": out / "evidence",
                "audit_signing_key": out / "audit-signing.key",
                "channels": {"demo": sink_url},
            }
        )
        with session_scope(engine, immediate=True) as s:
            summary = seed_demo(s, now=now, settings=cfg)
            ids = [m.id for m in s.exec(select(Municipality)).all() if m.id is not None]
            # Replay the daily sweeps of the last two weeks, as the schedule would have run.
            queued = 0
            for back in range(14, -1, -1):
                moment = now.subtract(days=back)
                counts = sweep_in_session(s, municipality_ids=ids, now=moment, settings=cfg)
                queued += counts["reminders"]
            kr = lookup.municipality(s, "krylovsky")
            nok = s.exec(
                select(Step)
                .where(Step.municipality_id == kr.id, Step.kind == StepKind.expert_review)
                .order_by(col(Step.due_date))
            ).first()
            campaign = seed_demo_campaign(s, municipality=kr, step=nok, now=now)
            admin = Person(full_name="Администратор (демо)", role=Role.admin)
            s.add(admin)
            s.flush()
            assert admin.id is not None and campaign.id is not None
            head = s.exec(
                select(Person).where(Person.role == Role.moc_head, Person.municipality_id == kr.id)
            ).one()
            assert head.id is not None
            # One-time sign-in link for the МОЦ head (valid an hour: the demo is read later).
            link = login_link(s, head.id, f"/m/{kr.code}", base_url=cfg.base_url, minutes=60)
            states = {k: v for k, v in state_counts(s, campaign_id=campaign.id).items() if v}
        # Deliver in working hours: the dispatcher's clock is the demo moment.
        sent = dispatch_pending(engine, cfg, clock=lambda: now)
    with session_scope(engine, immediate=True) as s:
        files = [
            *write_annual(
                s,
                municipality="krylovsky",
                year=now.year,
                fmt="docx",
                out=out / "krylovsky-annual.docx",
                now=now,
            ),
            *write_annual(
                s,
                municipality="krylovsky",
                year=now.year,
                fmt="xlsx",
                out=out / "krylovsky-annual.xlsx",
                now=now,
            ),
        ]
        sign_heads(s, key_path=cfg.audit_signing_key, now=now)
    with session_scope(engine) as s:
        report = verify(
            s,
            municipality_code=None,
            evidence_root=cfg.evidence_dir,
            key_path=cfg.audit_signing_key,
        )

    console.print(f"[bold green]Демо-база создана:[/] {db}")
    for line in summary:
        console.print("  " + line)
    console.print(
        f"  Ежедневный обход сроков за 15 дней: сейчас просрочено {counts.get('overdue', 0)}; "
        f"напоминаний поставлено в очередь {queued}, доставлено {sent.get('sent', 0)} "
        f"в локальный приёмник {inbox}"
    )
    if inbox.exists():
        first = json.loads(inbox.read_text(encoding="utf-8").splitlines()[0])["message"]
        console.print(f"  Пример письма: «{first.get('title', '')}»", highlight=False)
    console.print(
        "  НОК (Крыловский район): "
        + ", ".join(f"{REVIEW_STATE_RU.get(k, k)}: {v}" for k, v in states.items()),
        highlight=False,
    )
    console.print("  Отчёты: " + ", ".join(str(f) for f in files))
    verdict = "[green]OK[/]" if report.ok else f"[red]НАРУШЕН[/] ({len(report.problems)})"
    console.print(
        f"  Журнал аудита: {verdict}; записей {report.entries}, цепочек {report.chains}, "
        f"файлов подтверждений {report.files}, подписанных вершин {report.checkpoints}"
    )
    console.print()
    status_day = pendulum.instance(now).in_timezone("Europe/Moscow").to_date_string()
    with session_scope(engine) as s:
        for code, *_ in DEMO_MUNICIPALITIES:
            m, at, states_ = status_cmd.load_states(
                s, code, None, status_day, cfg.due_soon_working_days
            )
            status_cmd.render(m, at, states_, upcoming=3)
            console.print()
    engine.dispose()
    env = (
        f"SOCZAKAZ_DATABASE_URL={url} SOCZAKAZ_EVIDENCE_DIR={cfg.evidence_dir} "
        f"SOCZAKAZ_AUDIT_SIGNING_KEY={cfg.audit_signing_key}"
    )
    console.print("Дальше:", highlight=False)
    console.print(f"  export {env}", highlight=False, soft_wrap=True)
    console.print(
        "  roadmap status -m kaliningrad; roadmap audit verify; roadmap serve", highlight=False
    )
    console.print(
        f"  Вход руководителя МОЦ (после roadmap serve, ссылка на 1 час): {link}",
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(handle_errors(demo))
