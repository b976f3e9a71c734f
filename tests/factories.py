"""Small factories for tests: synthetic values only, built through the real services."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.marketplace.schemas import BuyerIn, BuyerPii, OrderIn
from databorder.marketplace.services import MarketplaceService
from databorder.registry.schemas import RecipientIn
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
REGISTERED = datetime(2026, 9, 1, tzinfo=UTC)  # recipients exist before the first notice
NOTICE = datetime(2026, 10, 1, tzinfo=UTC)


def add_recipient(
    session: Session, rid: str = "s-cn-1", at: datetime = REGISTERED, **overrides: object
) -> None:
    data: dict[str, object] = {
        "id": rid,
        "legal_name": "Shenzhen Example Trading Co., Ltd.",
        "country": "CN",
        "role": "seller",
        "privacy_email": "privacy@example.cn",
        "privacy_phone": "+86 755 8888 1234",
        "certifications": [],
        "contract_safeguards": True,
        "retention_days": 30,
    }
    data.update(overrides)
    RegistryService(session).create(RecipientIn.model_validate(data), at)


def add_buyer(session: Session, runtime: Runtime, bid: str = "b-1", **overrides: object) -> None:
    pii = BuyerPii(
        name="김민수",
        phone="010-2345-6789",
        email="minsu@example.kr",
        address="서울특별시 강남구 테헤란로 123 4층",
        postal_code="06234",
        customs_code="P123456789012",
        rrn="900101-1234567",
    )
    data: dict[str, object] = {"id": bid, "residence": "KR", "pii": pii}
    data.update(overrides)
    MarketplaceService(session, runtime.vault).register_buyer(BuyerIn.model_validate(data), T0)


def add_order(
    session: Session,
    runtime: Runtime,
    oid: str = "o-1",
    buyer: str = "b-1",
    seller: str = "s-cn-1",
    delivered_at: datetime | None = None,
) -> None:
    MarketplaceService(session, runtime.vault).place_order(
        OrderIn(
            id=oid,
            buyer_id=buyer,
            seller_id=seller,
            ordered_at=T0,
            delivered_at=delivered_at,
            order_items="무선 이어폰 1개",
        ),
        T0,
    )


def add_notice(
    session: Session, runtime: Runtime, version: str = "2026-10-01", at: datetime = NOTICE
) -> None:
    """Publish the registry as it stood at `at`: the recipients it names become disclosed."""
    runtime.publisher.publish(session, at, version)


def add_consent(
    session: Session, cid: str = "c-1", buyer: str = "b-1", **overrides: object
) -> None:
    """An overseas-transfer consent (Art. 28-8(1)1); `kind=` for the others."""
    data: dict[str, object] = {
        "id": cid,
        "subject_id": buyer,
        "kind": "overseas_transfer",
        "notice_version": "2026-10-01",
        "recipients": ["s-cn-1"],
        "items": ["name", "phone", "address", "postal_code", "order_items"],
        "purposes": ["shipping"],
        "given_at": datetime(2026, 10, 15, tzinfo=UTC),
    }
    data.update(overrides)
    ConsentService(session).give(ConsentIn.model_validate(data))
