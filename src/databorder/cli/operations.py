"""Running the service: `init`, `migrate`, `sweep` and `serve`."""

from typing import Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, fail, opened, reported, settings


def init() -> None:
    """Create missing key files (owner-only) and migrate the database to the latest schema."""
    from databorder.runtime import init_keys, migrate  # noqa: PLC0415 (keeps `--help` fast)

    config = settings()
    with reported():
        for path in init_keys(config):
            typer.echo(f"created key file {path}")
    migrate(config)
    typer.echo(f"database at {config.database_url} is at the latest schema")


def migrate(
    citus: Annotated[
        bool,
        typer.Option(
            "--citus",
            help="then distribute the schema over the Citus cluster this coordinator leads "
            "(store/distribution.py; steps already applied are skipped)",
        ),
    ] = False,
) -> None:
    """Migrate the database to the latest schema (Alembic)."""
    from databorder.runtime import migrate as run_migrations  # noqa: PLC0415

    config = settings()
    run_migrations(config)
    typer.echo("database is at the latest schema")
    if citus:
        from databorder.store.db import make_engine  # noqa: PLC0415
        from databorder.store.distribution import (  # noqa: PLC0415
            NotCitusError,
            apply_citus_plan,
            citus_statements,
        )

        db = make_engine(config.database_url)
        try:
            ran = apply_citus_plan(db)
        except NotCitusError as exc:
            raise fail(f"database_url: {exc}", EXIT_FAILED) from exc
        finally:
            db.dispose()
        total = len(citus_statements())
        typer.echo(f"citus plan: {len(ran)} of {total} statements applied, the others in place")


def sweep() -> None:
    """End expired grants, free their relay numbers, drop old read records (idempotent)."""
    from databorder.api.idempotency import forget_expired  # noqa: PLC0415
    from databorder.gateway.sweeper import sweep as run_sweep  # noqa: PLC0415

    with opened() as rt, rt.sessions.begin() as session:
        report = run_sweep(session, rt.now(), rt.engine.pack.home_country)
        forgotten = forget_expired(session, rt.now())  # retries' answers past their time
    typer.echo(
        f"grants ended: {report.grants_ended}, by suspension order: {report.suspended_by_order}, "
        f"relay endpoints released: {report.relays_released}, read records deleted: "
        f"{report.reads_deleted}, idempotency keys forgotten: {forgotten}"
    )


def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Refuses to start without its key files."""
    from databorder.api.app import create_app  # noqa: PLC0415
    from databorder.api.observability import configure_logging  # noqa: PLC0415
    from databorder.api.server import serve as run  # noqa: PLC0415

    configure_logging()  # before the runtime is built, so its warnings are JSON lines too
    with opened() as rt:
        run(create_app(rt), host or rt.settings.host, port or rt.settings.port)
