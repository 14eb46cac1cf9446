"""Finding what a user names: one module for the CLI, the web, the jobs and domain.

* a municipality by its code;
* a step by ONE reference syntax, ``KEY`` or ``KEY@PERIOD`` (``npa-moc``,
  ``report-q@2025-Q2``), optionally within one roadmap year; the CLI's
  ``--period P`` is a convenience that builds ``KEY@P`` (:func:`step_ref`);
* a person by id or e-mail;
* an organisation by its code within a municipality, or by id.

Each raises :class:`NotFoundError` (an ambiguous step reference:
:class:`InputError`) with a Russian message and ``field=`` naming what the user
typed (an option such as ``--municipality``, or a concept such as ``step``).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from domain.errors import InputError, NotFoundError
from models import Municipality, Organisation, Person, Roadmap, Step


def municipality(session: Session, code: str, *, field: str = "municipality") -> Municipality:
    """The municipality with ``code``."""
    found = session.exec(select(Municipality).where(col(Municipality.code) == code)).first()
    if found is None:
        raise NotFoundError(
            f"муниципалитет «{code}» не найден (добавьте: roadmap municipality add)", field=field
        )
    return found


def step_ref(key: str, period: str | None = None) -> str:
    """The reference of a step: ``KEY``, or ``KEY@PERIOD`` when the period is given
    (the CLI's ``--period``)."""
    if not period:
        return key
    if "@" in key:
        raise InputError(
            f"шаг «{key}» уже указан с периодом: --period {period} не нужен", field="--period"
        )
    return f"{key}@{period}"


def parse_step_ref(ref: str, *, field: str = "step") -> tuple[str, str | None]:
    """``KEY@PERIOD`` -> (KEY, PERIOD); ``KEY`` -> (KEY, None)."""
    key, sep, period = ref.strip().partition("@")
    if not key or (sep and not period):
        raise InputError(
            f"шаг «{ref}»: ожидается КЛЮЧ или КЛЮЧ@ПЕРИОД, например npa-moc или report@2025-Q2",
            field=field,
        )
    return key, period if sep else None


def step(
    session: Session,
    *,
    municipality: Municipality,
    ref: str,
    year: int | None = None,
    latest: bool = False,
    field: str = "step",
) -> Step:
    """The step ``KEY`` / ``KEY@PERIOD`` of the municipality (of the roadmap for ``year``).

    Several matches are an error naming them (``укажите период``), unless ``latest``:
    then the one due last is taken.
    """
    key, period = parse_step_ref(ref, field=field)
    query = (
        select(Step, Roadmap.year)
        .join(Roadmap, col(Roadmap.id) == col(Step.roadmap_id))
        .where(col(Step.municipality_id) == municipality.id, col(Step.key) == key)
    )
    if year is not None:
        query = query.where(col(Roadmap.year) == year)
    if period is not None:
        query = query.where(col(Step.period) == period)
    found = list(
        session.exec(query.order_by(col(Roadmap.year), col(Step.period), col(Step.due_date))).all()
    )
    if not found:
        where = f"дорожной карте «{municipality.code}»" + (f" на {year} год" if year else "")
        raise NotFoundError(f"шаг «{ref}» не найден в {where}", field=field)
    if len(found) > 1 and latest:
        return max((s for s, _ in found), key=lambda s: s.due_date)
    if len(found) > 1:
        labels = [step_ref(s.key, s.period) for s, _ in found]
        if len(set(labels)) < len(labels):  # the same period in several roadmap years
            labels = [f"{label} ({y})" for label, (_, y) in zip(labels, found, strict=True)]
            hint = "укажите год (--year) и период"
        else:
            hint = "укажите период"
        raise InputError(f"шаг «{ref}» повторяется, {hint}: {', '.join(labels)}", field=field)
    return found[0][0]


def person(session: Session, ref: str | int, *, field: str = "person") -> Person:
    """A person by id (a number) or by e-mail."""
    if isinstance(ref, int):
        found = session.get(Person, ref)
        if found is None:
            raise NotFoundError(f"человек с id={ref} не найден", field=field)
        return found
    text = ref.strip()
    found = session.get(Person, int(text)) if text.isdigit() else None
    if found is None and not text.isdigit():
        found = session.exec(select(Person).where(col(Person.email) == text)).first()
    if found is None:
        raise NotFoundError(f"человек «{ref}» не найден (укажите id или e-mail)", field=field)
    return found


def organisation(
    session: Session, *, municipality_id: int, code: str, field: str = "organisation"
) -> Organisation:
    """The organisation with ``code`` in the municipality."""
    found = session.exec(
        select(Organisation).where(
            col(Organisation.municipality_id) == municipality_id,
            col(Organisation.code) == code.strip(),
        )
    ).first()
    if found is None:
        raise NotFoundError(
            f"организация «{code}» не найдена в муниципалитете "
            "(добавьте: roadmap organisation add)",
            field=field,
        )
    return found


def organisation_by_id(
    session: Session, organisation_id: int, *, field: str = "organisation"
) -> Organisation:
    """The organisation with this id."""
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise NotFoundError(f"организация id={organisation_id} не найдена", field=field)
    return found
