"""Reminder policy as data: which rules fire on which local day, and when to send.

A policy (``roadmaps.schema.ReminderPolicySpec``) lists offsets in working days
before the deadline, the deadline day itself, offsets after it, and escalations
by role after N working days overdue. Rules fire only on working days of the
official calendar; a message is held until the recipient's working hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pendulum

from domain.calendar.workdays import add_working_days, is_working_day, next_working_day
from roadmaps.schema import ReminderPolicySpec

DEFAULT_POLICY = "default"


@dataclass(frozen=True)
class Rule:
    """One firing rule of a policy: before:N, on_day, after:N, escalate:ROLE."""

    kind: str  # before | on_day | after | escalate
    offset: int = 0
    role: str = ""

    @property
    def name(self) -> str:
        if self.kind == "on_day":
            return "on_day"
        if self.kind == "escalate":
            return f"escalate:{self.role}"
        return f"{self.kind}:{self.offset}"

    def fire_date(self, due_date: dt.date) -> dt.date:
        """The working day on which this rule fires for a deadline."""
        if self.kind == "before":
            return add_working_days(due_date, -self.offset)
        if self.kind == "on_day" or self.offset == 0:
            return next_working_day(due_date)
        return add_working_days(due_date, self.offset)


def parse_policy(data: ReminderPolicySpec | dict[str, Any] | None) -> ReminderPolicySpec:
    """A policy from its YAML/JSON form (None -> the built-in default)."""
    if data is None:
        return ReminderPolicySpec()
    if isinstance(data, ReminderPolicySpec):
        return data
    return ReminderPolicySpec.model_validate(data)


def rules_of(policy: ReminderPolicySpec) -> tuple[Rule, ...]:
    """Every rule of a policy, in the order a reader expects."""
    rules = [Rule("before", n) for n in sorted(set(policy.before), reverse=True)]
    if policy.on_day:
        rules.append(Rule("on_day"))
    rules += [Rule("after", n) for n in sorted(set(policy.after))]
    rules += [Rule("escalate", n, role) for role, n in sorted(policy.escalate_after.items())]
    return tuple(rules)


@lru_cache(maxsize=4096)
def due_dates_firing_on(rule: Rule, today: dt.date) -> frozenset[dt.date]:
    """Every due date for which ``rule`` fires on local day ``today``.

    Fire dates are monotone in the due date, so a scan of a calendar-day window
    wide enough for the offset (holidays included) finds them all.
    """
    if not is_working_day(today):
        return frozenset()
    span = rule.offset * 2 + 21
    if rule.kind == "before":
        lo, hi = today, today + dt.timedelta(days=span)
    else:
        lo, hi = today - dt.timedelta(days=span), today
    out = set()
    day = lo
    while day <= hi:
        if rule.fire_date(day) == today:
            out.add(day)
        day += dt.timedelta(days=1)
    return frozenset(out)


def window_hours(policy: ReminderPolicySpec, *, start: int, end: int) -> tuple[dt.time, dt.time]:
    """The sending window: the policy's "HH:MM-HH:MM" or the settings' working hours."""
    if policy.window:
        a, b = policy.window.split("-")
        return dt.time.fromisoformat(a), dt.time.fromisoformat(b)
    return dt.time(start), dt.time(end)


def next_send_moment(now: dt.datetime, *, tz: str, start: dt.time, end: dt.time) -> dt.datetime:
    """``now`` if it is inside working hours of a working day in ``tz``, else the
    start of the next such window; returned in UTC."""
    if now.tzinfo is None:
        raise ValueError("naive datetime refused")
    local = pendulum.instance(now).in_timezone(tz)
    day: dt.date = dt.date(local.year, local.month, local.day)
    t = local.time().replace(tzinfo=None)
    if is_working_day(day) and start <= t < end:
        return pendulum.instance(now).in_timezone("UTC")
    if not (is_working_day(day) and t < start):
        day = next_working_day(day, inclusive=False)
    opening = pendulum.datetime(day.year, day.month, day.day, start.hour, start.minute, tz=tz)
    return opening.in_timezone("UTC")
