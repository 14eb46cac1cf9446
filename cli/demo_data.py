"""Seed data of ``roadmap demo``: municipalities in three zones, a loaded standard
roadmap, completed steps with real evidence (files, act numbers), people to remind."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pendulum
from sqlmodel import Session, col, select

from domain.evidence.completion import complete_step
from models import Municipality, Organisation, Person, Role, Step, StepKind
from models.settings import Settings
from roadmaps.instantiate import instantiate
from roadmaps.loader import read_template, resolve_template

# code, name, region, zone
DEMO_MUNICIPALITIES: list[tuple[str, str, str, str]] = [
    (
        "kaliningrad",
        "Городской округ «Город Калининград»",
        "Калининградская область",
        "Europe/Kaliningrad",
    ),
    ("krylovsky", "Крыловский район", "Краснодарский край", "Europe/Moscow"),
    ("irkutsk", "Город Иркутск", "Иркутская область", "Asia/Irkutsk"),
]

# Share of past-due steps the demo marks as done, per municipality (the rest stay late).
DONE_SHARE = {"kaliningrad": 0.95, "krylovsky": 0.8, "irkutsk": 0.6}

ISSUERS = ["Управление образования администрации", "Администрация муниципального образования"]


def demo_pdf(title: str) -> bytes:
    """A small valid PDF standing in for a signed scan."""
    text = title.encode("ascii", "replace")[:60]
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% "
        + text
        + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def evidence_fields(step: Step, rng: random.Random, n: int) -> dict[str, Any]:
    day = step.due_date - dt.timedelta(days=rng.randint(1, 6))
    if step.kind == StepKind.normative_act:
        act_type = "постановление" if step.key.startswith(("npa-cert", "npa-soc")) else "приказ"
        return {
            "act_type": act_type,
            "act_number": rng.choice([f"№{n * 7 + 100}", f"№{n + 80}/1", f"№110-37-{n}-23"]),
            "act_date": day,
            "issuer": ISSUERS[act_type == "постановление"],
        }
    url = f"https://moc.example.ru/news/{step.key}"
    if step.kind == StepKind.event:
        return {"event_date": day, "participants": rng.randint(12, 80), "url": url}
    if step.kind == StepKind.report:
        return {"recipient": "РМЦ", "sent_date": day, "url": url}
    if step.kind == StepKind.certificate_setup:
        pf = rng.randint(200, 900)
        return {
            "accounting_certificates": rng.randint(900, 3000),
            "pf_certificates": pf,
            "nominal": "7500.00",
            "effective_from": day,
            "by_category": {"5-18 лет": pf},
        }
    if step.kind == StepKind.expert_review:
        return {
            "protocol_number": f"№{n}",
            "protocol_date": day,
            "programmes_reviewed": rng.randint(10, 40),
        }
    return {"values": {"coverage_5_18": round(rng.uniform(70, 85), 1)}, "as_of": day}


def _only_required(step: Step, fields: dict[str, Any]) -> dict[str, Any]:
    wanted = set(step.evidence_required)
    return {k: v for k, v in fields.items() if not wanted or k in wanted}


def seed_people(s: Session, m: Municipality) -> None:
    assert m.id is not None
    org = Organisation(
        municipality_id=m.id, code=f"{m.code}-ddt", name="МБУДО «Дом детского творчества»"
    )
    s.add(org)
    s.flush()
    s.add_all(
        [
            Person(
                full_name="Руководитель МОЦ",
                role=Role.moc_head,
                municipality_id=m.id,
                email=f"moc@{m.code}.example.ru",
                notify=["@demo"],
            ),
            Person(
                full_name="Контакт организации",
                role=Role.org_contact,
                municipality_id=m.id,
                organisation_id=org.id,
                email=f"ddt@{m.code}.example.ru",
                notify=["@demo"],
            ),
            Person(
                full_name="Куратор РМЦ",
                role=Role.rmc,
                municipality_id=m.id,
                email="rmc@region.example.ru",
                notify=["@demo"],
            ),
        ]
    )


def seed_demo(s: Session, *, now: dt.datetime, settings: Settings) -> list[str]:
    """Create the demo world at ``now``; returns human-readable summary lines."""
    loaded = read_template(resolve_template("moc-standard"))
    lines: list[str] = []
    for i, (code, name, region, tz) in enumerate(DEMO_MUNICIPALITIES):
        m = Municipality(code=code, name=name, region=region, timezone=tz)
        s.add(m)
        s.flush()
        seed_people(s, m)
        year = pendulum.instance(now).in_timezone(tz).year
        result = instantiate(
            s,
            spec=loaded.spec,
            source_text=loaded.source_text,
            municipality=m,
            year=year,
            actor="demo",
            now=now,
        )
        rng = random.Random(1000 + i)
        cutoff = pendulum.instance(now).in_timezone(tz).date() - dt.timedelta(days=10)
        past = s.exec(
            select(Step)
            .where(Step.municipality_id == m.id, col(Step.due_date) <= cutoff)
            .order_by(col(Step.due_date), col(Step.key))
        ).all()
        done = 0
        for n, step in enumerate(past, start=1):
            if rng.random() > DONE_SHARE[code]:
                continue
            assert step.id is not None
            complete_step(
                s,
                step_id=step.id,
                fields=_only_required(step, evidence_fields(step, rng, n)),
                file_bytes=demo_pdf(step.key),
                file_name=f"{step.key}.pdf",
                actor="Руководитель МОЦ (демо)",
                settings=settings,
                now=now,
            )
            done += 1
        lines.append(
            f"{name} ({tz}): дорожная карта {year}, шагов {result.created}, "
            f"выполнено с подтверждениями {done}"
        )
    return lines
