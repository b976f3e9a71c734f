"""`databorder export parquet`: the records the audit reads, as Parquet files for DuckDB.

Streams every table in chunks inside one read snapshot (memory stays bounded whatever the
size), with a progress bar per table; `databorder audit run --engine duckdb --parquet DIR`
then runs the same checks over it. See docs/audit.md.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from databorder.cli._shared import opened

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

app = typer.Typer(help="Exports of the records, for the audit at scale.", no_args_is_help=True)


class _Bars:
    """The export's progress as Rich bars: one per table, then the log's verification."""

    def __init__(self, bar: "Progress") -> None:
        self._bar = bar
        self._tasks: dict[str, TaskID] = {}

    def start(self, what: str, total: int | None) -> None:
        self._tasks[what] = self._bar.add_task(what, total=total)

    def advance(self, what: str, rows: int) -> None:
        self._bar.advance(self._tasks[what], rows)


@app.command()
def parquet(
    out: Annotated[Path, typer.Option(help="a new or empty directory to write the files in")],
) -> None:
    """Write disclosures, grants, consents, reads, registry, notices, rights and the log's
    leaves as Parquet files, with a manifest; print the manifest (progress on stderr)."""
    from rich.console import Console  # noqa: PLC0415 (keeps `--help` fast)
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
    )

    from databorder.audit.export import export_parquet  # noqa: PLC0415
    from databorder.audit.sources import snapshot  # noqa: PLC0415

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with opened() as rt, snapshot(rt.db) as connection:
        exported_at = rt.now()
        # The bars go to stderr, the manifest to stdout: `export parquet ... > manifest.json`.
        with Progress(*columns, console=Console(stderr=True)) as bar:
            report = export_parquet(
                connection, out, rt.signer.public_key, rt.log, exported_at, progress=_Bars(bar)
            )
    typer.echo(json.dumps(report.to_json(), indent=2))
