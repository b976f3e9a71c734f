"""The AliExpress-scale path, at small scale, on SQLite (executemany) and PostgreSQL (COPY)."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import JSON, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from databorder.consent.models import Consent
from databorder.marketplace.models import Buyer, Order
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem
from databorder.registry.models import Recipient
from databorder.runtime import Runtime
from databorder.sim import generate_world, iter_buyers, iter_recipients
from databorder.sim.bulk import (
    BULK_PRAGMAS,
    _buyer_values,
    _consent_values,
    _normalised,
    _Shape,
    bulk_pragmas,
    load_bulk,
)
from databorder.sim.buyers import _valid_010_blocks
from databorder.vault.crypto import KEY_BYTES
from databorder.vault.keys import LocalKeyFile, read_secret_file
from databorder.vault.models import SealedItem
from databorder.vault.service import BLIND_ITEMS

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("workers", [1, 2])
def test_bulk_load_writes_the_same_world_sealed(runtime: Runtime, workers: int) -> None:
    settings = runtime.settings
    report = load_bulk(
        runtime.db,
        LocalKeyFile(settings.master_key_path),
        read_secret_file(settings.blind_index_key_path, KEY_BYTES),
        seed=3,
        buyers=60,
        sellers=10,
        orders=150,
        start=START,
        days=90,
        batch=17,
        workers=workers,
    )
    world = generate_world(3, 60, 10, 150, START, days=90)
    assert (report.recipients, report.buyers, report.orders) == (len(world.recipients), 60, 150)
    assert report.consents == len(world.consents)
    with runtime.sessions() as s:

        def count(model: type) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        assert count(Recipient) == len(world.recipients)
        assert count(Buyer) == 60
        assert count(Consent) == len(world.consents)
        assert count(Order) == 150
        assert count(SealedItem) == report.sealed_items
        buyer = world.buyers[41]
        got = runtime.vault.get(s, buyer.id, [DataItem.NAME, DataItem.ADDRESS])
        assert got == {DataItem.NAME: buyer.name, DataItem.ADDRESS: buyer.address}
        assert buyer.id in runtime.vault.find(s, DataItem.PHONE, buyer.phone)
        order = world.orders[99]
        row = s.get(Order, (order.buyer_id, order.id))
        assert row is not None
        assert row.items_sealed is not None
        assert (
            runtime.vault.open_text(s, order.buyer_id, ORDER_ITEMS_LABEL, row.items_sealed)
            == order.order_items
        )
    assert report.peak_memory_mib > 0


@pytest.mark.parametrize("backend", ["sqlite"])  # the bulk pragmas are SQLite's own
def test_bulk_pragmas_hold_for_the_load_and_are_restored_after(runtime: Runtime) -> None:
    with runtime.db.connect() as connection:
        driver: Any = connection.connection.driver_connection

        def pragmas() -> dict[str, int]:
            return {n: int(driver.execute(f"PRAGMA {n}").fetchone()[0]) for n in BULK_PRAGMAS}

        before = pragmas()
        with bulk_pragmas(connection):
            assert pragmas() == {n: int(v) for n, v in BULK_PRAGMAS.items()}
        assert pragmas() == before
        assert before["synchronous"] != 0  # the service's own setting, not the load's


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
def test_bulk_rows_hold_what_sqlalchemy_would_bind(dialect: Any) -> None:
    """The loader's one-step conversions equal SQLAlchemy's own bind processing."""
    recipients = tuple(iter_recipients(3, 10, START))
    some_buyers = list(iter_buyers(3, 40, START, recipients, days=90))
    rows: list[tuple[Table, dict[str, Any]]] = []
    for buyer, consents in some_buyers:
        values = _buyer_values(buyer)
        # An instant in another offset still lands in UTC.
        values["created_at"] = buyer.created_at.astimezone(timezone(timedelta(hours=9)))
        rows.append((Buyer.__table__, values))  # type: ignore[arg-type]
        rows.extend((Consent.__table__, _consent_values(c)) for c in consents)  # type: ignore[misc]
    for table, values in rows:
        expected = []
        for column in table.columns:
            value = values[column.name]
            if isinstance(value, tuple):
                value = [getattr(v, "value", v) for v in value]
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            bound = value if process is None else process(value)
            expected.append(getattr(bound, "obj", bound))  # psycopg's Json wrapper: its value
        got = _Shape(table, dialect).row(values)
        if dialect.name == "postgresql":  # COPY gets the JSON text the wrapper would send
            got = tuple(
                json.loads(v) if isinstance(c.type, JSON) and v is not None else v
                for c, v in zip(table.columns, got, strict=True)
            )
        assert got == tuple(expected)


def test_generated_contacts_are_in_blind_index_normal_form() -> None:
    recipients = tuple(iter_recipients(11, 10, START))
    for index, (buyer, _consents) in enumerate(iter_buyers(11, 300, START, recipients)):
        normal = _normalised(buyer, index)
        assert normal == {
            item: BLIND_ITEMS[item](value)
            for item, value in ((DataItem.PHONE, buyer.phone_e164), (DataItem.EMAIL, buyer.email))
        }


def test_010_blocks_decide_validity_alone() -> None:
    valid = _valid_010_blocks()
    assert 5970 not in valid
    assert 2000 in valid
    for block in range(2000, 10000, 7):
        for last in (0, 1234, 5555, 9999):
            number = phonenumbers.parse(f"+8210{block}{last:04d}")
            assert phonenumbers.is_valid_number(number) == (block in valid)
