"""Charts as PNG: matplotlib (Agg) draws each distinct frame once, PIL draws the data.

A full matplotlib draw of even a small bar chart costs 60–120 ms here, and
drawing just the bars and value labels through matplotlib still costs ~30 ms
(text layout). So matplotlib renders the frame (axes, ticks, category labels,
title, legend) once per distinct layout and keeps it as an image together with
its data-to-pixel transform; each chart copies that image and draws its bars
and value labels with PIL (~1 ms). Identical charts are also cached whole.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from PIL import Image, ImageDraw, ImageFont

from reports import russian
from reports.document import Chart

COLOURS = ("#9db4d0", "#1f5f9f", "#d9822b")
DPI = 100
SIZE = (6.4, 3.0)
PALETTE_FREE = 240
_lock = threading.Lock()  # matplotlib figures are not thread-safe


def has_data(chart: Chart) -> bool:
    """A chart is drawn only when at least one of its values was entered."""
    return bool(chart.categories) and any(v is not None for _, vs in chart.series for v in vs)


def axis_max(chart: Chart) -> float:
    """Upper axis limit: 110 for percentages, else a round number above the data."""
    if chart.unit == "%":
        return 110.0
    top = max((v for _, vs in chart.series for v in vs if v is not None), default=1.0)
    top = max(top * 1.15, 1.0)
    magnitude = 10 ** math.floor(math.log10(top))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= top:
            return float(step * magnitude)
    return float(10 * magnitude)  # pragma: no cover


Point = Callable[[float, float], tuple[float, float]]


@dataclass
class _Frame:
    image: Image.Image
    to_pixels: Point  # data (x, y) -> PIL pixel (x, y), origin top-left
    limit: float


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return ImageFont.truetype(path, size=round(7 * DPI / 72))


@lru_cache(maxsize=64)
def _frame(
    kind: str, title: str, categories: tuple[str, ...], names: tuple[str, ...], limit: float
) -> _Frame:
    fig = Figure(figsize=SIZE, dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    right = 0.86 if len(names) > 1 else 0.97
    fig.subplots_adjust(left=0.30 if kind == "barh" else 0.08, right=right, top=0.88, bottom=0.12)
    ax = fig.add_subplot()
    n = len(categories)
    positions = list(range(n))
    if kind == "barh":
        ax.set_yticks(positions, categories, fontsize=8)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, limit)
    else:
        ax.set_xticks(positions, categories, fontsize=8)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(0, limit)
    ax.tick_params(labelsize=8)
    ticks = FuncFormatter(lambda v, _: russian.number(v))
    (ax.xaxis if kind == "barh" else ax.yaxis).set_major_formatter(ticks)
    ax.set_title(title, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    if len(names) > 1:
        handles = [Patch(color=COLOURS[i % len(COLOURS)], label=nm) for i, nm in enumerate(names)]
        ax.legend(
            handles=handles,
            fontsize=7,
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            frameon=False,
        )
    canvas.draw()  # type: ignore[no-untyped-call]
    width, height = canvas.get_width_height()
    rgba = bytes(canvas.buffer_rgba())  # type: ignore[no-untyped-call]
    rgb = Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    # A palette image encodes ~3x faster; the last entries are the bar and label colours.
    image = rgb.quantize(colors=PALETTE_FREE, method=Image.Quantize.FASTOCTREE)
    palette = (image.getpalette() or [])[: 3 * PALETTE_FREE]
    palette += [0] * (3 * PALETTE_FREE - len(palette))
    for colour in (*COLOURS, "#000000"):
        palette += [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    image.putpalette(palette)
    transform = ax.transData.frozen()

    def to_pixels(x: float, y: float) -> tuple[float, float]:
        px, py = transform.transform((x, y))  # type: ignore[attr-defined]
        return float(px), float(height - py)

    return _Frame(image, to_pixels, limit)


def _draw(frame: _Frame, chart: Chart) -> bytes:
    image = frame.image.copy()
    draw = ImageDraw.Draw(image)
    black = PALETTE_FREE + len(COLOURS)
    font = _font()
    k = max(1, len(chart.series))
    width = 0.8 / k
    for i, (_, values) in enumerate(chart.series):
        colour = PALETTE_FREE + i % len(COLOURS)
        for j, value in enumerate(values):
            if value is None:
                continue
            v = min(max(float(value), 0.0), frame.limit)
            lo, hi = j - 0.4 + width * i, j - 0.4 + width * (i + 1)
            label = russian.number(value)
            if chart.kind == "barh":
                x0, y0 = frame.to_pixels(0, lo)
                x1, y1 = frame.to_pixels(v, hi)
                draw.rectangle((x0, min(y0, y1), x1, max(y0, y1)), fill=colour)
                draw.text((x1 + 3, (y0 + y1) / 2), label, fill=black, font=font, anchor="lm")
            else:
                x0, y0 = frame.to_pixels(lo, 0)
                x1, y1 = frame.to_pixels(hi, v)
                draw.rectangle((x0, min(y0, y1), x1, max(y0, y1)), fill=colour)
                draw.text(((x0 + x1) / 2, y1 - 2), label, fill=black, font=font, anchor="mb")
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


@lru_cache(maxsize=512)
def render_png(chart: Chart) -> bytes:
    """PNG bytes of ``chart`` (a pure function of the chart data, hence cached)."""
    names = tuple(name for name, _ in chart.series)
    with _lock:
        frame = _frame(chart.kind, chart.title, chart.categories, names, axis_max(chart))
    return _draw(frame, chart)
