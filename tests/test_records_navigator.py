"""Import of АИС «Навигатор» exports as they come: whole-file validation, idempotence."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import func, select

from domain.records.navigator import read_export
from models import Organisation, Programme
from models.db import session_scope
from models.review import ProgrammeStatus
from tests.records_helpers import Cli

FIXTURES = Path(__file__).parent / "fixtures" / "navigator"


def test_exports_are_recognised_with_merged_headers_and_cp1251() -> None:
    xlsx = read_export(FIXTURES / "programmes.xlsx")
    assert xlsx.kind == "programmes" and str(xlsx.as_of) == "2023-12-27"
    assert xlsx.where["status"] == "Статус"  # merged over two header rows
    assert xlsx.rows[3]["status"] == "Архив" and xlsx.numbers[0] == 4
    csv = read_export(FIXTURES / "organisations.csv")
    assert csv.kind == "organisations" and len(csv.rows) == 7
    assert csv.rows[6]["org_name"] == "ИП Гусаров Павел Евгеньевич"


def test_navigator_import_as_people_run_it(
    cli_env: dict[str, str], tmp_path: Path, engine: Engine
) -> None:
    cli = Cli(cli_env, tmp_path / "home")
    files = tmp_path / "exports"
    shutil.copytree(FIXTURES, files)
    cli.run("municipality", "add", "lod", "--name", "Лодейнопольский район")
    early = cli.run("navigator", "import", str(files / "programmes.xlsx"), "-m", "lod", code=2)
    assert "programmes.xlsx:строка 4: организация «4709001234» не найдена" in early.stderr
    orgs = cli.json("navigator", "import", str(files / "organisations.csv"), "-m", "lod")
    assert (orgs["created"], orgs["as_of"]) == (7, "2023-01-01")
    again = cli.json("navigator", "import", str(files / "organisations.csv"), "-m", "lod")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 7)
    progs = cli.json("navigator", "import", str(files / "programmes.xlsx"), "-m", "lod")
    assert progs["created"] == 5
    bad = cli.run("navigator", "import", str(files / "bad_programmes.csv"), "-m", "lod", code=2)
    for line in (
        "bad_programmes.csv:строка 3, столбец «Наименование программы»: пустое значение",
        "bad_programmes.csv:строка 3, столбец «ОВЗ»: ожидается «да» или «нет»",
        "bad_programmes.csv:строка 4, столбец «ID программы»: значение «p-9001» уже было",
        "ошибок — 5; файл не принят, ничего не записано",
    ):
        assert line in bad.stderr
    stats = cli.run(
        "navigator", "import", str(files / "statistics.csv"), "-m", "lod", "--year", "2023"
    )
    assert "на 27.12.2023: добавлено 7" in stats.stdout
    cli.run("navigator", "import", str(files / "enrolments.csv"), "-m", "lod", "--year", "2023")
    with session_scope(engine) as s:
        assert s.exec(select(func.count()).select_from(Organisation)).one() == 7
        archived = s.exec(select(Programme).where(Programme.navigator_id == "p-1004")).one()
        assert archived.status == ProgrammeStatus.archived
        assert s.exec(select(func.count()).select_from(Programme)).one() == 5
    rows = {
        r["key"]: r
        for r in cli.json("indicator", "list", "--municipality", "lod", "--year", "2023")
    }
    assert rows["coverage_5_18"]["actual"] == 84.6
    assert rows["children_artistic"]["actual"] == 1020
    assert rows["teachers_navigator"]["source"] == "АИС «Навигатор» на 27.12.2023"
    assert rows["programmes_archived"]["actual"] == 1
