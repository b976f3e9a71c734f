"""Buyers: the marketplace's hand-over of a buyer to the privacy center."""

from typing import Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, fail, opened, reported

app = typer.Typer(help="Buyers and their privacy center.", no_args_is_help=True)


@app.command("login-link")
def login_link(
    buyer_id: Annotated[str, typer.Argument(help="the buyer's id")],
    base_url: Annotated[
        str, typer.Option(help="where the service is reached")
    ] = "http://127.0.0.1:8000",
) -> None:
    """Print a one-time sign-in link to the buyer's privacy center (valid two minutes)."""
    from databorder.errors import NotFound  # noqa: PLC0415
    from databorder.marketplace.models import Buyer  # noqa: PLC0415
    from databorder.web.buyer_session import load_keys  # noqa: PLC0415
    from databorder.web.buyer_session import login_link as make_link  # noqa: PLC0415

    with opened() as rt, reported():
        key = load_keys(rt.settings.key_dir).login
        if key.signing is None:
            raise fail(
                "login key: buyer-login.pub is present, so the marketplace signs the hand-over "
                "tokens with its private key; this service only verifies them",
                EXIT_FAILED,
            )
        with rt.sessions() as session:
            buyer = session.get(Buyer, buyer_id)
            if buyer is None or buyer.deleted_at is not None:
                raise NotFound("buyer", buyer_id)
        link = make_link(buyer_id, base_url, key, rt.now())
    typer.echo(link)
