"""Charts as PNG (matplotlib, Agg backend), cached per distinct chart data.

Municipal reports repeat the same shapes, and matplotlib costs tens of
milliseconds per figure, so identical charts are drawn once per process.
"""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from reports.document import Chart

COLOURS = ("#9db4d0", "#1f5f9f", "#d9822b")
DPI = 100


@lru_cache(maxsize=512)
def render_png(chart: Chart) -> bytes:
    """PNG bytes of ``chart`` (pure function of the chart data, hence cached)."""
    fig = Figure(figsize=(6.4, 3.0), dpi=DPI)
    ax = fig.add_subplot()
    n = len(chart.categories)
    k = max(1, len(chart.series))
    width = 0.8 / k
    positions = list(range(n))
    for i, (label, values) in enumerate(chart.series):
        heights = [v if v is not None else 0.0 for v in values]
        offs = [p - 0.4 + width * (i + 0.5) for p in positions]
        colour = COLOURS[i % len(COLOURS)]
        if chart.kind == "barh":
            bars = ax.barh(offs, heights, height=width, label=label, color=colour)
        else:
            bars = ax.bar(offs, heights, width=width, label=label, color=colour)
        ax.bar_label(
            bars,
            labels=["" if v is None else f"{v:g}".replace(".", ",") for v in values],
            fontsize=7,
            padding=2,
        )
    if chart.kind == "barh":
        ax.set_yticks(positions, chart.categories, fontsize=8)
        ax.invert_yaxis()
    else:
        ax.set_xticks(positions, chart.categories, fontsize=8)
        if chart.unit == "%":
            ax.set_ylim(0, 110)
    ax.set_title(chart.title, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    if len(chart.series) > 1:
        ax.legend(fontsize=7, loc="lower right", frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
