"""The synthetic marketplace's values: plain frozen records, one per thing the marketplace knows.

They mirror what the loaders write through the real services (registry, notices, consent,
marketplace, suspension orders), and what `sim.requests` turns into engine requests (contract
v2); no behaviour lives here.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from databorder.model import ConsentKind, DataItem, Purpose, RecipientRole

ConsentMethod = Literal["web_form", "mobile_app", "api", "paper", "import"]


@dataclass(frozen=True, slots=True)
class DomesticAgent:
    """The Korean agent an overseas business must name (PIPA Art. 31-2)."""

    name: str
    email: str
    phone: str  # E.164


@dataclass(frozen=True, slots=True)
class RecipientSpec:
    """A registry entry: a seller, processor, customs broker or payment processor.

    Whether it is disclosed is not a flag: it is named by every notice version published at or
    after `created_at` (the publisher snapshots the registry as it stood then).
    """

    id: str
    legal_name: str
    country: str  # ISO 3166-1 alpha-2, the seat
    role: RecipientRole
    service: str  # what it does for the marketplace ("cross-border logistics")
    privacy_email: str
    privacy_phone: str  # E.164, valid for `country`
    certifications: tuple[str, ...]
    certification_measures: bool  # the measures of Art. 28-8(1)4 (a) and (b) are taken
    contract_safeguards: bool
    data_countries: tuple[str, ...]  # other countries it receives, stores or views data in
    purposes: tuple[Purpose, ...]  # what it receives data for, as the notice lists it
    retention_days: int
    domestic_agent: DomesticAgent | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BuyerSpec:
    """A buyer and the personal data the marketplace holds about them (all synthetic)."""

    id: str
    name: str
    phone: str  # display form, 010-XXXX-XXXX
    phone_e164: str
    email: str
    address: str
    postal_code: str  # 5 digits
    customs_code: str  # PCCC: "P" + 12 digits
    birth_date: date
    residence: str  # kept for the record: cross-border is judged from Korea (contract v2)
    transfer_suspended: bool
    created_at: datetime
    card_number: str | None
    bank_account: str | None
    rrn: str | None  # legacy data some buyers still have on file; never released (Art. 24-2)


@dataclass(frozen=True, slots=True)
class NoticeSpec:
    """A notice version the marketplace publishes at `published_at` (through NoticePublisher)."""

    version: str
    published_at: datetime
    summary: str


@dataclass(frozen=True, slots=True)
class ConsentSpec:
    id: str
    buyer_id: str
    kind: ConsentKind
    notice_version: str  # the version in force when given: it names what a country reaches
    recipients: tuple[str, ...]
    countries: tuple[str, ...]
    items: tuple[DataItem, ...]
    purposes: tuple[Purpose, ...]
    given_at: datetime
    withdrawn_at: datetime | None
    method: ConsentMethod = "web_form"


@dataclass(frozen=True, slots=True)
class SuspensionSpec:
    """A regulator's order suspending transfers abroad (PIPA Art. 28-9), recipient or country."""

    id: str
    recipient_id: str | None
    country: str | None
    starts_at: datetime
    ends_at: datetime | None
    reference: str


@dataclass(frozen=True, slots=True)
class DisclosureSpec:
    """One disclosure the marketplace will ask for, `minutes_after_order` after the order."""

    recipient_id: str
    purpose: Purpose
    items: tuple[DataItem, ...]
    legal_mandate: str | None = None  # an id of the rule pack's mandate list
    minutes_after_order: int = 1


@dataclass(frozen=True, slots=True)
class OrderSpec:
    id: str
    buyer_id: str
    seller_id: str
    ordered_at: datetime
    delivered_at: datetime | None  # None while in transit at the world's end
    order_items: str
    disclosures: tuple[DisclosureSpec, ...]


@dataclass(frozen=True, slots=True)
class World:
    """A whole generated marketplace; `end` is `start + days`, the world's "now"."""

    seed: int
    start: datetime
    end: datetime
    notices: tuple[NoticeSpec, ...]
    recipients: tuple[RecipientSpec, ...]
    buyers: tuple[BuyerSpec, ...]
    consents: tuple[ConsentSpec, ...]
    orders: tuple[OrderSpec, ...]
    suspension_orders: tuple[SuspensionSpec, ...] = ()
