"""`databorder log ...`: verify the stored log, show or sign the head, print a leaf's proof.

Like every command they get the log, the head signer and the clock from `runtime.build`, so
the key files are checked as the service checks them (a missing or exposed key stops the
command; the signing key is needed even to verify, since the heads are checked against its
public half) and errors are reported the same way: not found exits 3, a tampered log exits 1.
"""

import json
from typing import TYPE_CHECKING, Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, EXIT_NOT_FOUND, fail, opened

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="The disclosure log: verify, heads, proofs.", no_args_is_help=True)

EXIT_TAMPERED = EXIT_FAILED  # the check ran and failed, as `refused` does elsewhere


@app.command()
def verify() -> None:
    """Check every leaf, node and signed head; exit 1 naming the first bad index if altered."""
    from databorder.ledger.verify import verify_log  # noqa: PLC0415 (keeps `--help` fast)

    with opened() as rt, rt.sessions() as session:  # reads only: nothing is committed
        result = verify_log(session, rt.signer.public_key, rt.log)
    typer.echo(result.explain())
    if not result.ok:
        raise typer.Exit(EXIT_TAMPERED)


@app.command()
def head() -> None:
    """Print the signed tree head, signing a new one first if the log has grown."""
    with opened() as rt, rt.sessions.begin() as session:
        signed = rt.signer.current(session)
    typer.echo(json.dumps(signed.to_json(), indent=2))


@app.command()
def prove(
    index: Annotated[int | None, typer.Option(help="Leaf index in the log.", min=0)] = None,
    disclosure: Annotated[
        str | None, typer.Option(help="Disclosure id; its leaf is proved.")
    ] = None,
) -> None:
    """Print a leaf's record, its inclusion proof and a signed head that covers it."""
    from databorder.ledger.prove import prove_leaf  # noqa: PLC0415

    if (index is None) == (disclosure is None):
        raise fail("give exactly one of --index or --disclosure")
    with opened() as rt, rt.sessions.begin() as session:
        leaf = index if index is not None else _disclosure_leaf(session, str(disclosure))
        bundle = prove_leaf(session, leaf, rt.signer)
    typer.echo(json.dumps(bundle, indent=2, ensure_ascii=False))


def _disclosure_leaf(session: "Session", disclosure_id: str) -> int:
    """Where a disclosure stands in the log. The gateway's row records it; the ledger knows
    leaves, not disclosures, so the lookup is here and the ledger imports nothing of the gateway."""
    from databorder.gateway.models import Disclosure  # noqa: PLC0415
    from databorder.store.query import by_id  # noqa: PLC0415

    # By id alone: the row's primary key leads with the buyer, whom the caller does not name.
    row = by_id(session, Disclosure, disclosure_id)
    if row is None or row.leaf_index is None:
        raise fail(f"disclosure: no logged disclosure {disclosure_id!r}", EXIT_NOT_FOUND)
    return row.leaf_index
