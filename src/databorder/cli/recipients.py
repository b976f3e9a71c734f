"""`databorder recipients ...`: the registry of those who receive buyers' data, and their keys."""

from pathlib import Path
from typing import Annotated

import typer

from databorder.cli._shared import fail, opened, read_text

app = typer.Typer(help="The recipient registry.", no_args_is_help=True)

_OUTPUTS = ("table", "csv")


@app.command("import")
def recipients_import(file: Annotated[Path, typer.Argument(help="CSV with a header row")]) -> None:
    """Import recipients from CSV: every row is validated first; any error writes nothing."""
    from databorder.registry.services import RegistryService  # noqa: PLC0415 (keeps `--help` fast)

    text = read_text(file, "file", "utf-8-sig")
    with opened() as rt, rt.sessions.begin() as session:
        created, updated = RegistryService(session).import_csv(text, rt.now())
    typer.echo(f"imported {created + updated} recipients ({created} new, {updated} updated)")


@app.command("list")
def recipients_list(
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 filter")] = None,
    output: Annotated[str, typer.Option(help="table or csv")] = "table",
) -> None:
    """List registered recipients."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from databorder.model.country import UnknownCountryError, country_code  # noqa: PLC0415
    from databorder.registry.services import RegistryService, rows_to_csv  # noqa: PLC0415

    if output not in _OUTPUTS:
        raise fail(f"output: expected one of {', '.join(_OUTPUTS)}, got {output!r}")
    try:
        code = country_code(country) if country is not None else None
    except UnknownCountryError as exc:
        raise fail(f"country: {exc}") from exc
    with opened() as rt, rt.sessions() as session:
        rows = RegistryService(session).list(code)
        if output == "csv":
            typer.echo(rows_to_csv(rows), nl=False)
            return
        table = Table("id", "legal name", "country", "role", "safeguards", "retention")
        for r in rows:
            table.add_row(
                r.id,
                r.legal_name,
                ",".join([r.country, *r.data_countries]),
                r.role.value,
                str(r.contract_safeguards),
                f"{r.retention_days} d",
            )
    Console().print(table)


@app.command("key")
def recipients_key(recipient_id: str) -> None:
    """Issue a new API key for a recipient; it is printed once and stored only as a hash."""
    from databorder.registry.services import RegistryService  # noqa: PLC0415

    with opened() as rt, rt.sessions.begin() as session:
        key = RegistryService(session).issue_api_key(recipient_id, rt.now())
    typer.echo(key)


@app.command("revoke-key")
def recipients_revoke_key(
    recipient_id: str, prefix: Annotated[str, typer.Argument(help="the key's first 12 characters")]
) -> None:
    """Revoke a recipient's API key (rotate: issue a new one first, then revoke the old)."""
    from databorder.registry.services import RegistryService  # noqa: PLC0415

    with opened() as rt, rt.sessions.begin() as session:
        count = RegistryService(session).revoke_api_key(recipient_id, prefix, rt.now())
    typer.echo(f"revoked {count} key(s)")
