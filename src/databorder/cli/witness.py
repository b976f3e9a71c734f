"""`databorder witness ...`: run a witness that cosigns a log's checkpoints (C2SP tlog-witness).

A witness is someone other than the log's operator: a regulator, an auditor, a consumer body.
It needs no database of the log's and no key of the log's other than its public vkey, so these
commands read no `DATABORDER_` settings: its own key file, its own store, the logs it follows.
"""

from pathlib import Path
from typing import Annotated

import typer

from databorder.cli._shared import EXIT_FAILED, fail

app = typer.Typer(help="A witness: cosigns a log's checkpoints while it stays append-only.")

Name = Annotated[
    str, typer.Option(help="The witness's name, a schema-less URL, e.g. witness.example.org/w1")
]
KeyPath = Annotated[Path, typer.Option("--key", help="The witness's Ed25519 key file (0600)")]


def _verifier_of(name: str, key_path: Path) -> str:
    from databorder.ledger.note import NoteError, SignatureType, Verifier  # noqa: PLC0415
    from databorder.ledger.signing import load_signing_key  # noqa: PLC0415
    from databorder.vault.keys import KeyFileError  # noqa: PLC0415

    if not key_path.exists():
        raise fail(f"--key: {key_path} does not exist; create it with `databorder witness init`")
    try:
        key = load_signing_key(key_path)
        return Verifier.of(name, SignatureType.COSIGNATURE_V1, key.public_key()).vkey
    except KeyFileError as error:
        raise fail(f"--key: {error}", EXIT_FAILED) from error
    except NoteError as error:
        raise fail(f"--name: {error}") from error


@app.command()
def init(name: Name, key: KeyPath) -> None:
    """Create the witness's key file (never overwriting one) and print its vkey."""
    from databorder.ledger.note import NoteError, check_key_name  # noqa: PLC0415
    from databorder.ledger.signing import create_signing_key  # noqa: PLC0415
    from databorder.vault.keys import KeyFileError  # noqa: PLC0415

    try:
        check_key_name(name)
    except NoteError as error:
        raise fail(f"--name: {error}") from error
    try:
        create_signing_key(key)
    except KeyFileError as error:
        raise fail(f"--key: {error}", EXIT_FAILED) from error
    typer.echo(_verifier_of(name, key))


@app.command()
def vkey(name: Name, key: KeyPath) -> None:
    """Print the witness's vkey (what a log lists in DATABORDER_WITNESSES, after its URL)."""
    typer.echo(_verifier_of(name, key))


@app.command()
def serve(
    name: Name,
    key: KeyPath,
    log: Annotated[
        list[str],
        typer.Option(help="A followed log's checkpoint vkey (GET /v1/log/key's vkey); repeat"),
    ],
    database: Annotated[
        str, typer.Option(help="The witness's own store (SQLAlchemy URL)")
    ] = "sqlite:///witness.db",
    host: Annotated[str, typer.Option(help="bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", min=1, max=65535)] = 8090,
) -> None:
    """Serve POST /add-checkpoint for the listed logs until stopped."""
    from databorder.api.server import serve as run  # noqa: PLC0415
    from databorder.witness.app import build_witness, make_app  # noqa: PLC0415

    _verifier_of(name, key)  # the key file and the name are checked before anything starts
    try:
        witness = build_witness(name, key, log, database)
    except ValueError as error:
        raise fail(f"--log: {error}") from error
    run(make_app(witness), host, port)
