"""`databorder dlp scan`: the message filter over a JSONL file, streamed.

Reads one line at a time and writes one line at a time (constant memory whatever the file's
size), with a Rich progress bar over the input's bytes on stderr. The output is written beside
its final name and renamed into place only when every line was read: a bad line (reported with
its line number and field, exit 2) leaves no partial output behind.
"""

import os
from pathlib import Path
from typing import Annotated

import typer

from databorder.cli._shared import fail, reported

app = typer.Typer(help="The message filter: personal data in free text.", no_args_is_help=True)


@app.command()
def scan(
    input_path: Annotated[
        Path, typer.Option("--input", help='JSONL, one {"id", "text"} object a line')
    ],
    output_path: Annotated[
        Path, typer.Option("--output", help="JSONL: id, findings, redacted text per line")
    ],
) -> None:
    """Find and redact personal data in every message of a JSONL file (see docs/dlp.md)."""
    from rich.console import Console  # noqa: PLC0415 (keeps `--help` fast)
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn  # noqa: PLC0415

    from databorder.dlp.jsonl import scan_line  # noqa: PLC0415

    try:
        total = input_path.stat().st_size
        source = input_path.open("rb")
    except OSError as exc:
        raise fail(f"--input: {input_path} cannot be read ({exc.strerror})") from exc
    partial = output_path.with_name(f".{output_path.name}.partial")
    lines = 0
    try:
        with (
            source,
            partial.open("w", encoding="utf-8") as sink,
            Progress(
                "{task.description}",
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            ) as bar,
            reported(),
        ):
            task = bar.add_task("scanning", total=total)
            for raw in source:
                lines += 1
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise fail(f"row {lines}, (line): not UTF-8 text") from exc
                if line.strip():
                    sink.write(scan_line(line, lines) + "\n")
                bar.advance(task, len(raw))
        os.replace(partial, output_path)
    except OSError as exc:
        raise fail(f"--output: {output_path} cannot be written ({exc.strerror})") from exc
    finally:
        partial.unlink(missing_ok=True)
    typer.echo(f"scanned {lines} lines into {output_path}", err=True)
