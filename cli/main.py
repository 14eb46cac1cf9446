"""The ``roadmap`` command: typer app with Russian output.

Each feature registers its commands here, one line each; heavy libraries
(reports, Prefect flows, the web app) are imported inside the commands.
"""

from __future__ import annotations

import typer

from cli import (
    audit_cmd,
    calendar_cmd,
    demo_cmd,
    evidence_cmd,
    indicator_cmd,
    municipality_cmd,
    outbox_cmd,
    report_cmd,
    review_cmd,
    roadmap_cmd,
    serve_cmd,
    status_cmd,
    sweep_cmd,
    up_cmd,
)

app = typer.Typer(
    name="roadmap",
    help="soczakaz — дорожные карты социального заказа МОЦ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Top-level commands, in the order of a roadmap's life.
roadmap_cmd.register(app)  # init, validate, load
status_cmd.register(app)
demo_cmd.register(app)
sweep_cmd.register(app)  # sweep, shift
serve_cmd.register(app)  # serve, token
__import__("cli.person_cmd").person_cmd.register(app)  # person (issue 14)
evidence_cmd.register(app)  # complete, reopen, waive, history
outbox_cmd.register(app)  # dispatch, outbox
up_cmd.register(app)  # up: Prefect server, schedules, dashboard in one command
# Command groups.
app.add_typer(municipality_cmd.app, name="municipality")
app.add_typer(calendar_cmd.app, name="calendar")
app.add_typer(indicator_cmd.app, name="indicator")
app.add_typer(report_cmd.app, name="report")
app.add_typer(review_cmd.app, name="review")
app.add_typer(audit_cmd.app, name="audit")
__import__("cli.records_cmd").records_cmd.register(app)  # organisation, programme, event, …


if __name__ == "__main__":  # pragma: no cover
    app()
