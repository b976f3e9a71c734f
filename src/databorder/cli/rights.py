"""Buyers' rights from the command line: delivering recipients' tasks, signing a buyer in."""

import typer

from databorder.cli._shared import opened

app = typer.Typer(
    help="Buyers' rights requests and their tasks at recipients.", no_args_is_help=True
)


@app.command("dispatch")
def dispatch() -> None:
    """Deliver the rights tasks that are due (webhooks, or email), with retries; idempotent."""
    with opened() as rt:
        report = rt.rights_dispatcher.run(rt.sessions, rt.now())
    typer.echo(
        f"attempted: {report.attempted}, delivered: {report.delivered}, "
        f"failed (will retry): {report.failed}, dead-lettered: {report.dead}"
    )
