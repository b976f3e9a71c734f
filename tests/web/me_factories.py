"""Two buyers and the companies that received their data, for the privacy center's tests.

Everything goes through the real services: the registry, a published notice, buyers into the
vault, consents against the notice, orders, and disclosures decided by the gateway (so every
row has its grant and its leaf in the log). Buyer A's data went to a seller in China, a seller
in the United States, a Korean carrier and a Korean processor whose cloud is in Japan; buyer B's
only to the seller in China. B's rows are what A must never see.
"""

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from databorder.consent.schemas import ConsentIn
from databorder.consent.services import ConsentService
from databorder.gateway.types import DisclosureAsk
from databorder.marketplace.schemas import BuyerIn, BuyerPii, OrderIn
from databorder.marketplace.services import MarketplaceService
from databorder.model import DataItem, Purpose
from databorder.registry.schemas import RecipientIn
from databorder.registry.services import RegistryService
from databorder.runtime import Runtime
from databorder.web.buyer_session import LoginKey, load_keys, login_link

REGISTERED = datetime(2026, 9, 1, tzinfo=UTC)
NOTICE_AT = datetime(2026, 10, 1, tzinfo=UTC)
NOTICE = "2026-10-01"
GIVEN = datetime(2026, 10, 15, tzinfo=UTC)
ORDERED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DISCLOSED = ORDERED + timedelta(minutes=5)
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)

A = "b-a"
B = "b-b"


@dataclass(frozen=True)
class Company:
    rid: str
    name: str
    country: str
    role: str
    data_countries: tuple[str, ...] = ()
    phone: str | None = None


SHENZHEN = Company(
    "s-cn-1", "Shenzhen Example Trading Co., Ltd.", "CN", "seller", (), "+86 755 8888 1234"
)
SEATTLE = Company("s-us-1", "Seattle Outdoor Supply LLC", "US", "seller")
CARRIER = Company("p-kr-1", "서울택배 주식회사", "KR", "processor", (), "+82 2 555 0100")
CLOUD = Company("p-kr-2", "Hangang Cloud Co., Ltd.", "KR", "processor", ("JP",), "+82 2 555 0200")
COMPANIES = (SHENZHEN, SEATTLE, CARRIER, CLOUD)


class Clock:
    """A clock the tests move: `runtime.now()` reads it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def with_clock(runtime: Runtime, clock: Callable[[], datetime]) -> Runtime:
    return dataclasses.replace(runtime, clock=clock)


def _register(session: Session, company: Company) -> None:
    RegistryService(session).create(
        RecipientIn.model_validate(
            {
                "id": company.rid,
                "legal_name": company.name,
                "country": company.country,
                "role": company.role,
                "privacy_email": f"privacy@{company.rid}.example.com",
                "privacy_phone": company.phone,
                "contract_safeguards": True,
                "retention_days": 30,
                "data_countries": list(company.data_countries),
            }
        ),
        REGISTERED,
    )


def add_buyer(session: Session, runtime: Runtime, bid: str, name: str, phone: str) -> None:
    pii = BuyerPii(
        name=name,
        phone=phone,
        email=f"{bid}@example.kr",
        address="서울특별시 강남구 테헤란로 123 4층",
        postal_code="06234",
        customs_code="P123456789012",
    )
    MarketplaceService(session, runtime.vault).register_buyer(
        BuyerIn.model_validate({"id": bid, "pii": pii}), GIVEN - timedelta(days=30)
    )


def consent(session: Session, cid: str, buyer: str, kind: str, recipients: list[str]) -> None:
    ConsentService(session).give(
        ConsentIn.model_validate(
            {
                "id": cid,
                "subject_id": buyer,
                "kind": kind,
                "notice_version": NOTICE,
                "recipients": recipients,
                "items": ["name", "phone", "address", "postal_code", "order_items"],
                "purposes": ["shipping"],
                "given_at": GIVEN,
            }
        )
    )


def order(session: Session, runtime: Runtime, oid: str, buyer: str, seller: str) -> None:
    MarketplaceService(session, runtime.vault).place_order(
        OrderIn(
            id=oid,
            buyer_id=buyer,
            seller_id=seller,
            ordered_at=ORDERED,
            order_items="무선 이어폰 1개",
        ),
        ORDERED,
    )


SHIP = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE)


@dataclass(frozen=True)
class Given:
    """One disclosure as the test knows it: who got what, and the grant token it was handed."""

    disclosure_id: str
    order_id: str
    recipient_id: str
    token: str


def disclose(
    session: Session, runtime: Runtime, oid: str, recipient: str, at: datetime = DISCLOSED
) -> Given:
    outcome = runtime.gateway.disclose(
        session, DisclosureAsk(oid, recipient, Purpose.SHIPPING, SHIP), at
    )
    assert outcome.decision.allowed, (oid, recipient, outcome.decision)
    assert outcome.grant_token is not None
    return Given(outcome.disclosure_id, oid, recipient, outcome.grant_token)


@dataclass(frozen=True)
class CenterWorld:
    given: dict[str, list[Given]]  # buyer -> what their data went to
    consents: dict[str, list[str]]  # buyer -> consent ids

    def disclosures(self, buyer: str) -> list[str]:
        return [g.disclosure_id for g in self.given[buyer]]


def _like_a(session: Session, runtime: Runtime, bid: str, name: str, phone: str) -> list[Given]:
    """A buyer whose data went where A's did: two sellers abroad, a carrier, a cloud."""
    add_buyer(session, runtime, bid, name, phone)
    short = bid.removeprefix("b-")  # b-a: consents c-a-t and c-a-p, orders o-a-1 and o-a-2
    consent(
        session, f"c-{short}-t", bid, "overseas_transfer", [SHENZHEN.rid, SEATTLE.rid, CLOUD.rid]
    )
    consent(session, f"c-{short}-p", bid, "third_party_provision", [SHENZHEN.rid, SEATTLE.rid])
    order(session, runtime, f"o-{short}-1", bid, SHENZHEN.rid)
    order(session, runtime, f"o-{short}-2", bid, SEATTLE.rid)
    return [
        disclose(session, runtime, f"o-{short}-1", SHENZHEN.rid),
        disclose(session, runtime, f"o-{short}-2", SEATTLE.rid),
        disclose(session, runtime, f"o-{short}-1", CARRIER.rid),
        disclose(session, runtime, f"o-{short}-2", CLOUD.rid),
    ]


def build_world(runtime: Runtime, more: Sequence[str] = ()) -> CenterWorld:
    """A and B (and `more` buyers like A, for tests that each need a buyer of their own)."""
    with runtime.sessions.begin() as session:
        for company in COMPANIES:
            _register(session, company)
        runtime.publisher.publish(session, NOTICE_AT, NOTICE)
        given = {A: _like_a(session, runtime, A, "김민수", "010-2345-6789")}
        add_buyer(session, runtime, B, "이영희", "010-9876-5432")
        consent(session, "c-b-t", B, "overseas_transfer", [SHENZHEN.rid])
        consent(session, "c-b-p", B, "third_party_provision", [SHENZHEN.rid])
        order(session, runtime, "o-b-1", B, SHENZHEN.rid)
        given[B] = [disclose(session, runtime, "o-b-1", SHENZHEN.rid)]
        for n, bid in enumerate(more):
            given[bid] = _like_a(session, runtime, bid, "박지훈", f"010-3000-{n:04d}")
    short = {bid: bid.removeprefix("b-") for bid in given}
    return CenterWorld(given, {bid: [f"c-{s}-t", f"c-{s}-p"] for bid, s in short.items()})


def login_key(runtime: Runtime) -> LoginKey:
    return load_keys(runtime.settings.key_dir).login


def link(runtime: Runtime, buyer: str, base_url: str = "", at: datetime | None = None) -> str:
    return login_link(buyer, base_url, login_key(runtime), at or runtime.now())
