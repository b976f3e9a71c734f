"""The AliExpress-scale path, at small scale, on SQLite (executemany) and PostgreSQL (COPY)."""

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import JSON, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from databorder.consent.models import Consent, NoticeRecipient, NoticeVersion
from databorder.marketplace.models import Buyer, Order
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem
from databorder.registry.models import Recipient, SuspensionOrder
from databorder.runtime import Runtime
from databorder.sim import generate_world, iter_buyers, iter_recipients
from databorder.sim._base import naming
from databorder.sim.bulk import (
    BULK_NOTICE_EVERY_DAYS,
    BULK_PRAGMAS,
    _buyer_values,
    _normalised,
    _Shape,
    bulk_pragmas,
    load_bulk,
)
from databorder.sim.buyers import _valid_010_blocks
from databorder.sim.load import consent_record
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
        settings=settings,
        publisher=runtime.publisher,
    )
    world = generate_world(3, 60, 10, 150, START, days=90, every_days=BULK_NOTICE_EVERY_DAYS)
    assert (report.recipients, report.buyers, report.orders) == (len(world.recipients), 60, 150)
    assert report.consents == len(world.consents)
    # The world's versions, and one more at its end naming the whole registry.
    assert report.notice_versions == len(world.notices) + 1
    assert report.suspension_orders == 1
    with runtime.sessions() as s:
        versions = {v.version: v for v in s.scalars(select(NoticeVersion))}
        assert sorted(versions) == sorted([n.version for n in world.notices] + ["2026-04-01"])
        assert versions["2026-04-01"].recipient_count == len(world.recipients)
        assert report.notice_recipients == s.scalar(
            select(func.count()).select_from(NoticeRecipient)
        )
        named: dict[str, set[str]] = {}
        for row in s.scalars(select(NoticeRecipient)):
            named.setdefault(row.recipient_id, set()).add(row.version)
        for r in world.recipients:
            assert named.get(r.id, set()) - {"2026-04-01"} == naming(world.notices, r.created_at)
        for c in s.scalars(select(Consent)):
            assert c.notice_sha256 == versions[c.notice_version].content_sha256
        (order,) = s.scalars(select(SuspensionOrder))
        assert order.recipient_id == world.suspension_orders[0].recipient_id

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
    recipients = tuple(iter_recipients(3, 10, START, days=90))
    some_buyers = list(iter_buyers(3, 40, START, recipients, days=90))
    rows: list[tuple[Table, dict[str, Any]]] = []
    for buyer, consents in some_buyers:
        values = _buyer_values(buyer)
        # An instant in another offset still lands in UTC.
        values["created_at"] = buyer.created_at.astimezone(timezone(timedelta(hours=9)))
        rows.append((Buyer.__table__, values))  # type: ignore[arg-type]
        rows.extend((Consent.__table__, consent_record(c, "0" * 64)) for c in consents)  # type: ignore[misc]
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
