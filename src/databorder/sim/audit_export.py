"""A synthetic audit export of any size, with a known set of violations planted in it.

`databorder export parquet` writes what a live database holds; a database of 100 million
disclosures takes days to fill through the services. This module writes the same directory
directly: every relation of `audit/relations.EXPORTED`, with the export's Arrow schema
(`audit/export.RelationWriter`, the export's own writer) and a manifest `ParquetSource`
accepts, for `records` disclosure records and the grants, reads, consents, registry, notice
versions, rights requests and log leaves such a world has. It is what `bench/bench_audit.py`
audits at 1 to 100 million records.

The world, all of it a function of the seed:

- orders spread evenly over `days`, each with four disclosures a few minutes apart: to a
  payment processor, to the seller (shipping), to a carrier (shipping), and to a customs
  broker, under the customs statute, or back to a domestic seller for customer service;
- buyers (a twelfth of the records, at most eight million) with a provision and an overseas
  transfer consent each, given before the world starts; 3% withdraw the overseas one;
- tens of thousands of sellers (one per 2,000 records, 40 to 50,000), most abroad (China
  first), drawn with a long tail; a few processors, payment processors and brokers;
- a notice version every 28 days naming every recipient, its countries and its items;
- two suspension orders (one naming a seller, one a country), rights requests (0.5% of
  buyers, on time or still open within their deadline; erasures acknowledged by every
  recipient the buyer's data reached), the retention sweeper's work on expired grants.

Everything a decision would refuse is refused (no safeguards abroad, a withdrawn consent, a
suspension order, and 1.5% refused at random), so the world alone gives no finding. Then
`plants` violations of each kind in `PLANTS` are planted on rows spread over the stream, and
the findings they must produce are counted per check as they are planted: a test audits a
small export and requires exactly those findings; the benchmark checks its big ones the same
way. A31-2 (domestic agent) depends on the threshold: one payment processor abroad has no
domestic agent, and it is a finding when the buyers it reached number at least
`agent_threshold` (counted exactly, one bit per buyer).

Memory does not grow with `records`: rows are made and written a chunk (a row group) at a
time with numpy and pyarrow; what is kept across chunks is per buyer (a few bytes each, at most
eight million buyers), per recipient, and the erasing buyers' recipients.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from databorder.audit.export import RelationWriter, check_directory, manifest_json, write_manifest
from databorder.audit.params import DOMESTIC_AGENT_SUBJECTS
from databorder.audit.relations import EXPORTED, KEY, LEAF_RECORDS, LOG_PROBLEMS, Link, Table
from databorder.ledger.verify import Defect

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Columns = dict[str, pa.Array]

CHUNK = 262_144  # disclosures per row group
SLOTS = 4  # disclosures per order
US_PER_DAY = 86_400_000_000
US_PER_MINUTE = 60_000_000
HOME = "KR"
CUSTOMS_MANDATE = "KR-CUSTOMS-ACT-241"
DEADLINE_DAYS = 10
NOTICE_EVERY_DAYS = 28
WITHDRAWING = 0.03  # buyers who withdraw their overseas transfer consent
ERASING = 0.002  # buyers who erase their account
ASKING = 0.005  # buyers who make another request (export, correction, complaint)
REFUSED_AT_RANDOM = 0.015
READ_SHARE = 0.5  # sellers' shipping grants read once

# Each plant: the findings it must produce, by check. Some rules are seen by two checks (a
# disclosure without its leaf index leaves its leaf naming a record at no index).
PLANTS: dict[str, dict[str, int]] = {
    "no_basis": {"A17-no-ground": 1},
    "consent_missing": {"A17-consent-not-held": 1},
    "consent_withdrawn": {"A17-consent-not-held": 1},
    "no_safeguards": {"A28-8-safeguards-at-decision": 1},  # + A28-8-4 once per recipient
    "suspended": {"A28-9-suspended": 1},
    "not_in_notice": {"A28-8-2-not-in-notice": 1},
    "country_not_in_notice": {"A28-8-2-country-not-in-notice": 1},
    "item_not_in_notice": {"A28-8-2-item-not-in-notice": 1},
    "prohibited_item": {"A24-2-prohibited-item": 1},
    "item_not_needed": {"A3-item-not-needed": 1},
    "item_form": {"A3-item-form": 1},
    "grant_not_ended": {"A21-grant-past-retention": 1},
    "grant_too_long": {"A21-grant-past-retention": 1},
    "read_after_end": {"A21-read-after-end": 1},
    "grant_outlives_withdrawal": {"A37-grant-outlives-withdrawal": 1},
    "request_overdue": {"A35-request-overdue": 1},
    "request_closed_late": {"A35-request-overdue": 1},
    "erasure_not_told": {"A36-erasure-unacknowledged": 1},
    "erasure_not_acknowledged": {"A36-erasure-unacknowledged": 1},
    "disclosure_unlogged": {"LOG-record-without-leaf": 1, "LOG-leaf-without-record": 1},
    "read_unlogged": {"LOG-record-without-leaf": 1},
    "disclosure_deleted": {"LOG-leaf-without-record": 1},
    "tree_altered": {"LOG-tree": 1},
    "head_bad": {"LOG-head": 1},
    "head_inconsistent": {"LOG-consistency": 1},
}
_DECISION_PLANTS = ("no_safeguards", "consent_withdrawn", "suspended")

# --- the registry ----------------------------------------------------------------------------

COUNTRIES = ("KR", "CN", "HK", "US", "JP", "SG", "GB", "DE", "FR", "VN", "TW", "BR")
_C = {c: i for i, c in enumerate(COUNTRIES)}
ADEQUATE = ("GB", "DE", "FR")  # the transfer ground is adequacy
SELLER_COUNTRIES: tuple[tuple[str, float], ...] = (
    *(("CN", 0.48), ("KR", 0.2), ("US", 0.07), ("JP", 0.06), ("HK", 0.05)),
    *(("VN", 0.04), ("SG", 0.03), ("GB", 0.03), ("DE", 0.02), ("FR", 0.02)),
)
UNNAMED_COUNTRY = "US"  # the recipient no notice names
UNLISTED_COUNTRY = "BR"  # a country no notice names for anyone
SUSPENDED_COUNTRY = "VN"

ROLES = ("seller", "processor", "payment_processor", "customs_broker")
PURPOSES = ("payment", "shipping", "customs_clearance", "customer_service")
GROUNDS = ("consent", "legal_mandate", "entrusted_contract", "certification", "adequacy")
BASES = ("provision", "entrustment", "transfer", "mandate")
FORMS = ("plain", "relay", "masked", "deny")
ITEMS: tuple[str, ...] = (
    *("name", "phone", "email", "address", "postal_code", "customs_code", "order_items"),
    *("card_number", "bank_account", "rrn", "birth_date"),
)
_I = {item: i for i, item in enumerate(ITEMS)}
_G = {ground: i for i, ground in enumerate(GROUNDS)}
AGENT_NAME = "Example Agent Korea Ltd."
_F = {form: i for i, form in enumerate(FORMS)}

# What each purpose releases, in the pack's forms (`policy/packs/pipa.json`); a mandate
# releases the customs items in the same forms.
PURPOSE_ITEMS: dict[str, tuple[tuple[str, str], ...]] = {
    "payment": (("name", "plain"), ("card_number", "plain")),
    "shipping": (
        ("name", "plain"),
        ("phone", "relay"),
        ("address", "plain"),
        ("postal_code", "plain"),
    ),
    "customs_clearance": (
        *(("name", "plain"), ("phone", "relay"), ("address", "plain")),
        *(("postal_code", "plain"), ("customs_code", "plain")),
    ),
    "customer_service": (("name", "masked"), ("phone", "relay"), ("order_items", "plain")),
}
ACCESS_DAYS = {"payment": 30, "shipping": 30, "customs_clearance": 30, "customer_service": 90}
ACCESS_DAYS_BY_CODE = np.array([ACCESS_DAYS[p] for p in PURPOSES], np.int64)
_P = {p: i for i, p in enumerate(PURPOSES)}
NEVER = np.iinfo(np.int64).max  # a buyer who never withdraws (erases)
NULL_TIME = -1  # an instant left NULL
HOUR = 3_600_000_000


@dataclass(frozen=True, slots=True)
class _Fixed:
    id: str
    role: str
    country: str
    agent: bool = True
    data_countries: tuple[str, ...] = ()
    certified: bool = False


# Processors (carriers), payment processors and customs brokers. pp-005 abroad has no
# domestic agent: the A31-2 plant. p-099 is named by no notice: the not-in-notice plant.
FIXED = (
    _Fixed("p-001", "processor", "KR"),
    _Fixed("p-002", "processor", "KR"),
    _Fixed("p-003", "processor", "CN"),
    _Fixed("p-004", "processor", "HK"),
    _Fixed("p-005", "processor", "SG", data_countries=("VN",)),
    _Fixed("p-006", "processor", "US"),
    _Fixed("p-007", "processor", "JP", certified=True),
    _Fixed("p-008", "processor", "DE"),
    _Fixed("pp-001", "payment_processor", "KR"),
    _Fixed("pp-002", "payment_processor", "KR"),
    _Fixed("pp-003", "payment_processor", "GB"),
    _Fixed("pp-004", "payment_processor", "SG"),
    _Fixed("pp-005", "payment_processor", "US", agent=False),
    _Fixed("cb-001", "customs_broker", "KR"),
    _Fixed("cb-002", "customs_broker", "KR"),
    _Fixed("cb-003", "customs_broker", "CN"),
    _Fixed("p-099", "processor", UNNAMED_COUNTRY),
)
_FIXED = {f.id: i for i, f in enumerate(FIXED)}
DOMESTIC_CARRIERS = np.array([_FIXED["p-001"], _FIXED["p-002"]])
FOREIGN_CARRIERS = np.array([_FIXED[f"p-00{k}"] for k in range(3, 9)])
PAYMENT = np.array([_FIXED[f"pp-00{k}"] for k in range(1, 6)])
PAYMENT_SHARE = np.array([0.35, 0.2, 0.1, 0.1, 0.25])
BROKERS = np.array([_FIXED["cb-001"], _FIXED["cb-002"], _FIXED["cb-003"]])
MANDATE_BROKER = _FIXED["cb-001"]
UNNAMED = _FIXED["p-099"]
AGENTLESS = _FIXED["pp-005"]


@dataclass(slots=True)
class _Registry:
    """Every recipient as columns: the fixed ones first, then the sellers."""

    ids: pa.Array
    country: Ints
    role: Ints
    safeguards: Bools
    certified: Bools
    agent: Bools
    retention: Ints
    created: Ints
    data_countries: list[tuple[int, int]]  # (recipient, country)
    sellers: int
    suspended_seller: int

    @property
    def size(self) -> int:
        return len(self.country)

    def transfer_ground(self) -> Ints:
        """The ground a transfer abroad to each recipient rests on."""
        ground = np.where(
            self.role == ROLES.index("seller"), 0, GROUNDS.index("entrusted_contract")
        )
        ground = np.where(self.certified, GROUNDS.index("certification"), ground)
        adequate = np.isin(self.country, [_C[c] for c in ADEQUATE])
        return np.where(adequate, GROUNDS.index("adequacy"), ground).astype(np.int64)


def _registry(rng: np.random.Generator, sellers: int, start_us: int) -> _Registry:
    f = len(FIXED)
    names = [c for c, _ in SELLER_COUNTRIES]
    weights = np.array([w for _, w in SELLER_COUNTRIES])
    seller_country = rng.choice([_C[c] for c in names], size=sellers, p=weights / weights.sum())
    busy = np.arange(sellers) < max(1, sellers // 20)  # the head of the long tail
    abroad = seller_country != _C[HOME]
    # Without safeguards: some quiet sellers abroad (their transfers are refused) and some at
    # home (nothing to refuse: a domestic seller is not entrusted).
    no_safeguards = ~busy & (rng.random(sellers) < 0.08)
    agent = busy | (rng.random(sellers) < 0.4)
    suspended = int(
        np.flatnonzero(~busy & abroad & ~no_safeguards & (seller_country != _C[SUSPENDED_COUNTRY]))[
            0
        ]
    )
    seller_ids = _numbered("s-", np.arange(1, sellers + 1), 7)
    return _Registry(
        ids=pa.concat_arrays([pa.array([x.id for x in FIXED]), seller_ids]),
        country=np.concatenate([[_C[x.country] for x in FIXED], seller_country]).astype(np.int64),
        role=np.concatenate([[ROLES.index(x.role) for x in FIXED], np.zeros(sellers)]).astype(
            np.int64
        ),
        safeguards=np.concatenate([np.ones(f, bool), ~no_safeguards]),
        certified=np.concatenate([[x.certified for x in FIXED], np.zeros(sellers, bool)]),
        agent=np.concatenate([[x.agent or x.country == HOME for x in FIXED], agent | ~abroad]),
        retention=np.concatenate([np.full(f, 365), rng.choice([90, 180, 365], size=sellers)]),
        created=start_us - rng.integers(400, 800, size=f + sellers) * US_PER_DAY,
        data_countries=[(i, _C[c]) for i, x in enumerate(FIXED) for c in x.data_countries],
        sellers=sellers,
        suspended_seller=f + suspended,
    )


# --- strings, fast ------------------------------------------------------------------------

_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
_DASHES = (8, 13, 18, 23)


def _strings(matrix: npt.NDArray[np.uint8]) -> pa.Array:
    """Fixed-width ASCII rows as an Arrow string array, without a Python object per row."""
    rows, width = matrix.shape
    offsets = np.arange(0, (rows + 1) * width, width, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(
        rows, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(matrix))
    ).cast(pa.string())


def _numbered(prefix: str, numbers: Ints, width: int) -> pa.Array:
    """`prefix` and `numbers` zero-padded to `width` digits: `s-0000042`."""
    head = np.frombuffer(prefix.encode(), np.uint8)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    matrix = np.empty((len(numbers), len(head) + width), np.uint8)
    matrix[:, : len(head)] = head
    matrix[:, len(head) :] = (numbers[:, None] // powers) % 10 + 48
    return _strings(matrix)


def _uuid7(rng: np.random.Generator, at_us: Ints) -> pa.Array:
    """UUIDv7 texts for records made at `at_us`: time-ordered like the service's ids."""
    n = len(at_us)
    nibbles = np.empty((n, 32), np.uint8)
    ms = (at_us // 1000).astype(np.uint64)
    for k in range(12):
        nibbles[:, k] = (ms >> np.uint64(4 * (11 - k))) & np.uint64(15)
    nibbles[:, 12:] = rng.integers(0, 16, size=(n, 20), dtype=np.uint8)
    nibbles[:, 12] = 7
    nibbles[:, 16] = 8 | (nibbles[:, 16] & 3)
    text = np.empty((n, 36), np.uint8)
    text[:, _DASHES] = ord("-")
    keep = [k for k in range(36) if k not in _DASHES]
    text[:, keep] = _HEX[nibbles]
    return _strings(text)


def _pick(values: Sequence[str], codes: Ints, null: Bools | None = None) -> pa.Array:
    """`values[codes]` as strings (null where `null`), taken in Arrow."""
    indices = pa.array(codes, mask=null) if null is not None else pa.array(codes)
    return pa.array(list(values), pa.string()).take(indices)


def _instants(us: Ints, null: Bools | None = None) -> pa.Array:
    return pa.array(us, pa.timestamp("us", tz="UTC"), mask=null)


def _ints(values: Ints, null: Bools | None = None) -> pa.Array:
    return pa.array(values, pa.int64(), mask=null)


# --- the generator --------------------------------------------------------------------------


@dataclass
class GeneratedExport:
    """What was written: the directory, its rows, and the findings an audit must report."""

    directory: Path
    records: int
    seed: int
    exported_at: datetime
    agent_threshold: int
    rows: dict[str, int]
    expected: dict[str, int]  # check id -> findings; a check not named expects none
    planted: dict[str, int]  # plant kind -> how many were placed
    seconds: float
    bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "seed": self.seed,
            "agent_threshold": self.agent_threshold,
            "expected_findings": self.expected,
            "planted": self.planted,
        }


@dataclass
class _Plan:
    """Where each plant goes: the first fitting row at or after its position in the stream."""

    pending: dict[str, list[int]]
    placed: dict[str, int] = field(default_factory=dict)

    def take(self, kind: str, rows: Ints, end: int, fits: Bools, taken: Bools) -> Ints:
        """Which of `rows` (candidates of the chunk of disclosures ending before `end`, by
        their disclosure's number) get `kind`: positions in the candidates' arrays."""
        chosen: list[int] = []
        waiting = self.pending.get(kind, [])
        for k, position in enumerate(waiting):
            if position >= end:
                continue
            free = np.flatnonzero(fits & ~taken & (rows >= position))
            if len(free):
                chosen.append(int(free[0]))
                taken[free[0]] = True
                waiting[k] = -1
            else:
                waiting[k] = end  # nothing fit here: the next chunk's first fitting row
        self.pending[kind] = [p for p in waiting if p >= 0]
        self.placed[kind] = self.placed.get(kind, 0) + len(chosen)
        return np.array(chosen, np.int64)


class _Writers:
    def __init__(self, directory: Path) -> None:
        self.by_name = {
            r.name: RelationWriter(directory / f"{r.name}.parquet", r) for r in EXPORTED
        }

    def write(self, name: str, columns: Columns) -> None:
        self.by_name[name].write_columns(columns)

    def link(self, link: Link, parent: Columns, index: Ints, elements: Columns) -> None:
        """A link's rows: its parent's keys and carried columns (`parent` is the table's
        columns) at `index`; the join key (`relations.KEY`) is the parent's number, not the id
        it stands for."""
        taken = pa.array(index)
        columns = {
            out: parent[out if out == KEY else source].take(taken) for source, out in link.keys
        } | {c.name: parent[c.name].take(taken) for c in link.carried}
        self.write(link.name, {**columns, **elements})

    def close(self) -> dict[str, int]:
        for w in self.by_name.values():
            w.close()
        return {name: w.rows for name, w in self.by_name.items()}


def _relation(name: str) -> Table | Link:
    return next(r for r in EXPORTED if r.name == name)


@dataclass(slots=True)
class _Decisions:
    """A chunk's disclosures before their records: who, to whom, why, when, and the verdict."""

    world: "_World"
    order: Ints
    slot: Ints
    buyer: Ints
    recipient: Ints
    purpose: Ints
    country: Ints
    cross: Bools
    mandate: Bools
    seller_row: Bools
    transfer: Ints  # the transfer ground's code, -1 when domestic
    at: Ints
    quiet: Bools  # the buyer neither withdraws nor erases: plants go on these rows
    why: dict[str, Bools]  # what a decision would refuse for
    allowed: Bools

    @classmethod
    def draw(cls, world: "_World", rng: np.random.Generator, rows: Ints) -> "_Decisions":
        reg = world.registry
        n = len(rows)
        order = rows // SLOTS
        slot = rows % SLOTS
        # Drawn per order (for the chunk's orders), looked up per row.
        o0, o1 = int(order[0]), int(order[-1]) + 1
        per = np.random.default_rng([world.seed, 2, o0])
        count = o1 - o0
        span = world.end - world.start
        ordered = world.start + (np.arange(o0, o1) + per.random(count)) * span // world.orders
        buyer_o = per.integers(0, world.buyers, size=count)
        seller_o = len(FIXED) + (reg.sellers * per.random(count) ** 2).astype(np.int64)
        payer_o = PAYMENT[per.choice(len(PAYMENT), size=count, p=PAYMENT_SHARE)]
        carrier_o = per.integers(0, len(FOREIGN_CARRIERS), size=count)
        broker_o = per.integers(0, len(BROKERS), size=count)
        mandate_o = per.random(count) < 0.25
        k = order - o0
        buyer, seller = buyer_o[k], seller_o[k]
        seller_abroad = reg.country[seller] != _C[HOME]
        at = ordered.astype(np.int64)[k] + slot * 7 * US_PER_MINUTE
        at += rng.integers(0, 60_000_000, size=n)
        mandate = (slot == 3) & seller_abroad & mandate_o[k]
        carrier = np.where(
            seller_abroad,
            FOREIGN_CARRIERS[carrier_o[k]],
            DOMESTIC_CARRIERS[carrier_o[k] % len(DOMESTIC_CARRIERS)],
        )
        broker = np.where(mandate, MANDATE_BROKER, BROKERS[broker_o[k]])
        recipient = np.select(
            [slot == 0, slot == 1, slot == 2, seller_abroad],
            [payer_o[k], seller, carrier, broker],
            seller,
        )
        purpose = np.select(
            [slot == 0, slot <= 2, seller_abroad],
            [_P["payment"], _P["shipping"], _P["customs_clearance"]],
            _P["customer_service"],
        )
        country = reg.country[recipient]
        cross = country != _C[HOME]
        transfer = np.where(cross, world.transfer_ground[recipient], -1)
        # Why a decision would refuse.
        withdrawn_at = world.withdrawn[buyer]
        why = {
            "no_safeguards": cross & ~reg.safeguards[recipient],
            "consent_withdrawn": cross & (transfer == 0) & (at >= withdrawn_at),
            "suspended": world.suspended(at, recipient, country, cross & ~mandate),
            "at_random": rng.random(n) < REFUSED_AT_RANDOM,
        }
        refused = np.zeros(n, bool)
        for reason in why.values():
            refused |= reason
        return cls(
            world=world,
            order=order,
            slot=slot,
            buyer=buyer,
            recipient=recipient,
            purpose=purpose,
            country=country,
            cross=cross,
            mandate=mandate,
            seller_row=reg.role[recipient] == ROLES.index("seller"),
            transfer=transfer,
            at=at,
            quiet=(withdrawn_at == NEVER) & (world.erased[buyer] == NEVER),
            why=why,
            allowed=~refused,
        )

    def refusals(self) -> dict[str, Bools]:
        """Per decision plant, the rows refused for that reason alone (and, but for the
        withdrawal's, of a buyer who neither withdraws nor erases)."""
        out = {}
        for kind in _DECISION_PLANTS:
            alone = self.why[kind].copy()
            for other, reason in self.why.items():
                if other != kind:
                    alone &= ~reason
            out[kind] = alone if kind == "consent_withdrawn" else alone & self.quiet
        return out

    @property
    def on_consent(self) -> Bools:
        """Transfers resting on the overseas transfer consent."""
        on: Bools = self.cross & (self.transfer == 0)
        return on

    def ground(self) -> Ints:
        domestic = np.where(
            self.mandate,
            GROUNDS.index("legal_mandate"),
            np.where(self.seller_row, 0, GROUNDS.index("entrusted_contract")),
        )
        return np.where(self.cross, self.transfer, domestic)


@dataclass(frozen=True, slots=True)
class _ItemPlants:
    prohibited: Ints  # + the resident registration number, plain
    not_needed: Ints  # + the birth date, plain
    plain_phone: Ints  # the relayed phone released plain

    @classmethod
    def none(cls) -> "_ItemPlants":
        empty = np.array([], np.int64)
        return cls(empty, empty, empty)


_TABLE = [PURPOSE_ITEMS[p] for p in PURPOSES]
_COUNTS = np.array([len(t) for t in _TABLE])
_STARTS = np.concatenate([[0], np.cumsum(_COUNTS)[:-1]])
_FLAT_ITEM = np.array([_I[i] for t in _TABLE for i, _ in t])
_FLAT_FORM = np.array([_F[f] for t in _TABLE for _, f in t])


def _items(d: _Decisions, which: Bools, planted: _ItemPlants) -> tuple[Ints, Columns]:
    """The items of rows `which` (their purpose's, denied when refused), row by row."""
    chosen = np.flatnonzero(which)
    per_row = _COUNTS[d.purpose[chosen]]
    row = np.repeat(chosen, per_row)
    position = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    flat = _STARTS[d.purpose[row]] + position
    item, form = _FLAT_ITEM[flat], _FLAT_FORM[flat]
    form = np.where(d.allowed[row], form, _F["deny"])
    form[np.isin(row, planted.plain_phone) & (item == _I["phone"])] = _F["plain"]
    rows, items, forms = [row], [item], [form]
    for extra, name in ((planted.prohibited, "rrn"), (planted.not_needed, "birth_date")):
        rows.append(extra)
        items.append(np.full(len(extra), _I[name]))
        forms.append(np.full(len(extra), _F["plain"]))
    every = np.concatenate(rows)
    ordered = np.argsort(every, kind="stable")
    return every[ordered], {
        "item": _pick(ITEMS, np.concatenate(items)[ordered]),
        "form": _pick(FORMS, np.concatenate(forms)[ordered]),
    }


@dataclass(frozen=True, slots=True)
class _Bases:
    """Every allowed disclosure's bases, in row order; `consent` is 1 for the provision
    consent, 2 for the overseas transfer one, 0 for none."""

    row: Ints
    basis: Ints
    ground: Ints
    consent: Ints
    one: pa.Array  # per row of the chunk: the buyer's provision consent id
    two: pa.Array  # and the overseas transfer one

    @classmethod
    def of(cls, d: _Decisions, consent_base: pa.Array) -> "_Bases":
        n = len(d.at)
        entrusted = d.allowed & ~d.seller_row & ~d.mandate
        parts = (
            (d.allowed & d.seller_row, "provision", np.zeros(n, np.int64), 1),
            (entrusted, "entrustment", np.full(n, GROUNDS.index("entrusted_contract")), 0),
            (d.allowed & d.mandate, "mandate", np.full(n, GROUNDS.index("legal_mandate")), 0),
            (d.allowed & d.cross & ~d.mandate, "transfer", d.transfer, 2),
        )
        rows, bases, grounds, consents = [], [], [], []
        for fits, basis, ground, consent in parts:
            r = np.flatnonzero(fits)
            rows.append(r)
            bases.append(np.full(len(r), BASES.index(basis)))
            grounds.append(ground[r])
            consents.append(np.where(ground[r] == 0, consent, 0))
        row = np.concatenate(rows)
        ordered = np.argsort(row, kind="stable")
        return cls(
            row=row[ordered],
            basis=np.concatenate(bases)[ordered],
            ground=np.concatenate(grounds)[ordered],
            consent=np.concatenate(consents)[ordered],
            one=_suffixed(consent_base, "-1"),
            two=_suffixed(consent_base, "-2"),
        )

    def rows(self, shown: Bools) -> tuple[Ints, Columns]:
        keep = shown[self.row]
        row, basis = self.row[keep], self.basis[keep]
        return row, {
            "basis": _pick(BASES, basis),
            "ground": _pick(GROUNDS, self.ground[keep]),
            "consent_id": self._ids(row, self.consent[keep]),
            "mandate_id": _pick(
                [CUSTOMS_MANDATE], np.zeros(len(row), np.int64), basis != BASES.index("mandate")
            ),
        }

    def consents(self, shown: Bools) -> tuple[Ints, pa.Array]:
        keep = shown[self.row] & (self.consent > 0)
        row = self.row[keep]
        return row, self._ids(row, self.consent[keep])

    def _ids(self, row: Ints, which: Ints) -> pa.Array:
        taken = pa.array(row, pa.int64())
        chosen = pc.if_else(pa.array(which == 2), self.two.take(taken), self.one.take(taken))
        return pc.if_else(pa.array(which == 0), pa.nulls(len(row), pa.string()), chosen)


def _suffixed(ids: pa.Array, suffix: str) -> pa.Array:
    return pc.binary_join_element_wise(ids, suffix, "")


@dataclass(frozen=True, slots=True)
class _Suspension:
    id: str
    recipient: int | None
    country: int | None
    starts: int
    ends: int


class _World:
    """The world's fixed parts (registry, buyers' consents and requests, notice versions) and
    what is gathered while the disclosures stream by."""

    def __init__(
        self, records: int, seed: int, start: datetime, days: int, plants: int, threshold: int
    ) -> None:
        self.records = records
        self.seed = seed
        rng = np.random.default_rng([seed, 0])
        self.start = int(start.timestamp() * 1_000_000)
        self.end = self.start + days * US_PER_DAY
        self.as_of = self.end + US_PER_DAY
        span = self.end - self.start
        self.orders = -(-records // SLOTS)
        self.buyers = min(8_000_000, max(100, records // 12))
        self.registry = _registry(rng, min(50_000, max(40, records // 2000)), self.start)
        self.transfer_ground = self.registry.transfer_ground()
        self.agent_threshold = threshold
        # Notice versions: every 28 days from a year before the world to its end.
        first = self.start - 364 * US_PER_DAY + 10 * HOUR
        self.notices = np.arange(first, self.end, NOTICE_EVERY_DAYS * US_PER_DAY, dtype=np.int64)
        self.versions = [
            datetime.fromtimestamp(int(p) / 1e6, UTC).date().isoformat() for p in self.notices
        ]
        # Per buyer: when the overseas consent was given and withdrawn, when erased (or NEVER).
        withdraws = rng.random(self.buyers) < WITHDRAWING
        moment = self.start + (rng.random(self.buyers) * span).astype(np.int64)
        self.withdrawn = np.where(withdraws, moment, NEVER)
        self.given = self.start - rng.integers(1, 300 * 86_400, size=self.buyers) * 1_000_000
        erases = ~withdraws & (rng.random(self.buyers) < ERASING)
        # Erasures between the 30th day and 15 days before the end, so they are done by then.
        erasing_at = (
            self.start
            + 30 * US_PER_DAY
            + (rng.random(self.buyers) * (span - 45 * US_PER_DAY)).astype(np.int64)
        )
        self.erased = np.where(erases, erasing_at, NEVER)
        self.erasure_pairs: set[tuple[int, int]] = set()  # (buyer, recipient) before erasure
        self.reached = np.zeros(self.buyers, bool)  # buyers the agentless recipient received
        self.received = np.zeros(self.registry.size, np.int64)  # allowed disclosures each
        self.suspensions = (
            _Suspension(
                "so-0001",
                self.registry.suspended_seller,
                None,
                self.start + 150 * US_PER_DAY,
                self.start + 186 * US_PER_DAY,
            ),
            _Suspension(
                "so-0002",
                None,
                _C[SUSPENDED_COUNTRY],
                self.start + 220 * US_PER_DAY,
                self.start + 240 * US_PER_DAY,
            ),
        )
        # Plants, spread evenly over the stream; each kind offset so they do not pile up.
        kinds = list(PLANTS)
        self.plan = _Plan(
            {
                kind: [int((m + (k + 0.5) / len(kinds)) * records / plants) for m in range(plants)]
                for k, kind in enumerate(kinds)
            }
        )
        self.expected: dict[str, int] = {}
        self.no_safeguard_recipients: set[int] = set()
        self.leaves = 0

    def expect(self, kind: str, count: int = 1) -> None:
        for check, n in PLANTS[kind].items():
            self.expected[check] = self.expected.get(check, 0) + n * count

    def suspended(self, at: Ints, recipient: Ints, country: Ints, may: Bools) -> Bools:
        """Transfers (`may`: abroad, not under a statute) a suspension order in force stops:
        naming the recipient, its country or one of its data countries."""
        out = np.zeros(len(at), bool)
        for order in self.suspensions:
            inside = may & (at >= order.starts) & (at < order.ends)
            if order.recipient is not None:
                out |= inside & (recipient == order.recipient)
                continue
            holds = country == order.country
            for r, c in self.registry.data_countries:
                if c == order.country:
                    holds |= recipient == r
            out |= inside & holds
        return out

    # -- disclosures, a chunk at a time ----------------------------------------------------------

    def chunk(self, first: int, stop: int, writers: _Writers) -> None:
        """Rows `first` to `stop` of the disclosures, with their links, grants, reads, leaves."""
        rng = np.random.default_rng([self.seed, 1, first])
        reg = self.registry
        n = stop - first
        rows = np.arange(first, stop, dtype=np.int64)
        d = _Decisions.draw(self, rng, rows)
        taken = np.zeros(n, bool)

        def take(kind: str, fits: Bools) -> Ints:
            chosen = self.plan.take(kind, rows, stop, fits, taken)
            self.expect(kind, len(chosen))
            return chosen

        # Plants that make a decision allow what it would refuse for one reason only.
        refused_for = d.refusals()
        for kind in _DECISION_PLANTS:
            chosen = take(kind, refused_for[kind])
            d.allowed[chosen] = True
            if kind == "no_safeguards":
                self.no_safeguard_recipients.update(int(r) for r in d.recipient[chosen])
        # Plants on the records of allowed, otherwise lawful disclosures.
        plain = d.allowed & d.quiet & ~taken & ~d.mandate
        carrier_abroad = plain & d.cross & (d.slot == 2)
        unnamed = take("not_in_notice", carrier_abroad)
        d.recipient[unnamed] = UNNAMED
        d.country[unnamed] = _C[UNNAMED_COUNTRY]
        d.transfer[unnamed] = GROUNDS.index("entrusted_contract")
        d.country[take("country_not_in_notice", carrier_abroad)] = _C[UNLISTED_COUNTRY]
        customs = take("item_not_in_notice", carrier_abroad)
        d.purpose[customs] = PURPOSES.index("customs_clearance")
        domestic = plain & ~d.cross
        items = _ItemPlants(
            prohibited=take("prohibited_item", domestic),
            not_needed=take("item_not_needed", domestic),
            plain_phone=take("item_form", domestic & (d.slot == 1)),
        )
        no_basis = take("no_basis", plain)
        missing = take("consent_missing", plain & d.seller_row)
        days = ACCESS_DAYS_BY_CODE[d.purpose]
        expired = d.at + days * US_PER_DAY <= self.as_of
        not_ended = take("grant_not_ended", plain & expired)
        too_long = take("grant_too_long", plain & ~d.seller_row)
        unlogged = take("disclosure_unlogged", plain)
        deleted = take("disclosure_deleted", plain)

        # Grants, for every allowed disclosure; the sweeper has ended the expired ones, a
        # withdrawal the live ones resting on it.
        days[too_long] += 30
        expires = d.at + days * US_PER_DAY
        withdrawal = self.withdrawn[d.buyer]
        on_withdrawn = d.allowed & d.on_consent & (withdrawal >= d.at) & (withdrawal < expires)
        revoked = np.where(
            on_withdrawn, withdrawal, np.where(expires <= self.as_of, expires, NULL_TIME)
        )
        outlives = take("grant_outlives_withdrawal", on_withdrawn)
        revoked[outlives] = np.where(expires[outlives] <= self.as_of, expires[outlives], NULL_TIME)
        revoked[not_ended] = NULL_TIME
        by_withdrawal = on_withdrawn.copy()
        by_withdrawal[outlives] = False

        # Reads: half the sellers' shipping grants, once, while the grant lives.
        life_end = np.where(revoked == NULL_TIME, self.as_of, revoked)
        reads = np.flatnonzero(
            d.allowed & (d.slot == 1) & (rng.random(n) < READ_SHARE) & (life_end - d.at > 2_000_000)
        )
        read_at = d.at[reads] + 1_000_000
        read_at += (rng.random(len(reads)) * (life_end[reads] - d.at[reads] - 2_000_000)).astype(
            np.int64
        )
        read_taken = np.zeros(len(reads), bool)
        swept = (revoked[reads] == expires[reads]) & (expires[reads] + HOUR < self.as_of)
        late = self.plan.take("read_after_end", rows[reads], stop, swept, read_taken)
        read_at[late] = expires[reads][late] + HOUR
        read_unlogged = self.plan.take("read_unlogged", rows[reads], stop, ~read_taken, read_taken)
        self.expect("read_after_end", len(late))
        self.expect("read_unlogged", len(read_unlogged))
        # Leaves: the chunk's disclosures, then its reads.
        leaf = self.leaves + np.arange(n, dtype=np.int64)
        read_leaf = self.leaves + n + np.arange(len(reads), dtype=np.int64)
        self.leaves += n + len(reads)

        keep = np.ones(n, bool)
        keep[deleted] = False
        ids = _uuid7(rng, d.at)
        grant_ids = _uuid7(rng, d.at)
        read_ids = _uuid7(rng, read_at)
        subject = _numbered("b-", d.buyer, 7)
        consent_base = _numbered("c-", d.buyer, 7)
        allowed = pa.array(d.allowed)
        disclosures: Columns = {
            "subject_id": subject,
            "id": ids,
            "order_id": _numbered("o-", d.order + 1, 9),
            "recipient_id": reg.ids.take(pa.array(d.recipient)),
            "purpose": _pick(PURPOSES, d.purpose),
            "allowed": allowed,
            "cross_border": pa.array(d.cross),
            "recipient_country": _pick(COUNTRIES, d.country),
            "ground": _pick(GROUNDS, d.ground(), ~d.allowed),
            "legal_mandate": _pick([CUSTOMS_MANDATE], np.zeros(n, np.int64), ~d.mandate),
            "notice_version": _pick(
                self.versions, np.searchsorted(self.notices, d.at, side="right") - 1
            ),
            "decided_at": _instants(d.at),
            "grant_id": pc.if_else(allowed, grant_ids, pa.nulls(n, pa.string())),
            "leaf_index": _ints(leaf, np.isin(np.arange(n), unlogged)),
            "imported_by": pa.nulls(n, pa.string()),
            KEY: _ints(rows),  # the row's number in the whole stream: unique, ascending
        }
        kept = pa.array(keep)
        writers.write("disclosures", {c: a.filter(kept) for c, a in disclosures.items()})
        # The log's leaves name every disclosure, the deleted ones too; a disclosure's leaf
        # carries its key, but a deleted one's names no row (the export's join finds none).
        writers.write(
            LEAF_RECORDS.name,
            {
                "leaf_index": _ints(np.concatenate([leaf, read_leaf])),
                "record_type": _pick(
                    ["disclosure", "seller_read"],
                    np.repeat(np.array([0, 1], np.int64), [n, len(reads)]),
                ),
                "record_id": pa.concat_arrays([ids, read_ids]),
                "record_key": _ints(
                    np.concatenate([rows, np.zeros(len(reads), np.int64)]),
                    np.concatenate([~keep, np.ones(len(reads), bool)]),
                ),
            },
        )
        shown = keep.copy()
        shown[no_basis] = False
        bases = _Bases.of(d, consent_base)
        writers.link(_link("disclosure_items"), disclosures, *_items(d, keep, items))
        writers.link(_link("disclosure_bases"), disclosures, *bases.rows(shown))
        consent_rows, consent_ids = bases.consents(shown)
        if len(missing):
            consent_rows = np.concatenate([consent_rows, missing])
            consent_ids = pa.concat_arrays(
                [consent_ids, _suffixed(consent_base.take(pa.array(missing)), "-9")]
            )
        writers.link(
            _link("disclosure_consents"), disclosures, consent_rows, {"consent_id": consent_ids}
        )

        # access_grants, grant_items, grant_consents.
        g = np.flatnonzero(d.allowed)
        gi = pa.array(g)
        grants: Columns = {
            "recipient_id": disclosures["recipient_id"].take(gi),
            "id": grant_ids.take(gi),
            "order_id": disclosures["order_id"].take(gi),
            "subject_id": subject.take(gi),
            "purpose": disclosures["purpose"].take(gi),
            "ground": disclosures["ground"].take(gi),
            "access_days": _ints(days[g]),
            "created_at": _instants(d.at[g]),
            "expires_at": _instants(expires[g]),
            "revoked_at": _instants(revoked[g], revoked[g] == NULL_TIME),
            "revoke_reason": _pick(
                ["expired", "withdrawn"],
                by_withdrawal[g].astype(np.int64),
                revoked[g] == NULL_TIME,
            ),
        }
        writers.write("access_grants", grants)
        position = np.full(n, -1, np.int64)
        position[g] = np.arange(len(g))
        item_rows, item_columns = _items(d, d.allowed, _ItemPlants.none())
        writers.link(_link("grant_items"), grants, position[item_rows], item_columns)
        grant_consent_rows, grant_consent_ids = bases.consents(d.allowed)
        writers.link(
            _link("grant_consents"),
            grants,
            position[grant_consent_rows],
            {"consent_id": grant_consent_ids},
        )
        # seller_reads.
        ri = pa.array(reads)
        writers.write(
            "seller_reads",
            {
                "recipient_id": disclosures["recipient_id"].take(ri),
                "id": read_ids,
                "grant_id": disclosures["grant_id"].take(ri),
                "order_id": disclosures["order_id"].take(ri),
                "read_at": _instants(read_at),
                "leaf_index": _ints(read_leaf, np.isin(np.arange(len(reads)), read_unlogged)),
            },
        )
        # What later relations need: erasures' recipients, the agentless recipient's reach.
        counted = d.allowed & keep
        self.received += np.bincount(d.recipient[counted], minlength=reg.size)
        self.reached[d.buyer[counted & (d.recipient == AGENTLESS)]] = True
        erased = self.erased[d.buyer]
        erasing = counted & (erased != NEVER) & (d.at <= erased)
        self.erasure_pairs.update(
            zip(d.buyer[erasing].tolist(), d.recipient[erasing].tolist(), strict=True)
        )

    # -- the relations written once ------------------------------------------------------------

    def registry_tables(self, writers: _Writers) -> None:
        """Recipients, notice versions (each naming every recipient but the unnamed one, its
        countries and its items), suspension orders."""
        reg = self.registry
        n = reg.size
        no_agent = ~reg.agent | (reg.country == _C[HOME])
        recipients: Columns = {
            "id": reg.ids,
            "country": _pick(COUNTRIES, reg.country),
            "role": _pick(ROLES, reg.role),
            "contract_safeguards": pa.array(reg.safeguards),
            "certification_measures": pa.array(reg.certified),
            "retention_days": _ints(reg.retention),
            "domestic_agent_name": _pick([AGENT_NAME], np.zeros(n, np.int64), no_agent),
            "created_at": _instants(reg.created),
            "updated_at": _instants(reg.created),
        }
        writers.write("recipients", recipients)
        data_recipient = np.array([r for r, _ in reg.data_countries], np.int64)
        data_country = np.array([c for _, c in reg.data_countries], np.int64)
        writers.link(
            _link("recipient_data_countries"),
            recipients,
            data_recipient,
            {"country": _pick(COUNTRIES, data_country)},
        )
        writers.write(
            "notice_versions",
            {"version": pa.array(self.versions), "published_at": _instants(self.notices)},
        )
        named = np.flatnonzero(np.arange(n) != UNNAMED)
        m = len(named)
        position = np.full(n, -1, np.int64)
        position[named] = np.arange(m)
        listed = _notice_items(reg)
        item_count = np.array([len(listed[r]) for r in named])
        item_rows = np.repeat(np.arange(m), item_count)
        items = _pick(ITEMS, np.concatenate([np.array(listed[r], np.int64) for r in named]))
        country_rows = np.concatenate([np.arange(m), position[data_recipient]])
        countries = np.concatenate([reg.country[named], data_country])
        ordered = np.argsort(country_rows, kind="stable")
        base: Columns = {
            "recipient_id": reg.ids.take(pa.array(named)),
            "country": _pick(COUNTRIES, reg.country[named]),
            "role": _pick(ROLES, reg.role[named]),
            "ground": _pick(GROUNDS, np.where(reg.role[named] == 0, 0, _G["entrusted_contract"])),
        }
        for version in self.versions:
            parent = {"version": pa.array([version] * m, pa.string()), **base}
            writers.write("notice_recipients", parent)
            writers.link(
                _link("notice_recipient_countries"),
                parent,
                country_rows[ordered],
                {"country": _pick(COUNTRIES, countries[ordered])},
            )
            writers.link(_link("notice_recipient_items"), parent, item_rows, {"item": items})
        orders = self.suspensions
        writers.write(
            "suspension_orders",
            {
                "id": pa.array([o.id for o in orders]),
                "recipient_id": pa.array(
                    [None if o.recipient is None else reg.ids[o.recipient].as_py() for o in orders],
                    pa.string(),
                ),
                "country": pa.array(
                    [None if o.country is None else COUNTRIES[o.country] for o in orders],
                    pa.string(),
                ),
                "starts_at": _instants(np.array([o.starts for o in orders], np.int64)),
                "ends_at": _instants(np.array([o.ends for o in orders], np.int64)),
            },
        )

    def consents(self, writers: _Writers) -> None:
        """Each buyer's provision (`-1`) and overseas transfer (`-2`) consents."""
        for first in range(0, self.buyers, CHUNK):
            buyer = np.repeat(np.arange(first, min(self.buyers, first + CHUNK)), 2)
            overseas = np.tile([False, True], len(buyer) // 2)
            given = self.given[buyer]
            withdrawn = self.withdrawn[buyer]
            writers.write(
                "consents",
                {
                    "subject_id": _numbered("b-", buyer, 7),
                    "id": pc.binary_join_element_wise(
                        _numbered("c-", buyer, 7),
                        pa.array(np.where(overseas, "-2", "-1")),
                        "",
                    ),
                    "kind": _pick(
                        ["third_party_provision", "overseas_transfer"], overseas.astype(np.int64)
                    ),
                    "notice_version": _pick(
                        self.versions, np.searchsorted(self.notices, given, side="right") - 1
                    ),
                    "given_at": _instants(given),
                    "withdrawn_at": _instants(withdrawn, ~overseas | (withdrawn == NEVER)),
                },
            )

    def rights(self, writers: _Writers) -> None:
        """Rights requests, each done by its deadline (or open within it), and the erasures'
        tasks, each acknowledged; then the rights plants."""
        rng = np.random.default_rng([self.seed, 3])
        requests = _Requests()
        withdrew = np.flatnonzero(self.withdrawn != NEVER)
        requests.add(withdrew, "withdrawal", self.withdrawn[withdrew], self.withdrawn[withdrew])
        erasing = np.flatnonzero(self.erased != NEVER)
        first_erasure = requests.size
        requests.add(
            erasing, "erasure", self.erased[erasing], self.erased[erasing] + 3 * US_PER_DAY
        )
        asking = np.flatnonzero(rng.random(self.buyers) < ASKING)
        created = self.start + (rng.random(len(asking)) * (self.as_of - self.start)).astype(
            np.int64
        )
        done = created + rng.integers(1, 9 * 24, size=len(asking)) * HOUR
        for k, kind in enumerate(("export", "correction", "complaint")):
            some = np.arange(len(asking)) % 3 == k
            requests.add(asking[some], kind, created[some], done[some], open_after=self.as_of)
        # Plants: open ten days past the deadline; closed a day after it.
        quiet = np.flatnonzero((self.withdrawn == NEVER) & (self.erased == NEVER))
        late = self.plan.pending.pop("request_overdue", [])
        opened = np.full(len(late), self.as_of - 20 * US_PER_DAY)
        requests.add(quiet[: len(late)], "export", opened, None, open_state="received")
        closed = self.plan.pending.pop("request_closed_late", [])
        opened = self.start + (40 + np.arange(len(closed))) * US_PER_DAY
        after = opened + (DEADLINE_DAYS + 1) * US_PER_DAY
        requests.add(quiet[len(quiet) - len(closed) :], "correction", opened, after)
        self._placed("request_overdue", len(late))
        self._placed("request_closed_late", len(closed))
        ids = _uuid7(rng, requests.column("created"))
        writers.write("rights_requests", requests.columns(ids))
        # Tasks: one per recipient the erasing buyer's data reached before the erasure.
        pairs = sorted(self.erasure_pairs)
        untold = len(self.plan.pending.pop("erasure_not_told", []))
        unacknowledged = len(self.plan.pending.pop("erasure_not_acknowledged", []))
        untold, unacknowledged = min(untold, len(pairs)), min(unacknowledged, len(pairs) - untold)
        self._placed("erasure_not_told", untold)
        self._placed("erasure_not_acknowledged", unacknowledged)
        told = np.array(pairs[untold:], np.int64).reshape(-1, 2)
        request_of = np.full(self.buyers, -1, np.int64)
        request_of[erasing] = first_erasure + np.arange(len(erasing))
        request = request_of[told[:, 0]]
        at = requests.column("created")[request]
        acknowledged = np.arange(len(told)) >= unacknowledged
        writers.write(
            "rights_tasks",
            {
                "subject_id": _numbered("b-", told[:, 0], 7),
                "id": _uuid7(rng, at),
                "request_id": ids.take(pa.array(request, pa.int64())),
                "recipient_id": self.registry.ids.take(pa.array(told[:, 1], pa.int64())),
                "state": _pick(["acknowledged", "notified"], (~acknowledged).astype(np.int64)),
                "created_at": _instants(at),
                "acknowledged_at": _instants(at + 2 * US_PER_DAY, ~acknowledged),
            },
        )

    def _placed(self, kind: str, count: int) -> None:
        self.plan.placed[kind] = self.plan.placed.get(kind, 0) + count
        self.expect(kind, count)

    def log_problems(self, writers: _Writers) -> None:
        """What the ledger's verification would find: one row per log plant."""
        defects, leaves, details = [], [], []
        for kind, defect in (
            ("tree_altered", Defect.LEAF_CHANGED),
            ("head_bad", Defect.HEAD_SIGNATURE),
            ("head_inconsistent", Defect.HEAD_INCONSISTENT),
        ):
            placed = self.plan.pending.pop(kind, [])
            for m, position in enumerate(placed):
                defects.append(defect.value)
                leaves.append(min(position, max(self.leaves - 1, 0)))
                details.append(f"planted {kind} {m}")
            self._placed(kind, len(placed))
        writers.write(
            LOG_PROBLEMS.name,
            {
                "defect": pa.array(defects, pa.string()),
                "leaf_index": pa.array(leaves, pa.int64()),
                "detail": pa.array(details, pa.string()),
            },
        )

    def registry_findings(self) -> None:
        """A28-8-4 once per recipient a no-safeguards plant sent data to; A31-2 for the
        agentless payment processor if it reached the threshold's buyers (and no other
        recipient abroad without an agent may have: the world is wrong for the threshold)."""
        reg = self.registry
        agentless = (reg.country != _C[HOME]) & ~reg.agent
        agentless[AGENTLESS] = False
        busiest = int(self.received[agentless].max(initial=0))
        if busiest >= self.agent_threshold:
            raise ValueError(
                f"agent_threshold {self.agent_threshold} is too low for {self.records} records: "
                f"a recipient abroad without a domestic agent received {busiest} disclosures "
                "besides the planted one; give a threshold above that"
            )
        if int(self.reached.sum()) >= self.agent_threshold:
            self.expected["A31-2-no-domestic-agent"] = 1
        if self.no_safeguard_recipients:
            self.expected["A28-8-4-no-safeguards"] = len(self.no_safeguard_recipients)


class _Requests:
    """Rights requests as columns, added a group at a time."""

    def __init__(self) -> None:
        self._parts: dict[str, list[npt.NDArray[Any]]] = {
            k: [] for k in ("subject", "kind", "state", "created", "completed")
        }

    @property
    def size(self) -> int:
        return sum(len(p) for p in self._parts["subject"])

    def add(
        self,
        subjects: Ints,
        kind: str,
        created: Ints,
        completed: Ints | None,
        open_after: int | None = None,
        open_state: str = "in_progress",
    ) -> None:
        """Requests of `subjects` made at `created`, completed at `completed` unless that is
        after `open_after` (still open then, in `open_state`); all open if `completed` is None."""
        done = np.full(len(subjects), NULL_TIME) if completed is None else completed.copy()
        if open_after is not None:
            done[done > open_after] = NULL_TIME
        self._parts["subject"].append(subjects.astype(np.int64))
        self._parts["kind"].append(np.full(len(subjects), kind, dtype=object))
        self._parts["state"].append(np.where(done == NULL_TIME, open_state, "completed"))
        self._parts["created"].append(created.astype(np.int64))
        self._parts["completed"].append(done.astype(np.int64))

    def column(self, name: str) -> npt.NDArray[Any]:
        return np.concatenate(self._parts[name])

    def columns(self, ids: pa.Array) -> Columns:
        created, completed = self.column("created"), self.column("completed")
        return {
            "subject_id": _numbered("b-", self.column("subject"), 7),
            "id": ids,
            "kind": pa.array(self.column("kind").tolist(), pa.string()),
            "state": pa.array(self.column("state").tolist(), pa.string()),
            "created_at": _instants(created),
            "deadline": _instants(created + DEADLINE_DAYS * US_PER_DAY),
            "completed_at": _instants(completed, completed == NULL_TIME),
        }


def _link(name: str) -> Link:
    relation = _relation(name)
    if not isinstance(relation, Link):
        raise TypeError(f"{name} is a table, not a link")
    return relation


def _notice_items(reg: _Registry) -> list[list[int]]:
    """The items each notice lists for a recipient: what its purposes release."""

    def items(*purposes: str) -> list[int]:
        return sorted({_I[i] for p in purposes for i, _ in PURPOSE_ITEMS[p]})

    by_role = {
        ROLES.index("seller"): items("shipping", "customer_service"),
        ROLES.index("processor"): items("shipping"),
        ROLES.index("payment_processor"): items("payment"),
        ROLES.index("customs_broker"): items("customs_clearance"),
    }
    return [by_role[int(r)] for r in reg.role]


def generate_export(
    directory: Path,
    records: int,
    seed: int = 1,
    *,
    start: datetime = datetime(2025, 11, 1, tzinfo=UTC),
    days: int = 365,
    plants: int = 3,
    agent_threshold: int = DOMESTIC_AGENT_SUBJECTS,
    progress: Callable[[int], None] | None = None,
) -> GeneratedExport:
    """Write an audit export of `records` disclosures into `directory` (new or empty).

    `plants` violations of each kind in `PLANTS` go in where the world has room for them (a
    tiny world may have none for some); `GeneratedExport.expected` counts what they must
    produce, also written into the manifest under `synthetic`."""
    if records < 1:
        raise ValueError(f"records must be at least 1, got {records}")
    if plants < 0:
        raise ValueError(f"plants must be at least 0, got {plants}")
    check_directory(directory)
    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    world = _World(records, seed, start, days, plants, agent_threshold)
    writers = _Writers(directory)
    try:
        for first in range(0, records, CHUNK):
            stop = min(records, first + CHUNK)
            world.chunk(first, stop, writers)
            if progress is not None:
                progress(stop - first)
        world.registry_tables(writers)
        world.consents(writers)
        world.rights(writers)
        world.log_problems(writers)
        world.registry_findings()
    finally:
        rows = writers.close()
    exported_at = datetime.fromtimestamp(world.as_of / 1e6, UTC)
    result = GeneratedExport(
        directory=directory,
        records=records,
        seed=seed,
        exported_at=exported_at,
        agent_threshold=agent_threshold,
        rows=rows,
        expected={check: n for check, n in sorted(world.expected.items()) if n},
        planted=dict(sorted(world.plan.placed.items())),
        seconds=time.perf_counter() - started,
        bytes=sum(p.stat().st_size for p in directory.glob("*.parquet")),
    )
    manifest = manifest_json(
        exported_at, rows, tree_size=world.leaves, log_problems=rows[LOG_PROBLEMS.name]
    )
    manifest["synthetic"] = result.to_json()
    write_manifest(directory, manifest)
    return result
