"""Loader: every malformed template is rejected with FILE:LINE:COL: message."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from domain.errors import RoadmapError
from models.roadmap import Recurrence, StepKind
from roadmaps.dates import DateExpr, DateExprError, ParamRef, parse_date_expr, resolve_date
from roadmaps.loader import TEMPLATES_DIR, load_template, parse_template, resolve_template

BAD = Path(__file__).parent / "fixtures" / "bad_yaml"
LINE_RE = re.compile(r"^(?P<file>.+\.yaml):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$")

# (fixture, line, column, fragment of the message)
BAD_YAML_CASES = [
    # Hostile input (issue 14): refused fast with a position, see test_hostile_yaml_is_fast.
    ("hostile_alias_bomb", 1, 8, "слишком много значений после раскрытия ссылок"),
    ("hostile_deep_nesting", 1, 70, "слишком глубокая вложенность"),  # the 65th bracket
    ("hostile_too_large", 1, 1, "файл слишком велик"),
    ("after_recurrence_mismatch", 14, 18, "от шага 'q' с повторением 'quarterly'"),
    ("bad_date_feb30", 8, 17, "даты '2025-02-30' не существует"),
    ("bad_date_format", 8, 17, "неверное выражение даты '01.10.2024' (ожидается ГГГГ-ММ-ДД, "),
    ("bad_date_unquoted", 9, 13, "даты '2025-02-30' не существует"),
    ("bad_evidence_name", 9, 28, "поле 'evidence[1]': недопустимое значение 'Act Date' (допуст"),
    ("bad_kind", 7, 11, "поле 'kind': недопустимое значение 'law' (допустимо: 'normat"),
    ("bad_month", 8, 17, "неверный месяц 13 в дате '{year-1}-13-01'"),
    ("bad_owner", 9, 12, "поле 'owner': недопустимое значение 'director' (допустимо: '"),
    ("bad_recurrence", 9, 17, "поле 'recurrence': недопустимое значение 'weekly' (допустимо"),
    ("bad_step_key", 5, 10, "поле 'key': недопустимое значение 'Npa MOC' (допустимы латин"),
    ("cycle_after_three", 12, 18, "циклическая зависимость: a → c → b → a"),
    ("cycle_depends", 14, 18, "циклическая зависимость: a → b → a"),
    ("cycle_self", 9, 18, "циклическая зависимость: a → a"),
    ("depends_on_duplicate", 13, 21, "зависимость 'a' указана дважды"),
    ("depends_on_not_list", 9, 17, "поле 'depends_on': ожидается список, получено: строка"),
    ("duplicate_step_field", 9, 5, "повторяющийся ключ 'kind' (уже задан в строке 7)"),
    ("duplicate_step_key", 9, 10, "повторяющийся ключ шага 'a' (уже задан в шаге №1)"),
    ("duplicate_top_key", 4, 1, "повторяющийся ключ 'title' (уже задан в строке 3)"),
    ("empty_file", 1, 1, "файл пуст: ожидается описание дорожной карты"),
    ("empty_steps", 4, 8, "список не может быть пустым"),
    ("evidence_duplicate", 9, 34, "поле подтверждения 'act_number' указано дважды"),
    ("feb29_relative", 8, 17, "дата '{year}-02-29': 29 февраля бывает не каждый год, укажит"),
    ("merge_key", 10, 5, "слияние '<<'"),
    ("missing_due", 5, 5, "не задано обязательное поле 'due'"),
    ("missing_steps", 1, 1, "не задано обязательное поле 'steps'"),
    ("missing_title", 5, 5, "не задано обязательное поле 'title'"),
    ("multi_document", 9, 1, "синтаксическая ошибка YAML: but found another document (expe"),
    ("negative_after_days", 12, 35, "для 'after' число рабочих дней не может быть отрицательным ("),
    ("no_rule", 12, 5, "срок: укажите ровно одно из 'date', 'after', 'period_end: tr"),
    ("parameter_bad_name", 5, 3, "недопустимое значение 'Calc-Date' (допустимы латинские строч"),
    ("parameter_bad_value", 6, 17, "параметр 'approve_date': даты '{year}-04-31' не существует ("),
    ("parameter_reserved_name", 5, 3, "имя параметра 'reminder_policies' зарезервировано"),
    ("parameter_refs_parameter", 6, 17, "'approve_date': значение параметра не может ссылаться"),
    ("period_end_false", 9, 45, "'period_end: false' не имеет смысла; уберите поле или задайт"),
    ("period_end_on_once", 9, 7, "'period_end' нельзя задать для однократного шага (recurrence"),
    ("policy_bad_before", 6, 18, "поле 'before[1]': значение 0 должно быть не меньше 1"),
    ("policy_bad_window", 6, 13, "поле 'window': недопустимое значение 'с 9 до 18' (допустимы "),
    ("policy_unknown_field", 7, 5, "неизвестное поле 'every'"),
    ("quarterly_with_date", 9, 11, "шаг с повторением 'quarterly' не может иметь фиксированную д"),
    ("root_is_list", 1, 1, "ожидается отображение (поле: значение), получено: список"),
    ("step_not_mapping", 9, 5, "ожидается отображение (поле: значение), получено: строка"),
    ("syntax_bad_indent", 7, 4, "синтаксическая ошибка YAML: expected <block end>, but found "),
    ("syntax_tab", 6, 1, "синтаксическая ошибка YAML: found character '\\t' that cannot"),
    ("syntax_unclosed_flow", 9, 3, "синтаксическая ошибка YAML: expected ',' or '}', but got '-'"),
    ("syntax_unclosed_quote", 8, 1, "синтаксическая ошибка YAML: found unexpected end of stream ("),
    ("title_empty", 6, 12, "поле 'title': значение не может быть пустым"),
    ("title_null", 6, 11, "поле 'title': ожидается строка, получено: пустое значение"),
    ("two_rules", 12, 5, "срок: укажите ровно одно из 'date', 'after', 'period_end: tr"),
    ("unknown_after", 12, 18, "ссылка на несуществующий шаг 'zz'"),
    ("unknown_depends_on", 13, 21, "ссылка на несуществующий шаг 'npa-mos'"),
    ("unknown_due_field", 10, 7, "неизвестное поле 'working_dayz' (может быть, 'working_days'?"),
    ("unknown_parameter", 10, 17, "неизвестный параметр '{calc_dat}' (известны: calc_date)"),
    ("unknown_reminder_policy", 12, 16, "политика напоминаний 'acts' (известны: act, default)"),
    ("unknown_step_field", 9, 5, "неизвестное поле 'colour'"),
    ("unknown_top_key", 4, 1, "неизвестное поле 'colour'"),
    ("version_string", 2, 10, "ожидается целое число, получено: строка"),
    ("version_zero", 2, 10, "значение 0 должно быть не меньше 1"),
    ("working_days_float", 8, 47, "поле 'due.working_days': ожидается целое число, получено: др"),
    ("year_as_date", 8, 17, "'{year}' — это год, а не дата; пример даты: '{year}-03-01'"),
]


def _errors(path: Path) -> list[str]:
    with pytest.raises(RoadmapError) as info:
        load_template(path)
    assert info.value.details, info.value.message
    return info.value.details


def test_there_are_at_least_thirty_bad_fixtures() -> None:
    files = {p.stem for p in BAD.glob("*.yaml")}
    cases = {c[0] for c in BAD_YAML_CASES}
    assert len(cases) >= 30
    assert cases <= files
    assert files - cases == {"many_errors"}


@pytest.mark.parametrize(("fixture", "line", "col", "fragment"), BAD_YAML_CASES)
def test_bad_yaml_is_rejected_with_its_line(
    fixture: str, line: int, col: int, fragment: str
) -> None:
    path = BAD / f"{fixture}.yaml"
    errors = _errors(path)
    for err in errors:
        m = LINE_RE.match(err)
        assert m, err
        assert m.group("file") == str(path)
    hits = [e for e in errors if fragment in e]
    assert hits, f"{fragment!r} not in {errors}"
    m = LINE_RE.match(hits[0])
    assert m is not None
    assert (int(m.group("line")), int(m.group("col"))) == (line, col), hits[0]


def test_every_error_of_a_file_is_reported_at_once() -> None:
    errors = _errors(BAD / "many_errors.yaml")
    got = [(int(m.group("line")), m.group("msg")) for m in map(LINE_RE.match, errors) if m]
    expected = [
        (4, "неизвестное поле 'colour'"),
        (8, "шаг «a»: поле 'kind': недопустимое значение 'law'"),
        (9, "шаг «a»: даты '2025-02-30' не существует"),
        (10, "шаг «a»: неизвестное поле 'colour'"),
        (14, "шаг «b»: для 'after' число рабочих дней не может быть отрицательным"),
        (15, "шаг «b»: ссылка на несуществующий шаг 'zzz'"),
        (18, "шаг «c»: повторяющийся ключ 'title'"),
        (20, "шаг «c»: циклическая зависимость: b → c → b"),
        (21, "шаг «c»: неизвестная политика напоминаний 'nope'"),
        (22, "шаг «d»: не задано обязательное поле 'title'"),
        (25, "шаг «d»: 'period_end' нельзя задать для однократного шага"),
        (26, "шаг «a»: повторяющийся ключ шага 'a'"),
        (30, "шаг «a»: неизвестный параметр '{unknown_p}'"),
    ]
    assert len(got) == len(expected), errors
    for (line, msg), (exp_line, exp_msg) in zip(got, expected, strict=True):
        assert line == exp_line and msg.startswith(exp_msg), (line, msg)


def test_summary_counts_the_errors() -> None:
    with pytest.raises(RoadmapError) as info:
        load_template(BAD / "many_errors.yaml")
    assert info.value.message.endswith("ошибки: 13")
    assert info.value.lines()[-1] == info.value.message


def test_standard_template_validates() -> None:
    spec = load_template("moc-standard")
    assert spec.key == "moc-standard"
    assert len(spec.steps) >= 30
    assert {s.kind for s in spec.steps} == set(StepKind)
    assert {s.recurrence for s in spec.steps} == set(Recurrence)
    assert {"act", "report", "monthly", "default"} <= set(spec.policies())
    nok = spec.step("nok-campaign")
    assert nok.kind == StepKind.expert_review
    assert sum(1 for s in spec.steps if s.key.startswith("mos-meeting")) >= 2
    rmc = spec.step("rmc-quarterly-report")
    assert rmc.recurrence == Recurrence.quarterly
    assert (rmc.due.period_end, rmc.due.working_days) == (True, 5)


def test_small_template_validates_and_resolves_by_name_and_path() -> None:
    by_name = resolve_template("test-small")
    assert by_name.name == "test-small.yaml"
    spec = load_template(TEMPLATES_DIR / "test-small.yaml")
    assert 5 <= len(spec.steps) <= 6
    assert spec.policies()["default"].before == [14, 7, 1]
    assert spec.policies()["strict"].escalate_after == {"moc_head": 1, "rmc": 5}


def test_unknown_template_name_is_an_error() -> None:
    with pytest.raises(RoadmapError, match="moc-standart: файл не найден"):
        resolve_template("moc-standart")


def test_parse_template_names_the_source() -> None:
    with pytest.raises(RoadmapError) as info:
        parse_template("key: x\nversion: 1\ntitle: T\nsteps: 5\n", source_name="inline.yaml")
    assert info.value.details == [
        "inline.yaml:4:8: поле 'steps': ожидается список, получено: целое число"
    ]


def test_unquoted_valid_date_is_accepted_as_expression() -> None:
    spec = parse_template(
        "key: x\nversion: 1\ntitle: T\nsteps:\n"
        "  - {key: a, title: A, kind: event, due: {date: 2025-03-08}}\n"
    )
    assert spec.steps[0].due.date == "2025-03-08"


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("{year-1}-10-01", 2025, dt.date(2024, 10, 1)),
        ("{year}-12-31", 2025, dt.date(2025, 12, 31)),
        ("{year+1}-01-15", 2025, dt.date(2026, 1, 15)),
        ("2024-02-29", 2030, dt.date(2024, 2, 29)),
        ("{calc}", 2026, dt.date(2025, 10, 1)),
    ],
)
def test_date_expressions_resolve(text: str, year: int, expected: dt.date) -> None:
    assert resolve_date(text, year=year, params={"calc": "{year-1}-10-01"}) == expected


def test_date_expression_parse_shapes() -> None:
    assert parse_date_expr("{year-1}-10-01") == DateExpr(month=10, day=1, year_offset=-1)
    assert parse_date_expr("{p}") == ParamRef("p")
    with pytest.raises(DateExprError, match="не может ссылаться"):
        parse_date_expr("{p}", allow_params=False)
    with pytest.raises(DateExprError, match="не существует"):
        parse_date_expr("2023-02-29")


def test_non_utf8_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.yaml"
    path.write_bytes("key: x\ntitle: Шаблон\n".encode("cp1251"))
    with pytest.raises(RoadmapError, match="не в кодировке UTF-8"):
        load_template(path)


def test_anchors_and_aliases_are_allowed() -> None:
    spec = parse_template(
        "key: x\nversion: 1\ntitle: T\nsteps:\n"
        '  - key: a\n    title: A\n    kind: event\n    due: &d {date: "{year}-03-01"}\n'
        "  - key: b\n    title: B\n    kind: event\n    due: *d\n"
    )
    assert spec.steps[0].due == spec.steps[1].due


@pytest.mark.parametrize(
    "fixture", ["hostile_alias_bomb", "hostile_deep_nesting", "hostile_too_large"]
)
def test_hostile_yaml_is_refused_in_under_a_second(fixture: str) -> None:
    import time

    started = time.perf_counter()
    errors = _errors(BAD / f"{fixture}.yaml")
    assert time.perf_counter() - started < 1.0
    assert len(errors) == 1 and LINE_RE.match(errors[0])
