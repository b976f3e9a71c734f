"""`databorder keys ...` and `databorder officers ...`: who may call the service, and the vault key."""

import sys
from typing import Annotated

import typer

from databorder.cli._shared import opened, reported, settings

app = typer.Typer(
    help="Service keys for the platform, telephony and officers.", no_args_is_help=True
)
officers_app = typer.Typer(help="Privacy-officer accounts.", no_args_is_help=True)


@app.command("issue")
def keys_issue(
    name: Annotated[str, typer.Option(help="who holds the key, e.g. 'telephony gateway'")],
    scope: Annotated[
        list[str], typer.Option(help="platform, telephony, officer or metrics; repeatable")
    ],
) -> None:
    """Issue a service key; it is printed once and stored only as a hash."""
    from databorder.auth.services import ServiceKeys  # noqa: PLC0415 (keeps `--help` fast)

    with opened() as rt, rt.sessions.begin() as session:
        key = ServiceKeys(session).issue(name, scope, rt.now())
    typer.echo(key)


@app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="the key's first 12 characters, e.g. dbs_AbCdEfGh")],
) -> None:
    """Revoke a service key at once, including for requests already queued to commit."""
    from databorder.auth.services import ServiceKeys  # noqa: PLC0415

    with opened() as rt, rt.sessions.begin() as session:
        name = ServiceKeys(session).revoke(prefix, rt.now())
    typer.echo(f"revoked the service key of {name!r}")


@app.command("rotate-master")
def keys_rotate_master(
    purge: Annotated[
        bool, typer.Option(help="delete the retired key once nothing needs it")
    ] = True,
) -> None:
    """Make a new vault master key and re-wrap every buyer's data key under it."""
    from databorder.runtime import rotate_master_key  # noqa: PLC0415

    with reported():
        moved, purged = rotate_master_key(settings(), purge)
    typer.echo(f"re-wrapped {moved} data keys; retired keys purged: {len(purged)}")


@officers_app.command("add")
def officers_add(
    username: str,
    scope: Annotated[list[str], typer.Option(help="officer, platform or telephony; repeatable")],
    password_stdin: Annotated[bool, typer.Option(help="read the password from stdin")] = False,
) -> None:
    """Create a privacy-officer account; the password is hashed with scrypt, never stored."""
    from databorder.auth.services import Officers  # noqa: PLC0415

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    )
    with opened() as rt, rt.sessions.begin() as session:
        Officers(session).add(username, password, scope, rt.now())
    typer.echo(f"officer {username} created")
