"""The deliberate cases: which buyers, sellers and orders exist to produce which decision.

A random mix makes every refusal code likely in a large world but not certain in a small one, and
the demo and tests run small worlds. So the first buyers and sellers of every world are these, and
`SCRIPTS` places one order for each case, spread over the run. Each comment names the outcome the
PIPA pack gives (contracts/decision.md); tests/sim/test_requests.py checks they all occur.
"""

from dataclasses import dataclass
from enum import StrEnum

from databorder.model import DataItem, Purpose
from databorder.sim.types import DisclosureSpec

ISMS_P = "ISMS-P"
CUSTOMS_MANDATE = "관세법 제241조 (수출·수입 또는 반송의 신고)"


def seller_id(index: int) -> str:
    return f"s-{index + 1:06d}"


def buyer_id(index: int) -> str:
    return f"b-{index + 1:06d}"


def order_id(index: int) -> str:
    return f"o-{index + 1:07d}"


class Profile(StrEnum):
    """A buyer's overseas-transfer consent, as a real marketplace's buyers have them."""

    BROAD = "broad"  # every country in the notice, every item and purpose
    NARROW = "narrow"  # one to three countries
    RECIPIENTS = "recipients"  # named sellers only
    NO_PHONE = "no_phone"  # unticked the phone number
    SHIPPING_ONLY = "shipping_only"  # shipping and customs, not customer service
    WITHDRAWN_EARLY = "withdrawn_early"  # withdrawn before the run starts
    WITHDRAWN_LATER = "withdrawn_later"  # withdrawn during the run
    NONE = "none"  # never consented to overseas transfer


@dataclass(frozen=True, slots=True)
class BuyerPlan:
    profile: Profile
    suspended: bool = False
    domestic_consent: bool = True  # third-party provision to recipients in the buyer's country
    marketing: str | None = None  # "country", "sellers", "seller:<id>" or None
    foreign: bool = False  # resident abroad (a Korean address, a foreign residence)


@dataclass(frozen=True, slots=True)
class SellerPlan:
    country: str
    contract_safeguards: bool
    certifications: tuple[str, ...]


SCENARIO_SELLERS: tuple[SellerPlan, ...] = (
    SellerPlan("CN", True, ()),  # s-000001: an ordinary Chinese seller
    SellerPlan("CN", False, ()),  # s-000002: seller terms without Art. 28-8(4) clauses
    SellerPlan("US", True, (ISMS_P,)),  # s-000003: a large US seller certified in Korea
    SellerPlan("KR", True, ()),  # s-000004: a domestic seller
    SellerPlan("JP", True, ()),  # s-000005: a Japanese seller
)

SCENARIO_BUYERS: tuple[BuyerPlan, ...] = (
    BuyerPlan(Profile.BROAD, suspended=True),  # b-000001
    BuyerPlan(Profile.WITHDRAWN_EARLY),  # b-000002
    BuyerPlan(Profile.NO_PHONE),  # b-000003
    BuyerPlan(Profile.SHIPPING_ONLY),  # b-000004
    BuyerPlan(Profile.NONE),  # b-000005
    BuyerPlan(Profile.BROAD, marketing=f"seller:{seller_id(0)}"),  # b-000006
    BuyerPlan(Profile.RECIPIENTS),  # b-000007: names s-000001 only
    BuyerPlan(Profile.NONE, marketing="country"),  # b-000008
    BuyerPlan(Profile.WITHDRAWN_LATER),  # b-000009
)

SHIP = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE, DataItem.ORDER_ITEMS)
CARRY = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE)
CUSTOMS = (
    DataItem.NAME,
    DataItem.CUSTOMS_CODE,
    DataItem.ADDRESS,
    DataItem.POSTAL_CODE,
    DataItem.PHONE,
)
EXPORT = (DataItem.NAME, DataItem.ADDRESS, DataItem.ORDER_ITEMS)
PAY = (DataItem.NAME, DataItem.CARD_NUMBER)
SERVICE = (DataItem.NAME, DataItem.PHONE, DataItem.EMAIL, DataItem.ORDER_ITEMS)
MARKETING = (DataItem.EMAIL,)

SELLER = "{seller}"  # stands for the script's seller in its disclosures


@dataclass(frozen=True, slots=True)
class Script:
    """A deliberate order: buyer and seller by index, and the disclosures asked for it."""

    buyer: int
    seller: int
    disclosures: tuple[DisclosureSpec, ...]


_D = DisclosureSpec
_SHIPPING, _CLEARANCE = Purpose.SHIPPING, Purpose.CUSTOMS_CLEARANCE
_SERVICE, _PAYMENT, _MARKETING = Purpose.CUSTOMER_SERVICE, Purpose.PAYMENT, Purpose.MARKETING

# One disclosure per line reads as the table it is; the formatter would spread each over six.
# fmt: off
SCRIPTS: tuple[Script, ...] = (
    Script(5, 0, (  # broad consent to a Chinese seller
        _D(SELLER, _SHIPPING, (*SHIP, DataItem.EMAIL), None, 2),  # consent; email ITEM_NOT_NEEDED
        _D("p-003", _SHIPPING, CARRY, None, 5),  # entrusted_contract abroad
        _D("cb-001", _CLEARANCE, CUSTOMS, CUSTOMS_MANDATE, 30),  # legal_mandate
        _D("p-001", _SHIPPING, CARRY, None, 40),  # entrusted_contract at home (Art. 26)
        _D("pp-001", _PAYMENT, PAY, None, 1),  # entrusted_contract: card data to the gateway
        _D(SELLER, _SERVICE, SERVICE, None, 90),  # consent, name masked
        _D(SELLER, _MARKETING, MARKETING, None, 120),  # marketing consent naming the seller
    )),
    Script(0, 0, (  # TRANSFER_SUSPENDED, whoever asks
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D("p-003", _SHIPPING, CARRY, None, 5),
    )),
    Script(1, 0, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # CONSENT_WITHDRAWN
    Script(2, 0, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # consent; phone CONSENT_DOES_NOT_COVER
    Script(3, 0, (  # consent for shipping; customer service: NO_LAWFUL_GROUND, CONSENT_DOES_NOT_COVER
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D(SELLER, _SERVICE, SERVICE, None, 60),
    )),
    Script(4, 0, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # no consent: NO_LAWFUL_GROUND
    Script(4, 2, (  # no consent, certified US seller: certification
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D("p-005", _SHIPPING, CARRY, None, 5),
        _D("cb-004", _CLEARANCE, EXPORT, None, 20),
        _D("cb-002", _CLEARANCE, CUSTOMS, None, 30),
        _D("p-002", _SHIPPING, CARRY, None, 40),
    )),
    Script(5, 1, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # CONTRACT_SAFEGUARDS_MISSING
    Script(7, 3, (  # a domestic order
        _D(SELLER, _SHIPPING, (*SHIP, DataItem.RRN), None, 2),  # consent (Art. 17); rrn ITEM_PROHIBITED
        _D("p-008", _SHIPPING, CARRY, None, 5),  # undisclosed subcontractor: NOT_DISCLOSED
        _D(SELLER, _PAYMENT, PAY, None, 1),  # card data to a seller: ROLE_NOT_PERMITTED
        _D("pp-002", _PAYMENT, PAY, None, 1),
        _D(SELLER, _MARKETING, MARKETING, None, 120),  # marketing consent naming the country
    )),
    Script(6, 0, (  # consent naming this seller only
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D("p-009", _SHIPPING, CARRY, None, 5),  # undisclosed warehouse abroad: NOT_DISCLOSED
    )),
    Script(4, 4, (  # no consent, Japanese seller: NO_LAWFUL_GROUND
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D("p-010", _SHIPPING, CARRY, None, 5),  # undisclosed but ISMS-P: certification
        _D("cb-002", _CLEARANCE, CUSTOMS, None, 30),
    )),
    Script(8, 0, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # late in the run: CONSENT_WITHDRAWN
)
# fmt: on


def script_slots(orders: int) -> dict[int, Script]:
    """Spread the scripts evenly over the run, so the late one lands after its withdrawal."""
    count = min(len(SCRIPTS), orders)
    if count == 0:
        return {}
    step = orders // count
    return {i * step + step // 2: SCRIPTS[i] for i in range(count)}
