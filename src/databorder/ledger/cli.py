"""`databorder log ...`: verify the stored log, show or sign the head, print a leaf's proof.

Settings come from the environment like every other command (`DATABORDER_DATABASE_URL`,
`DATABORDER_KEY_DIR`); the signing key is required even to verify, because the heads are
checked against its public half, and a missing or exposed key file stops the command.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from databorder.errors import DataborderError, InvalidInput
from databorder.ledger.log import StoredLog
from databorder.ledger.prove import prove_leaf
from databorder.ledger.signing import HeadSigner, KeyFileError, load_signing_key
from databorder.ledger.verify import verify_log
from databorder.settings import load_settings
from databorder.store.db import make_engine, make_sessionmaker

app = typer.Typer(
    help="The disclosure log: verify it, sign its head, prove a leaf.", no_args_is_help=True
)

EXIT_TAMPERED = 1
EXIT_FAILED = 1
EXIT_INVALID = 2


@contextmanager
def _context(write: bool) -> Iterator[tuple[Session, HeadSigner]]:
    """One transaction (committed only if `write` and nothing raised) and the head signer."""
    settings = load_settings()
    try:
        key = load_signing_key(settings.log_signing_key_path)
    except KeyFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from exc
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions.begin() as session:
            yield session, HeadSigner(key, StoredLog())
            if not write:
                session.rollback()
    except InvalidInput as exc:
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(EXIT_INVALID) from exc
    except DataborderError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(EXIT_FAILED) from exc
    finally:
        engine.dispose()


@app.command()
def verify() -> None:
    """Check every leaf, node and signed head; exit 1 naming the first bad index if altered."""
    with _context(write=False) as (session, signer):
        result = verify_log(session, signer.public_key, signer.log)
    typer.echo(result.explain())
    if not result.ok:
        raise typer.Exit(EXIT_TAMPERED)


@app.command()
def head() -> None:
    """Print the signed tree head, signing a new one first if the log has grown."""
    with _context(write=True) as (session, signer):
        signed = signer.current(session)
    typer.echo(json.dumps(signed.to_json(), indent=2))


@app.command()
def prove(
    index: Annotated[int | None, typer.Option(help="Leaf index in the log.", min=0)] = None,
    disclosure: Annotated[
        str | None, typer.Option(help="Disclosure id; its leaf is proved.")
    ] = None,
) -> None:
    """Print a leaf's record, its inclusion proof and a signed head that covers it."""
    if (index is None) == (disclosure is None):
        typer.echo("error: give exactly one of --index or --disclosure", err=True)
        raise typer.Exit(EXIT_INVALID)
    with _context(write=True) as (session, signer):
        if disclosure is not None:
            index = _disclosure_leaf(session, disclosure)
        assert index is not None  # noqa: S101 (narrowed by the check above)
        bundle = prove_leaf(session, index, signer)
    typer.echo(json.dumps(bundle, indent=2, ensure_ascii=False))


def _disclosure_leaf(session: Session, disclosure_id: str) -> int:
    # Imported here: the ledger does not depend on the gateway except for this lookup.
    from databorder.errors import NotFound  # noqa: PLC0415
    from databorder.gateway.models import Disclosure  # noqa: PLC0415

    row = session.get(Disclosure, disclosure_id)
    if row is None or row.leaf_index is None:
        raise NotFound("logged disclosure", disclosure_id)
    return row.leaf_index
