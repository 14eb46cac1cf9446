"""Synthetic municipalities for the reports benchmark (bulk inserts, deterministic).

Each municipality gets organisations, a programme catalogue, a roadmap for the
year (acts with evidence, events with participants, certificate set-up, open and
overdue steps), a roadmap for the next year, five years of coverage, a НОК
campaign with cases and a few audit entries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

import pendulum
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col

from models import (
    AuditEntry,
    Evidence,
    Focus,
    IndicatorValue,
    Municipality,
    Organisation,
    Programme,
    ReviewCampaign,
    ReviewCase,
    Roadmap,
    RoadmapTemplate,
    Step,
)

ZONES = [
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
]
ACTS = [
    ("Приказ о создании МОЦ и утверждении положения о МОЦ", "управления образования"),
    ("Назначение руководителя МОЦ", "управления образования"),
    ("Постановление о порядке сертификатов дополнительного образования", "администрации"),
    ("Утверждение параметров персонифицированного финансирования", "администрации"),
    ("Создание муниципального экспертного совета", "управления образования"),
    ("Утверждение медиаплана МОЦ", "МБУДО ДДТ"),
]
EVENTS = [
    "Совещание с руководителями ОО",
    "Семинар для педагогов",
    "Родительское собрание",
    "Заседание МОС",
]
OPEN = [
    "Отчёт в РМЦ за 1 квартал",
    "Реестр поставщиков",
    "Публикация программ",
    "Комплектование групп",
    "Отчёт об исполнении социального заказа",
]
NEXT = [
    "План работы МОЦ",
    "Подсчёт детей 5–18 лет",
    "Расчёт параметров сертификатов",
    "Кампания НОК",
    "Годовой отчёт в РМЦ",
]


def _eod(day: dt.date, tz: str) -> dt.datetime:
    return pendulum.datetime(day.year, day.month, day.day, 23, 59, 59, tz=tz).in_timezone("UTC")


def _bulk(engine: Engine, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]


def _ids(engine: Engine, model: Any, key: Any) -> dict[Any, int]:
    with engine.connect() as conn:
        return {k: i for i, k in conn.execute(select(model.id, key))}


def populate(engine: Engine, *, municipalities: int, year: int) -> None:
    """Insert ``municipalities`` synthetic municipalities with a full year of data."""
    rnd = random.Random(2025)
    now = dt.datetime(year + 1, 1, 20, tzinfo=dt.UTC)
    _bulk(
        engine,
        Municipality,
        [
            {
                "code": f"m{i:05d}",
                "name": f"Муниципальный район № {i}",
                "region": "Регион",
                "timezone": ZONES[i % len(ZONES)],
                "created_at": now,
            }
            for i in range(municipalities)
        ],
    )
    munis = _ids(engine, Municipality, Municipality.code)
    tz = {mid: ZONES[int(code[1:]) % len(ZONES)] for code, mid in munis.items()}
    template = {
        "key": "moc-standard",
        "version": 1,
        "title": "МОЦ",
        "sha256": "0" * 64,
        "source": "",
        "loaded_at": now,
    }
    _bulk(engine, RoadmapTemplate, [template])
    tid = next(iter(_ids(engine, RoadmapTemplate, RoadmapTemplate.key).values()))
    _bulk(
        engine,
        Organisation,
        [
            {"municipality_id": mid, "code": f"o{k}", "name": f"Организация {k}"}
            for mid in munis.values()
            for k in range(rnd.randint(6, 18))
        ],
    )
    orgs: dict[int, list[int]] = {}
    with engine.connect() as conn:
        for oid, mid in conn.execute(
            select(col(Organisation.id), col(Organisation.municipality_id))
        ):
            orgs.setdefault(mid, []).append(int(oid or 0))
    focuses = list(Focus)
    _bulk(
        engine,
        Programme,
        [
            {
                "municipality_id": mid,
                "organisation_id": rnd.choice(orgs[mid]),
                "title": f"П{k}",
                "focus": rnd.choice(focuses).name,
                "hours": 72,
                "age_min": 5,
                "age_max": 18,
                "for_ovz": rnd.random() < 0.05,
                "remote": rnd.random() < 0.03,
                "network": rnd.random() < 0.04,
            }
            for mid in munis.values()
            for k in range(rnd.randint(20, 80))
        ],
    )
    _bulk(
        engine,
        Roadmap,
        [
            {
                "municipality_id": mid,
                "template_id": tid,
                "template_key": "moc-standard",
                "year": y,
                "parameters": {"target_coverage_5_18": 80, "target_share_tech_natsci": 25},
                "created_at": now,
            }
            for mid in munis.values()
            for y in (year, year + 1)
        ],
    )
    with engine.connect() as conn:
        roadmaps = {
            (mid, y): rid
            for rid, mid, y in conn.execute(
                select(col(Roadmap.id), col(Roadmap.municipality_id), col(Roadmap.year))
            )
        }
    steps: list[dict[str, Any]] = []
    for mid in munis.values():

        def step(
            key: str,
            title: str,
            kind: str,
            due: dt.date,
            status: str,
            y: int = year,
            _mid: int = mid,
        ) -> None:
            steps.append(
                {
                    "roadmap_id": roadmaps[_mid, y],
                    "municipality_id": _mid,
                    "key": key,
                    "period": "",
                    "title": title,
                    "kind": kind,
                    "owner_role": "moc_head",
                    "due_date": due,
                    "due_at": _eod(due, tz[_mid]),
                    "timezone": tz[_mid],
                    "recurrence": "once",
                    "status": status,
                    "reminder_policy": "default",
                    "description": "",
                    "due_rule": {},
                    "depends_on": [],
                    "evidence_required": [],
                    "blocked_by": [],
                    "status_changed_at": now,
                    "done_at": now if status == "done" else None,
                }
            )

        for k, (title, _) in enumerate(ACTS):
            step(f"act-{k}", title, "normative_act", dt.date(year, 1 + 2 * k, 15), "done")
        for k, title in enumerate(EVENTS):
            step(f"event-{k}", title, "event", dt.date(year, 3 + 2 * k, 10), "done")
        step("certs", "Выдача сертификатов", "certificate_setup", dt.date(year, 2, 1), "done")
        for k, title in enumerate(OPEN):
            status = "overdue" if k < rnd.randint(0, 3) else "done"
            step(f"open-{k}", title, "report", dt.date(year, 4 + k, 5), status)
        for k, title in enumerate(NEXT):
            step(
                f"next-{k}", title, "report", dt.date(year + 1, 1 + 2 * k, 20), "planned", year + 1
            )
    _bulk(engine, Step, steps)
    evidence: list[dict[str, Any]] = []
    with engine.connect() as conn:
        rows = conn.execute(
            select(col(Step.id), col(Step.municipality_id), col(Step.key), col(Step.title)).where(
                col(Step.status) == "done"
            )
        ).all()
    for sid, mid, key, _title in rows:
        base: dict[str, Any] = {
            "step_id": sid,
            "municipality_id": mid,
            "submitted_by": "Иванова А. П.",
            "submitted_at": now,
            "act_type": None,
            "act_number": None,
            "act_date": None,
            "issuer": None,
            "url": None,
            "data": {},
            "effective_date": None,
        }
        if key.startswith("act-"):
            k = int(key[4:])
            day = dt.date(year, 1 + 2 * k, 10)
            base |= {
                "kind": "normative_act",
                "act_type": "приказ" if k != 2 else "постановление",
                "act_number": f"№ {rnd.randint(10, 400)}",
                "act_date": day,
                "issuer": ACTS[k][1],
                "effective_date": day,
                "data": {"title": ACTS[k][0]},
            }
        elif key.startswith("event-"):
            day = dt.date(year, 3 + 2 * int(key[6:]), 10)
            base |= {
                "kind": "event",
                "effective_date": day,
                "data": {"participants": rnd.randint(8, 120)},
            }
        elif key == "certs":
            base |= {
                "kind": "certificate_setup",
                "data": {
                    "accounting_certificates": rnd.randint(300, 3000),
                    "pf_certificates": rnd.randint(50, 800),
                    "nominal": "5500.00",
                },
            }
        else:
            base |= {"kind": "report", "recipient": "РМЦ"}
        evidence.append(base)
    _bulk(engine, Evidence, evidence)
    values: list[dict[str, Any]] = []
    for mid in munis.values():
        children = rnd.randint(2000, 40000)
        for y in range(year - 4, year + 1):
            values.append(
                {
                    "municipality_id": mid,
                    "year": y,
                    "period": "Y",
                    "key": "coverage_5_18",
                    "target": 70.0 + 2 * (y - year + 4),
                    "actual": round(rnd.uniform(60, 90), 1),
                    "source": "bench",
                    "updated_at": now,
                }
            )
        values[-1]["actual"] = None  # this year's coverage comes from enrolled / children
        for key, actual in (
            ("children_5_18", children),
            ("enrolled", int(children * rnd.uniform(0.6, 0.9))),
            ("share_tech_natsci", round(rnd.uniform(5, 30), 1)),
            ("certificates_uchet", rnd.randint(300, 3000)),
            ("certificates_pf", rnd.randint(50, 800)),
        ):
            values.append(
                {
                    "municipality_id": mid,
                    "year": year,
                    "period": "Y",
                    "key": key,
                    "target": None,
                    "actual": float(actual),
                    "source": "bench",
                    "updated_at": now,
                }
            )
    _bulk(engine, IndicatorValue, values)
    _bulk(
        engine,
        ReviewCampaign,
        [
            {
                "municipality_id": mid,
                "title": f"НОК {year}",
                "year": year,
                "starts_on": dt.date(year, 11, 15),
                "ends_on": dt.date(year, 12, 15),
                "quorum": 2,
                "expert_working_days": 7,
                "revision_working_days": 20,
                "max_rounds": 3,
            }
            for mid in munis.values()
        ],
    )
    camps = _ids(engine, ReviewCampaign, ReviewCampaign.municipality_id)
    with engine.connect() as conn:
        progs: dict[int, list[int]] = {}
        for pid, mid in conn.execute(select(col(Programme.id), col(Programme.municipality_id))):
            progs.setdefault(mid, []).append(int(pid or 0))
    cases: list[dict[str, Any]] = []
    for mid, cid in camps.items():
        for k, pid in enumerate(progs[mid][: rnd.randint(5, 15)]):
            outcome = ("positive", "negative", None)[k % 3]
            cases.append(
                {
                    "campaign_id": cid,
                    "programme_id": pid,
                    "round": 1,
                    "state": "IN_REGISTER" if outcome == "positive" else "UNDER_REVIEW",
                    "submitted_at": now,
                    "expert_outcome": outcome,
                    "regional_at": now if outcome == "positive" else None,
                    "registered_at": now if outcome == "positive" else None,
                    "updated_at": now,
                }
            )
    _bulk(engine, ReviewCase, cases)
    audit: list[dict[str, Any]] = []
    for code, mid in munis.items():
        prev = "0" * 64
        for seq in range(1, 4):
            h = hashlib.sha256(f"{prev}{code}{seq}".encode()).hexdigest()
            audit.append(
                {
                    "chain": code,
                    "municipality_id": mid,
                    "seq": seq,
                    "at": now,
                    "actor": "bench",
                    "action": "step.complete",
                    "entity": "",
                    "payload": "{}",
                    "prev_hash": prev,
                    "hash": h,
                }
            )
            prev = h
    _bulk(engine, AuditEntry, audit)
