"""What every command shares: exit codes, one-line errors, the settings and the runtime.

A command reports a problem as `error: <field>: <reason>` on stderr and exits 2 (bad input),
3 (not found) or 1 (refused or failed). The runtime comes from `runtime.build` and nowhere
else; it is imported when a command runs, not when the CLI loads, so `--help` stays fast.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError

from databorder.errors import DataborderError, InvalidInput, problems_from_pydantic
from databorder.settings import Settings, load_settings
from databorder.vault.keys import KeyFileError

if TYPE_CHECKING:
    from databorder.runtime import Runtime

EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_NOT_FOUND = 3


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn service errors into one clear line each and a non-zero exit."""
    try:
        yield
    except InvalidInput as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(EXIT_INVALID) from exc
    except DataborderError as exc:
        raise fail(exc.message, EXIT_NOT_FOUND if exc.status == 404 else EXIT_FAILED) from exc
    except KeyFileError as exc:
        raise fail(str(exc), EXIT_FAILED) from exc
    except ValidationError as exc:
        for problem in problems_from_pydantic(exc):
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(EXIT_INVALID) from exc


def settings() -> Settings:
    try:
        return load_settings()
    except ValidationError as exc:
        raise fail(f"settings: {InvalidInput.from_pydantic(exc, prefix='DATABORDER_')}") from exc


@contextmanager
def opened() -> Iterator["Runtime"]:
    """The runtime for one command, its errors reported, its database closed afterwards."""
    from databorder.runtime import build  # noqa: PLC0415 (keeps `--help` fast)

    with reported():
        rt = build(settings())
        try:
            yield rt
        finally:
            rt.db.dispose()


def read_text(path: Path, field: str, encoding: str = "utf-8") -> str:
    """A named input file's text, or one clear line saying why it cannot be read."""
    try:
        return path.read_text(encoding)
    except FileNotFoundError as exc:
        raise fail(f"{field}: {path} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise fail(f"{field}: {path} is not UTF-8 text") from exc
    except OSError as exc:
        raise fail(f"{field}: cannot read {path}: {exc.strerror}") from exc
