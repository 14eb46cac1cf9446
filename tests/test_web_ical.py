"""iCal feeds: parsed back line by line (CRLF, folding at 75 octets, escaping, alarms)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from models.db import session_scope
from tests.web_fixtures import World, auth
from web.auth_tokens import issue_feed_secret
from web.ical import CalendarEvent, escape_text, fold, render_calendar

pytest_plugins = ["tests.web_fixtures"]


def unfold(body: str) -> list[str]:
    assert "\n" not in body.replace("\r\n", ""), "bare LF in iCal"
    physical = body.split("\r\n")
    assert physical[-1] == ""
    lines: list[str] = []
    for line in physical[:-1]:
        assert len(line.encode("utf-8")) <= 75, line
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, i = "", 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out += "\n" if nxt in "nN" else nxt
            i += 2
        else:
            out += value[i]
            i += 1
    return out


def events(lines: list[str]) -> list[dict[str, list[str]]]:
    out: list[dict[str, list[str]]] = []
    depth = ""
    for line in lines:
        if line == "BEGIN:VEVENT":
            out.append({})
            depth = "event"
        elif line == "BEGIN:VALARM":
            depth = "alarm"
        elif line == "END:VALARM":
            depth = "event"
        elif line == "END:VEVENT":
            depth = ""
        elif depth:
            name, _, value = line.partition(":")
            key = ("ALARM." if depth == "alarm" else "") + name
            out[-1].setdefault(key, []).append(value)
    return out


def test_fold_never_splits_a_cyrillic_character() -> None:
    line = "SUMMARY:" + "Постановление о порядке предоставления сертификатов " * 3
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 2
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_escaping_round_trips() -> None:
    raw = "Отчёт; РМЦ, форма 1-ДОП\nстрока 2 \\ конец"
    assert unescape(escape_text(raw)) == raw
    ev = CalendarEvent(
        uid="step-1@soczakaz",
        day=dt.date(2025, 3, 14),
        summary=raw,
        description="d",
        url="http://x/steps/1",
        stamp=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
    )
    parsed = events(unfold(render_calendar("К", [ev])))
    assert unescape(parsed[0]["SUMMARY"][0]) == raw


def test_municipality_feed_has_open_steps_with_alarms(client: TestClient, world: World) -> None:
    r = client.get("/ical/municipality/krylovsky.ics", headers=auth(world, "moc_head"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    lines = unfold(r.text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    evs = events(lines)
    by_summary = {unescape(e["SUMMARY"][0]): e for e in evs}
    # 5 steps, one done -> 4 open events
    assert len(evs) == 4 and "Приказ о создании МОЦ" not in by_summary
    rep = by_summary["Отчёт организации за I квартал"]
    assert rep["DTSTART;VALUE=DATE"] == ["20250312"]
    assert rep["DTEND;VALUE=DATE"] == ["20250313"]
    assert rep["UID"] == [f"step-{world.own.org_step}@soczakaz"]
    assert rep["ALARM.TRIGGER"] == ["-P7D", "-P1D"]
    assert rep["ALARM.ACTION"] == ["DISPLAY", "DISPLAY"]
    assert rep["URL"][0].endswith(f"/steps/{world.own.org_step}")
    assert all(len(e["DTSTAMP"][0]) == 16 and e["DTSTAMP"][0].endswith("Z") for e in evs)
    # Stable UIDs: the same feed twice is byte-identical.
    again = client.get("/ical/municipality/krylovsky.ics", headers=auth(world, "moc_head"))
    assert again.text == r.text


def test_organisation_feed_only_its_steps(client: TestClient, world: World) -> None:
    with session_scope(client.app.state.engine) as s:  # type: ignore[attr-defined]
        secret = issue_feed_secret(
            s, world.person_ids["org_contact"], f"organisation:{world.own.org_id}"
        )
    # A token in the URL is refused; the read-only feed secret works (issue 14).
    tok = world.tokens["org_contact"]
    assert client.get(f"/ical/organisation/{world.own.org_id}.ics?token={tok}").status_code == 401
    r = client.get(f"/ical/s/{secret}.ics")
    assert r.status_code == 200
    assert client.post(f"/ical/s/{secret}.ics").status_code in (401, 405)  # read-only
    evs = events(unfold(r.text))
    assert [unescape(e["SUMMARY"][0]) for e in evs] == ["Отчёт организации за I квартал"]
