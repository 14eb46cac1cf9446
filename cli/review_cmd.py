"""``roadmap review``: expert review (НОК) campaigns, programmes, experts, cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table
from sqlmodel import Session, col, select

from cli.common import (
    console,
    get_municipality,
    handle_errors,
    now_utc,
    parse_date,
    print_json,
    settings,
    transaction,
)
from domain import lookup
from domain.errors import InputError, NotFoundError
from domain.inputs import effective_moment
from domain.review import transitions as review
from domain.review.campaign import (
    add_expert,
    add_programme,
    close_campaign,
    create_campaign,
    find_case,
    open_case,
)
from domain.review.rules import STATE_LABELS, VERDICT_ALIASES
from models import Organisation, Person, ReviewCampaign, ReviewCase, Role
from models.review import ReviewState
from notifications.review_reminders import review_tick
from notifications.targets import check_target

app = typer.Typer(
    help="Экспертиза программ (НОК): кампании, заявки, заключения.", no_args_is_help=True
)
campaign_app = typer.Typer(help="Кампании экспертизы.", no_args_is_help=True)
programme_app = typer.Typer(help="Программы.", no_args_is_help=True)
expert_app = typer.Typer(help="Эксперты.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
app.add_typer(programme_app, name="programme")
app.add_typer(expert_app, name="expert")

ACTOR = typer.Option("cli", "--actor", help="Кто выполняет действие (для журнала)")
COUNT_LABELS = {
    "applied": "Подано заявок",
    "reviewed": "Прошли экспертизу",
    "positive": "Положительных заключений",
    "negative": "Отрицательных заключений",
    "regional_stage": "Направлено на региональный этап",
    "in_register": "Включено в реестр",
}


def _org(s: Session, municipality_id: int, code: str) -> Organisation:
    return lookup.organisation(
        s, municipality_id=municipality_id, code=code, field="--organisation"
    )


@campaign_app.command("create")
@handle_errors
def campaign_create(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    title: str = typer.Option(..., "--title", help="Название кампании"),
    year: int = typer.Option(..., "--year", help="Год"),
    starts: str = typer.Option(..., "--from", help="Начало, ГГГГ-ММ-ДД"),
    ends: str = typer.Option(..., "--to", help="Окончание, ГГГГ-ММ-ДД"),
    step_key: str | None = typer.Option(None, "--step", help="Ключ шага экспертизы"),
    quorum: int = typer.Option(2, "--quorum", help="Экспертов на программу"),
    expert_days: int = typer.Option(7, "--expert-days", help="Срок эксперта, рабочих дней"),
    revision_days: int = typer.Option(20, "--revision-days", help="Срок доработки, раб. дней"),
    max_rounds: int = typer.Option(3, "--max-rounds", help="Число раундов"),
    escalate_days: int = typer.Option(3, "--escalate-days", help="Эскалация через, раб. дней"),
) -> None:
    """Создать кампанию экспертизы (шаг дорожной карты вида expert_review)."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        step_id = None
        if step_key:
            step_id = lookup.step(s, municipality=m, ref=step_key, latest=True, field="--step").id
        c = create_campaign(
            s,
            municipality_id=m.id or 0,
            title=title,
            year=year,
            starts_on=parse_date(starts, field="--from"),
            ends_on=parse_date(ends, field="--to"),
            step_id=step_id,
            quorum=quorum,
            expert_working_days=expert_days,
            revision_working_days=revision_days,
            max_rounds=max_rounds,
            escalate_after_working_days=escalate_days,
        )
    console.print(f"Создана кампания №{c.id} «{title}» ({starts} — {ends})")


@campaign_app.command("close")
@handle_errors
def campaign_close(
    campaign: int = typer.Argument(..., help="Номер кампании"),
    protocol: str = typer.Option(..., "--protocol", help="Номер протокола МОС"),
    date: str = typer.Option(..., "--date", help="Дата протокола, ГГГГ-ММ-ДД"),
    file: Path | None = typer.Option(None, "--file", help="Файл протокола"),
    actor: str = ACTOR,
) -> None:
    """Закрыть кампанию протоколом МОС (шаг дорожной карты отмечается выполненным)."""
    data = file.read_bytes() if file else None
    with transaction() as s:
        close_campaign(
            s,
            campaign_id=campaign,
            protocol_number=protocol,
            protocol_date=parse_date(date, field="--date"),
            file_bytes=data,
            file_name=file.name if file else None,
            actor=actor,
            settings=settings(),
            now=now_utc(),
        )
    console.print(f"Кампания №{campaign} закрыта протоколом МОС {protocol} от {date}")


@programme_app.command("add")
@handle_errors
def programme_add(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    organisation: str = typer.Option(..., "--organisation", help="Код организации"),
    title: str = typer.Option(..., "--title", help="Название программы"),
    focus: str = typer.Option(..., "--focus", help="Направленность (technical, artistic...)"),
    navigator_id: str | None = typer.Option(None, "--navigator-id", help="Id в Навигаторе"),
    hours: int = typer.Option(0, "--hours", help="Объём, часов"),
    age_min: int = typer.Option(5, "--age-min"),
    age_max: int = typer.Option(18, "--age-max"),
    ovz: bool = typer.Option(False, "--ovz", help="Для детей с ОВЗ"),
    remote: bool = typer.Option(False, "--remote", help="Дистанционная форма"),
    network: bool = typer.Option(False, "--network", help="Сетевая форма"),
) -> None:
    """Добавить программу организации."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        p = add_programme(
            s,
            organisation_id=_org(s, m.id or 0, organisation).id or 0,
            title=title,
            focus=focus,
            navigator_id=navigator_id,
            hours=hours,
            age_min=age_min,
            age_max=age_max,
            for_ovz=ovz,
            remote=remote,
            network=network,
        )
    console.print(f"Добавлена программа №{p.id} «{title}»")


@expert_app.command("add")
@handle_errors
def expert_add(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    name: str = typer.Option(..., "--name", help="ФИО эксперта"),
    organisation: str | None = typer.Option(None, "--organisation", help="Место работы"),
    notify: list[str] = typer.Option(
        [], "--notify", help="Канал и адрес: email:petrov@school.ru, telegram:123456, @имя"
    ),
    public: bool = typer.Option(False, "--public", help="Общественный эксперт"),
) -> None:
    """Добавить эксперта (член МОС или общественный эксперт)."""
    targets = [check_target(t) for t in notify]  # no channel credential in a person row
    with transaction() as s:
        m = get_municipality(s, municipality)
        org_id = _org(s, m.id or 0, organisation).id if organisation else None
        person = Person(
            full_name=name,
            role=Role.expert,
            municipality_id=m.id,
            organisation_id=org_id,
            notify=targets,
        )
        s.add(person)
        s.flush()
        e = add_expert(s, person_id=person.id or 0, public=public)
    console.print(f"Добавлен эксперт №{e.id}: {name}")


@app.command("submit")
@handle_errors
def submit(
    campaign: int = typer.Option(..., "--campaign", help="Номер кампании"),
    programme: int = typer.Option(..., "--programme", help="Номер программы"),
    actor: str = ACTOR,
    at: str | None = typer.Option(
        None, "--at", help="Когда это произошло, с поясом: 2023-12-29T15:00+03:00 (не в будущем)"
    ),
) -> None:
    """Подать программу на экспертизу (или доработанную программу — на новый раунд)."""
    recorded = now_utc()
    now = effective_moment(at, field="--at", now=recorded)
    with transaction() as s:
        case = find_case(s, campaign_id=campaign, programme_id=programme)
        if case is None:
            case = open_case(s, campaign_id=campaign, programme_id=programme, actor=actor, now=now)
        review.submit(s, case_id=case.id or 0, actor=actor, now=now)
        _backdated(s, case.id or 0, "review.submitted", actor, now, recorded)
    console.print(f"Заявка №{case.id}: подана (раунд {case.round})")


@app.command("assign")
@handle_errors
def assign(
    case: int = typer.Argument(..., help="Номер заявки"),
    experts: list[int] = typer.Option(..., "--expert", help="Номер эксперта (повторяется)"),
    tiebreaker: bool = typer.Option(False, "--tiebreaker", help="Третий эксперт"),
    start: bool = typer.Option(True, "--start/--no-start", help="Сразу начать экспертизу"),
    actor: str = ACTOR,
) -> None:
    """Назначить экспертов (не меньше кворума) или третьего эксперта при разногласии."""
    now = now_utc()
    with transaction() as s:
        if tiebreaker:
            if len(experts) != 1:
                raise InputError("--tiebreaker: укажите ровно одного эксперта")
            review.assign_tiebreaker(s, case_id=case, expert_id=experts[0], actor=actor, now=now)
        else:
            review.assign_experts(s, case_id=case, expert_ids=experts, actor=actor, now=now)
            if start:
                review.start_review(s, case_id=case, actor=actor, now=now)
        state = _state(s, case)
    console.print(f"Заявка №{case}: эксперты назначены; состояние — {state}")


@app.command("verdict")
@handle_errors
def verdict(
    case: int = typer.Argument(..., help="Номер заявки"),
    value: str = typer.Argument(..., help="positive | negative"),
    expert: int = typer.Option(..., "--expert", help="Номер эксперта"),
    comment: str = typer.Option("", "--comment", help="Комментарий"),
    actor: str = ACTOR,
    at: str | None = typer.Option(
        None, "--at", help="Когда это произошло, с поясом: 2023-12-29T15:00+03:00 (не в будущем)"
    ),
) -> None:
    """Внести заключение эксперта."""
    v = VERDICT_ALIASES.get(value.strip().lower())
    if v is None:
        raise InputError(f"заключение: ожидается positive или negative, получено «{value}»")
    recorded = now_utc()
    now = effective_moment(at, field="--at", now=recorded)
    with transaction() as s:
        review.record_verdict(
            s,
            case_id=case,
            expert_id=expert,
            verdict=v,
            comment=comment,
            actor=actor,
            now=now,
        )
        _backdated(s, case, "review.verdict", actor, now, recorded)
        state = _state(s, case)
    console.print(f"Заявка №{case}: заключение принято; состояние — {state}")


DECISIONS = ("council", "regional", "register", "revision", "reject", "archive")


@app.command("decide")
@handle_errors
def decide(
    case: int = typer.Argument(..., help="Номер заявки"),
    kind: str = typer.Argument(
        ..., help="council | regional | register | revision | reject | archive"
    ),
    protocol: str | None = typer.Option(None, "--protocol", help="Номер протокола МОС"),
    date: str | None = typer.Option(None, "--date", help="Дата протокола, ГГГГ-ММ-ДД"),
    refuse: bool = typer.Option(False, "--refuse", help="МОС отказал (для council)"),
    reason: str = typer.Option("", "--reason", help="Причина / комментарий"),
    actor: str = ACTOR,
    at: str | None = typer.Option(
        None, "--at", help="Когда это произошло, с поясом: 2023-12-29T15:00+03:00 (не в будущем)"
    ),
) -> None:
    """Решение по заявке: МОС, региональный этап, реестр, доработка, отклонение, архив."""
    if kind not in DECISIONS:
        raise InputError(f"решение: «{kind}» неизвестно; допустимо: {', '.join(DECISIONS)}")
    recorded = now_utc()
    now = effective_moment(at, field="--at", now=recorded)
    with transaction() as s:
        if kind == "council":
            if not protocol or not date:
                raise InputError("council: укажите --protocol и --date протокола МОС")
            review.council_decision(
                s,
                case_id=case,
                protocol_number=protocol,
                protocol_date=parse_date(date, field="--date"),
                approved=False if refuse else None,
                actor=actor,
                now=now,
            )
        elif kind == "regional":
            review.send_to_regional_stage(s, case_id=case, actor=actor, now=now)
        elif kind == "register":
            review.put_in_register(s, case_id=case, actor=actor, now=now)
        elif kind == "revision":
            review.request_revision(s, case_id=case, actor=actor, now=now, comment=reason)
        elif kind == "reject":
            review.formally_reject(s, case_id=case, reason=reason, actor=actor, now=now)
        else:
            review.archive(s, case_id=case, actor=actor, now=now, reason=reason)
        _backdated(s, case, f"review.{kind}", actor, now, recorded)
        state = _state(s, case)
    console.print(f"Заявка №{case}: состояние — {state}")


def _backdated(
    s: Session, case_id: int, action: str, actor: str, now: dt.datetime, recorded: dt.datetime
) -> None:
    """A back-dated decision also logs when it was actually recorded (issue 15)."""
    from domain.records.backdating import case_municipality, note_backdated

    if now < recorded and (mid := case_municipality(s, case_id)) is not None:
        note_backdated(
            s,
            municipality_id=mid,
            actor=actor,
            entity=f"case:{case_id}",
            action=action,
            effective=now,
            recorded=recorded,
        )


def _state(s: Session, case_id: int) -> str:
    c = s.get(ReviewCase, case_id)
    return STATE_LABELS[c.state] if c else "?"


@app.command("tick")
@handle_errors
def tick(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    now: str | None = typer.Option(None, "--now", help="Момент ISO 8601 с поясом"),
) -> None:
    """Напоминания просрочившим экспертам и организациям (без Prefect)."""
    at = dt.datetime.fromisoformat(now) if now else now_utc()
    if at.tzinfo is None:
        raise InputError("--now: укажите часовой пояс, например 2025-11-26T10:00+03:00")
    with transaction() as s:
        m = get_municipality(s, municipality)
        counts = review_tick(s, municipality_ids=[m.id or 0], now=at, settings=settings())
    console.print(
        f"Новых напоминаний: {counts.get('reminders', 0)}, "
        f"эскалаций: {counts.get('escalations', 0)}"
    )


@app.command("status")
@handle_errors
def status(
    municipality: str = typer.Option(..., "--municipality", help="Код муниципалитета"),
    campaign: int | None = typer.Option(None, "--campaign", help="Номер кампании"),
    as_json: bool = typer.Option(False, "--json", help="Вывести JSON"),
) -> None:
    """Заявки по состояниям и итоги для отчётов по каждой кампании."""
    with transaction() as s:
        m = get_municipality(s, municipality)
        stmt = select(ReviewCampaign).where(ReviewCampaign.municipality_id == m.id)
        if campaign is not None:
            stmt = stmt.where(ReviewCampaign.id == campaign)
        campaigns = list(s.exec(stmt.order_by(col(ReviewCampaign.id))).all())
        if campaign is not None and not campaigns:
            raise NotFoundError(f"--campaign: кампания №{campaign} не найдена в «{municipality}»")
        out = [
            {
                "id": c.id,
                "title": c.title,
                "year": c.year,
                "starts_on": c.starts_on,
                "ends_on": c.ends_on,
                "closed": c.closed_at is not None,
                "states": review.state_counts(s, campaign_id=c.id or 0),
                "counts": review.campaign_counts(s, campaign_id=c.id or 0),
            }
            for c in campaigns
        ]
    if as_json:
        print_json({"municipality": municipality, "campaigns": out})
        return
    if not out:
        console.print(f"В «{municipality}» нет кампаний экспертизы")
    for c in out:
        table = Table(
            title=f"Кампания №{c['id']} «{c['title']}» ({c['starts_on']} — "
            f"{c['ends_on']}){' — закрыта' if c['closed'] else ''}"
        )
        table.add_column("Состояние")
        table.add_column("Заявок", justify="right")
        states = c["states"]
        assert isinstance(states, dict)
        for key, n in states.items():
            if n:
                table.add_row(STATE_LABELS[ReviewState(key)], str(n))
        console.print(table)
        counts = c["counts"]
        assert isinstance(counts, dict)
        for key, label in COUNT_LABELS.items():
            console.print(f"{label}: {counts[key]}")
