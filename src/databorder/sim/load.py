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
from dataclasses import dataclass

from sqlalchemy.orm import Session

from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.marketplace.schemas import BuyerIn, BuyerPii, OrderIn
from databorder.marketplace.services import MarketplaceService
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


def recipient_in(spec: RecipientSpec) -> RecipientIn:
    agent = spec.domestic_agent
    return RecipientIn(
        id=spec.id,
        legal_name=spec.legal_name,
        country=spec.country,
        role=spec.role,
        privacy_email=spec.privacy_email,
        privacy_phone=spec.privacy_phone,
        certifications=list(spec.certifications),
        certification_measures=spec.certification_measures,
        contract_safeguards=spec.contract_safeguards,
        retention_days=spec.retention_days,
        data_countries=list(spec.data_countries),
        purposes=list(spec.purposes),
        domestic_agent_name=agent.name if agent else None,
        domestic_agent_email=agent.email if agent else None,
        domestic_agent_phone=agent.phone if agent else None,
    )


def buyer_in(spec: BuyerSpec) -> BuyerIn:
    return BuyerIn(
        id=spec.id,
        residence=spec.residence,
        transfer_suspended=spec.transfer_suspended,
        pii=BuyerPii(
            name=spec.name,
            phone=spec.phone_e164,
            email=spec.email,
            address=spec.address,
            postal_code=spec.postal_code,
            customs_code=spec.customs_code,
            birth_date=spec.birth_date.isoformat(),
            rrn=spec.rrn,
            card_number=spec.card_number,
            bank_account=spec.bank_account,
        ),
    )


def consent_in(spec: ConsentSpec) -> ConsentIn:
    return ConsentIn(
        id=spec.id,
        subject_id=spec.buyer_id,
        kind=spec.kind,
        notice_version=spec.notice_version,
        recipients=list(spec.recipients),
        countries=list(spec.countries),
        items=list(spec.items),
        purposes=list(spec.purposes),
        given_at=spec.given_at,
        withdrawn_at=spec.withdrawn_at,
        method=spec.method,
    )


def order_in(spec: OrderSpec) -> OrderIn:
    # Delivery is recorded later, through the gateway, as it happens in the marketplace.
    return OrderIn(
        id=spec.id,
        buyer_id=spec.buyer_id,
        seller_id=spec.seller_id,
        ordered_at=spec.ordered_at,
        delivered_at=None,
        order_items=spec.order_items,
    )


def suspension_in(spec: SuspensionSpec) -> SuspensionOrderIn:
    return SuspensionOrderIn(
        id=spec.id,
        recipient_id=spec.recipient_id,
        country=spec.country,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        reference=spec.reference,
    )


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
