"""`databorder sim` and `databorder demo`: the synthetic marketplace, an optional extra.

The world is generated with Faker, which the service itself does not need: it comes with
`pip install 'databorder[sim]'` (`make demo` installs it). Without it these two commands say
so in one line, and every other command and `--help` work as before.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, fail, opened, reported

_EXTRA = "sim"
_EXTRA_MODULES = ("faker",)


@contextmanager
def _needs_extra(command: str) -> Iterator[None]:
    """Turn the extra's missing module into one line naming what to install."""
    try:
        yield
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in _EXTRA_MODULES:
            raise
        raise fail(
            f"{command}: {exc.name} is not installed; it comes with the optional extra: "
            f"pip install 'databorder[{_EXTRA}]'",
            EXIT_FAILED,
        ) from exc


def sim(
    buyers: Annotated[int, typer.Option(min=1)] = 8_000_000,
    sellers: Annotated[int, typer.Option(min=1)] = 180_000,
    orders: Annotated[int, typer.Option(min=0)] = 30_000_000,
    seed: Annotated[int, typer.Option()] = 1,
    days: Annotated[int, typer.Option(min=1)] = 365,
    batch: Annotated[int, typer.Option(min=100)] = 20_000,
    workers: Annotated[
        int, typer.Option(min=0, help="processes generating and sealing; 0: one a CPU")
    ] = 0,
    notice_every_days: Annotated[
        int, typer.Option(min=1, help="days between the world's published notice versions")
    ] = 91,
) -> None:
    """Stream a world the size of the AliExpress case into the configured (empty) database."""
    import os  # noqa: PLC0415
    from datetime import timedelta  # noqa: PLC0415

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn  # noqa: PLC0415

    from databorder.runtime import migrate  # noqa: PLC0415 (keeps `--help` fast)

    with _needs_extra("sim"):
        from databorder.sim.bulk import load_bulk, report_json  # noqa: PLC0415
        from databorder.sim.recipients import FIXED  # noqa: PLC0415

    with _needs_extra("sim"), opened() as rt:  # the keys are checked before the schema is touched
        migrate(rt.settings)
        start = rt.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)
        columns = (
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns) as bar:
            tasks = {
                "recipients": bar.add_task("recipients", total=len(FIXED) + sellers),
                "buyers": bar.add_task("buyers", total=buyers),
                "orders": bar.add_task("orders", total=orders),
                "notices": bar.add_task("notice versions published", total=None),
            }
            report = load_bulk(
                rt.db,
                rt.keys.master,
                rt.keys.blind_index,
                seed=seed,
                buyers=buyers,
                sellers=sellers,
                orders=orders,
                start=start,
                days=days,
                batch=batch,
                workers=workers or os.cpu_count() or 1,
                progress=lambda what, n: bar.advance(tasks[what], n),
                every_days=notice_every_days,
                settings=rt.settings,
                publisher=rt.publisher,
            )
    typer.echo(report_json(report))


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="where the demo database and keys go")
    ] = Path(".demo"),
    seed: Annotated[int, typer.Option(help="world seed")] = 7,
    buyers: Annotated[int, typer.Option(min=1)] = 2000,
    sellers: Annotated[int, typer.Option(min=1)] = 300,
    orders: Annotated[int, typer.Option(min=1)] = 6000,
    serve_api: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the API afterwards")
    ] = True,
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Build a synthetic marketplace, run every order's disclosures, print a summary, serve."""
    with _needs_extra("demo"):
        from databorder.sim.demo import run_demo  # noqa: PLC0415

    with _needs_extra("demo"), reported():
        run_demo(
            directory,
            seed=seed,
            buyers=buyers,
            sellers=sellers,
            orders=orders,
            serve=serve_api,
            port=port,
            echo=typer.echo,
        )
