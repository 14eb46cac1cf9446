"""Russian as official documents write it: inflection (pymorphy3), numbers and dates (babel).

- ``genitive("Администрация муниципального образования")`` ->
  «Администрации муниципального образования» (the head phrase only; the rest of an
  issuer's name is already in the right case).
- ``count(2, "организация")`` -> «2 организации»; ``count(5, "программа")`` -> «5 программ».
- ``number(10923.5)`` -> «10 923,5» with a narrow no-break space between thousands.
- ``long_date(date)`` -> «15 августа 2025 г.»; ``act_number("№121")`` -> «№ 121».
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "ru_RU"
THIN = "\u202f"  # narrow no-break space: thousands separator and «№ 121»
NO_DATA = "данные не внесены"


@lru_cache(maxsize=1)
def _morph():  # type: ignore[no-untyped-def]  # pymorphy3 ships no type hints
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def number(value: float | int, *, digits: int = 1) -> str:
    """«10 923,5»: decimal comma, narrow spaces between thousands, no trailing zeros."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE).replace("\xa0", THIN)


def long_date(day: dt.date) -> str:
    """«15 августа 2025 г.»."""
    return format_date(day, "d MMMM y", locale=LOCALE) + "\xa0г."


def short_date(day: dt.date) -> str:
    """«15.08.2025»."""
    return format_date(day, "dd.MM.y", locale=LOCALE)


def month_name(month: int) -> str:
    """«август» (nominative, as the «Сроки» column of the seed reports writes it)."""
    return format_date(dt.date(2000, month, 1), "LLLL", locale=LOCALE)


@lru_cache(maxsize=4096)
def agree(n: int, noun: str) -> str:
    """The form of ``noun`` that agrees with the numeral ``n`` («организации» for 2)."""
    words = noun.split(" ")
    head = _morph().parse(words[-1])[0]
    form = head.make_agree_with_number(abs(n))
    if form is None:
        return noun
    agreed = [_agree_adjective(w, head, abs(n)) for w in words[:-1]]
    return " ".join([*agreed, _same_case(words[-1], form.word)])


def _agree_adjective(word: str, head: object, n: int) -> str:
    """Adjectives before the noun: «2 дополнительные программы», «5 дополнительных программ»."""
    p = _morph().parse(word)[0]
    if "ADJF" not in p.tag:
        return word
    few = n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)
    if n % 10 == 1 and n % 100 != 11:
        return word
    feminine = "femn" in head.tag  # type: ignore[attr-defined]
    form = p.inflect({"plur", "nomn" if few and feminine else "gent"})
    return _same_case(word, form.word) if form else word


def count(n: int, noun: str) -> str:
    """«2 организации», «21 организация», «1 005 программ»."""
    return f"{number(n)} {agree(n, noun)}"


def _same_case(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_CYRILLIC = re.compile(r"^[а-яё-]+$", re.I)


@lru_cache(maxsize=4096)
def genitive(phrase: str) -> str:
    """The head of an issuer's name in the genitive («Управление образования» ->
    «Управления образования»); names already in the genitive are left alone."""
    words = phrase.split(" ")
    if any("gent" in p.tag for p in _morph().parse(words[0].strip(',.;:()«»"'))):
        return phrase  # «Администрации города …» is already in the genitive
    out: list[str] = []
    for i, word in enumerate(words):
        bare = word.strip(',.;:()«»"')
        if not bare or not _CYRILLIC.match(bare) or (bare.isupper() and len(bare) > 1):
            return " ".join(out + words[i:])
        parses = [p for p in _morph().parse(bare) if "nomn" in p.tag]
        adjective = next((p for p in parses if {"ADJF"} & {p.tag.POS}), None)
        noun = next((p for p in parses if p.tag.POS == "NOUN"), None)
        chosen = noun if noun is not None and (adjective is None or i > 0) else adjective
        if chosen is None:
            return " ".join(out + words[i:])
        form = chosen.inflect({"gent"})
        if form is None:
            return " ".join(out + words[i:])
        out.append(word.replace(bare, _same_case(bare, form.word)))
        if chosen.tag.POS == "NOUN":
            return " ".join(out + words[i + 1 :])
    return " ".join(out)


def act_number(raw: str) -> str:
    """«№ 121» (number sign, narrow no-break space, the number)."""
    text = raw.strip()
    text = re.sub(r"^(№|N|No\.?)\s*", "", text)
    return f"№{THIN}{text}"


def lower_first(text: str) -> str:
    """«управления образования» inside a sentence; abbreviations stay upper-case."""
    head = text.split(" ", 1)[0]
    if head.isupper() and len(head) > 1:
        return text
    return text[:1].lower() + text[1:]
