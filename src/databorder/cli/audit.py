"""`databorder audit run`: every check over the records, a summary, the findings as files.

The checks run on the configured database (`--engine live`, SQLite or PostgreSQL, in one
read snapshot, judged at the runtime's now) or in DuckDB over a Parquet export
(`--engine duckdb --parquet DIR`, judged at the instant the export was taken; no database
or keys needed, only the rule pack). Exit code 0 when nothing was found, 1 when something
was (like `log verify`: the check ran and failed), 2 for bad input.
"""

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, fail, opened, reported, settings

if TYPE_CHECKING:
    from databorder.audit.types import AuditReport, Window

app = typer.Typer(help="The compliance audit: checks citing their articles.", no_args_is_help=True)

EXIT_FINDINGS = EXIT_FAILED


class EngineChoice(StrEnum):
    LIVE = "live"
    DUCKDB = "duckdb"


def _instant(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"{option}: expected an RFC 3339 date-time with an offset, "
            f"e.g. 2026-11-01T00:00:00+09:00, got {text!r}"
        ) from None
    if value.tzinfo is None:
        raise fail(f"{option}: give a UTC offset, e.g. 2026-11-01T00:00:00+09:00, got {text!r}")
    return value


def _window(start: str | None, end: str | None) -> "Window":
    from databorder.audit.types import Window  # noqa: PLC0415 (keeps `--help` fast)

    first, last = _instant(start, "--from"), _instant(end, "--to")
    if first is not None and last is not None and last <= first:
        raise fail("--to: must be after --from")
    return Window(first, last)


def _write(path: Path | None, option: str, content: str) -> None:
    if path is None:
        return
    try:
        path.write_text(content, "utf-8")
    except OSError as exc:
        raise fail(f"{option}: cannot write {path}: {exc.strerror}") from exc


def _summary(report: "AuditReport") -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    table = Table("check", "article", "severity", "findings", "first leaf")
    table.columns[0].no_wrap = True
    for column in table.columns[3:]:
        column.justify = "right"
    for result in report.results:
        first = result.first_leaf_index
        table.add_row(
            result.check.id,
            result.check.article,
            result.check.severity.value,
            str(result.count),
            "" if first is None else str(first),
        )
    console = Console()
    console.print(table)
    window = report.window.to_json()
    total = len(report.findings)
    console.print(
        f"{total} finding(s) in {sum(1 for r in report.results if r.findings)} of "
        f"{len(report.results)} checks; engine {report.engine}, as of {report.as_of.isoformat()}, "
        f"window {window['from'] or 'open'} .. {window['to'] or 'open'}",
        highlight=False,
    )


@app.command()
def run(
    start: Annotated[
        str | None, typer.Option("--from", help="audit events from this instant (RFC 3339)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="... up to this instant, excluded (RFC 3339)")
    ] = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(help="live: the configured database; duckdb: a Parquet export"),
    ] = EngineChoice.LIVE,
    parquet: Annotated[
        Path | None, typer.Option(help="the export's directory (databorder export parquet)")
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="write the report and every finding as JSON")
    ] = None,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="write every finding as CSV")
    ] = None,
) -> None:
    """Run every check; print a summary per check; exit 1 if anything was found."""
    from databorder.audit.params import params_from_pack  # noqa: PLC0415
    from databorder.audit.report import findings_csv, report_json  # noqa: PLC0415
    from databorder.audit.run import run_audit  # noqa: PLC0415
    from databorder.audit.sources import LiveSource, ParquetSource, snapshot  # noqa: PLC0415
    from databorder.policy import load_pack  # noqa: PLC0415

    window = _window(start, end)
    if engine is EngineChoice.DUCKDB:
        if parquet is None:
            raise fail("--parquet: give the export directory with --engine duckdb")
        with reported():
            params = params_from_pack(load_pack(settings().pack))
            with ParquetSource(parquet) as source:
                report = run_audit(source, params, source.exported_at, window)
    else:
        if parquet is not None:
            raise fail("--parquet: only with --engine duckdb")
        with (
            opened() as rt,
            snapshot(rt.db) as connection,
            LiveSource(connection, rt.signer.public_key, rt.log) as live,
        ):
            report = run_audit(live, params_from_pack(rt.engine.pack), rt.now(), window)
    _write(json_file, "--json", report_json(report))
    _write(csv_file, "--csv", findings_csv(report))
    _summary(report)
    if not report.clean:
        raise typer.Exit(EXIT_FINDINGS)
