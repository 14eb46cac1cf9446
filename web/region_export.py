"""The XLSX export of the regional page: every municipality of the region, one row each."""

from __future__ import annotations

import io
from collections.abc import Iterable

from web.regional import BUCKET_TITLES, RegionRow


def workbook(rows: Iterable[RegionRow]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Муниципалитеты"
    sheet.append(
        [
            "Муниципалитет",
            "Шагов",
            "Выполнено, %",
            "Просрочено",
            *(f"Просрочка {b} раб. дн." for b in BUCKET_TITLES),
            "Наибольшая просрочка, раб. дн.",
            "Охват: план",
            "Охват: факт",
            "Охват, %",
            "НОК: заявок",
            "НОК: в реестре",
            "НОК: отклонено",
            "Последнее действие",
        ]
    )
    for r in rows:
        last = r.last_activity.replace(tzinfo=None) if r.last_activity else None
        sheet.append(
            [
                r.name,
                r.total,
                r.percent_done,
                r.overdue,
                *r.heat,
                r.max_late,
                r.target,
                r.actual,
                r.coverage,
                r.nok_total,
                r.nok_register,
                r.nok_rejected,
                last,
            ]
        )
    sheet.column_dimensions["A"].width = 40
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
