"""Time in soczakaz: the zone, local date <-> UTC instant, the as-of convention.

Rules (docs/architecture.md, "Time"):

- Every stored instant is aware and in UTC; naive datetimes are refused.
- The zone comes from one place: the municipality (``Municipality.timezone``).
  ``Step.timezone`` is a copy written from it when a roadmap is instantiated, so the
  sweep's hot path needs no join; :func:`zone_of` is how code picks the zone.
- A local date becomes an instant with :func:`local_instant` (one function: day start,
  deadline and as-of are all "this wall-clock time of this local date in this zone").
  An instant becomes a local date with :func:`local_date`.
- A deadline is the end of its local day: 23:59:59 (:data:`END_OF_DAY`).
- ``--as-of DATE`` means DATE 12:00 Moscow time (09:00 UTC): the same local date in every
  Russian zone (Kaliningrad 11:00 … Kamchatka 21:00). ``--at`` takes an exact aware moment.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

MOSCOW = "Europe/Moscow"
START_OF_DAY = dt.time(0, 0)
END_OF_DAY = dt.time(23, 59, 59)
AS_OF_TIME = dt.time(12, 0)  # Moscow wall-clock time of ``--as-of DATE``


class Zoned(Protocol):
    """Anything that carries a zone name (a municipality, or a step's copy of it)."""

    @property
    def timezone(self) -> str: ...


@lru_cache(maxsize=64)
def zone(tz: str) -> ZoneInfo:
    """The (cached) zoneinfo of an IANA name such as ``Asia/Irkutsk``."""
    return ZoneInfo(tz)


def zone_of(owner: Zoned) -> str:
    """The zone of a municipality (or of a step, which carries its municipality's zone)."""
    return owner.timezone


@lru_cache(maxsize=65536)
def local_instant(day: dt.date, tz: str, at: dt.time = START_OF_DAY) -> dt.datetime:
    """The UTC instant of wall-clock time ``at`` on local date ``day`` in zone ``tz``.

    Uses zoneinfo (cached) rather than pendulum: this sits on the instantiation and
    sweep hot paths.
    """
    local = dt.datetime.combine(day, at, tzinfo=zone(tz))
    return local.astimezone(dt.UTC)


def day_start_utc(day: dt.date, tz: str) -> dt.datetime:
    """Local midnight of ``day`` in ``tz`` (the inclusive start of a date filter)."""
    return local_instant(day, tz, START_OF_DAY)


def end_of_day_utc(day: dt.date, tz: str) -> dt.datetime:
    """The deadline instant of a local date: 23:59:59 in ``tz``, in UTC."""
    return local_instant(day, tz, END_OF_DAY)


def local_date(now: dt.datetime, tz: str) -> dt.date:
    """The calendar date of an aware instant in a zone."""
    if now.tzinfo is None:
        raise ValueError("naive datetime refused")
    return now.astimezone(zone(tz)).date()


def as_of_instant(day: dt.date) -> dt.datetime:
    """The instant ``--as-of DATE`` stands for: DATE 12:00 Moscow (09:00 UTC)."""
    return local_instant(day, MOSCOW, AS_OF_TIME)


def moment(as_of: dt.date | None, now: dt.datetime | None = None) -> dt.datetime:
    """The instant a run works at: the as-of instant of a date, else ``now`` (or the clock)."""
    if as_of is not None:
        return as_of_instant(as_of)
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("naive datetime refused")
    return now
