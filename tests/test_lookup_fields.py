"""Domain errors name their field explicitly; the web locates them by that name only."""

from __future__ import annotations

import pytest

from domain.errors import EvidenceError, InputError, NotFoundError, Problem, SoczakazError
from domain.evidence.fields import validate_fields
from domain.evidence.store import check_file
from domain.inputs import parse_date, split_pairs
from models import StepKind
from web.deps import error_items

CASES: list[tuple[SoczakazError, list[list[str]]]] = [
    (InputError("нет поля", field=None), [["body"]]),
    (InputError("что-то", field="recipient"), [["body", "fields", "recipient"]]),
    (EvidenceError("файл пуст", field="file"), [["body", "file"]]),
    (
        EvidenceError(
            "не принято", field="recipient", details=[Problem("дата", "sent_date"), "общее"]
        ),
        [["body", "fields", "recipient"], ["body", "fields", "sent_date"], ["body"]],
    ),
    # The Russian text names a field, the error does not: no location is guessed.
    (InputError("поле recipient: обязательно"), [["body"]]),
    (NotFoundError("шаг «x» не найден", field="step"), [["body", "fields", "step"]]),
]


@pytest.mark.parametrize(("exc", "locs"), CASES)
def test_error_items_locate_by_the_explicit_field(
    exc: SoczakazError, locs: list[list[str]]
) -> None:
    items = error_items(exc)
    assert [i["loc"] for i in items] == locs
    assert [i["msg"] for i in items] == [exc.message, *exc.details]


def test_details_stay_text_and_lines_keep_their_order() -> None:
    exc = InputError("итог", details=["a.csv:строка 2: ошибка", Problem("b", "x")])
    assert exc.details == ["a.csv:строка 2: ошибка", "b"]
    assert exc.lines() == ["a.csv:строка 2: ошибка", "b", "итог"]
    assert [p.field for p in exc.located()] == [None, None, "x"]


def test_raise_sites_the_web_reaches_set_the_field() -> None:
    with pytest.raises(EvidenceError) as info:
        validate_fields(
            StepKind.report, {"sent_date": "вчера"}, required=["recipient"], step_label="r"
        )
    assert info.value.field == "recipient"
    assert "sent_date" in [p.field for p in info.value.problems]
    with pytest.raises(EvidenceError) as bad_file:
        check_file(b"", "otchet.pdf", max_bytes=10)
    assert bad_file.value.field == "file"
    with pytest.raises(InputError) as bad_date:
        parse_date("32.13.2025", field="--as-of")
    assert bad_date.value.field == "--as-of"
    with pytest.raises(InputError) as bad_pair:
        split_pairs(["oops"], field="--value")
    assert bad_pair.value.field == "--value"
