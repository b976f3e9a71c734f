"""The synthetic marketplace's values: plain frozen records, one per thing the marketplace knows.

They mirror what the lead's loader writes through the real services (registry, consent,
marketplace), and what `sim.requests` turns into engine requests; no behaviour lives here.
"""

from dataclasses import dataclass
from datetime import date, datetime

from databorder.model import ConsentKind, DataItem, Purpose, RecipientRole


@dataclass(frozen=True, slots=True)
class DomesticAgent:
    """The Korean agent an overseas business must name (PIPA Art. 31-2)."""

    name: str
    email: str
    phone: str  # E.164


@dataclass(frozen=True, slots=True)
class RecipientSpec:
    """A registry entry: a seller, processor, customs broker or payment processor."""

    id: str
    legal_name: str
    country: str  # ISO 3166-1 alpha-2
    role: RecipientRole
    service: str  # what it does for the marketplace, for notices ("cross-border logistics")
    privacy_email: str
    privacy_phone: str  # E.164, valid for `country`
    certifications: tuple[str, ...]
    contract_safeguards: bool
    disclosed_in_notice: bool
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
    residence: str
    transfer_suspended: bool
    created_at: datetime
    card_number: str | None
    bank_account: str | None
    rrn: str | None  # legacy data some buyers still have on file; never released (Art. 24-2)


@dataclass(frozen=True, slots=True)
class NoticeSpec:
    """A published version of the overseas-transfer notice; consents cite the one they were shown."""

    version: str
    published_at: datetime
    summary: str


@dataclass(frozen=True, slots=True)
class ConsentSpec:
    id: str
    buyer_id: str
    kind: ConsentKind
    notice_version: str
    recipients: tuple[str, ...]
    countries: tuple[str, ...]
    items: tuple[DataItem, ...]
    purposes: tuple[Purpose, ...]
    given_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True, slots=True)
class DisclosureSpec:
    """One disclosure the marketplace will ask for, `minutes_after_order` after the order."""

    recipient_id: str
    purpose: Purpose
    items: tuple[DataItem, ...]
    legal_mandate: str | None = None  # the statute's citation when one requires the disclosure
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
