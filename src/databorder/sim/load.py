"""Writing a synthetic world into databorder through the real services, validated as any input.

The loader does not reach around the services: recipients go through the registry's schema,
notice versions through the `NoticePublisher` (so `notice_versions`, `notice_recipients` and
`notice_documents` hold exactly what production writes, each version naming the recipients
registered by its publication), buyers' personal data through the vault, consents through the
consent ledger (which keeps each version's content hash), suspension orders through the
registry's `SuspensionService`, so the demo exercises the same validation and encryption a
marketplace's data would.
"""

import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.marketplace.schemas import BuyerIn, BuyerPii, OrderIn
from databorder.marketplace.services import MarketplaceService
from databorder.model import DataItem
from databorder.notices.publish import NoticePublisher
from databorder.notices.store import PublishedVersion
from databorder.registry.models import SuspensionOrder
from databorder.registry.schemas import RecipientIn
from databorder.registry.services import RegistryService
from databorder.registry.suspensions import SuspensionOrderIn, SuspensionService
from databorder.runtime import Runtime
from databorder.sim.types import (
    BuyerSpec,
    ConsentSpec,
    NoticeSpec,
    OrderSpec,
    RecipientSpec,
    SuspensionSpec,
    World,
)


@dataclass(frozen=True, slots=True)
class LoadCounts:
    notices: tuple[PublishedVersion, ...]
    publish_seconds: float
    recipients: int
    buyers: int
    consents: int
    orders: int
    suspension_orders: int


def recipient_record(spec: RecipientSpec) -> dict[str, Any]:
    """The recipient as the registry keeps it: `RecipientIn`'s fields, enumerations as values."""
    agent = spec.domestic_agent
    return {
        "id": spec.id,
        "legal_name": spec.legal_name,
        "country": spec.country,
        "role": spec.role.value,
        "privacy_email": spec.privacy_email,
        "privacy_phone": spec.privacy_phone,
        "certifications": list(spec.certifications),
        "certification_measures": spec.certification_measures,
        "contract_safeguards": spec.contract_safeguards,
        "retention_days": spec.retention_days,
        "data_countries": list(spec.data_countries),
        "purposes": [p.value for p in spec.purposes],
        "domestic_agent_name": agent.name if agent else None,
        "domestic_agent_email": agent.email if agent else None,
        "domestic_agent_phone": agent.phone if agent else None,
    }


def consent_record(spec: ConsentSpec, notice_sha256: str | None) -> dict[str, Any]:
    """The consent as the ledger keeps it: the columns of `consents`, `ConsentIn`'s fields."""
    return {
        "subject_id": spec.buyer_id,
        "id": spec.id,
        "kind": spec.kind,
        "notice_version": spec.notice_version,
        "recipients": spec.recipients,
        "countries": spec.countries,
        "items": spec.items,
        "purposes": spec.purposes,
        "given_at": spec.given_at,
        "withdrawn_at": spec.withdrawn_at,
        "notice_sha256": notice_sha256,
        "method": spec.method,
    }


def buyer_items(spec: BuyerSpec) -> dict[DataItem, str]:
    """The buyer's personal data items, as the vault seals them (those the buyer has)."""
    values = {
        DataItem.NAME: spec.name,
        DataItem.PHONE: spec.phone_e164,
        DataItem.EMAIL: spec.email,
        DataItem.ADDRESS: spec.address,
        DataItem.POSTAL_CODE: spec.postal_code,
        DataItem.CUSTOMS_CODE: spec.customs_code,
        DataItem.BIRTH_DATE: spec.birth_date.isoformat(),
    }
    optional = {
        DataItem.RRN: spec.rrn,
        DataItem.CARD_NUMBER: spec.card_number,
        DataItem.BANK_ACCOUNT: spec.bank_account,
    }
    return values | {item: value for item, value in optional.items() if value is not None}


def recipient_in(spec: RecipientSpec) -> RecipientIn:
    return RecipientIn.model_validate(recipient_record(spec))


def buyer_in(spec: BuyerSpec) -> BuyerIn:
    pii = BuyerPii.model_validate({item.value: value for item, value in buyer_items(spec).items()})
    return BuyerIn(
        id=spec.id, residence=spec.residence, transfer_suspended=spec.transfer_suspended, pii=pii
    )


def consent_in(spec: ConsentSpec) -> ConsentIn:
    # No content hash: the consent ledger records the version's own (the screen showed it).
    return ConsentIn.model_validate(consent_record(spec, None))


def order_in(spec: OrderSpec) -> OrderIn:
    # Delivery is recorded later, through the gateway, as it happens in the marketplace.
    return OrderIn.model_validate(replace(spec, delivered_at=None), from_attributes=True)


def suspension_in(spec: SuspensionSpec) -> SuspensionOrderIn:
    return SuspensionOrderIn.model_validate(spec, from_attributes=True)


def publish_notices(
    session: Session, publisher: NoticePublisher, notices: tuple[NoticeSpec, ...]
) -> tuple[PublishedVersion, ...]:
    """Publish each version at its time, in order: each names the registry as it stood then."""
    ordered = sorted(notices, key=lambda n: (n.published_at, n.version))
    return tuple(publisher.publish(session, n.published_at, n.version, n.summary) for n in ordered)


def add_suspension_order(
    session: Session, spec: SuspensionSpec, home_country: str
) -> tuple[SuspensionOrder, int]:
    """Record the order when the regulator issues it; ends the grants it covers then."""
    return SuspensionService(session, home_country).add(suspension_in(spec), spec.starts_at)


def load_world(
    session: Session,
    rt: Runtime,
    world: World,
    *,
    suspension_orders: bool = True,
) -> LoadCounts:
    """Everything but deliveries, which the demo records after the disclosures.

    Recipients first (each with its registration time), then the notice versions at their
    publication times, then buyers, their consents (each citing the version it was given
    against) and orders. Consents are loaded with their withdrawal times: the engine compares
    them with each request's `at`, so decisions before a withdrawal see the consent and those
    after do not. With `suspension_orders` false the caller records them when they are issued
    (the demo does, in time order, so they end the grants live at that moment).
    """
    registry = RegistryService(session)
    for recipient in world.recipients:
        registry.create(recipient_in(recipient), recipient.created_at)
    began = time.perf_counter()
    published = publish_notices(session, rt.publisher, world.notices)
    publish_seconds = time.perf_counter() - began
    market = MarketplaceService(session, rt.vault)
    for buyer in world.buyers:
        market.register_buyer(buyer_in(buyer), buyer.created_at)
    consents = ConsentService(session)
    for consent in world.consents:
        consents.give(consent_in(consent))
    for order in world.orders:
        market.place_order(order_in(order), order.ordered_at)
    if suspension_orders:
        for spec in world.suspension_orders:
            add_suspension_order(session, spec, rt.engine.pack.home_country)
    return LoadCounts(
        published,
        publish_seconds,
        len(world.recipients),
        len(world.buyers),
        len(world.consents),
        len(world.orders),
        len(world.suspension_orders) if suspension_orders else 0,
    )
