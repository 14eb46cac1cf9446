"""Markdown and HTML rendering of a ``ReportDoc`` through Jinja2 templates."""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from reports.charts import render_png
from reports.document import ReportDoc


def md_escape(value: object) -> str:
    """Text safe inside a Markdown table cell or paragraph."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


def render_html(report: ReportDoc) -> str:
    """A self-contained HTML page (charts inline as data: URIs)."""
    images = {
        c.name: "data:image/png;base64," + base64.b64encode(render_png(c)).decode("ascii")
        for s in report.sections
        for c in s.charts
    }
    return _env().get_template("report.html.j2").render(report=report, images=images)


def render_markdown(report: ReportDoc, *, image_prefix: str) -> tuple[str, dict[str, bytes]]:
    """Markdown text and the chart files it links (``{image_prefix}-{name}.png``)."""
    files = {
        f"{image_prefix}-{c.name}.png": render_png(c) for s in report.sections for c in s.charts
    }
    images = {c.name: f"{image_prefix}-{c.name}.png" for s in report.sections for c in s.charts}
    text = _env().get_template("report.md.j2").render(report=report, images=images)
    return text, files


def write_markdown(report: ReportDoc, out: Path) -> list[Path]:
    text, files = render_markdown(report, image_prefix=out.stem)
    out.write_text(text, encoding="utf-8")
    written = [out]
    for name, data in files.items():
        (out.parent / name).write_bytes(data)
        written.append(out.parent / name)
    return written


def write_html(report: ReportDoc, out: Path) -> Path:
    out.write_text(render_html(report), encoding="utf-8")
    return out
