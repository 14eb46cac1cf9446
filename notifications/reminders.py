"""Which reminders and escalations are due now, rendered into outbox rows.

Called by the sweep in the same transaction that updates step statuses. Set
oriented: one query for candidate steps (by due-date sets derived from the
policies), one for people, one for roadmaps' policies, one bulk insert.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from domain.roadmap.deadlines import local_date
from models.core import Municipality, Organisation, Person
from models.roadmap import OPEN_STATUSES, Roadmap, Step
from models.settings import Settings
from notifications.channels import channel_of
from notifications.links import StepLinks, link_key
from notifications.outbox import enqueue_many
from notifications.policy import (
    DEFAULT_POLICY,
    Rule,
    due_dates_firing_on,
    next_send_moment,
    parse_policy,
    rules_of,
    window_hours,
)
from notifications.render import evidence_words, render
from roadmaps.schema import ReminderPolicySpec

ST: Any = Step.__table__  # type: ignore[attr-defined]
RT: Any = Roadmap.__table__  # type: ignore[attr-defined]
OT: Any = Organisation.__table__  # type: ignore[attr-defined]
PT: Any = Person.__table__  # type: ignore[attr-defined]
MT: Any = Municipality.__table__  # type: ignore[attr-defined]

ROLE_WORDS = {
    "moc_head": "руководитель МОЦ",
    "org_contact": "ответственный организации",
    "rmc": "контактное лицо РМЦ",
    "admin": "администратор",
    "expert": "эксперт",
    "auditor": "аудитор",
}


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    role: str
    municipality_id: int | None
    organisation_id: int | None
    notify: tuple[str, ...]
    timezone: str | None
    digest: bool
    # False for a disabled account: its reminders keep the plain step link.
    account: bool = True


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _policies(session: Session, municipality_ids: list[int]) -> dict[int, dict[str, Any]]:
    """roadmap id -> {policy name: spec}, from Roadmap.parameters["reminder_policies"]."""
    out: dict[int, dict[str, Any]] = {}
    rows = session.execute(
        select(RT.c.id, RT.c.parameters).where(RT.c.municipality_id.in_(municipality_ids))
    )
    for rid, params in rows:
        declared = (params or {}).get("reminder_policies") or {}
        out[rid] = {name: parse_policy(spec) for name, spec in declared.items()}
    return out


def _people(session: Session, municipality_ids: list[int]) -> list[Recipient]:
    rows = session.execute(
        select(Person).where(
            or_(PT.c.municipality_id.in_(municipality_ids), PT.c.municipality_id.is_(None))
        )
    )
    return [
        Recipient(
            p.id or 0,
            p.full_name,
            str(p.role),
            p.municipality_id,
            p.organisation_id,
            tuple(p.notify or ()),
            p.timezone,
            p.digest,
            p.disabled_at is None,
        )
        for (p,) in rows
    ]


class _Directory:
    """Who holds a role in a municipality, an organisation, or the region."""

    def __init__(self, people: list[Recipient]) -> None:
        self.by_org: dict[tuple[int, str], list[Recipient]] = defaultdict(list)
        self.by_muni: dict[tuple[int, str], list[Recipient]] = defaultdict(list)
        self.regional: dict[str, list[Recipient]] = defaultdict(list)
        for p in people:
            if p.organisation_id is not None:
                self.by_org[(p.organisation_id, p.role)].append(p)
            if p.municipality_id is not None:
                self.by_muni[(p.municipality_id, p.role)].append(p)
            else:
                self.regional[p.role].append(p)

    def owners(self, muni: int, org: int | None, role: str) -> list[Recipient]:
        if org is not None and self.by_org.get((org, role)):
            return self.by_org[(org, role)]
        return self.by_muni.get((muni, role)) or self.regional.get(role, [])

    def escalation(self, muni: int, role: str) -> list[Recipient]:
        return self.by_muni.get((muni, role)) or self.regional.get(role, [])


def enqueue_due_reminders(
    session: Session, *, municipality_ids: list[int], now: dt.datetime, settings: Settings
) -> int:
    """Insert every reminder and escalation due at ``now``; returns new outbox rows.

    Idempotent: a second call at the same local day inserts nothing.
    """
    if not municipality_ids:
        return 0
    munis = {
        m.id: m
        for (m,) in session.execute(select(Municipality).where(MT.c.id.in_(municipality_ids)))
    }
    policies = _policies(session, municipality_ids)
    all_specs = [ReminderPolicySpec()] + [p for d in policies.values() for p in d.values()]
    all_rules = {r for spec in all_specs for r in rules_of(spec)}
    todays = {m.timezone: local_date(now, m.timezone) for m in munis.values()}
    candidates = {d for r in all_rules for t in todays.values() for d in due_dates_firing_on(r, t)}
    if not candidates:
        return 0
    steps = session.execute(
        select(
            ST.c.id,
            ST.c.municipality_id,
            ST.c.organisation_id,
            ST.c.roadmap_id,
            ST.c.period,
            ST.c.title,
            ST.c.kind,
            ST.c.owner_role,
            ST.c.due_date,
            ST.c.timezone,
            ST.c.evidence_required,
            ST.c.reminder_policy,
        )
        .where(
            ST.c.municipality_id.in_(municipality_ids),
            ST.c.status.in_([s.value for s in OPEN_STATUSES]),
            ST.c.due_date.in_(sorted(candidates)),
        )
        .order_by(ST.c.id)
    ).all()
    if not steps:
        return 0
    directory = _Directory(_people(session, municipality_ids))
    org_ids = {s.organisation_id for s in steps if s.organisation_id is not None}
    org_names: dict[int, str] = {}
    if org_ids:
        q = select(OT.c.id, OT.c.name).where(OT.c.id.in_(org_ids))
        org_names = {int(i): str(n) for i, n in session.execute(q)}
    links = StepLinks(link_key(session, settings), settings.base_url, now)
    builder = _RowBuilder(now=now, settings=settings, munis=munis, links=links)
    default = ReminderPolicySpec()
    for s in steps:
        spec = policies.get(s.roadmap_id, {}).get(s.reminder_policy or DEFAULT_POLICY, default)
        today = todays.get(s.timezone) or local_date(now, s.timezone)
        for rule in rules_of(spec):
            if rule.fire_date(s.due_date) != today:
                continue
            if rule.kind == "escalate":
                people = directory.escalation(s.municipality_id, rule.role)
            else:
                people = directory.owners(s.municipality_id, s.organisation_id, s.owner_role)
            owner = org_names.get(s.organisation_id) or ROLE_WORDS.get(s.owner_role, s.owner_role)
            item = {
                "step_id": s.id,
                "title": s.title,
                "due_date": s.due_date,
                "period": s.period,
                "rule_kind": rule.kind,
                "offset": _overdue_offset(rule),
                "municipality": munis[s.municipality_id].name,
                "owner": owner,
                "evidence": evidence_words(list(s.evidence_required or []), str(s.kind)),
                "link": f"{settings.base_url.rstrip('/')}/steps/{s.id}",
                "escalation_role": ROLE_WORDS.get(rule.role, rule.role),
            }
            for person in people:
                builder.add(item, rule, person, s.municipality_id, spec)
    return enqueue_many(session, builder.rows())


def _overdue_offset(rule: Rule) -> int:
    return rule.offset


class _RowBuilder:
    """Turns (item, rule, person) triples into outbox rows; digests are grouped."""

    def __init__(
        self,
        *,
        now: dt.datetime,
        settings: Settings,
        munis: dict[Any, Municipality],
        links: StepLinks,
    ):
        self.now, self.settings, self.munis, self.links = now, settings, munis, links
        self.single: list[dict[str, Any]] = []
        self.digests: dict[tuple[int, int, str], dict[str, Any]] = {}

    def add(
        self,
        item: dict[str, Any],
        rule: Rule,
        person: Recipient,
        muni_id: int,
        spec: ReminderPolicySpec,
    ) -> None:
        tz = person.timezone or self.munis[muni_id].timezone
        start, end = window_hours(
            spec, start=self.settings.work_hours_start, end=self.settings.work_hours_end
        )
        not_before = next_send_moment(self.now, tz=tz, start=start, end=end)
        plain = item
        for target in person.notify:
            # The link opens this step for this recipient (signed, single use, 14 days).
            item = {**plain, "link": self.links.url(person.id, plain["step_id"])}
            if not person.account:
                item = plain
            if person.digest or spec.digest:
                key = (person.id, muni_id, target)
                d = self.digests.setdefault(
                    key, {"items": [], "not_before": not_before, "tz": tz, "person": person}
                )
                d["items"].append(item)
                d["not_before"] = min(d["not_before"], not_before)
                continue
            subject = render("reminder_subject.j2", item=item)
            ctx = {"item": item, "person_name": person.name, "subject": subject}
            self.single.append(
                {
                    "dedupe_key": f"r:{item['step_id']}:{item['period']}:{rule.name}:{person.id}:"
                    f"{_short_hash(target)}:{item['due_date'].isoformat()}",
                    "municipality_id": muni_id,
                    "step_id": item["step_id"],
                    "person_id": person.id,
                    "rule": rule.name,
                    "channel": channel_of(target, self.settings),
                    "target": target,
                    "subject": subject,
                    "body_text": render("reminder.txt.j2", **ctx),
                    "body_html": render("reminder.html.j2", **ctx),
                    "body_short": render("reminder_short.j2", **ctx),
                    "not_before": not_before,
                    "created_at": self.now,
                }
            )

    def rows(self) -> list[dict[str, Any]]:
        out = list(self.single)
        for (pid, muni_id, target), d in self.digests.items():
            day = local_date(self.now, d["tz"])
            items = sorted(d["items"], key=lambda i: (i["due_date"], i["title"]))
            subject = render("digest_subject.j2", items=items, day=day)
            ctx = {"items": items, "day": day, "person_name": d["person"].name, "subject": subject}
            out.append(
                {
                    "dedupe_key": f"d:{pid}:{muni_id}:{_short_hash(target)}:{day.isoformat()}",
                    "municipality_id": muni_id,
                    "step_id": None,
                    "person_id": pid,
                    "rule": "digest",
                    "channel": channel_of(target, self.settings),
                    "target": target,
                    "subject": subject,
                    "body_text": render("digest.txt.j2", **ctx),
                    "body_html": render("digest.html.j2", **ctx),
                    "body_short": render("digest_short.j2", **ctx),
                    "not_before": d["not_before"],
                    "created_at": self.now,
                }
            )
        return out
