"""Set-based reads behind plan vs actual, for one municipality or thousands at once.

Each function is one SQL statement over a list of municipality ids, so building
reports for a batch costs a handful of queries, not a handful per municipality.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Integer, cast, func
from sqlmodel import Session, col, select

from domain.indicators.record_sources import record_counts, year_counts
from domain.indicators.registry import INDICATORS, Stored

__all__ = ["catalogue_counts", "focus_counts", "roadmap_targets", "stored_values", "year_counts"]
from models import Focus, IndicatorValue, Organisation, Programme, Roadmap

Key = tuple[int, int, str]  # (municipality_id, year, period)


def stored_values(
    s: Session, *, municipality_ids: list[int], years: list[int]
) -> dict[Key, dict[str, Stored]]:
    """Stored values by (municipality, year, period) and key."""
    out: dict[Key, dict[str, Stored]] = defaultdict(dict)
    rows = s.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types up to 4 columns
            IndicatorValue.municipality_id,
            IndicatorValue.year,
            IndicatorValue.period,
            IndicatorValue.key,
            IndicatorValue.target,
            IndicatorValue.actual,
            IndicatorValue.source,
        ).where(
            col(IndicatorValue.municipality_id).in_(municipality_ids),
            col(IndicatorValue.year).in_(years),
        )
    ).all()
    for mid, year, period, key, target, actual, source in rows:
        out[mid, year, period][key] = Stored(target, actual, source)
    return out


def roadmap_targets(
    s: Session, *, municipality_ids: list[int], year: int
) -> dict[int, dict[str, float]]:
    """Targets from ``target_<key>`` parameters of the roadmaps of ``year``."""
    out: dict[int, dict[str, float]] = defaultdict(dict)
    rows = s.exec(
        select(Roadmap.municipality_id, Roadmap.parameters).where(
            col(Roadmap.municipality_id).in_(municipality_ids), Roadmap.year == year
        )
    ).all()
    for mid, params in rows:
        for name, value in (params or {}).items():
            key = name.removeprefix("target_")
            if name.startswith("target_") and key in INDICATORS:
                try:
                    out[mid][key] = float(value)
                except (TypeError, ValueError):
                    continue
    return out


def focus_counts(
    s: Session, *, municipality_ids: list[int]
) -> dict[int, dict[str, tuple[int, int]]]:
    """(organisations, programmes) per municipality and направленность."""
    out: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    rows = s.exec(
        select(
            Programme.municipality_id,
            Programme.focus,
            func.count(func.distinct(Programme.organisation_id)),
            func.count(),
        )
        .where(col(Programme.municipality_id).in_(municipality_ids))
        .group_by(col(Programme.municipality_id), col(Programme.focus))
    ).all()
    for mid, focus, orgs, progs in rows:
        out[mid][Focus(focus).value] = (int(orgs), int(progs))
    return out


def catalogue_counts(s: Session, *, municipality_ids: list[int]) -> dict[int, dict[str, float]]:
    """Actual values the programme catalogue gives (counts by kind and направленность)."""
    out: dict[int, dict[str, float]] = {
        mid: {f"programmes_{f.value}": 0.0 for f in Focus} | {"programmes_total": 0.0}
        for mid in municipality_ids
    }
    for mid, by_focus in focus_counts(s, municipality_ids=municipality_ids).items():
        for focus, (_, n) in by_focus.items():
            out[mid][f"programmes_{focus}"] = float(n)
            out[mid]["programmes_total"] += n
    flags = s.exec(
        select(
            Programme.municipality_id,
            func.sum(cast(Programme.for_ovz, Integer)),
            func.sum(cast(Programme.remote, Integer)),
            func.sum(cast(Programme.network, Integer)),
        )
        .where(col(Programme.municipality_id).in_(municipality_ids))
        .group_by(col(Programme.municipality_id))
    ).all()
    for mid, ovz, remote, network in flags:
        out[mid].update(
            programmes_ovz=float(ovz or 0),
            programmes_remote=float(remote or 0),
            programmes_network=float(network or 0),
        )
    for mid in municipality_ids:
        out[mid].setdefault("programmes_ovz", 0.0)
        out[mid].setdefault("programmes_remote", 0.0)
        out[mid].setdefault("programmes_network", 0.0)
    orgs = s.exec(
        select(Organisation.municipality_id, func.count())
        .where(col(Organisation.municipality_id).in_(municipality_ids))
        .group_by(col(Organisation.municipality_id))
    ).all()
    for mid in municipality_ids:
        out[mid]["organisations"] = 0.0
    for mid, n in orgs:
        out[mid]["organisations"] = float(n)
    for mid, values in record_counts(s, municipality_ids=municipality_ids).items():
        out[mid].update(values)
    return out
