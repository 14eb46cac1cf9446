"""Indicators: plan vs actual, CSV/XLSX import (all-or-nothing), CLI entry and listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from domain.errors import InputError
from domain.indicators import catalogue as indicators
from domain.indicators import imports as indicator_import
from models import Focus, IndicatorValue, Programme
from models.db import session_scope
from tests.factories import make_municipality, make_organisation, pk
from tests.report_builders import make_roadmap_for

runner = CliRunner()


def _values(engine: Engine) -> list[IndicatorValue]:
    with session_scope(engine) as s:
        return list(s.exec(select(IndicatorValue).order_by(IndicatorValue.key)).all())


def test_plan_vs_actual_targets_from_roadmap_and_deviation(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s)
        assert m.id is not None
        make_roadmap_for(
            s,
            municipality=m,
            year=2025,
            parameters={"target_coverage_5_18": "80", "target_programmes_remote": 2},
        )
        org = make_organisation(s, municipality=m)
        for focus, is_remote in ((Focus.technical, True), (Focus.artistic, False)):
            s.add(
                Programme(
                    municipality_id=m.id,
                    organisation_id=pk(org),
                    title="П",
                    focus=focus,
                    remote=is_remote,
                )
            )
        indicators.upsert(
            s, municipality_id=m.id, year=2025, period="Y", key="children_5_18", actual=1000
        )
        indicators.upsert(
            s, municipality_id=m.id, year=2025, period="Y", key="enrolled", actual=765
        )
        rows = {r.key: r for r in indicators.plan_vs_actual(s, municipality_id=m.id, year=2025)}
    cov = rows["coverage_5_18"]
    assert (cov.target, cov.actual, cov.deviation) == (80.0, 76.5, -3.5)
    assert cov.status == "не выполнено" and cov.percent_of_plan == 95.6
    remote = rows["programmes_remote"]
    assert (remote.target, remote.actual, remote.status) == (2.0, 1.0, "не выполнено")
    assert rows["programmes_technical"].actual == 1.0
    assert rows["programmes_total"].actual == 2.0
    assert rows["organisations"].actual == 1.0
    assert rows["certificates_pf"].status == "нет данных"


def test_quarter_target_falls_back_to_year_target(engine: Engine) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s)
        assert m.id is not None
        indicators.upsert(
            s, municipality_id=m.id, year=2025, period="Y", key="certificates_pf", target=500
        )
        indicators.upsert(
            s, municipality_id=m.id, year=2025, period="q2", key="certificates_pf", actual=520
        )
        rows = indicators.plan_vs_actual(
            s, municipality_id=m.id, year=2025, period="Q2", keys=["certificates_pf"]
        )
    assert [(r.target, r.actual, r.deviation, r.status) for r in rows] == [
        (500.0, 520.0, 20.0, "выполнено")
    ]


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("coverage_5_18", 120.0, "процент больше 100"),
        ("enrolled", -1.0, "не может быть отрицательным"),
        ("nonsense", 1.0, "неизвестный показатель «nonsense»"),
    ],
)
def test_upsert_rejects_bad_values(engine: Engine, key: str, value: float, fragment: str) -> None:
    with session_scope(engine) as s:
        m = make_municipality(s)
        assert m.id is not None
        with pytest.raises(InputError) as exc:
            indicators.upsert(s, municipality_id=m.id, year=2025, period="Y", key=key, actual=value)
    assert fragment in exc.value.message


GOOD_CSV = (
    "показатель;факт;план\n"
    "coverage_5_18;84,6;82,6\n"
    "Численность детей в возрасте от 5 до 18 лет;3590;\n"
    "enrolled;3037;\n"
)


def test_csv_import_with_russian_headers_writes_every_value(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "navigator.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    with session_scope(engine) as s:
        m = make_municipality(s, code="lodeynoe")
        assert m.id is not None
        values = indicator_import.import_file(s, path=path, municipality_id=m.id, year=2023)
    assert [v.key for v in values] == ["coverage_5_18", "children_5_18", "enrolled"]
    stored = {v.key: (v.target, v.actual, v.source) for v in _values(engine)}
    assert stored["coverage_5_18"] == (82.6, 84.6, "импорт: navigator.csv")
    assert stored["children_5_18"] == (None, 3590.0, "импорт: navigator.csv")


BAD_CSV = (
    "key,actual,target,period\n"
    "coverage_5_18,84.6,82.6,Y\n"  # line 2 is fine
    "enrolled,много,,\n"  # line 3: not a number
    "unknown_thing,1,,\n"  # line 4: unknown key
    "coverage_5_18,101,,\n"  # line 5: percent > 100 and duplicate of line 2
    "children_5_18,,,Q7\n"  # line 6: empty actual, bad period
)


def test_csv_import_reports_all_errors_and_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV, encoding="utf-8")
    with session_scope(engine) as s:
        m = make_municipality(s)
        assert m.id is not None
        with pytest.raises(InputError) as exc:
            indicator_import.import_file(s, path=path, municipality_id=m.id, year=2025)
    details = exc.value.details
    assert "bad.csv:строка 3, столбец «actual»: ожидается число, получено «много»" in details
    assert "bad.csv:строка 4, столбец «key»: неизвестный показатель «unknown_thing»" in details
    assert "bad.csv:строка 5, столбец «actual»: значение: процент больше 100 (101)" in details
    assert any(d.startswith("bad.csv:строка 5, столбец «key»") and "строке 2" in d for d in details)
    assert "bad.csv:строка 6, столбец «actual»: пустое значение" in details
    assert any(d.startswith("bad.csv:строка 6, столбец «period»") for d in details)
    assert len(details) == 6
    assert _values(engine) == []


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_import_good_and_bad(engine: Engine, tmp_path: Path) -> None:
    good = _xlsx(tmp_path / "ok.xlsx", [["key", "actual", "target"], ["certificates_pf", 410, 400]])
    bad = _xlsx(
        tmp_path / "bad.xlsx",
        [["key", "actual"], ["certificates_uchet", 12], [None, None], ["enrolled", "n/a"]],
    )
    with session_scope(engine) as s:
        m = make_municipality(s)
        assert m.id is not None
        indicator_import.import_file(s, path=good, municipality_id=m.id, year=2025, period="Q1")
        with pytest.raises(InputError) as exc:
            indicator_import.import_file(s, path=bad, municipality_id=m.id, year=2025)
    assert exc.value.details == [
        "bad.xlsx:строка 4, столбец «actual»: ожидается число, получено «n/a»"
    ]
    rows = _values(engine)
    assert [(r.key, r.period, r.target, r.actual) for r in rows] == [
        ("certificates_pf", "Q1", 400.0, 410.0)
    ]


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "cols.csv"
    path.write_text("показатель,комментарий\ncoverage_5_18,x\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        indicator_import.parse(path, default_period="Y")
    assert "cols.csv:строка 1: неизвестный столбец «комментарий»" in exc.value.details
    assert any("нет обязательного столбца «actual»" in d for d in exc.value.details)


def test_cli_set_import_list(engine: Engine, cli_env: dict[str, str], tmp_path: Path) -> None:
    with session_scope(engine) as s:
        make_municipality(s, code="krylovsky")
    r = runner.invoke(
        app,
        [
            "indicator",
            "set",
            "coverage_5_18",
            "--municipality",
            "krylovsky",
            "--year",
            "2025",
            "--target",
            "80",
        ],
        env=cli_env,
    )
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("key,actual\ncoverage_5_18,abc\n", encoding="utf-8")
    r = runner.invoke(
        app,
        ["indicator", "import", str(bad), "--municipality", "krylovsky", "--year", "2025"],
        env=cli_env,
    )
    assert r.exit_code == 2
    assert "bad.csv:строка 2, столбец «actual»: ожидается число" in r.output
    good = tmp_path / "good.csv"
    good.write_text("key,actual\ncoverage_5_18,77.5\n", encoding="utf-8")
    r = runner.invoke(
        app,
        ["indicator", "import", str(good), "--municipality", "krylovsky", "--year", "2025"],
        env=cli_env,
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        app,
        ["indicator", "list", "--municipality", "krylovsky", "--year", "2025", "--json"],
        env=cli_env,
    )
    assert r.exit_code == 0, r.output
    rows = {row["key"]: row for row in json.loads(r.stdout)}
    assert rows["coverage_5_18"]["target"] == 80.0
    assert rows["coverage_5_18"]["actual"] == 77.5
    assert rows["coverage_5_18"]["deviation"] == -2.5
    r = runner.invoke(
        app,
        [
            "indicator",
            "set",
            "coverage_5_18",
            "--municipality",
            "krylovsky",
            "--year",
            "2025",
            "--period",
            "Q9",
            "--actual",
            "1",
        ],
        env=cli_env,
    )
    assert r.exit_code == 2 and "ожидается Y, Q1, Q2, Q3 или Q4" in r.output


@pytest.mark.slow
def test_console_scripts_import_then_report_in_real_processes(
    engine: Engine, cli_env: dict[str, str], tmp_path: Path
) -> None:
    import subprocess
    import sys

    from docx import Document

    with session_scope(engine) as s:
        make_municipality(s, code="lodeynoe", name="Лодейнопольский район")
    exe = str(Path(sys.executable).with_name("roadmap"))
    env = {**cli_env, "PATH": "/usr/bin:/bin"}
    csv = tmp_path / "nav.csv"
    csv.write_text("показатель;факт;план\ncoverage_5_18;84,6;82,6\n", encoding="cp1251")
    bad = subprocess.run(
        [
            exe,
            "indicator",
            "import",
            str(tmp_path / "missing.csv"),
            "--municipality",
            "lodeynoe",
            "--year",
            "2023",
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 2 and "не найден" in " ".join(bad.stderr.split())
    subprocess.run(
        [exe, "indicator", "import", str(csv), "--municipality", "lodeynoe", "--year", "2023"],
        check=True,
        env=env,
        capture_output=True,
    )
    out = tmp_path / "q.docx"
    subprocess.run(
        [
            exe,
            "report",
            "quarterly",
            "--municipality",
            "lodeynoe",
            "--year",
            "2023",
            "--quarter",
            "4",
            "--format",
            "docx",
            "--out",
            str(out),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    out_y = tmp_path / "y.docx"
    subprocess.run(
        [
            exe,
            "report",
            "annual",
            "--municipality",
            "lodeynoe",
            "--year",
            "2023",
            "--out",
            str(out_y),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    cells = [[c.text for c in r.cells] for t in Document(str(out_y)).tables for r in t.rows]
    row = next(r for r in cells if r[0].startswith("Охват детей 5–18 лет"))
    assert row[1:3] == ["82,6", "84,6"]
