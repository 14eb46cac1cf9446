"""The ``roadmap`` command: typer app with Russian output."""

from __future__ import annotations

import typer

from cli import calendar_cmd, demo_cmd, municipality_cmd, roadmap_cmd, status_cmd

app = typer.Typer(
    name="roadmap",
    help="soczakaz — дорожные карты социального заказа МОЦ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

roadmap_cmd.register(app)
status_cmd.register(app)
demo_cmd.register(app)
app.add_typer(municipality_cmd.app, name="municipality")
app.add_typer(calendar_cmd.app, name="calendar")
# Command groups of later features register here, one line each.
from cli import indicator_cmd, report_cmd  # noqa: E402

app.add_typer(indicator_cmd.app, name="indicator")
app.add_typer(report_cmd.app, name="report")
from cli import sweep_cmd  # noqa: E402

sweep_cmd.register(app)
from cli import review_cmd  # noqa: E402

app.add_typer(review_cmd.app, name="review")

from cli import serve_cmd  # noqa: E402

serve_cmd.register(app)
from cli import audit_cmd, evidence_cmd  # noqa: E402

evidence_cmd.register(app)
app.add_typer(audit_cmd.app, name="audit")
from cli import outbox_cmd  # noqa: E402

outbox_cmd.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
