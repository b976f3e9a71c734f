"""`databorder audit run`: every check over the records, a summary, the evidence pack.

The checks run on the configured database (`--engine live`, SQLite or PostgreSQL, in one
read snapshot, judged at the runtime's now), which records the run and writes its evidence
pack to the audit directory (`audit/service.py`), or in DuckDB over a Parquet export
(`--engine duckdb --parquet DIR`, judged at the instant the export was taken; no database
or keys needed, only the rule pack, and no pack: the export holds no proofs). Exit code 0
when nothing was found, 1 when something was (like `log verify`: the check ran and failed),
2 for bad input. `audit verify-pack` checks a pack as a regulator would; `audit runs` lists
the recorded runs.
"""

import getpass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, fail, opened, reported, settings

if TYPE_CHECKING:
    from databorder.audit.exposure import Sales
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


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _sales(annual: list[str] | None, unrelated: str | None) -> "Sales | None":
    from databorder.audit.exposure import Sales  # noqa: PLC0415
    from databorder.errors import InvalidInput  # noqa: PLC0415

    if not annual and unrelated is None:
        return None
    if not annual or unrelated is None:
        raise fail("--sales and --unrelated-sales: give both, or neither")
    years = [part for text in annual for part in text.split()]
    try:
        return Sales.parse(years, unrelated)
    except InvalidInput as exc:
        problem = exc.problems[0]
        raise fail(f"--{problem.field.replace('_', '-')}: {problem.reason}") from None


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
    sales: Annotated[
        list[str] | None,
        typer.Option(
            help="annual sales in won, one per business year (up to 3, most recent first): "
            "the pack then shows the Art. 64-2 exposure"
        ),
    ] = None,
    unrelated_sales: Annotated[
        str | None,
        typer.Option(help="of the average annual sales, the won unrelated to the findings"),
    ] = None,
) -> None:
    """Run every check; print a summary per check; exit 1 if anything was found."""
    from databorder.audit.params import params_from_pack  # noqa: PLC0415
    from databorder.audit.report import findings_csv, report_json  # noqa: PLC0415
    from databorder.audit.run import run_audit  # noqa: PLC0415
    from databorder.audit.sources import ParquetSource  # noqa: PLC0415
    from databorder.policy import load_pack  # noqa: PLC0415

    window = _window(start, end)
    stated = _sales(sales, unrelated_sales)
    if engine is EngineChoice.DUCKDB:
        if parquet is None:
            raise fail("--parquet: give the export directory with --engine duckdb")
        if stated is not None:
            raise fail("--sales: the exposure is part of the evidence pack, made by --engine live")
        with reported():
            params = params_from_pack(load_pack(settings().pack))
            with ParquetSource(parquet) as source:
                report = run_audit(source, params, source.exported_at, window)
    else:
        if parquet is not None:
            raise fail("--parquet: only with --engine duckdb")
        with opened() as rt, reported():
            summary, report = rt.audits.run_with_report(f"cli:{_operator()}", window, stated)
            pack = rt.audits.directory / f"{summary.id}.tar.gz"
        print(f"audit run {summary.id}: evidence pack {pack} (sha256 {summary.pack_sha256})")
    _write(json_file, "--json", report_json(report))
    _write(csv_file, "--csv", findings_csv(report))
    _summary(report)
    if not report.clean:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("verify-pack")
def verify_pack_command(
    pack: Annotated[Path, typer.Argument(help="the evidence pack (.tar.gz)")],
    key: Annotated[
        Path | None,
        typer.Option(help="the log's public key (PEM) as you trust it; default: the pack's own"),
    ] = None,
) -> None:
    """Check a pack: every file against the signed manifest, the tree head, every proof."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: PLC0415
    from cryptography.hazmat.primitives.serialization import load_pem_public_key  # noqa: PLC0415

    from databorder.audit.pack import verify_pack  # noqa: PLC0415

    try:
        archive = pack.read_bytes()
    except OSError as exc:
        raise fail(f"pack: cannot read {pack}: {exc.strerror}") from exc
    trusted = None
    if key is not None:
        try:
            loaded = load_pem_public_key(key.read_bytes())
        except (OSError, ValueError) as exc:
            raise fail(f"--key: cannot read a PEM public key from {key}: {exc}") from exc
        if not isinstance(loaded, Ed25519PublicKey):
            raise fail(f"--key: {key} is not an Ed25519 public key")
        trusted = loaded
    check = verify_pack(archive, trusted)
    for problem in check.problems:
        print(f"problem: {problem}")
    print(
        f"{'intact' if check.ok else 'NOT intact'}: {check.files} files, key {check.key_id}, "
        f"{check.findings} findings, {check.leaves} cited leaves proved"
        + (f", {len(check.unproved)} the log no longer proves" if check.unproved else "")
        + ("" if key else " (checked against the pack's own key: compare it with the operator's)")
    )
    if not check.ok:
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def runs(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="how many, newest first")] = 20,
) -> None:
    """The recorded audit runs, newest first."""
    with opened() as rt:
        for run in rt.audits.recent(limit):
            print(
                f"{run.id}  {run.started_at.isoformat()}  {run.findings:>7} findings  "
                f"head {run.tree_size}  by {run.requested_by}  pack sha256 {run.pack_sha256}"
            )
