"""The CLI: clear errors with non-zero exits, and nothing written by a failing command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from databorder.auth.services import Scope, ServiceKeys
from databorder.errors import Unauthorized
from databorder.registry.models import Recipient
from databorder.runtime import Runtime
from databorder.settings import Settings

EXAMPLE = Path(__file__).parents[1] / "api" / "recipients_bad.csv"


def run(settings: Settings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABORDER_DATABASE_URL": settings.database_url,
        "DATABORDER_KEY_DIR": str(settings.key_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "databorder", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_decide_reads_stdin_and_prints_a_decision(settings: Settings) -> None:
    request = json.loads((Path(__file__).parent / "decision_request.json").read_text("utf-8"))
    result = run(settings, "decide", stdin=json.dumps(request))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["allowed"] is True
    assert decision["items"]["phone"] == "relay"


def test_decide_rejects_unknown_key_with_exit_2(settings: Settings) -> None:
    result = run(settings, "decide", stdin='{"at": "2026-11-23T10:00:00+09:00", "colour": 1}')
    assert result.returncode == 2
    assert "error: colour: Extra inputs are not permitted" in result.stderr


def test_recipients_import_names_row_and_field_and_writes_nothing(
    settings: Settings, runtime: Runtime
) -> None:
    result = run(settings, "recipients", "import", str(EXAMPLE))
    assert result.returncode == 2
    assert "error: row 2, privacy_phone:" in result.stderr
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Recipient)) == 0


def test_disclose_unknown_order_exits_3(settings: Settings) -> None:
    result = run(
        settings,
        "disclose",
        "--order",
        "o-404",
        "--recipient",
        "s-1",
        "--purpose",
        "shipping",
        "--items",
        "name",
    )
    assert result.returncode == 3
    assert "error: order 'o-404' not found" in result.stderr


def test_disclose_unknown_item_is_named(settings: Settings) -> None:
    result = run(
        settings,
        "disclose",
        "--order",
        "o-1",
        "--recipient",
        "s-1",
        "--purpose",
        "shipping",
        "--items",
        "name,shoe_size",
    )
    assert result.returncode == 2
    assert "items: unknown item 'shoe_size'" in result.stderr


@pytest.mark.parametrize("key", ["master", "blind", "signing"])
@pytest.mark.parametrize("problem", ["missing", "readable"])
def test_service_refuses_to_start_without_each_private_key(
    settings: Settings, key: str, problem: str
) -> None:
    path = {
        "master": settings.master_key_path,
        "blind": settings.blind_index_key_path,
        "signing": settings.log_signing_key_path,
    }[key]
    if problem == "missing":
        path.unlink()
    else:
        path.chmod(0o644)
    result = run(settings, "recipients", "list")
    assert result.returncode == 1
    expected = "is missing" if problem == "missing" else "accessible to other users"
    assert expected in result.stderr
    assert str(path) in result.stderr


def test_keys_revoke_by_prefix_then_the_key_is_refused(
    runtime: Runtime, settings: Settings
) -> None:
    issued = run(settings, "keys", "issue", "--name", "old shop", "--scope", "platform")
    assert issued.returncode == 0, issued.stderr
    key = issued.stdout.strip()
    revoked = run(settings, "keys", "revoke", key[:12])
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.strip() == "revoked the service key of 'old shop'"
    again = run(settings, "keys", "revoke", key[:12])
    assert again.returncode == 3
    assert "live service key with prefix" in again.stderr
    with pytest.raises(Unauthorized), runtime.sessions() as s:
        ServiceKeys(s).require(key, Scope.PLATFORM, runtime.now())


def test_notices_publish_list_and_diff(settings: Settings, runtime: Runtime) -> None:
    from factories import add_recipient  # noqa: PLC0415

    with runtime.sessions.begin() as s:
        add_recipient(s)
    first = run(settings, "notices", "publish", "--version", "v1", "--summary", "first")
    assert first.returncode == 0, first.stderr
    assert "published v1: 1 recipients named" in first.stdout
    with runtime.sessions.begin() as s:
        add_recipient(s, "s-cn-2", legal_name="Yiwu Other Goods Co., Ltd.")
    assert run(settings, "notices", "publish", "--version", "v2").returncode == 0
    listed = run(settings, "notices", "list")
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["v2", "v1"]
    changes = run(settings, "notices", "diff", "v1", "v2")
    assert changes.returncode == 0, changes.stderr
    assert "s-cn-2" in changes.stdout
    assert changes.stdout.rstrip().endswith("needs fresh consent")  # a new seller abroad
    duplicate = run(settings, "notices", "publish", "--version", "v2")
    assert duplicate.returncode == 2
    assert "error: version:" in duplicate.stderr
    unknown = run(settings, "notices", "diff", "v1", "v9")
    assert unknown.returncode == 3


def test_suspension_orders_add_list_end(settings: Settings, runtime: Runtime) -> None:
    from factories import add_recipient  # noqa: PLC0415

    with runtime.sessions.begin() as s:
        add_recipient(s)
    both = run(
        settings, "suspension-orders", "add", "--reference", "PIPC 2026-9",
        "--recipient", "s-cn-1", "--country", "CN",
    )  # fmt: skip
    assert both.returncode == 2
    assert "exactly one of recipient_id and country" in both.stderr
    added = run(
        settings, "suspension-orders", "add", "--reference", "PIPC 2026-9", "--country", "CN"
    )
    assert added.returncode == 0, added.stderr
    order_id = added.stdout.split()[2]
    listed = run(settings, "suspension-orders", "list")
    assert order_id in listed.stdout
    assert "\tCN\t" in listed.stdout
    ended = run(settings, "suspension-orders", "end", order_id)
    assert ended.returncode == 0, ended.stderr
    assert run(settings, "suspension-orders", "end", "so-nobody").returncode == 3


def test_disclose_prints_the_answer_of_the_http_api(settings: Settings, world: Runtime) -> None:
    result = run(
        settings, "disclose", "--order", "o-1", "--recipient", "s-cn-1",
        "--purpose", "shipping", "--items", "name,address",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert sorted(answer) == ["decision", "disclosure_id", "grant", "log"]
    assert answer["log"] == {"leaf_index": 0, "tree_size": 1}
    with world.sessions() as s:
        assert world.log.size(s) == 1


def test_loading_the_cli_imports_no_service_or_extra() -> None:
    """`--help` stays fast, and works without the `sim` extra: commands import when they run."""
    probe = (
        "import sys, databorder.cli; "
        "print(sorted(m for m in ('sqlalchemy', 'fastapi', 'faker', 'databorder.runtime') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout == "[]\n", result.stderr


def test_buyers_login_link_prints_a_token_the_privacy_center_accepts(
    settings: Settings, runtime: Runtime
) -> None:
    from urllib.parse import parse_qs, urlsplit  # noqa: PLC0415

    from databorder.model import utcnow  # noqa: PLC0415
    from databorder.web.buyer_session import check_login_token, load_keys  # noqa: PLC0415
    from factories import add_buyer  # noqa: PLC0415

    with runtime.sessions.begin() as s:
        add_buyer(s, runtime)
    result = run(settings, "buyers", "login-link", "b-1", "--base-url", "https://shop.example")
    assert result.returncode == 0, result.stderr
    link = urlsplit(result.stdout.strip())
    assert (link.scheme, link.netloc, link.path) == ("https", "shop.example", "/me/login")
    token = parse_qs(link.query)["token"][0]
    check = check_login_token(token, load_keys(settings.key_dir).login, utcnow())
    assert check.buyer_id == "b-1"
