"""The `databorder` command: set-up, decisions, disclosures, the registry, the demo, the server.

Every command validates its input and reports a problem as `error: <field>: <reason>` on
stderr with a non-zero exit; nothing is half-written because each command is one transaction.
"""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from databorder.errors import DataborderError, InvalidInput, problems_from_pydantic
from databorder.ledger.cli import app as log_app
from databorder.model import DataItem, Purpose, utcnow
from databorder.settings import Settings, load_settings
from databorder.vault.keys import KeyFileError

app = typer.Typer(
    help="databorder: lawful, minimal, verifiable disclosure of personal data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
recipients_app = typer.Typer(help="The recipient registry.", no_args_is_help=True)
app.add_typer(recipients_app, name="recipients")
keys_app = typer.Typer(
    help="Service keys for the platform, telephony and officers.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
officers_app = typer.Typer(help="Privacy-officer accounts.", no_args_is_help=True)
app.add_typer(officers_app, name="officers")
app.add_typer(log_app, name="log", help="The disclosure log: verify, heads, proofs.")
notices_app = typer.Typer(
    help="Published notice versions (the privacy policy).", no_args_is_help=True
)
app.add_typer(notices_app, name="notices")
orders_app = typer.Typer(
    help="The regulator's suspension orders (PIPA Art. 28-9).", no_args_is_help=True
)
app.add_typer(orders_app, name="suspension-orders")

EXIT_INVALID = 2
EXIT_NOT_FOUND = 3
EXIT_FAILED = 1


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


def _settings() -> Settings:
    try:
        return load_settings()
    except ValidationError as exc:
        raise fail(f"settings: {InvalidInput.from_pydantic(exc, prefix='DATABORDER_')}") from exc


def _runtime() -> Any:
    from databorder.runtime import build  # noqa: PLC0415 (keeps `--help` fast)

    with reported():
        return build(_settings())


@app.command()
def init() -> None:
    """Create missing key files (owner-only) and migrate the database to the latest schema."""
    from databorder.runtime import init_keys  # noqa: PLC0415
    from databorder.store.db import make_engine  # noqa: PLC0415
    from databorder.store.migrate import upgrade  # noqa: PLC0415

    settings = _settings()
    with reported():
        for path in init_keys(settings):
            typer.echo(f"created key file {path}")
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    typer.echo(f"database at {settings.database_url} is at the latest schema")


@app.command()
def migrate() -> None:
    """Migrate the database to the latest schema (Alembic)."""
    from databorder.store.db import make_engine  # noqa: PLC0415
    from databorder.store.migrate import upgrade  # noqa: PLC0415

    engine = make_engine(_settings().database_url)
    upgrade(engine)
    engine.dispose()
    typer.echo("database is at the latest schema")


@app.command()
def decide(
    input_file: Annotated[
        Path | None, typer.Option("--input", help="JSON file; default stdin")
    ] = None,
) -> None:
    """Decide self-contained requests: a JSON object in, a decision out; an array in, an array out."""
    from databorder.api.routes.decisions import decide_json  # noqa: PLC0415
    from databorder.policy import Engine, load_pack  # noqa: PLC0415

    text = input_file.read_text("utf-8") if input_file else sys.stdin.read()
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"input is not JSON: {exc}") from exc
    with reported():
        result = decide_json(Engine(load_pack(_settings().pack)), payload)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))


def _parse_items(text: str) -> tuple[DataItem, ...]:
    items = []
    for name in (part.strip() for part in text.split(",") if part.strip()):
        try:
            items.append(DataItem(name))
        except ValueError as exc:
            allowed = ", ".join(i.value for i in DataItem)
            raise fail(f"items: unknown item {name!r}; expected one of {allowed}") from exc
    if not items:
        raise fail("items: give at least one item")
    return tuple(items)


@app.command()
def disclose(
    order: Annotated[str, typer.Option(help="order id")],
    recipient: Annotated[str, typer.Option(help="recipient id")],
    purpose: Annotated[Purpose, typer.Option(help="purpose of the transfer")],
    items: Annotated[str, typer.Option(help="comma-separated items, e.g. name,phone,address")],
    legal_mandate: Annotated[
        str | None, typer.Option(help="id of the rule pack's mandate, e.g. KR-CUSTOMS-ACT-241")
    ] = None,
) -> None:
    """Run one disclosure through the gateway and print the decision, grant and log entry."""
    from databorder.gateway.types import DisclosureAsk  # noqa: PLC0415
    from databorder.policy.codec import decision_to_json  # noqa: PLC0415

    ask = DisclosureAsk(order, recipient, purpose, _parse_items(items), legal_mandate)
    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        outcome = rt.gateway.disclose(session, ask, utcnow())
    typer.echo(
        json.dumps(
            {
                "disclosure_id": outcome.disclosure_id,
                "decision": decision_to_json(outcome.decision),
                "grant_id": outcome.grant_id,
                "grant_token": outcome.grant_token,
                "expires_at": outcome.expires_at.isoformat() if outcome.expires_at else None,
                "leaf_index": outcome.leaf_index,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


@recipients_app.command("import")
def recipients_import(file: Annotated[Path, typer.Argument(help="CSV with a header row")]) -> None:
    """Import recipients from CSV: every row is validated first; any error writes nothing."""
    from databorder.registry.services import RegistryService  # noqa: PLC0415

    if not file.exists():
        raise fail(f"file: {file} does not exist")
    try:
        text = file.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"file: {file} is not UTF-8 text") from exc
    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        created, updated = RegistryService(session).import_csv(text, utcnow())
    typer.echo(f"imported {created + updated} recipients ({created} new, {updated} updated)")


@recipients_app.command("list")
def recipients_list(
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 filter")] = None,
    output: Annotated[str, typer.Option(help="table or csv")] = "table",
) -> None:
    """List registered recipients."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from databorder.registry.services import RegistryService, rows_to_csv  # noqa: PLC0415

    rt = _runtime()
    with rt.sessions() as session:
        rows = RegistryService(session).list(country)
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


@recipients_app.command("key")
def recipients_key(recipient_id: str) -> None:
    """Issue a new API key for a recipient; it is printed once and stored only as a hash."""
    from databorder.registry.services import RegistryService  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        key = RegistryService(session).issue_api_key(recipient_id, utcnow())
    typer.echo(key)


@recipients_app.command("revoke-key")
def recipients_revoke_key(
    recipient_id: str, prefix: Annotated[str, typer.Argument(help="the key's first 12 characters")]
) -> None:
    """Revoke a recipient's API key (rotate: issue a new one first, then revoke the old)."""
    from databorder.registry.services import RegistryService  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        count = RegistryService(session).revoke_api_key(recipient_id, prefix, rt.now())
    typer.echo(f"revoked {count} key(s)")


@app.command()
def sweep() -> None:
    """End expired grants, free their relay numbers, drop old read records (idempotent)."""
    from databorder.gateway.sweeper import sweep as run_sweep  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        report = run_sweep(session, rt.now(), rt.engine.pack.home_country)
    typer.echo(
        f"grants ended: {report.grants_ended}, by suspension order: {report.suspended_by_order}, "
        f"relay endpoints released: {report.relays_released}, read records deleted: "
        f"{report.reads_deleted}"
    )


@notices_app.command("publish")
def notices_publish(
    version: Annotated[str | None, typer.Option(help="version id (default: the date)")] = None,
    summary: Annotated[str, typer.Option(help="what changed, for the version list")] = "",
    if_due: Annotated[
        bool, typer.Option("--if-due", help="only if the batch schedule says changes are due")
    ] = False,
) -> None:
    """Snapshot the registry into a new notice version, rendered in every format."""
    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        now = rt.now()
        if if_due and not rt.publisher.due(session, now, rt.settings.notice_batch_days):
            typer.echo("nothing due: no registry change since the last version, or too soon")
            return
        v = rt.publisher.publish(session, now, version, summary)
    typer.echo(
        f"published {v.version}: {v.recipient_count} recipients named, sha256 {v.content_sha256}"
    )


@notices_app.command("list")
def notices_list() -> None:
    """Every published version, newest first."""
    from databorder.notices.store import NoticeStore  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions() as session:
        for v in NoticeStore(session).versions():
            typer.echo(
                f"{v.version}\t{v.published_at.isoformat()}\t{v.recipient_count}\t"
                f"{v.content_sha256}"
            )


@notices_app.command("diff")
def notices_diff(old: str, new: str) -> None:
    """What changed between two versions, and which changes need fresh consent."""
    from databorder.notices import diff  # noqa: PLC0415
    from databorder.notices.store import NoticeStore  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions() as session:
        store = NoticeStore(session)
        changes = diff(store.snapshot(old), store.snapshot(new))
    for change in changes.changes:
        marker = "consent" if change.needs_consent else "notice "
        name = f" {change.name}" if change.name else ""
        typer.echo(f"{marker}\t{change.kind.value}\t{change.section.value}\t{change.subject}{name}")
    verdict = "needs fresh consent" if changes.needs_fresh_consent else "notice update only"
    typer.echo(f"{len(changes.changes)} change(s) from {old} to {new}: {verdict}")


@orders_app.command("add")
def orders_add(
    reference: Annotated[str, typer.Option(help="the regulator's decision it comes from")],
    recipient: Annotated[str | None, typer.Option(help="recipient id")] = None,
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 country")] = None,
    starts: Annotated[str | None, typer.Option(help="ISO instant (default now)")] = None,
    ends: Annotated[str | None, typer.Option(help="ISO instant, exclusive")] = None,
) -> None:
    """Record a suspension order; the grants it covers end at once if it is in force."""
    from databorder.registry.suspensions import SuspensionOrderIn, SuspensionService  # noqa: PLC0415

    rt = _runtime()
    with reported():
        data = SuspensionOrderIn.model_validate(
            {
                "recipient_id": recipient,
                "country": country,
                "starts_at": starts,
                "ends_at": ends,
                "reference": reference,
            }
        )
        with rt.sessions.begin() as session:
            row, revoked = SuspensionService(session, rt.engine.pack.home_country).add(
                data, rt.now()
            )
            order_id = row.id
    typer.echo(f"suspension order {order_id} recorded; {revoked} grant(s) ended")


@orders_app.command("end")
def orders_end(order_id: str) -> None:
    """End a suspension order from now on."""
    from databorder.registry.suspensions import SuspensionService  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        SuspensionService(session, rt.engine.pack.home_country).end(order_id, rt.now())
    typer.echo(f"suspension order {order_id} ended")


@orders_app.command("list")
def orders_list() -> None:
    """Every suspension order, in force or ended."""
    from databorder.registry.suspensions import SuspensionService  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions() as session:
        for r in SuspensionService(session, rt.engine.pack.home_country).every():
            target = r.recipient_id or r.country
            ends = r.ends_at.isoformat() if r.ends_at else "-"
            typer.echo(f"{r.id}\t{target}\t{r.starts_at.isoformat()}\t{ends}\t{r.reference}")


@keys_app.command("issue")
def keys_issue(
    name: Annotated[str, typer.Option(help="who holds the key, e.g. 'telephony gateway'")],
    scope: Annotated[list[str], typer.Option(help="platform, telephony or officer; repeatable")],
) -> None:
    """Issue a service key; it is printed once and stored only as a hash."""
    from databorder.auth.services import ServiceKeys  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        key = ServiceKeys(session).issue(name, scope, rt.now())
    typer.echo(key)


@keys_app.command("revoke")
def keys_revoke(
    prefix: Annotated[str, typer.Argument(help="the key's first 12 characters, e.g. dbs_AbCdEfGh")],
) -> None:
    """Revoke a service key at once, including for requests already queued to commit."""
    from databorder.auth.services import ServiceKeys  # noqa: PLC0415

    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        name = ServiceKeys(session).revoke(prefix, rt.now())
    typer.echo(f"revoked the service key of {name!r}")


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
    rt = _runtime()
    with reported(), rt.sessions.begin() as session:
        Officers(session).add(username, password, scope, rt.now())
    typer.echo(f"officer {username} created")


@keys_app.command("rotate-master")
def keys_rotate_master(
    purge: Annotated[
        bool, typer.Option(help="delete the retired key once nothing needs it")
    ] = True,
) -> None:
    """Make a new vault master key and re-wrap every buyer's data key under it."""
    from databorder.runtime import build  # noqa: PLC0415
    from databorder.vault.keys import LocalKeyFile  # noqa: PLC0415

    settings = _settings()
    with reported():
        LocalKeyFile(settings.master_key_path).rotate()
        rt = build(settings)  # reloads the key ring: new key current, old one retired
        with rt.sessions.begin() as session:
            moved = rt.vault.rewrap_all(session)
        purged = LocalKeyFile(settings.master_key_path).purge_retired() if purge else []
    typer.echo(f"re-wrapped {moved} data keys; retired keys purged: {len(purged)}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Refuses to start without its key files."""
    import uvicorn  # noqa: PLC0415

    from databorder.api.app import create_app  # noqa: PLC0415

    rt = _runtime()
    settings = rt.settings
    uvicorn.run(
        create_app(rt), host=host or settings.host, port=port or settings.port, log_level="info"
    )


@app.command()
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

    from databorder.sim.bulk import load_bulk, report_json  # noqa: PLC0415
    from databorder.sim.recipients import FIXED  # noqa: PLC0415
    from databorder.store.db import make_engine  # noqa: PLC0415
    from databorder.store.migrate import upgrade  # noqa: PLC0415
    from databorder.vault.crypto import KEY_BYTES  # noqa: PLC0415
    from databorder.vault.keys import LocalKeyFile, read_secret_file  # noqa: PLC0415

    settings = _settings()
    with reported():
        provider = LocalKeyFile(settings.master_key_path)
        blind_key = read_secret_file(settings.blind_index_key_path, KEY_BYTES)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    start = utcnow().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)
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
            engine,
            provider,
            blind_key,
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
            settings=settings,
        )
    engine.dispose()
    typer.echo(report_json(report))


@app.command()
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
    from databorder.sim.demo import run_demo  # noqa: PLC0415

    with reported():
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


def main(argv: list[str] | None = None) -> Any:
    return app(argv)
