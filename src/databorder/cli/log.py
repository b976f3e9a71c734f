"""`databorder log ...`: verify the stored log, show or sign the head, print a leaf's proof.

Like every command they get the log, the head signer and the clock from `runtime.build`, so
the key files are checked as the service checks them (a missing or exposed key stops the
command; the signing key is needed even to verify, since the heads are checked against its
public half) and errors are reported the same way: not found exits 3, a tampered log exits 1.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, EXIT_NOT_FOUND, fail, opened, read_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="The disclosure log: verify, heads, proofs.", no_args_is_help=True)

EXIT_TAMPERED = EXIT_FAILED  # the check ran and failed, as `refused` does elsewhere


@app.command()
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="A checkpoint kept outside the log; fails on any rollback or fork."),
    ] = None,
    witness: Annotated[
        list[str] | None,
        typer.Option(help="A witness's cosignature vkey the latest checkpoint counts; repeat."),
    ] = None,
    quorum: Annotated[
        int, typer.Option(help="Cosignatures by --witness keys the latest checkpoint needs.", min=0)
    ] = 0,
    max_age: Annotated[
        int | None, typer.Option(help="Seconds after which a cosignature no longer counts.", min=1)
    ] = None,
) -> None:
    """Check every leaf, node and signed head; exit 1 naming the first bad index if altered.

    With --checkpoint, the log must also extend a checkpoint kept elsewhere; with --witness and
    --quorum, its latest checkpoint must carry that many fresh witness cosignatures.
    """
    from databorder.ledger.checkpoint import Policy  # noqa: PLC0415
    from databorder.ledger.held import explain_held, explain_policy, read_held  # noqa: PLC0415
    from databorder.ledger.note import NoteError, parse_vkey  # noqa: PLC0415
    from databorder.ledger.verify import verify_log  # noqa: PLC0415 (keeps `--help` fast)

    if max_age is not None and not (witness or quorum):
        raise fail("--max-age: applies to witness cosignatures; give --witness and --quorum")
    held_bytes = None if checkpoint is None else read_text(checkpoint, "--checkpoint").encode()
    with opened() as rt:
        try:
            witnesses = tuple(parse_vkey(vkey) for vkey in witness or [])
            policy = Policy(rt.signer.verifier, witnesses, quorum, max_age)
        except NoteError as error:
            raise fail(f"--witness: {error}") from error
        try:
            held = read_held(held_bytes, rt.signer) if held_bytes is not None else None
        except NoteError as error:
            raise fail(f"--checkpoint: {error}", EXIT_TAMPERED) from error
        with rt.sessions.begin() as session:  # may sign a head for the policy's checkpoint
            result = verify_log(session, rt.signer.public_key, rt.log)
            found = []
            if held is not None:
                found.append(explain_held(session, rt.log, held))
            if witnesses or quorum:
                now = int(rt.now().timestamp())
                found.append(explain_policy(session, rt.signer, policy, now))
    typer.echo(result.explain())
    found = [problem for problem in found if problem is not None]
    for problem in found:
        typer.echo(problem)
    if held is not None and not found:
        typer.echo(f"extends the kept checkpoint of {held.size} leaves")
    if not result.ok or found:
        raise typer.Exit(EXIT_TAMPERED)


@app.command()
def checkpoint() -> None:
    """Print the log's latest checkpoint with its cosignatures (keep it to hold the log to it)."""
    from databorder.ledger.witnessing import cosigned_checkpoint  # noqa: PLC0415

    with opened() as rt, rt.sessions.begin() as session:
        note = cosigned_checkpoint(session, rt.signer, rt.signer.current(session))
    typer.echo(note.encode().decode(), nl=False)


@app.command()
def witness() -> None:
    """Offer the latest checkpoint to the configured witnesses now; exit 1 on any alarm."""
    with opened() as rt:
        if not rt.witnessing.witnesses:
            raise fail("DATABORDER_WITNESSES: no witnesses configured")
        results = rt.witnessing.submit()
    for result in results:
        outcome = "cosigned" if result.cosigned else f"{result.alarm} alarm: {result.detail}"
        typer.echo(f"{result.witness}: checkpoint {result.tree_size}: {outcome}")
    if any(not r.cosigned for r in results):
        raise typer.Exit(EXIT_FAILED)


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
