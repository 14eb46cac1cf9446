"""Reminder policy rules, sending windows and Russian rendering (pure, no database)."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from notifications.channels import mask
from notifications.policy import (
    Rule,
    due_dates_firing_on,
    next_send_moment,
    parse_policy,
    rules_of,
    window_hours,
)
from notifications.render import format_deadline_ru, render, working_days_ru
from roadmaps.schema import ReminderPolicySpec

D = dt.date

FIRE_CASES = [
    # rule, due date, fires on (official calendar with transfers and working Saturdays)
    (Rule("before", 7), D(2025, 3, 14), D(2025, 3, 5)),
    (Rule("before", 14), D(2025, 3, 14), D(2025, 2, 24)),
    (Rule("before", 1), D(2025, 11, 5), D(2025, 11, 1)),  # working Saturday
    (Rule("before", 1), D(2026, 1, 12), D(2025, 12, 30)),  # across New Year holidays
    (Rule("on_day"), D(2025, 3, 14), D(2025, 3, 14)),
    (Rule("on_day"), D(2025, 3, 8), D(2025, 3, 10)),  # due on Saturday -> Monday
    (Rule("after", 1), D(2025, 5, 7), D(2025, 5, 12)),  # 8-9 May off, weekend
    (Rule("after", 3), D(2025, 3, 14), D(2025, 3, 19)),
    (Rule("escalate", 3, "moc_head"), D(2025, 12, 30), D(2026, 1, 14)),
    (Rule("escalate", 10, "rmc"), D(2025, 3, 14), D(2025, 3, 28)),
]


@pytest.mark.parametrize(("rule", "due", "fires"), FIRE_CASES)
def test_rule_fires_on_the_expected_working_day(rule: Rule, due: D, fires: D) -> None:
    assert rule.fire_date(due) == fires
    assert due in due_dates_firing_on(rule, fires)


@pytest.mark.parametrize("rule", [r for r, _, _ in FIRE_CASES])
def test_inverse_lookup_matches_fire_dates_over_a_year(rule: Rule) -> None:
    day = D(2025, 1, 1)
    while day < D(2026, 1, 31):
        fires = rule.fire_date(day)
        assert day in due_dates_firing_on(rule, fires), (rule, day)
        day += dt.timedelta(days=1)
    # Nothing fires on a non-working day.
    assert due_dates_firing_on(rule, D(2025, 3, 15)) == frozenset()


def test_default_policy_rules_in_reading_order() -> None:
    names = [r.name for r in rules_of(parse_policy(None))]
    assert names == [
        "before:14",
        "before:7",
        "before:1",
        "on_day",
        "after:1",
        "after:3",
        "escalate:moc_head",
        "escalate:rmc",
    ]
    custom = parse_policy({"before": [3], "on_day": False, "after": [], "escalate_after": {}})
    assert [r.name for r in rules_of(custom)] == ["before:3"]


def _at(parts: tuple[int, ...], tz: str) -> dt.datetime:
    y, mo, d, h, mi = parts
    return pendulum.datetime(y, mo, d, h, mi, tz=tz)


WINDOW_CASES = [
    # now (local), zone, expected send moment (local)
    ((2025, 3, 14, 19, 30), "Europe/Moscow", (2025, 3, 17, 9, 0)),  # Friday evening
    ((2025, 3, 14, 10, 0), "Europe/Moscow", (2025, 3, 14, 10, 0)),  # inside the window
    ((2025, 3, 13, 7, 0), "Asia/Irkutsk", (2025, 3, 13, 9, 0)),  # early morning
    ((2025, 3, 14, 19, 30), "Asia/Kamchatka", (2025, 3, 17, 9, 0)),
    ((2025, 3, 14, 8, 30), "Europe/Kaliningrad", (2025, 3, 14, 9, 0)),
    ((2025, 12, 30, 20, 0), "Europe/Moscow", (2026, 1, 12, 9, 0)),  # New Year holidays
    ((2025, 11, 1, 10, 0), "Europe/Moscow", (2025, 11, 1, 10, 0)),  # working Saturday
    ((2025, 11, 1, 18, 0), "Europe/Moscow", (2025, 11, 5, 9, 0)),  # end of window, 3-4 Nov off
]


@pytest.mark.parametrize(("now", "tz", "expected"), WINDOW_CASES)
def test_sending_window_in_recipient_zone(
    now: tuple[int, ...], tz: str, expected: tuple[int, ...]
) -> None:
    got = next_send_moment(_at(now, tz), tz=tz, start=dt.time(9), end=dt.time(18))
    assert got == _at(expected, tz)
    assert got.utcoffset() == dt.timedelta(0)


def test_same_instant_differs_by_zone() -> None:
    now = pendulum.datetime(2025, 3, 14, 7, 30, tz="UTC")  # Fri 10:30 Moscow, 19:30 Kamchatka
    start, end = dt.time(9), dt.time(18)
    assert next_send_moment(now, tz="Europe/Moscow", start=start, end=end) == now
    kam = next_send_moment(now, tz="Asia/Kamchatka", start=start, end=end)
    assert kam == pendulum.datetime(2025, 3, 16, 21, 0, tz="UTC")


def test_policy_window_overrides_settings_hours() -> None:
    spec = ReminderPolicySpec(window="10:00-16:30")
    assert window_hours(spec, start=9, end=18) == (dt.time(10), dt.time(16, 30))
    assert window_hours(ReminderPolicySpec(), start=8, end=17) == (dt.time(8), dt.time(17))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_send_moment(dt.datetime(2025, 3, 14, 10), tz="UTC", start=dt.time(9), end=dt.time(18))


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (D(2025, 3, 15), "до 15 марта 2025 г."),
        (D(2025, 1, 1), "до 1 января 2025 г."),
        (D(2026, 12, 31), "до 31 декабря 2026 г."),
        (D(2025, 5, 9), "до 9 мая 2025 г."),
    ],
)
def test_deadline_in_russian_words(day: D, words: str) -> None:
    assert format_deadline_ru(day) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "1 рабочий день"),
        (3, "3 рабочих дня"),
        (5, "5 рабочих дней"),
        (11, "11 рабочих дней"),
        (21, "21 рабочий день"),
        (14, "14 рабочих дней"),
    ],
)
def test_working_days_plural(n: int, words: str) -> None:
    assert working_days_ru(n) == words


def _item(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "step_id": 7,
        "title": "Приказ о создании МОЦ",
        "due_date": D(2025, 3, 14),
        "period": "",
        "rule_kind": "before",
        "offset": 7,
        "municipality": "Крыловский район",
        "owner": "руководитель МОЦ",
        "evidence": "вид акта, номер",
        "link": "http://x/steps/7",
        "escalation_role": "руководитель МОЦ",
    }
    base.update(kw)
    return base


def test_templates_render_russian_reminder_and_escalation() -> None:
    item = _item()
    assert render("reminder_subject.j2", item=item) == (
        "Напоминание: «Приказ о создании МОЦ» — до 14 марта 2025 г."
    )
    text = render("reminder.txt.j2", item=item, person_name="Анна", subject="s")
    assert "Через 7 рабочих дней истекает срок шага «Приказ о создании МОЦ»: до 14 марта" in text
    assert "Что нужно приложить: вид акта, номер." in text
    assert "Карточка шага: http://x/steps/7" in text
    esc = _item(rule_kind="escalate", offset=3, escalation_role="руководитель МОЦ")
    body = render("reminder.txt.j2", item=esc, person_name="Анна", subject="s")
    assert "Эскалация: шаг «Приказ о создании МОЦ» (руководитель МОЦ) не выполнен" in body
    assert "просрочка 3 рабочих дня" in body
    assert "Вы получили это письмо как руководитель МОЦ" in body


def test_html_template_escapes_titles() -> None:
    html = render(
        "reminder.html.j2", item=_item(title="<b>Отчёт</b>"), person_name="Анна", subject="s"
    )
    assert "&lt;b&gt;Отчёт&lt;/b&gt;" in html and "<b>Отчёт</b>" not in html


def test_digest_templates_count_items() -> None:
    items = [_item(), _item(title="Отчёт в РМЦ", rule_kind="after", offset=1)]
    subject = render("digest_subject.j2", items=items, day=D(2025, 3, 5))
    assert subject == "Сводка напоминаний на 5 марта 2025 г.: 2 шага"
    text = render("digest.txt.j2", items=items, day=D(2025, 3, 5), person_name="А", subject="")
    assert "1. Через 7 рабочих дней" in text and "2. Шаг «Отчёт в РМЦ» просрочен" in text


def test_secrets_are_masked() -> None:
    err = "Connection error sending to mailtos://user:pa55@smtp.example.ru?to=a@b.ru failed"
    assert "pa55" not in mask(err) and "mailtos://***" in mask(err)


def test_mask_hides_pieces_of_known_channel_urls() -> None:
    url = "tgram://123456:AAF-secret-token/987654"
    text = "error talking to 123456:AAF-secret-token for chat /987654"
    masked = mask(text, urls=(url,))
    assert "AAF-secret-token" not in masked and "987654" not in masked
    smtp = "mailtos://robot:pa55word@smtp.mail.ru:465?to=a@b.ru"
    assert "pa55word" not in mask("login failed for robot:pa55word", urls=(smtp,))
