"""Loading a world the size of the AliExpress case: streamed in batches, sealed, bulk-written.

8 million buyers and tens of millions of orders do not fit the one-record-at-a-time services,
so this path writes rows directly in batches: SQLAlchemy Core `executemany` on SQLite and
`COPY ... FROM STDIN` on PostgreSQL. It keeps what matters: every personal data item is sealed
under its buyer's own data key (wrapped by the master key), phones and emails get blind-index
digests, order contents are sealed too, and nothing is held in memory but the current batch and
one 32-byte data key per buyer (needed to seal that buyer's orders). The records come from the
same generator whose output the tests load through the validating schemas.
"""

import json
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, Table, insert

from databorder.consent.models import Consent, NoticeVersion
from databorder.marketplace.models import Buyer, Order
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem
from databorder.registry.models import Recipient
from databorder.sim.types import BuyerSpec, RecipientSpec
from databorder.sim.world import iter_buyers, iter_orders, iter_recipients, notice_versions
from databorder.vault.crypto import item_context, key_context, new_data_key, seal
from databorder.vault.keys import KeyProvider
from databorder.vault.models import BlindIndex, SealedItem, SubjectKey
from databorder.vault.service import sealed_rows

T = TypeVar("T")
Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class BulkReport:
    recipients: int
    buyers: int
    consents: int
    sealed_items: int
    orders: int
    seconds: float
    peak_memory_mib: float


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Writer:
    """Appends rows to tables: COPY on PostgreSQL, executemany elsewhere; one commit per batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.copy = engine.dialect.name == "postgresql"

    def write(self, rows: dict[Table, list[dict[str, Any]]]) -> None:
        with self.engine.begin() as connection:
            for table, values in rows.items():
                if not values:
                    continue
                if self.copy:
                    self._copy(connection, table, values)
                else:
                    connection.execute(insert(table), values)

    @staticmethod
    def _copy(connection: Any, table: Table, values: list[dict[str, Any]]) -> None:
        from psycopg.types.json import Json  # noqa: PLC0415 (PostgreSQL only)

        columns = list(values[0])
        cursor = connection.connection.driver_connection.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in values:
                copy.write_row(
                    [
                        Json(v) if isinstance(v, list | dict) else v
                        for v in (row[c] for c in columns)
                    ]
                )


def _recipient_row(spec: RecipientSpec) -> dict[str, Any]:
    agent = spec.domestic_agent
    return {
        "id": spec.id,
        "legal_name": spec.legal_name,
        "country": spec.country,
        "role": spec.role.value,
        "privacy_email": spec.privacy_email,
        "privacy_phone": spec.privacy_phone,
        "certifications": list(spec.certifications),
        "contract_safeguards": spec.contract_safeguards,
        "retention_days": spec.retention_days,
        "disclosed_in_notice": spec.disclosed_in_notice,
        "domestic_agent_name": agent.name if agent else None,
        "domestic_agent_email": agent.email if agent else None,
        "domestic_agent_phone": agent.phone if agent else None,
        "created_at": spec.created_at,
        "updated_at": spec.created_at,
    }


def _pii(buyer: BuyerSpec) -> dict[DataItem, str]:
    values = {
        DataItem.NAME: buyer.name,
        DataItem.PHONE: buyer.phone_e164,
        DataItem.EMAIL: buyer.email,
        DataItem.ADDRESS: buyer.address,
        DataItem.POSTAL_CODE: buyer.postal_code,
        DataItem.CUSTOMS_CODE: buyer.customs_code,
        DataItem.BIRTH_DATE: buyer.birth_date.isoformat(),
    }
    optional = {
        DataItem.RRN: buyer.rrn,
        DataItem.CARD_NUMBER: buyer.card_number,
        DataItem.BANK_ACCOUNT: buyer.bank_account,
    }
    return values | {item: value for item, value in optional.items() if value is not None}


def load_bulk(
    engine: Engine,
    provider: KeyProvider,
    blind_key: bytes,
    *,
    seed: int,
    buyers: int,
    sellers: int,
    orders: int,
    start: datetime,
    days: int,
    batch: int = 20_000,
    progress: Progress | None = None,
) -> BulkReport:
    """Stream the world into an empty, migrated database; returns counts, time and peak memory."""
    began = time.perf_counter()
    tick = progress or (lambda _what, _n: None)
    writer = _Writer(engine)
    tables: dict[type[Any], Table] = {
        m: cast(Table, m.__table__)
        for m in (
            Recipient,
            NoticeVersion,
            Buyer,
            SubjectKey,
            SealedItem,
            BlindIndex,
            Consent,
            Order,
        )
    }
    notices = notice_versions(start, days)
    writer.write(
        {
            tables[NoticeVersion]: [
                {
                    "version": n.version,
                    "published_at": n.published_at,
                    "summary": n.summary,
                    "content_sha256": None,
                }
                for n in notices
            ]
        }
    )

    recipients: list[RecipientSpec] = []
    for some_recipients in batches(iter_recipients(seed, sellers, start), batch):
        recipients.extend(some_recipients)
        writer.write({tables[Recipient]: [_recipient_row(r) for r in some_recipients]})
        tick("recipients", len(some_recipients))

    keys: list[bytes] = []  # buyer index -> data key, to seal that buyer's orders later
    counts = {"consents": 0, "sealed": 0}
    master_id = provider.key_id
    for some_buyers in batches(iter_buyers(seed, buyers, start, recipients, days=days), batch):
        rows: dict[Table, list[dict[str, Any]]] = {
            tables[m]: [] for m in (Buyer, SubjectKey, SealedItem, BlindIndex, Consent)
        }
        for buyer, consents in some_buyers:
            key = new_data_key()
            keys.append(key)
            rows[tables[Buyer]].append(
                {
                    "id": buyer.id,
                    "residence": buyer.residence,
                    "transfer_suspended": buyer.transfer_suspended,
                    "created_at": buyer.created_at,
                    "deleted_at": None,
                }
            )
            rows[tables[SubjectKey]].append(
                {
                    "subject_id": buyer.id,
                    "master_key_id": master_id,
                    "created_at": buyer.created_at,
                    "wrapped_key": provider.wrap(key, key_context(buyer.id)),
                    "shredded_at": None,
                }
            )
            sealed, blind = sealed_rows(key, blind_key, buyer.id, _pii(buyer))
            rows[tables[SealedItem]].extend(sealed)
            rows[tables[BlindIndex]].extend(blind)
            rows[tables[Consent]].extend(
                {
                    "subject_id": c.buyer_id,
                    "id": c.id,
                    "kind": c.kind.value,
                    "notice_version": c.notice_version,
                    "recipients": list(c.recipients),
                    "countries": list(c.countries),
                    "items": [i.value for i in c.items],
                    "purposes": [p.value for p in c.purposes],
                    "given_at": c.given_at,
                    "withdrawn_at": c.withdrawn_at,
                }
                for c in consents
            )
        counts["consents"] += len(rows[tables[Consent]])
        counts["sealed"] += len(rows[tables[SealedItem]])
        writer.write(rows)
        tick("buyers", len(some_buyers))

    made = 0
    for some_orders in batches(
        iter_orders(seed, orders, start, recipients, buyers, days=days), batch
    ):
        order_rows = []
        for order in some_orders:
            index = int(order.buyer_id.split("-")[1]) - 1
            order_rows.append(
                {
                    "buyer_id": order.buyer_id,
                    "id": order.id,
                    "seller_id": order.seller_id,
                    "ordered_at": order.ordered_at,
                    "delivered_at": order.delivered_at,
                    "items_sealed": seal(
                        keys[index],
                        order.order_items.encode(),
                        item_context(order.buyer_id, ORDER_ITEMS_LABEL),
                    ),
                }
            )
        writer.write({tables[Order]: order_rows})
        made += len(some_orders)
        tick("orders", len(some_orders))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return BulkReport(
        len(recipients),
        len(keys),
        counts["consents"],
        counts["sealed"],
        made,
        time.perf_counter() - began,
        peak_kib / 1024,
    )


def report_json(report: BulkReport) -> str:
    return json.dumps({k: getattr(report, k) for k in report.__slots__}, indent=2)
