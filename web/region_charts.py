"""Server-side SVG charts (no JavaScript): roadmap progress, coverage vs plan, НОК funnel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup, escape

from web.region_words import percent_ru

MONTHS = ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек")
QUARTERS = ("I кв.", "II кв.", "III кв.", "IV кв.")
W, H, PAD = 640, 240, 36


def _svg(title: str, body: str, height: int = H) -> Markup:
    t = escape(title)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {W} {height}" role="img" aria-label="{t}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>{body}</svg>'
    )


def progress_year(rows: Iterable[Any], year: int, today: dt.date) -> Markup:
    """Cumulative share of steps due by each month (plan) and of those done."""
    plan, done, total = [0] * 12, [0] * 12, 0
    for r in rows:
        if r.due_date.year != year:
            continue
        total += 1
        plan[r.due_date.month - 1] += 1
        if r.status.value in ("done", "waived"):
            done[r.due_date.month - 1] += 1
    if not total:
        return _svg(
            "Шагов в этом году нет", f'<text x="{PAD}" y="40">Шагов в {year} году нет</text>'
        )
    cum_p, cum_d, sp, sd = [], [], 0, 0
    for i in range(12):
        sp, sd = sp + plan[i], sd + done[i]
        cum_p.append(sp / total)
        cum_d.append(sd / total)
    step = (W - 2 * PAD) / 11
    ys = H - PAD

    def pts(vals: Sequence[float], upto: int = 12) -> str:
        return " ".join(
            f"{PAD + i * step:.0f},{ys - v * (H - 2 * PAD):.0f}" for i, v in enumerate(vals[:upto])
        )

    now_m = today.month if today.year == year else (12 if today.year > year else 0)
    grid = "".join(
        f'<line x1="{PAD}" x2="{W - PAD}" y1="{ys - f * (H - 2 * PAD):.0f}" '
        f'y2="{ys - f * (H - 2 * PAD):.0f}" class="grid"/>'
        f'<text x="4" y="{ys - f * (H - 2 * PAD) + 4:.0f}" class="ax">{percent_ru(int(f * 100))}</text>'
        for f in (0, 0.5, 1)
    )
    labels = "".join(
        f'<text x="{PAD + i * step:.0f}" y="{H - 12}" class="ax" text-anchor="middle">{m}</text>'
        for i, m in enumerate(MONTHS)
    )
    last = percent_ru(round(100 * cum_d[now_m - 1]) if now_m else 0)
    body = (
        grid
        + labels
        + f'<polyline points="{pts(cum_p)}" class="plan"/>'
        + (f'<polyline points="{pts(cum_d, now_m)}" class="fact"/>' if now_m else "")
        + f'<text x="{W - PAD}" y="20" text-anchor="end" class="lg">'
        f'<tspan class="plan-t">— по плану</tspan>  <tspan class="fact-t">— выполнено '
        f"(сейчас {last})</tspan></text>"
    )
    return _svg(f"Ход дорожной карты {year}: выполнено {last} шагов года", body)


def bars(title: str, items: Sequence[tuple[str, float, float | None]], unit: str = "") -> Markup:
    """Grouped bars: (label, plan, fact) per group; fact None = no data yet."""
    top = max([1.0] + [max(p, f or 0) for _, p, f in items])
    gw = (W - 2 * PAD) / max(1, len(items))
    ys, hh = H - PAD, H - 2 * PAD
    out = []
    for i, (label, p, f) in enumerate(items):
        x = PAD + i * gw + gw * 0.15
        bw = gw * 0.33
        out.append(
            f'<rect x="{x:.0f}" y="{ys - p / top * hh:.0f}" width="{bw:.0f}" '
            f'height="{p / top * hh:.0f}" class="plan-b"/>'
        )
        if f is not None:
            out.append(
                f'<rect x="{x + bw:.0f}" y="{ys - f / top * hh:.0f}" width="{bw:.0f}" '
                f'height="{f / top * hh:.0f}" class="fact-b"/>'
            )
        fact = "нет данных" if f is None else f"{f:g}{unit}"
        out.append(
            f'<text x="{x + bw:.0f}" y="{H - 14}" class="ax" text-anchor="middle">'
            f"{escape(label)}</text>"
            f'<text x="{x + bw:.0f}" y="{H - 2}" class="ax" text-anchor="middle">'
            f"{p:g} / {fact}</text>"
        )
    legend = (
        f'<text x="{W - PAD}" y="18" text-anchor="end" class="lg"><tspan class="plan-t">'
        f'■ план</tspan>  <tspan class="fact-t">■ факт</tspan></text>'
    )
    return _svg(title, legend + "".join(out))


def coverage_quarters(values: Iterable[Any]) -> Markup:
    plan = [0.0] * 4
    fact: list[float | None] = [None] * 4
    for v in values:
        if v.period in ("Q1", "Q2", "Q3", "Q4"):
            q = int(v.period[1]) - 1
            plan[q] += float(v.target or 0)
            if v.actual is not None:
                fact[q] = (fact[q] or 0) + float(v.actual)
    items = [(QUARTERS[i], plan[i], fact[i]) for i in range(4)]
    return bars("Охват: план и факт по кварталам", items)


def funnel(stages: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal funnel: each stage a bar as wide as its count."""
    top = max([1] + [n for _, n in stages])
    row = 34
    height = row * len(stages) + 10
    out = []
    for i, (label, n) in enumerate(stages):
        w = (W - 340) * n / top
        y = 6 + i * row
        out.append(
            f'<text x="0" y="{y + 19}" class="ax-l">{escape(label)}</text>'
            f'<rect x="290" y="{y}" width="{max(w, 2):.0f}" height="{row - 8}" class="fun"/>'
            f'<text x="{296 + w:.0f}" y="{y + 19}" class="ax-l">{n}</text>'
        )
    title = "Воронка НОК: " + ", ".join(f"{lab} — {n}" for lab, n in stages)
    return _svg(title, "".join(out), height)
