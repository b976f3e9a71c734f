"""The distribution plan on a running Citus cluster (scripts/citus-test-cluster: a coordinator and
two workers on loopback, Citus built from the vendored source when the server lacks it).

The storage, gateway, rights and log suites run on this cluster too (their `backend` takes
"citus"), so the same behaviour is checked there as on PostgreSQL; this module checks what only a
cluster can show: the plan ran whole, the tables are placed as it says with shards on both
workers, and a buyer's or a seller's requests each go to one shard.
"""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text

from databorder.api.app import create_app
from databorder.gateway.types import DisclosureAsk
from databorder.marketplace.models import Buyer
from databorder.model import DataItem, Purpose
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from databorder.store.db import make_engine
from databorder.store.distribution import (
    COORDINATOR,
    DISTRIBUTED,
    REFERENCE,
    apply_citus_plan,
    citus_statements,
)
from databorder.web.me import views
from factories import T0

NOW = T0 + timedelta(days=2)


@pytest.fixture
def backend() -> str:
    return "citus"  # every test here is about the cluster


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_the_whole_plan_ran_on_a_fresh_cluster_and_a_second_run_has_nothing_to_do(
    citus_plan_run: list[str], engine: Engine
) -> None:
    # The session's fixture applied the plan to the freshly migrated cluster: had a statement
    # failed, it would have raised there; every one of them ran, none was found in place.
    assert citus_plan_run == citus_statements()
    assert apply_citus_plan(engine) == []


def test_databorder_migrate_citus_is_idempotent_and_refuses_plain_postgresql(
    database_url: str, migrated_postgres: str, tmp_path: Any
) -> None:
    def migrate(url: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "DATABORDER_DATABASE_URL": url, "DATABORDER_KEY_DIR": str(tmp_path)}
        return subprocess.run(
            [sys.executable, "-m", "databorder", "migrate", "--citus"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    again = migrate(database_url)
    assert again.returncode == 0, again.stderr
    total = len(citus_statements())
    assert again.stdout.splitlines()[-1] == (
        f"citus plan: 0 of {total} statements applied, the others in place"
    )
    plain = migrate(migrated_postgres)
    assert plain.returncode == 1
    assert "expected a Citus coordinator (extension citus)" in plain.stderr


def test_tables_are_placed_as_the_plan_says(engine: Engine) -> None:
    with engine.connect() as conn:
        placed = {
            row.table_name: (row.citus_table_type, row.distribution_column, row.colocation_id)
            for row in conn.execute(
                text(
                    "SELECT table_name::text, citus_table_type, distribution_column, "
                    "colocation_id FROM citus_tables"
                )
            )
        }
    assert {t for t, p in placed.items() if p[0] == "reference"} == REFERENCE
    assert {t: p[1] for t, p in placed.items() if p[0] == "distributed"} == {
        t: spec.column for t, spec in DISTRIBUTED.items()
    }
    groups: dict[str, set[int]] = {}
    for table, spec in DISTRIBUTED.items():
        groups.setdefault(spec.group, set()).add(placed[table][2])
    assert all(len(ids) == 1 for ids in groups.values()), groups  # one co-location per group
    assert len({next(iter(ids)) for ids in groups.values()}) == len(groups)
    assert not COORDINATOR & set(placed)  # the log stays a local table on the coordinator


def test_every_distributed_table_has_shards_on_both_workers(engine: Engine) -> None:
    with engine.connect() as conn:
        workers = set(
            conn.execute(
                text("SELECT nodeport FROM pg_dist_node WHERE groupid <> 0 AND isactive")
            ).scalars()
        )
        spread = {
            row.table_name: set(row.ports)
            for row in conn.execute(
                text(
                    "SELECT table_name::text, array_agg(DISTINCT nodeport) AS ports "
                    "FROM citus_shards WHERE citus_table_type = 'distributed' GROUP BY 1"
                )
            )
        }
    assert len(workers) == 2
    assert spread == dict.fromkeys(DISTRIBUTED, workers)


@contextmanager
def recorded(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement the code sends through `engine` meanwhile, with its parameters."""
    sent: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        sent.append((statement, params[0] if isinstance(params, list) else params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)", re.IGNORECASE)


def tasks_of(engine: Engine, sent: list[tuple[str, Any]]) -> list[tuple[int, str]]:
    """Citus's task count for each statement that touches a distributed table (EXPLAIN, which
    plans without running), with the statement."""
    counted = []
    with engine.connect() as conn:
        for statement, params in sent:
            if not set(_TABLE.findall(statement)) & set(DISTRIBUTED):
                continue
            plan = conn.exec_driver_sql(f"EXPLAIN {statement}", params).scalars().all()
            found = re.search(r"Task Count: (\d+)", "\n".join(plan))
            assert found, f"no distributed plan for {statement}: {plan}"
            counted.append((int(found.group(1)), " ".join(statement.split())))
    return counted


def shards_per_table(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SHOW citus.shard_count")).scalar_one())


@pytest.fixture
def rt(world: Runtime) -> Runtime:
    return replace(world, clock=lambda: NOW)


def test_a_disclosure_and_the_buyers_own_reads_each_go_to_one_shard(rt: Runtime) -> None:
    with recorded(rt.db) as sent, rt.sessions.begin() as s:
        ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME, DataItem.PHONE))
        outcome = rt.gateway.disclose(s, ask, T0 + timedelta(minutes=5))
    assert outcome.grant_token is not None
    with recorded(rt.db) as read, rt.sessions() as s:
        buyer = s.get(Buyer, "b-1")
        assert buyer is not None
        home = views.home(s, buyer, "KR")
        mine = views.my_data(s, "b-1", "KR", NOW)
        consents = views.consents(s, "b-1")
    assert home.recipients == 1
    assert [card.recipient_id for group in mine.groups for card in group.recipients] == ["s-cn-1"]
    assert len(consents) == 2
    decided = tasks_of(rt.db, sent)
    assert len(decided) >= 6  # the buyer, consents, order, vault, the grant, the disclosure
    # A disclosure names its order, not its buyer: finding the order by its id alone asks every
    # shard of the buyers' group, once; every read and write after it names its shard's key.
    by_order_id = [
        c for c in decided if c[1].startswith("SELECT orders.") and "buyer_id =" not in c[1]
    ]
    assert len(by_order_id) == 1
    assert [c for c in decided if c[0] != 1] == [(shards_per_table(rt.db), by_order_id[0][1])]
    # The buyer's own pages: every read of the buyer's tables is one shard. Their grants live
    # with the recipients (spread by recipient for the sellers' reads), so the reads of a
    # buyer's grants ask every shard of the grants' group: 2 workers x 2 shards here.
    viewed = tasks_of(rt.db, read)
    own = [c for c in viewed if "access_grants" not in c[1]]
    assert len(own) >= 3
    assert [c for c in own if c[0] != 1] == []
    assert {c[0] for c in viewed if "access_grants" in c[1]} <= {1, shards_per_table(rt.db)}


def test_a_sellers_grant_lookup_and_read_go_to_one_shard(rt: Runtime) -> None:
    with rt.sessions.begin() as s:
        ask = DisclosureAsk("o-1", "s-cn-1", Purpose.SHIPPING, (DataItem.NAME, DataItem.ADDRESS))
        token = rt.gateway.disclose(s, ask, T0 + timedelta(minutes=5)).grant_token
        key = RegistryService(s).issue_api_key("s-cn-1", T0)
    assert token is not None
    # The app starts before the recording: at its start its /metrics gauges count all grants.
    with TestClient(create_app(rt)) as client, recorded(rt.db) as sent:
        answer = client.get(
            "/v1/seller/orders/o-1/data",
            headers={"Authorization": f"Bearer {key}", "X-Grant-Token": token},
        )
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["items"]) == {"name", "address"}
    # The /metrics gauges count every grant (api/routes/health.py); a background thread of the
    # app may refresh them meanwhile, and that scan is not the seller's.
    counted = [c for c in tasks_of(rt.db, sent) if not c[1].startswith("SELECT count(*) FILTER")]
    grants = [c for c in counted if "access_grants" in c[1]]
    assert grants, "the grant lookup was not seen"
    assert [c for c in counted if c[0] != 1] == []
