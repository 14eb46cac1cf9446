"""iCalendar (RFC 5545) feeds of open steps, written by hand.

Each open step is an all-day VEVENT on its deadline (``DTSTART;VALUE=DATE``) with
two display alarms, 7 days and 1 day before. UIDs are stable per step, lines end
with CRLF and are folded at 75 octets without splitting a UTF-8 character.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PRODID = "-//soczakaz//roadmap//RU"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line into CRLF-separated chunks of at most 75 octets."""
    out: list[str] = []
    chunk = ""
    size = 0
    limit = MAX_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(chunk)
            chunk, size = " ", 1  # continuation lines start with one space
        chunk += ch
        size += n
    out.append(chunk)
    return "\r\n".join(out)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: dt.date
    summary: str
    description: str
    url: str
    stamp: dt.datetime  # aware; the step's last status change
    categories: str = ""


def _utc(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime refused")
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(ev: CalendarEvent) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ev.uid}",
        f"DTSTAMP:{_utc(ev.stamp)}",
        f"DTSTART;VALUE=DATE:{ev.day.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{(ev.day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(ev.summary)}",
        f"DESCRIPTION:{escape_text(ev.description)}",
        f"URL:{ev.url}",
        "TRANSP:TRANSPARENT",
    ]
    if ev.categories:
        lines.append(f"CATEGORIES:{escape_text(ev.categories)}")
    for trigger, when in (("-P7D", "через 7 дней"), ("-P1D", "завтра")):
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"TRIGGER:{trigger}",
            f"DESCRIPTION:{escape_text(f'Срок {when}: {ev.summary}')}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def render_calendar(name: str, events: Iterable[CalendarEvent]) -> str:
    """The whole VCALENDAR as text with CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for ev in events:
        lines.extend(_event_lines(ev))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
