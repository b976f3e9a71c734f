"""Every command the README and docs/ name, given a bad argument, answers with one clear line.

An unknown id, a malformed value, a missing required option or an unknown one: each ends in
`error: ...` on stderr and the documented exit code (2 bad input, 3 not found, 1 refused),
never a traceback. Each case runs the real `python -m databorder` against one empty, migrated
database with its keys; the processes run side by side, since none of them writes anything.
"""

import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup

from databorder.cli import app
from databorder.model import DataItem, Purpose
from databorder.runtime import init_keys, migrate
from databorder.settings import Settings

BAD_CSV = Path(__file__).parents[1] / "api" / "recipients_bad.csv"
ITEMS = ", ".join(item.value for item in DataItem)
PURPOSES = ", ".join(repr(purpose.value) for purpose in Purpose)
ISO_COUNTRY = "country must be an ISO 3166-1 alpha-2 code such as 'JP' or 'CN'"
DISCLOSE = "disclose --order o-1 --recipient s-1"


@dataclass(frozen=True)
class Case:
    command: str  # as typed after `databorder`
    code: int
    error: str  # the one line on stderr, after `error: `
    stdin: str = ""

    @property
    def args(self) -> list[str]:
        return shlex.split(self.command)


CASES = [
    # set up keys and schema
    Case("init --force", 2, "no such option: --force"),
    Case("migrate head", 2, "got unexpected extra argument(s) (head)"),
    # service keys, officers, the vault master key
    Case(
        "keys issue --name shop --scope root",
        2,
        "scopes: expected one or more of ['platform', 'telephony', 'officer', 'metrics'], got ['root']",
    ),
    Case("keys issue --scope platform", 2, "--name: missing; it is required"),
    Case("keys revoke dbs_Nobody123", 3, "live service key with prefix 'dbs_Nobody123' not found"),
    Case(
        "keys rotate-master --purged",
        2,
        "no such option: --purged (Possible options: --no-purge, --purge)",
    ),
    Case(
        "officers add dpo --scope officer --password-stdin",
        2,
        "password: a password needs at least 12 characters",
        stdin="short\n",
    ),
    Case("officers add", 2, "username: missing; it is required"),
    # decide a self-contained request
    Case(
        "decide --input /nonexistent/request.json",
        2,
        "input: /nonexistent/request.json does not exist",
    ),
    Case(
        "decide",
        2,
        "input is not JSON: Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)",
        stdin="{not json",
    ),
    # disclose an order's data
    Case(
        "disclose --order o-404 --recipient s-1 --purpose shipping --items name",
        3,
        "order 'o-404' not found",
    ),
    Case(
        f"{DISCLOSE} --purpose gifts --items name",
        2,
        f"--purpose: 'gifts' is not one of {PURPOSES}.",
    ),
    Case(
        f"{DISCLOSE} --purpose shipping --items name,shoe_size",
        2,
        f"items: unknown item 'shoe_size'; expected one of {ITEMS}",
    ),
    Case(f"{DISCLOSE} --purpose shipping", 2, "--items: missing; it is required"),
    # publish the notice
    Case("notices publish --version ''", 2, "version must not be empty"),
    Case(
        "notices publish --version 'a b'",
        2,
        "--version: String should match pattern '^[0-9A-Za-z][0-9A-Za-z._-]*$'",
    ),
    Case("notices list --all", 2, "no such option: --all"),
    Case("notices diff v1 v9", 3, "notice version 'v1' not found"),
    Case("notices diff v1", 2, "new: missing; it is required"),
    # the regulator's suspension orders
    Case(
        "suspension-orders add --reference 'PIPC 2026-9' --country ZZ",
        2,
        f"country: {ISO_COUNTRY}, got 'ZZ'",
    ),
    Case(
        "suspension-orders add --reference 'PIPC 2026-9' --country CN --starts yesterday",
        2,
        "starts_at: expected an RFC 3339 date-time with an offset, "
        "e.g. 2026-11-23T10:00:00+09:00, got 'yesterday'",
    ),
    Case("suspension-orders add --country CN", 2, "--reference: missing; it is required"),
    Case("suspension-orders end so-nobody", 3, "suspension order 'so-nobody' not found"),
    Case("suspension-orders list CN", 2, "got unexpected extra argument(s) (CN)"),
    Case("rights dispatch now", 2, "got unexpected extra argument(s) (now)"),
    Case("buyers login-link b-nobody", 3, "buyer 'b-nobody' not found"),
    # recipients
    Case(
        "recipients import /nonexistent/recipients.csv",
        2,
        "file: /nonexistent/recipients.csv does not exist",
    ),
    Case(
        f"recipients import {BAD_CSV}",
        2,
        "row 2, privacy_phone: phone is not a valid number; give it in international form, "
        "e.g. +82 2 1234 5678",
    ),
    Case("recipients list --output xml", 2, "output: expected one of table, csv, got 'xml'"),
    Case("recipients list --country XX", 2, f"country: {ISO_COUNTRY}, got 'XX'"),
    Case("recipients key s-404", 3, "recipient 's-404' not found"),
    Case("recipients revoke-key s-404 dbr_AbCdEfGh", 3, "recipient 's-404' not found"),
    Case("recipients revoke-key s-404", 2, "prefix: missing; it is required"),
    Case("recipients revoke s-404", 2, "no such command 'revoke'. Did you mean 'revoke-key'?"),
    # the disclosure log
    Case("log verify now", 2, "got unexpected extra argument(s) (now)"),
    Case(
        "log verify --quorum 1", 2, "--witness: quorum must be between 0 and the 0 witnesses, got 1"
    ),
    Case(
        "log verify --witness notavkey",
        2,
        "--witness: vkey must be '<name>+<hex id>+<base64 key>', got 'notavkey'",
    ),
    Case("log checkpoint now", 2, "got unexpected extra argument(s) (now)"),
    Case("log witness", 2, "DATABORDER_WITNESSES: no witnesses configured"),
    # a witness (its own key and store; no DATABORDER_ settings)
    Case(
        "witness init --name 'a b' --key k.key",
        2,
        "--name: key name must be non-empty with no spaces or '+', got 'a b'",
    ),
    Case(
        "witness vkey --name w.example --key /nonexistent/k",
        2,
        "--key: /nonexistent/k does not exist; create it with `databorder witness init`",
    ),
    Case(
        "witness serve --name w.example --key /nonexistent/k", 2, "--log: missing; it is required"
    ),
    # the message filter
    Case("dlp scan --output out.jsonl", 2, "--input: missing; it is required"),
    Case("log head --size 3", 2, "no such option: --size"),
    Case("log prove --disclosure nope", 3, "disclosure: no logged disclosure 'nope'"),
    Case("log prove --index 5", 3, "log leaf '5' not found"),
    Case("log prove --index -1", 2, "--index: Input should be greater than or equal to 0"),
    Case("log prove", 2, "give exactly one of --index or --disclosure"),
    Case("log prove --index 0 --disclosure d-1", 2, "give exactly one of --index or --disclosure"),
    # the compliance audit (docs/audit.md)
    Case(
        "audit run --from yesterday",
        2,
        "--from: expected an RFC 3339 date-time with an offset, "
        "e.g. 2026-11-01T00:00:00+09:00, got 'yesterday'",
    ),
    Case("audit run --engine spark", 2, "--engine: 'spark' is not one of 'live', 'duckdb'."),
    Case(
        "audit run --engine duckdb", 2, "--parquet: give the export directory with --engine duckdb"
    ),
    Case(
        "audit run --engine duckdb --parquet /nonexistent/export",
        2,
        "parquet: /nonexistent/export holds no manifest.json: not an export of "
        "`databorder export parquet`, or one that did not finish",
    ),
    Case(
        "audit run --sales 100",
        2,
        "--sales and --unrelated-sales: give both, or neither",
    ),
    Case(
        "audit verify-pack /nonexistent/pack.tar.gz",
        2,
        "pack: cannot read /nonexistent/pack.tar.gz: No such file or directory",
    ),
    Case("audit runs --limit 0", 2, "--limit: Input should be greater than or equal to 1"),
    Case("export parquet", 2, "--out: missing; it is required"),
    # retention
    Case("sweep --now x", 2, "no such option: --now"),
    # serve the API
    Case(
        "serve --port http",
        2,
        "--port: Input should be a valid integer, unable to parse string as an integer",
    ),
    # the synthetic marketplace (docs/scale.md, `make demo`)
    Case("sim --buyers 0", 2, "--buyers: Input should be greater than or equal to 1"),
    Case("demo --orders 0", 2, "--orders: Input should be greater than or equal to 1"),
]


def run(env: dict[str, str], case: Case) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "databorder", *case.args],
        input=case.stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def answers(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every case's answer by its command, from one empty database with its keys."""
    home = tmp_path_factory.mktemp("commands")
    settings = Settings(database_url=f"sqlite:///{home / 'db.sqlite'}", key_dir=home / "keys")
    init_keys(settings)
    migrate(settings)
    env = {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
    }
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {case.command: pool.submit(run, env, case) for case in CASES}
        return {command: future.result() for command, future in futures.items()}


@pytest.mark.parametrize("case", CASES, ids=[case.command for case in CASES])
def test_bad_argument_answers_one_error_line_and_the_documented_code(
    answers: dict[str, subprocess.CompletedProcess[str]], case: Case
) -> None:
    answer = answers[case.command]
    assert "Traceback" not in answer.stderr
    assert answer.stderr.splitlines() == [f"error: {case.error}"]
    assert answer.returncode == case.code


def commands() -> set[str]:
    """Every command the CLI has, as typed: `sweep`, `log prove`."""
    root = typer.main.get_command(app)
    assert isinstance(root, TyperGroup)
    return {
        f"{name} {sub}" if isinstance(command, TyperGroup) else name
        for name, command in root.commands.items()
        for sub in (command.commands if isinstance(command, TyperGroup) else [""])
    }


def command_of(words: list[str]) -> str:
    """The command a command line runs: `log prove --index 5` runs `log prove`."""
    two = " ".join(words[:2])
    return two if two in commands() else words[0]


def readme_commands() -> set[str]:
    """The commands README.md's "Using it" table names in its CLI column."""
    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    table = readme.split("## Using it", 1)[1].split("\n\n", 2)[1]
    named = set()
    for row in table.splitlines()[2:]:
        cli = re.split(r"(?<!\\)\|", row)[2]  # `\|` inside a cell is not a column break
        group = ""
        for span in re.findall(r"`([^`]+)`", cli):
            words = span.removeprefix("databorder ").split()
            if words[0].startswith("-") or words[0] == "uvicorn":
                continue  # an option of the command before it; another program
            if words[0] not in {c.split()[0] for c in commands()}:
                words = [group, *words]  # `list` after `databorder notices publish`
            group = words[0]
            named.add(command_of(words))
    return named


def test_every_command_has_a_bad_argument_case() -> None:
    assert commands() - {command_of(case.args) for case in CASES} == set()


def test_every_command_the_readme_names_exists() -> None:
    named = readme_commands()
    assert len(named) > 20  # the table was read, not skipped
    assert named - commands() == set()
