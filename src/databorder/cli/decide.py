"""`databorder decide`: the policy engine alone, over self-contained requests (contract v2)."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from databorder.cli._shared import fail, read_text, reported, settings


def decide(
    input_file: Annotated[
        Path | None, typer.Option("--input", help="JSON file; default stdin")
    ] = None,
) -> None:
    """Decide self-contained requests: a JSON object in, a decision out; an array in, an array out."""
    from databorder.policy.json_api import decide_json  # noqa: PLC0415 (keeps `--help` fast)
    from databorder.runtime import policy_engine  # noqa: PLC0415

    text = read_text(input_file, "input") if input_file else sys.stdin.read()
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"input is not JSON: {exc}") from exc
    with reported():
        result = decide_json(policy_engine(settings()), payload)
    typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
