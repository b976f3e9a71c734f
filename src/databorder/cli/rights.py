"""Buyers' rights from the command line: delivering the tasks recipients must act on."""

import typer

from databorder.cli._shared import opened

app = typer.Typer(
    help="Buyers' rights requests and their tasks at recipients.", no_args_is_help=True
)


@app.command("dispatch")
def dispatch() -> None:
    """Deliver the rights tasks that are due (up to a batch of 100 a run: run it again for
    more), by webhook or email, with retries; idempotent."""
    with opened() as rt:
        report = rt.rights_dispatcher.run(rt.sessions, rt.now())
    typer.echo(
        f"attempted: {report.attempted}, delivered: {report.delivered}, "
        f"failed (will retry): {report.failed}, dead-lettered: {report.dead}"
    )
