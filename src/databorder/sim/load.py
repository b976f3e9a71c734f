"""Writing a synthetic world into databorder through the real services, validated as any input.

The loader does not reach around the services: recipients go through the registry's schema,
buyers' personal data through the vault, consents through the consent ledger, so the demo
exercises the same validation and encryption a marketplace's data would.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from databorder.consent.schemas import ConsentIn, NoticeVersionIn
from databorder.consent.services import ConsentService
from databorder.marketplace.schemas import BuyerIn, BuyerPii, OrderIn
from databorder.marketplace.services import MarketplaceService
from databorder.registry.schemas import RecipientIn
from databorder.registry.services import RegistryService
from databorder.sim.types import BuyerSpec, ConsentSpec, OrderSpec, RecipientSpec, World
from databorder.vault.service import Vault


@dataclass(frozen=True, slots=True)
class LoadCounts:
    notices: int
    recipients: int
    buyers: int
    consents: int
    orders: int


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
        contract_safeguards=spec.contract_safeguards,
        retention_days=spec.retention_days,
        disclosed_in_notice=spec.disclosed_in_notice,
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


def load_world(session: Session, vault: Vault, world: World) -> LoadCounts:
    """Everything but deliveries, which the demo records after the disclosures.

    Consents are loaded with their withdrawal times: the engine compares them with each
    request's `at`, so decisions before a withdrawal see the consent and those after do not.
    """
    consents = ConsentService(session)
    for notice in world.notices:
        consents.publish_notice(
            NoticeVersionIn(
                version=notice.version, published_at=notice.published_at, summary=notice.summary
            )
        )
    registry = RegistryService(session)
    for recipient in world.recipients:
        registry.create(recipient_in(recipient), recipient.created_at)
    market = MarketplaceService(session, vault)
    for buyer in world.buyers:
        market.register_buyer(buyer_in(buyer), buyer.created_at)
    for consent in world.consents:
        consents.give(consent_in(consent))
    for order in world.orders:
        market.place_order(order_in(order), order.ordered_at)
    return LoadCounts(
        len(world.notices),
        len(world.recipients),
        len(world.buyers),
        len(world.consents),
        len(world.orders),
    )
