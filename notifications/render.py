"""Russian message bodies: Jinja2 templates in ``notifications/templates/``.

Bodies are rendered once, at enqueue time, and stored in the outbox row; the
dispatcher never renders anything.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.evidence.fields import LABELS

TEMPLATES_DIR = Path(__file__).parent / "templates"

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)

# Evidence fields a step may require, as a Russian reader expects them.
EVIDENCE_WORDS: dict[str, str] = {
    "act_type": "вид акта",
    "act_number": "номер акта",
    "number": "номер",
    "act_date": "дата подписания",
    "date": "дата",
    "signed_at": "дата подписания",
    "issuer": "кем издан",
    "url": "ссылка на публикацию",
    "file": "подписанный файл",
    "protocol": "протокол",
    "participants": "число участников",
    "count": "количество",
    "nominal": "номинал сертификата",
    "certificates_count": "число сертификатов",
    "value": "значение показателя",
    "report": "файл отчёта",
    "publication": "публикация",
}

KIND_EVIDENCE: dict[str, str] = {
    "normative_act": "реквизиты акта (вид, номер, дата подписания, кем издан) и подписанный файл",
    "certificate_setup": "число сертификатов и номинал по категориям детей",
    "expert_review": "итоги экспертизы программ",
    "report": "файл отчёта",
    "event": "протокол или публикация, число участников",
    "indicator": "значение показателя и источник",
}


def format_date_ru(day: dt.date) -> str:
    """15 марта 2025 г."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def format_deadline_ru(day: dt.date) -> str:
    """«до 15 марта 2025 г.»"""
    return f"до {format_date_ru(day)}"


def evidence_words(fields: list[str], kind: str) -> str:
    """What evidence is expected, in Russian words (the evidence module's labels first)."""
    if fields:
        return ", ".join(LABELS.get(f) or EVIDENCE_WORDS.get(f, f) for f in fields)
    return KIND_EVIDENCE.get(kind, "подтверждающий документ")


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form: 1 день, 2 дня, 5 дней."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def working_days_ru(n: int) -> str:
    """«3 рабочих дня», «1 рабочий день», «7 рабочих дней»."""
    return f"{n} " + plural_ru(n, "рабочий день", "рабочих дня", "рабочих дней")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["deadline_ru"] = format_deadline_ru
    env.filters["date_ru"] = format_date_ru
    env.filters["working_days_ru"] = working_days_ru
    return env


def render(template_name: str, **context: Any) -> str:
    """Render one template of ``notifications/templates/`` (stripped of edge blanks)."""
    return _env().get_template(template_name).render(**context).strip()
