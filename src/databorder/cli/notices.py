"""`databorder notices ...` (the published privacy policy) and `databorder suspension-orders ...`.

Both are the privacy officer's record of what the law says about transfers: the notice names
every recipient and country, and the regulator's suspension orders stop transfers it covers.
"""

from typing import Annotated

import typer

from databorder.cli._shared import EXIT_INVALID, fail, opened, reported

app = typer.Typer(help="Published notice versions (the privacy policy).", no_args_is_help=True)
orders_app = typer.Typer(
    help="The regulator's suspension orders (PIPA Art. 28-9).", no_args_is_help=True
)


@app.command("publish")
def notices_publish(
    version: Annotated[str | None, typer.Option(help="version id (default: the date)")] = None,
    summary: Annotated[str, typer.Option(help="what changed, for the version list")] = "",
    if_due: Annotated[
        bool, typer.Option("--if-due", help="only if the batch schedule says changes are due")
    ] = False,
) -> None:
    """Snapshot the registry into a new notice version, rendered in every format."""
    from pydantic import TypeAdapter, ValidationError  # noqa: PLC0415 (keeps `--help` fast)

    from databorder.model.fields import NoticeVersionName, Text  # noqa: PLC0415
    from databorder.notices.layout import InvalidSnapshotError  # noqa: PLC0415

    # The same checks as POST /v1/notices/publish: a version name and a summary a page can show.
    for option, value, kind in (
        ("--version", version, NoticeVersionName),
        ("--summary", summary, Text),
    ):
        if value:
            try:
                TypeAdapter(kind).validate_python(value)
            except ValidationError as exc:
                raise fail(f"{option}: {exc.errors()[0]['msg']}") from exc

    try:
        with opened() as rt, rt.sessions.begin() as session:
            now = rt.now()
            if if_due and not rt.publisher.due(session, now, rt.settings.notice_batch_days):
                typer.echo("nothing due: no registry change since the last version, or too soon")
                return
            v = rt.publisher.publish(session, now, version, summary)
    except InvalidSnapshotError as exc:
        # The renderer's own check (e.g. an empty version id) names every problem it found.
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(EXIT_INVALID) from exc
    typer.echo(
        f"published {v.version}: {v.recipient_count} recipients named, sha256 {v.content_sha256}"
    )


@app.command("list")
def notices_list() -> None:
    """Every published version, newest first."""
    from databorder.notices.store import NoticeStore  # noqa: PLC0415

    with opened() as rt, rt.sessions() as session:
        for v in NoticeStore(session).versions():
            typer.echo(
                f"{v.version}\t{v.published_at.isoformat()}\t{v.recipient_count}\t"
                f"{v.content_sha256}"
            )


@app.command("diff")
def notices_diff(old: str, new: str) -> None:
    """What changed between two versions, and which changes need fresh consent."""
    from databorder.notices import diff  # noqa: PLC0415
    from databorder.notices.store import NoticeStore  # noqa: PLC0415

    with opened() as rt, rt.sessions() as session:
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
    with opened() as rt, rt.sessions.begin() as session:
        row, revoked = SuspensionService(session, rt.engine.pack.home_country).add(data, rt.now())
        order_id = row.id
    typer.echo(f"suspension order {order_id} recorded; {revoked} grant(s) ended")


@orders_app.command("end")
def orders_end(order_id: str) -> None:
    """End a suspension order from now on."""
    from databorder.registry.suspensions import SuspensionService  # noqa: PLC0415

    with opened() as rt, rt.sessions.begin() as session:
        SuspensionService(session, rt.engine.pack.home_country).end(order_id, rt.now())
    typer.echo(f"suspension order {order_id} ended")


@orders_app.command("list")
def orders_list() -> None:
    """Every suspension order, in force or ended."""
    from databorder.registry.suspensions import SuspensionService  # noqa: PLC0415

    with opened() as rt, rt.sessions() as session:
        for r in SuspensionService(session, rt.engine.pack.home_country).every():
            target = r.recipient_id or r.country
            ends = r.ends_at.isoformat() if r.ends_at else "-"
            typer.echo(f"{r.id}\t{target}\t{r.starts_at.isoformat()}\t{ends}\t{r.reference}")
