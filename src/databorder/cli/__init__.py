"""The `databorder` command: set-up, decisions, disclosures, the registry, the log, the demo, the server.

One module per group of commands; this one assembles them and runs them. Every command
validates its input and reports a problem as `error: <field>: <reason>` on stderr with exit
code 2 (bad input), 3 (not found) or 1 (refused or failed), usage mistakes (an unknown option,
a missing or malformed value) included; nothing is half-written because each command is one
transaction. Commands import what they need when they run, so `--help` stays fast and every
command but `sim` and `demo` works without the `sim` extra.
"""

import sys
from typing import Any, NoReturn

import typer
import typer.main

from databorder.cli import (
    audit,
    buyers,
    decide,
    disclose,
    dlp,
    export,
    keys,
    log,
    notices,
    operations,
    recipients,
    rights,
    sim,
    witness,
)
from databorder.cli._shared import EXIT_FAILED

__all__ = ["app", "main"]

app = typer.Typer(
    help="databorder: lawful, minimal, verifiable disclosure of personal data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for command in (
    operations.init,
    operations.migrate,
    decide.decide,
    disclose.disclose,
    operations.sweep,
    operations.serve,
    sim.sim,
    sim.demo,
):
    app.command()(command)
app.add_typer(recipients.app, name="recipients")
app.add_typer(keys.app, name="keys")
app.add_typer(keys.officers_app, name="officers")
app.add_typer(log.app, name="log")
app.add_typer(notices.app, name="notices")
app.add_typer(notices.orders_app, name="suspension-orders")
app.add_typer(rights.app, name="rights")
app.add_typer(buyers.app, name="buyers")
app.add_typer(audit.app, name="audit")
app.add_typer(export.app, name="export")
app.add_typer(witness.app, name="witness")
app.add_typer(dlp.app, name="dlp")


def _usage_problem(exc: typer.TyperException) -> str:
    """A usage mistake as `field: reason`, like every other error the commands report."""
    param: Any = getattr(exc, "param", None)
    if param is None:
        message = exc.format_message()
        return message[:1].lower() + message[1:]
    field = param.opts[0] if param.opts else param.name  # `--order`, or an argument's name
    reason = exc.message.removeprefix("Value error, ") or "missing; it is required"
    return f"{field}: {reason}"


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; exits with the command's code."""
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, standalone_mode=False)
    except typer.Abort:
        typer.echo("Aborted!", err=True)
        code = EXIT_FAILED
    except typer.TyperException as exc:  # usage mistakes, found before any command runs
        # Typer prints the help itself when a group is run bare (and tells it by name too).
        if type(exc).__name__ != "NoArgsIsHelpError":
            typer.echo(f"error: {_usage_problem(exc)}", err=True)
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)
