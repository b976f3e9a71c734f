"""`databorder disclose`: one disclosure through the gateway, as the platform would ask it.

It prints the same JSON as `POST /v1/disclosures` answers (`gateway.codec.outcome_to_json`).
"""

import json
from typing import Annotated

import typer

from databorder.cli._shared import fail, opened
from databorder.model import DataItem, Purpose


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
    from databorder.gateway.codec import outcome_to_json  # noqa: PLC0415 (keeps `--help` fast)
    from databorder.gateway.types import DisclosureAsk  # noqa: PLC0415

    ask = DisclosureAsk(order, recipient, purpose, _parse_items(items), legal_mandate)
    with opened() as rt, rt.sessions.begin() as session:
        outcome = rt.gateway.disclose(session, ask, rt.now())
        tree_size = rt.log.size(session)
    typer.echo(json.dumps(outcome_to_json(outcome, tree_size), ensure_ascii=False, indent=2))
