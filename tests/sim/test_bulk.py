"""The AliExpress-scale path, at small scale, on SQLite (executemany) and PostgreSQL (COPY)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from databorder.consent.models import Consent
from databorder.marketplace.models import Buyer, Order
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem
from databorder.registry.models import Recipient
from databorder.runtime import Runtime
from databorder.sim import generate_world
from databorder.sim.bulk import load_bulk
from databorder.vault.crypto import KEY_BYTES
from databorder.vault.keys import LocalKeyFile, read_secret_file
from databorder.vault.models import SealedItem

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_bulk_load_writes_the_same_world_sealed(runtime: Runtime) -> None:
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
