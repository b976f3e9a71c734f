"""Loading a world the size of the AliExpress case: streamed in batches, sealed, bulk-written.

8 million buyers and tens of millions of orders do not fit the one-record-at-a-time services,
so this path writes rows directly in batches: the sqlite3 driver's `executemany` on SQLite and
`COPY ... FROM STDIN` on PostgreSQL, each value converted by SQLAlchemy's own bind processors of
its column, so the rows read back exactly as the services' rows do. It keeps what matters: every
personal data item is sealed under its buyer's own data key (wrapped by the master key), phones
and emails get blind-index digests, order contents are sealed too, and nothing is held in memory
but the batches in flight and one 32-byte data key per buyer (needed to seal that buyer's orders).
The records come from the same generator whose output the tests load through the schemas.

The notice versions are published through the real `NoticePublisher` on the loader's connection
once the registry is written, each at its time of the world's schedule (so each names the
recipients registered by then, and `notice_versions`, `notice_recipients` and `notice_documents`
hold exactly what production writes); consents keep their version's content hash. Once the
orders are in, one more version is published at the world's end, naming the whole registry,
as the marketplace would publish its pending changes. The regulator's suspension order goes
through the registry's `SuspensionService`.

Generating and sealing cost more than writing, so `workers` processes do it in parallel: the
generator makes any slice of the world alone, so batch k is the same whichever process makes it,
and the writer takes the batches in order. Workers are forked, so they share the catalogue and
the data keys with the writer instead of receiving copies; at most `workers + 1` batches are in
flight, which bounds memory whatever the world's size.
"""

import json
import mmap
import multiprocessing
import multiprocessing.pool
import resource
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import JSON, Column, Connection, Dialect, Engine, LargeBinary, Table
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Session

from databorder.consent.models import Consent
from databorder.marketplace.models import Buyer, Order
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem
from databorder.notices.publish import NoticePublisher
from databorder.notices.store import PublishedVersion
from databorder.policy import load_pack
from databorder.registry.models import Recipient
from databorder.settings import Settings
from databorder.sim._base import Catalog, catalog, schedule
from databorder.sim.buyers import buyer_range
from databorder.sim.load import (
    add_suspension_order,
    buyer_items,
    consent_record,
    publish_notices,
    recipient_record,
)
from databorder.sim.orders import order_range
from databorder.sim.recipients import iter_recipients
from databorder.sim.scenarios import suspension_orders
from databorder.sim.types import BuyerSpec, NoticeSpec, RecipientSpec
from databorder.store.base import UTCDateTime
from databorder.vault.crypto import KEY_BYTES, item_context, key_context, new_data_key, seal
from databorder.vault.keys import KeyProvider
from databorder.vault.models import BlindIndex, SealedItem, SubjectKey
from databorder.vault.service import BLIND_ITEMS, sealed_rows

T = TypeVar("T")
J = TypeVar("J")
Progress = Callable[[str, int], None]
Row = tuple[Any, ...]

# For the load only, on the loader's own connection, restored afterwards: a crash mid-load
# leaves a database to throw away anyway, so waiting for the disk at each commit buys nothing,
# and a 1 GiB page cache keeps the indexes keyed by random ids (orders by buyer, blind digests)
# in memory instead of re-reading their pages from the file.
BULK_PRAGMAS = {"synchronous": "0", "cache_size": "-1048576"}
# One buyer in this many has the blind-index shortcut checked against the real normalisers.
_NORMAL_FORM_CHECK_EVERY = 1000
# Notice batches of the bulk world: quarterly. Every version stores its renderings of the whole
# registry (about 1.6 kB a recipient: 290 MB a version at 180,000 sellers), so the four-weekly
# cadence of the small worlds would write several GB of documents for a year's run.
BULK_NOTICE_EVERY_DAYS = 91


@dataclass(frozen=True, slots=True)
class BulkReport:
    recipients: int
    buyers: int
    consents: int
    sealed_items: int
    blind_digests: int
    orders: int
    notice_versions: int
    notice_recipients: int  # rows of notice_recipients: each version names its registry
    notice_seconds: float  # publishing them (snapshot, render, write), within `seconds`
    suspension_orders: int
    seconds: float
    peak_memory_mib: float  # the writer process
    worker_peak_memory_mib: float  # the largest worker; 0 when everything ran in one process
    workers: int


def batches(count: int, size: int) -> Iterator[tuple[int, int]]:
    """`(first, stop)` of each batch of `size` out of `count` items."""
    for first in range(0, count, size):
        yield first, min(first + size, count)


@lru_cache(maxsize=1 << 16)
def _json_text(values: tuple[str, ...]) -> str:
    # Consents repeat a few lists (the notice's countries, the items of a purpose) millions of
    # times; encoding each once saves a tenth of the load.
    return json.dumps([v.value if isinstance(v, Enum) else v for v in values])


def _json(value: Sequence[str]) -> str:
    return _json_text(tuple(value))


def _enum(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _sqlite_time(value: datetime | None) -> str | None:
    """UTCDateTime then SQLite's DATETIME, as one step: naive UTC in SQLAlchemy's text format."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
    v = value.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031 (SQLAlchemy's own format)
        v.year,
        v.month,
        v.day,
        v.hour,
        v.minute,
        v.second,
        v.microsecond,
    )


def _converter(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy's bind processing does to this column's values, in one cheap step.

    The row conversion runs about 150 million times at full size, and SQLAlchemy's layered
    processors cost more than generating the rows; a test checks these give the same values.
    """
    kind = column.type
    if isinstance(kind, LargeBinary):
        # bytes are what both drivers take for a blob; SQLite's processor would wrap them in
        # a memoryview, which cannot cross from a worker process.
        return None
    if isinstance(kind, JSON):
        # On PostgreSQL COPY's text format reads JSON from its text, the same json.dumps text
        # the driver's Json wrapper would send.
        return _json
    if isinstance(kind, SAEnum):
        return _enum
    if isinstance(kind, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_time
    return kind.dialect_impl(dialect).bind_processor(dialect)


class _Shape:
    """A table's columns in order, each with SQLAlchemy's conversion for the dialect."""

    def __init__(self, table: Table, dialect: Dialect) -> None:
        self.name = table.name
        self.columns = tuple(c.name for c in table.columns)
        processors = [_converter(column, dialect) for column in table.columns]
        self._pairs = tuple(zip(self.columns, processors, strict=True))
        names = ", ".join(f'"{c}"' for c in self.columns)
        marks = ", ".join("?" * len(self.columns))
        # Names from our own table metadata, never from input: nothing here can be injected.
        self.insert_sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'  # noqa: S608
        self.copy_sql = f'COPY "{table.name}" ({names}) FROM STDIN'

    def row(self, values: Mapping[str, Any]) -> Row:
        return tuple([values[c] if p is None else p(values[c]) for c, p in self._pairs])


_MODELS: tuple[type[Any], ...] = (
    Recipient,
    Buyer,
    SubjectKey,
    SealedItem,
    BlindIndex,
    Consent,
    Order,
)


def _shapes(dialect: Dialect) -> dict[str, _Shape]:
    return {
        shape.name: shape
        for shape in (_Shape(cast(Table, model.__table__), dialect) for model in _MODELS)
    }


@contextmanager
def bulk_pragmas(connection: Connection) -> Iterator[None]:
    """SQLite's `BULK_PRAGMAS` on this connection for the block, its own values restored after."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver: Any = connection.connection.driver_connection
    saved = {name: driver.execute(f"PRAGMA {name}").fetchone()[0] for name in BULK_PRAGMAS}
    for name, value in BULK_PRAGMAS.items():
        driver.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        for name, value in saved.items():
            driver.execute(f"PRAGMA {name}={int(value)}")


class _Sink:
    """Appends converted rows, one transaction per call: executemany on SQLite, COPY on psycopg.

    The transaction is SQLAlchemy's (so SQLite's BEGIN IMMEDIATE and writer queue apply); only
    the rows bypass it, as prebuilt tuples handed to the driver.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.copy = connection.dialect.name == "postgresql"

    def write(self, rows: Sequence[tuple[_Shape, Sequence[Row]]]) -> None:
        with self.connection.begin():
            driver: Any = self.connection.connection.driver_connection
            cursor = driver.cursor()
            try:
                for shape, values in rows:
                    if not values:
                        continue
                    if self.copy:
                        with cursor.copy(shape.copy_sql) as copy:
                            for row in values:
                                copy.write_row(row)
                    else:
                        cursor.executemany(shape.insert_sql, values)
            finally:
                cursor.close()


# --------------------------------------------------------------------------------------------
# What the workers do: generate one slice of the world and turn it into rows.


# What the workers of each phase need; forked workers inherit it (nothing is copied).


@dataclass(frozen=True, slots=True)
class _RecipientJob:
    seed: int
    sellers: int
    start: datetime
    days: int
    every_days: int


@dataclass(frozen=True, slots=True)
class _WorldJob:
    cat: Catalog
    provider: KeyProvider
    blind_key: bytes
    shapes: dict[str, _Shape]
    orders: int
    buyers: int
    # Buyer index * KEY_BYTES -> that buyer's data key: a shared anonymous mapping, written by
    # whichever worker seals the buyer and read by whichever seals their orders.
    keys: mmap.mmap


@dataclass(frozen=True, slots=True)
class _Buyers:
    rows: tuple[tuple[str, list[Row]], ...]  # (table, rows) in foreign-key order
    consents: int
    sealed: int
    blind: int


def _recipient_batch(job: _RecipientJob, first: int, stop: int) -> list[RecipientSpec]:
    return list(
        iter_recipients(
            job.seed,
            job.sellers,
            job.start,
            days=job.days,
            every_days=job.every_days,
            first=first,
            stop=stop,
        )
    )


def _normalised(buyer: BuyerSpec, index: int) -> dict[DataItem, str]:
    """The blind-index form of the buyer's phone and email, without re-validating them.

    The generator makes phones valid E.164 and emails lower-case ASCII, so their normal form
    is the value itself; the real normalisers cost ~170 µs a buyer, 20 CPU-minutes at 8 million.
    A sample is checked against them, so a generator change that broke this fails the load.
    """
    normal = {DataItem.PHONE: buyer.phone_e164, DataItem.EMAIL: buyer.email.lower()}
    if index % _NORMAL_FORM_CHECK_EVERY == 0:
        for item, value in normal.items():
            if BLIND_ITEMS[item](value) != value:
                # The value itself stays out of the message: it is personal data.
                raise ValueError(
                    f"buyer {buyer.id}: generated {item.value} is not in blind-index normal "
                    "form, so the bulk loader's shortcut would write digests lookups miss"
                )
    return normal


def _buyer_values(buyer: BuyerSpec) -> dict[str, Any]:
    return {
        "id": buyer.id,
        "residence": buyer.residence,
        "transfer_suspended": buyer.transfer_suspended,
        "created_at": buyer.created_at,
        "deleted_at": None,
    }


def _with_hashes(shape: _Shape, rows: list[Row], hashes: Mapping[str, str]) -> list[Row]:
    """Consent rows with their version's content hash in place of the version.

    Workers make the rows before the writer has published the versions, so they put the
    version where its hash goes; the writer, which published, swaps the hash in.
    """
    at = shape.columns.index("notice_sha256")
    return [(*row[:at], hashes[row[at]], *row[at + 1 :]) for row in rows]


def _buyer_batch(job: _WorldJob, first: int, stop: int) -> _Buyers:
    shapes = job.shapes
    buyer_shape, key_shape = shapes["buyers"], shapes["vault_keys"]
    sealed_shape, blind_shape = shapes["vault_items"], shapes["vault_blind_index"]
    consent_shape = shapes["consents"]
    buyer_rows: list[Row] = []
    key_rows: list[Row] = []
    sealed_out: list[Row] = []
    blind_out: list[Row] = []
    consent_rows: list[Row] = []
    keys = bytearray()
    master_id = job.provider.key_id
    for index, (buyer, consents) in enumerate(buyer_range(job.cat, first, stop), first):
        key = new_data_key()
        keys += key
        buyer_rows.append(buyer_shape.row(_buyer_values(buyer)))
        key_rows.append(
            key_shape.row(
                {
                    "subject_id": buyer.id,
                    "wrapped_key": job.provider.wrap(key, key_context(buyer.id)),
                    "master_key_id": master_id,
                    "created_at": buyer.created_at,
                    "shredded_at": None,
                }
            )
        )
        sealed, blind = sealed_rows(
            key, job.blind_key, buyer.id, buyer_items(buyer), normalised=_normalised(buyer, index)
        )
        sealed_out.extend(sealed_shape.row(r) for r in sealed)
        blind_out.extend(blind_shape.row(r) for r in blind)
        # The version stands where its hash goes, until the writer has published it.
        consent_rows.extend(
            consent_shape.row(consent_record(c, c.notice_version)) for c in consents
        )
    job.keys[first * KEY_BYTES : stop * KEY_BYTES] = keys
    return _Buyers(
        rows=(
            ("buyers", buyer_rows),
            ("vault_keys", key_rows),
            ("vault_items", sealed_out),
            ("vault_blind_index", blind_out),
            ("consents", consent_rows),
        ),
        consents=len(consent_rows),
        sealed=len(sealed_out),
        blind=len(blind_out),
    )


def _order_batch(job: _WorldJob, first: int, stop: int) -> list[Row]:
    keys, shape = job.keys, job.shapes["orders"]
    out: list[Row] = []
    for order in order_range(job.cat, job.orders, job.buyers, first, stop):
        at = (int(order.buyer_id.split("-")[1]) - 1) * KEY_BYTES
        out.append(
            shape.row(
                {
                    "buyer_id": order.buyer_id,
                    "id": order.id,
                    "seller_id": order.seller_id,
                    "ordered_at": order.ordered_at,
                    "delivered_at": order.delivered_at,
                    "items_sealed": seal(
                        bytes(keys[at : at + KEY_BYTES]),
                        order.order_items.encode(),
                        item_context(order.buyer_id, ORDER_ITEMS_LABEL),
                    ),
                }
            )
        )
    return out


# A worker process's job, set once by the pool's initializer (a pool can pass nothing else).
_worker_job: Any = None


def _start_worker(job: object) -> None:
    global _worker_job  # noqa: PLW0603 (the per-process state of a pool worker)
    _worker_job = job


def _in_worker(task: Callable[[Any, int, int], T], first: int, stop: int) -> T:
    return task(_worker_job, first, stop)


class _Workers(Generic[J]):
    """Tasks over batches, results in order: in forked workers, or here when `workers` <= 1.

    At most `workers + 1` batches are in flight, so memory stays flat however large the world.
    """

    def __init__(self, job: J, workers: int) -> None:
        self.job = job
        self.workers = workers
        self._pool: multiprocessing.pool.Pool | None = None

    def __enter__(self) -> "_Workers[J]":
        if self.workers > 1:
            context = multiprocessing.get_context("fork")  # shares the job instead of pickling
            self._pool = context.Pool(self.workers, initializer=_start_worker, initargs=(self.job,))
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def map(
        self, task: Callable[[J, int, int], T], ranges: Iterator[tuple[int, int]]
    ) -> Iterator[T]:
        if self._pool is None:
            for first, stop in ranges:
                yield task(self.job, first, stop)
            return
        pending: deque[multiprocessing.pool.AsyncResult[T]] = deque()
        for first, stop in ranges:
            pending.append(self._pool.apply_async(_in_worker, (task, first, stop)))
            if len(pending) > self.workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _recipient_row(spec: RecipientSpec) -> dict[str, Any]:
    return recipient_record(spec) | {"created_at": spec.created_at, "updated_at": spec.created_at}


def _publish(
    connection: Connection, publisher: NoticePublisher, notices: tuple[NoticeSpec, ...]
) -> tuple[PublishedVersion, ...]:
    """Publish through the service's own publisher, in one transaction on the loader's connection."""
    with connection.begin(), Session(bind=connection) as session:
        published = publish_notices(session, publisher, notices)
        session.flush()
    return published


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
    workers: int = 1,
    progress: Progress | None = None,
    every_days: int = BULK_NOTICE_EVERY_DAYS,
    settings: Settings,
    publisher: NoticePublisher,
) -> BulkReport:
    """Stream the world into an empty, migrated database; returns counts, time and peak memory.

    `workers` > 1 generates and seals in that many forked processes while this one writes.
    Notice versions are published every `every_days` days of the world's schedule, and once
    more at its end, by `publisher`: the service's own (`Runtime.publisher`), so the versions
    are exactly those production writes.
    """
    began = time.perf_counter()
    tick = progress or (lambda _what, _n: None)
    home = load_pack(settings.pack).home_country
    plan = schedule(start, days, every_days)
    shapes = _shapes(engine.dialect)
    counts = {"consents": 0, "sealed": 0, "blind": 0, "orders": 0}
    recipients: list[RecipientSpec] = []
    # One buyer's data key each, filled batch by batch: a flat shared buffer rather than
    # 8 million bytes objects, so that workers write and read it without copies.
    keys = mmap.mmap(-1, max(1, buyers * KEY_BYTES))
    with engine.connect() as connection, bulk_pragmas(connection):
        sink = _Sink(connection)
        recipient = shapes["recipients"]
        job0 = _RecipientJob(seed, sellers, start, days, every_days)
        with _Workers(job0, workers) as pool:
            for some in pool.map(_recipient_batch, batches(sellers, batch)):
                recipients.extend(some)
                sink.write([(recipient, [recipient.row(_recipient_row(r)) for r in some])])
                tick("recipients", len(some))

        cat = catalog(seed, recipients, buyers, start, days, every_days)
        job = _WorldJob(cat, provider, blind_key, shapes, orders, buyers, keys)
        # Forked before the writer's page cache grows, and before it renders the notices (a
        # few hundred MB at 180,000 recipients), so workers stay small.
        with _Workers(job, workers) as pool:
            # The versions of the world's schedule, each naming the registry as it stood then.
            mark = time.perf_counter()
            published = list(_publish(connection, publisher, plan.notices))
            tick("notices", len(plan.notices))
            notice_seconds = time.perf_counter() - mark
            hashes = {v.version: v.content_sha256 for v in published}
            ordered = suspension_orders(sellers, plan.moments)
            with connection.begin(), Session(bind=connection) as session:
                for spec in ordered:
                    add_suspension_order(session, spec, home)
                session.flush()
            consent_shape = shapes["consents"]
            for (first, stop), made in zip(
                batches(buyers, batch),
                pool.map(_buyer_batch, batches(buyers, batch)),
                strict=True,
            ):
                sink.write(
                    [
                        (
                            shapes[name],
                            _with_hashes(consent_shape, rows, hashes)
                            if name == "consents"
                            else rows,
                        )
                        for name, rows in made.rows
                    ]
                )
                counts["consents"] += made.consents
                counts["sealed"] += made.sealed
                counts["blind"] += made.blind
                tick("buyers", stop - first)
            # Every buyer's key is in place now: the writer has taken every buyer batch.
            for rows in pool.map(_order_batch, batches(orders, batch)):
                sink.write([(shapes["orders"], rows)])
                counts["orders"] += len(rows)
                tick("orders", len(rows))

        # The marketplace publishes its pending registry changes: the whole registry, named.
        mark = time.perf_counter()
        final = NoticeSpec(
            plan.end.date().isoformat(), plan.end, "수령자 목록 갱신 (적재 시점의 전체 목록)"
        )
        published.extend(_publish(connection, publisher, (final,)))
        tick("notices", 1)
        notice_seconds += time.perf_counter() - mark
    keys.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if workers > 1 else 0
    return BulkReport(
        recipients=len(recipients),
        buyers=buyers,
        consents=counts["consents"],
        sealed_items=counts["sealed"],
        blind_digests=counts["blind"],
        orders=counts["orders"],
        notice_versions=len(published),
        notice_recipients=sum(v.recipient_count for v in published),
        notice_seconds=notice_seconds,
        suspension_orders=len(ordered),
        seconds=time.perf_counter() - began,
        peak_memory_mib=own / 1024,
        worker_peak_memory_mib=children / 1024,
        workers=max(1, workers),
    )


def report_json(report: BulkReport) -> str:
    return json.dumps({k: getattr(report, k) for k in report.__slots__}, indent=2)
