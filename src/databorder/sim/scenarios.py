"""The deliberate cases: which buyers, sellers and orders exist to produce which decision.

A random mix makes every outcome likely in a large world but not certain in a small one, and
the demo and tests run small worlds. So the first buyers and sellers of every world are these,
and `SCRIPTS` places one order for each case at the moment of the run it needs (before, during
or after the regulator's suspension order; in the gap between a recipient's registration and the
next notice batch; after the last publication). Each comment names the outcome the PIPA pack
gives under contract v2 (contracts/decision.md); tests/sim/test_requests.py checks they all
occur, and that the database path (tests/sim/test_load.py) decides them the same way.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from databorder.model import DataItem, Purpose
from databorder.sim.types import DisclosureSpec, NoticeSpec, SuspensionSpec

ISMS_P = "ISMS-P"
# The pack's mandate id for the import declaration (Customs Act Art. 241): a customs broker in
# Korea, customs clearance, name, PCCC, address, postal code, phone and goods.
CUSTOMS_MANDATE = "KR-CUSTOMS-ACT-241"
HOME = "KR"  # the PIPA pack's home country: the sim models a Korean marketplace
SUSPENSION_REFERENCE = (
    "개인정보보호위원회 국외 이전 중지명령 제2026-0412호 (개인정보 보호법 제28조의9)"
)


def seller_id(index: int) -> str:
    return f"s-{index + 1:06d}"


def buyer_id(index: int) -> str:
    return f"b-{index + 1:06d}"


def order_id(index: int) -> str:
    return f"o-{index + 1:07d}"


# --------------------------------------------------------------------------------------------
# The moments the cases hang on


@dataclass(frozen=True, slots=True)
class Moments:
    """Instants of the run derived from `start`, `end` and the notice schedule.

    Everything that must fall between two publications (a recipient registered after one
    version and used before the next, a consent given against a version that does not name a
    seller) is placed from the schedule itself, so it holds whatever the cadence.
    """

    start: datetime
    end: datetime
    relaunch: datetime  # the version that named every recipient with its contact
    newer_join: datetime  # s-000006 registers: after the relaunch, before the next batch
    renewal: datetime | None  # b-000012 consents again, against a version naming s-000006
    renewed_order: datetime  # b-000012 orders from s-000006 after renewing
    gap_join: datetime  # p-008 and p-009 register, just after a publication in the run
    gap_order: datetime  # orders to them before the next publication names them
    late_join: datetime  # s-000007 registers after the last publication
    late_order: datetime
    suspension_from: datetime  # the regulator's order on s-000009 (Art. 28-9)
    suspension_to: datetime
    early_withdrawal: datetime  # b-000002 withdraws before the run
    later_withdrawal: datetime  # b-000009 withdraws during the run

    def at(self, when: "float | str") -> datetime:
        """A fraction of the run, or the name of one of these moments."""
        if isinstance(when, str):
            value = getattr(self, when)
            if not isinstance(value, datetime):
                raise ValueError(f"moment {when!r} does not exist in this schedule")
            return value
        return self.start + (self.end - self.start) * when


def moments(start: datetime, end: datetime, notices: Sequence[NoticeSpec]) -> Moments:
    span = end - start
    times = [n.published_at for n in notices]
    relaunch = times[1] if len(times) > 1 else times[0]

    def after(moment: datetime) -> datetime | None:
        return next((t for t in times if t > moment), None)

    following = after(relaunch)
    room = (following - relaunch) / 3 if following is not None else timedelta(days=10)
    newer_join = relaunch + min(timedelta(days=10), room)
    named = after(newer_join)
    renewal = named + timedelta(days=2) if named is not None else None
    renewed_order = max(renewal + timedelta(days=1) if renewal else start, start + span * 0.3)
    in_run = [t for t in times if start + span * 0.2 <= t < end]
    gap_join = in_run[0] + timedelta(hours=1) if in_run else start + span * 0.3
    limit = after(gap_join) or end
    gap_order = gap_join + min(timedelta(days=5), (limit - gap_join) / 3)
    base = max(times[-1], start)
    return Moments(
        start=start,
        end=end,
        relaunch=relaunch,
        newer_join=newer_join,
        renewal=renewal,
        renewed_order=min(renewed_order, start + span * 0.95),
        gap_join=gap_join,
        gap_order=gap_order,
        late_join=base + (end - base) * 0.3,
        late_order=base + (end - base) * 0.85,
        suspension_from=start + span * 0.35,
        suspension_to=start + span * 0.55,
        early_withdrawal=relaunch + (start - relaunch) * 0.3,
        later_withdrawal=start + span * 0.6,
    )


# --------------------------------------------------------------------------------------------
# Buyers and sellers


class Profile(StrEnum):
    """A buyer's overseas-transfer consent, as a real marketplace's buyers have them."""

    BROAD = "broad"  # every seller country abroad, every item and purpose
    NARROW = "narrow"  # one to three countries
    RECIPIENTS = "recipients"  # named sellers only (checkout consents naming the seller)
    NO_PHONE = "no_phone"  # unticked the phone number
    SHIPPING_ONLY = "shipping_only"  # shipping and customs, not customer service
    WITHDRAWN_EARLY = "withdrawn_early"  # withdrawn before the run starts
    WITHDRAWN_LATER = "withdrawn_later"  # withdrawn during the run
    NONE = "none"  # never consented to overseas transfer


@dataclass(frozen=True, slots=True)
class MarketingPlan:
    """Marketing consent (Art. 22(1)7) and what a third party's marketing also needs."""

    ids: tuple[str, ...] | None = None  # named recipients; None: every country in the notice
    provision: bool = False  # a provision consent for marketing too (Art. 17)
    transfer: bool = False  # and an overseas-transfer consent for marketing (Art. 28-8(1)1)


@dataclass(frozen=True, slots=True)
class BuyerPlan:
    profile: Profile
    suspended: bool = False
    provision: bool = True  # third-party provision consent (Art. 17): every seller needs it
    marketing: MarketingPlan | None = None
    residence: str = HOME  # a buyer living abroad; cross-border is still judged from Korea
    legacy: bool = False  # consent imported from the old system, which left out the residence
    renew: bool = False  # consents again once a later version names newer sellers


@dataclass(frozen=True, slots=True)
class SellerPlan:
    country: str
    contract_safeguards: bool = True
    certifications: tuple[str, ...] = ()
    certification_measures: bool = False
    joins: str | None = None  # the moment it registers; None: long before the run


SCENARIO_SELLERS: tuple[SellerPlan, ...] = (
    SellerPlan("CN"),  # s-000001: an ordinary Chinese seller
    SellerPlan("CN", contract_safeguards=False),  # s-000002: terms without 28-8(4) clauses
    SellerPlan("US", True, (ISMS_P,), True),  # s-000003: ISMS-P with the 28-8(1)4 measures
    SellerPlan("KR"),  # s-000004: a domestic seller
    SellerPlan("JP"),  # s-000005: a Japanese seller
    SellerPlan("CN", joins="newer_join"),  # s-000006: registered after the relaunch version
    SellerPlan("CN", joins="late_join"),  # s-000007: registered after the last publication
    SellerPlan("DE"),  # s-000008: a German seller (EU/EEA recognition since 2025-09-16)
    SellerPlan("CN"),  # s-000009: the seller the regulator's order suspends for a while
    SellerPlan("US", True, (ISMS_P,), False),  # s-000010: ISMS-P without the measures
)

_S = seller_id
SCENARIO_BUYERS: tuple[BuyerPlan, ...] = (
    BuyerPlan(Profile.BROAD, suspended=True),  # b-000001
    BuyerPlan(Profile.WITHDRAWN_EARLY),  # b-000002
    BuyerPlan(Profile.NO_PHONE),  # b-000003
    BuyerPlan(Profile.SHIPPING_ONLY),  # b-000004
    BuyerPlan(Profile.NONE),  # b-000005: provision consent only
    BuyerPlan(Profile.BROAD, marketing=MarketingPlan((_S(0),))),  # b-000006
    BuyerPlan(Profile.RECIPIENTS),  # b-000007: both consents name s-000001 only
    BuyerPlan(Profile.NONE, marketing=MarketingPlan(None, provision=True)),  # b-000008
    BuyerPlan(Profile.WITHDRAWN_LATER),  # b-000009
    BuyerPlan(Profile.BROAD, residence="CN", legacy=True),  # b-000010: lives in China
    BuyerPlan(Profile.BROAD),  # b-000011: consented against the relaunch version only
    BuyerPlan(Profile.BROAD, renew=True),  # b-000012: consented again later
    BuyerPlan(  # b-000013: marketing by a Japanese seller and by processors abroad
        Profile.BROAD,
        marketing=MarketingPlan((_S(4), "p-014", "p-015", "p-016"), provision=True, transfer=True),
    ),
)

# --------------------------------------------------------------------------------------------
# Scripts

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
    """A deliberate order: buyer and seller by index, when (a fraction of the run or a moment),
    and the disclosures asked for it."""

    buyer: int
    seller: int
    when: float | str
    disclosures: tuple[DisclosureSpec, ...]


_D = DisclosureSpec
_SHIPPING, _CLEARANCE = Purpose.SHIPPING, Purpose.CUSTOMS_CLEARANCE
_SERVICE, _PAYMENT, _MARKETING = Purpose.CUSTOMER_SERVICE, Purpose.PAYMENT, Purpose.MARKETING
_M = CUSTOMS_MANDATE

# One disclosure per line reads as the table it is; the formatter would spread each over six.
# The most important cases come first: a world with fewer orders than scripts keeps those.
# fmt: off
SCRIPTS: tuple[Script, ...] = (
    Script(5, 0, 0.04, (  # two consents (provision and overseas transfer) to a Chinese seller
        _D(SELLER, _SHIPPING, (*SHIP, DataItem.EMAIL), None, 2),  # provision + transfer consent; email ITEM_NOT_NEEDED
        _D("p-003", _SHIPPING, CARRY, None, 5),  # entrustment (Art. 26) + transfer consent
        _D("cb-001", _CLEARANCE, CUSTOMS, _M, 30),  # mandate: Customs Act Art. 241
        _D("p-001", _SHIPPING, CARRY, None, 40),  # entrustment at home
        _D("pp-001", _PAYMENT, PAY, None, 1),  # entrustment: card data to the gateway
        _D(SELLER, _SERVICE, SERVICE, None, 90),  # provision + transfer consent, name masked
        _D("p-012", _SERVICE, SERVICE, None, 95),  # Korean desk on a US cloud: transfer consent
        _D(SELLER, _MARKETING, MARKETING, None, 120),  # marketing consent alone: NO_LAWFUL_GROUND
    )),
    Script(0, 0, 0.07, (  # the buyer asked to suspend processing (Art. 37)
        _D(SELLER, _SHIPPING, SHIP, None, 2),  # TRANSFER_SUSPENDED
        _D("p-003", _SHIPPING, CARRY, None, 5),  # TRANSFER_SUSPENDED
        _D("cb-002", _CLEARANCE, CUSTOMS, _M, 30),  # the statute lifts it: SUSPENSION_REFUSED_BY_LAW
    )),
    Script(1, 0, 0.10, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # CONSENT_WITHDRAWN (transfer)
    Script(2, 0, 0.13, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # phone CONSENT_DOES_NOT_COVER
    Script(3, 0, 0.16, (  # transfer consent for shipping and customs only
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D(SELLER, _SERVICE, SERVICE, None, 60),  # NO_LAWFUL_GROUND for the transfer
    )),
    Script(4, 0, 0.19, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # provision only: NO_LAWFUL_GROUND
    Script(4, 2, 0.22, (  # provision consent, no transfer consent, certified US seller
        _D(SELLER, _SHIPPING, SHIP, None, 2),  # provision + certification (28-8(1)4)
        _D("p-005", _SHIPPING, CARRY, None, 5),  # entrusted_contract abroad (28-8(1)3)
        _D("cb-004", _CLEARANCE, EXPORT, None, 20),  # entrusted_contract abroad
        _D("cb-002", _CLEARANCE, CUSTOMS, None, 30),  # entrustment at home, no mandate cited
        _D("p-002", _SHIPPING, CARRY, None, 40),
        _D("p-012", _SERVICE, SERVICE, None, 95),  # Korean desk on a US cloud: entrusted_contract
    )),
    Script(4, 9, 0.25, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # ISMS-P without measures: NO_LAWFUL_GROUND
    Script(4, 7, 0.28, (  # a German seller and EU processors
        _D(SELLER, _SHIPPING, SHIP, None, 2),  # provision + adequacy (28-8(1)5)
        _D("pp-004", _PAYMENT, PAY, None, 1),  # EU payment processor, card data: entrusted_contract
        _D("p-013", _SERVICE, SERVICE, None, 60),  # German cloud desk: entrusted_contract
    )),
    Script(5, 1, 0.31, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # CONTRACT_SAFEGUARDS_MISSING
    Script(7, 3, 0.33, (  # a domestic order
        _D(SELLER, _SHIPPING, (*SHIP, DataItem.RRN), None, 2),  # provision (Art. 17); rrn ITEM_PROHIBITED
        _D(SELLER, _PAYMENT, PAY, None, 1),  # card data to a seller: ROLE_NOT_PERMITTED
        _D("pp-002", _PAYMENT, PAY, None, 1),
        _D(SELLER, _MARKETING, MARKETING, None, 120),  # provision + marketing consents
        _D("p-017", _MARKETING, MARKETING, None, 130),  # entrusted marketing: consent (15(1)1)
    )),
    Script(6, 0, 0.37, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # consents naming this seller
    Script(5, 8, 0.15, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # before the order: allowed
    Script(5, 8, 0.45, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # TRANSFER_ORDER_SUSPENDED
    Script(5, 8, 0.70, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # after the order: allowed
    Script(4, 4, 0.40, (  # provision only, Japanese seller: NO_LAWFUL_GROUND
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D("p-010", _SHIPPING, CARRY, None, 5),  # entrusted_contract abroad
        _D("cb-001", _CLEARANCE, CUSTOMS, None, 30),
    )),
    Script(9, 0, 0.48, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # lives in China, CN left out: NO_LAWFUL_GROUND
    Script(9, 3, 0.50, (  # lives in China, Korean seller: domestic all the same
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D("p-001", _SHIPPING, CARRY, None, 40),  # a domestic carrier for a buyer abroad
    )),
    Script(10, 5, 0.52, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # consent's version did not name it: NO_LAWFUL_GROUND
    Script(11, 5, "renewed_order", (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # renewed consents name it
    Script(12, 4, 0.58, (  # marketing abroad
        _D(SELLER, _MARKETING, MARKETING, None, 60),  # provision + marketing + transfer consents
        _D("p-014", _MARKETING, MARKETING, None, 65),  # German agency: adequacy
        _D("p-015", _MARKETING, MARKETING, None, 70),  # US, ISMS-P with measures: certification
        _D("p-016", _MARKETING, MARKETING, None, 75),  # SG, ISMS-P without measures: NO_LAWFUL_GROUND
    )),
    Script(5, 0, 0.62, (  # the customs mandate cited where it does not reach
        _D(SELLER, _CLEARANCE, CUSTOMS, _M, 20),  # a Chinese seller: MANDATE_DOES_NOT_COVER
        _D("cb-003", _CLEARANCE, EXPORT, _M, 25),  # a Chinese broker: MANDATE_DOES_NOT_COVER
    )),
    Script(7, 3, "gap_order", (_D("p-008", _SHIPPING, CARRY, None, 5),)),  # not yet named: NOT_DISCLOSED
    Script(5, 0, "gap_order", (  # a warehouse abroad not yet named
        _D(SELLER, _SHIPPING, SHIP, None, 2),
        _D("p-009", _SHIPPING, CARRY, None, 5),  # NOT_DISCLOSED across the border
    )),
    Script(5, 6, "late_order", (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # after the last version: NOT_DISCLOSED
    Script(8, 0, 0.20, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # before the withdrawal: allowed, revoked by it
    Script(8, 0, 0.90, (_D(SELLER, _SHIPPING, SHIP, None, 2),)),  # after the withdrawal: CONSENT_WITHDRAWN
)
# fmt: on


def suspension_orders(sellers: int, m: Moments) -> tuple[SuspensionSpec, ...]:
    """The regulator's order on s-000009 for part of the run (none if the world is smaller)."""
    if sellers <= 8:
        return ()
    return (
        SuspensionSpec(
            id="so-0001",
            recipient_id=seller_id(8),
            country=None,
            starts_at=m.suspension_from,
            ends_at=m.suspension_to,
            reference=SUSPENSION_REFERENCE,
        ),
    )


def script_slots(
    orders: int, start: datetime, end: datetime, m: Moments
) -> dict[int, tuple[Script, datetime]]:
    """Each script's order index and time: the slot holding its moment, or the next free one.

    Order `i` owns the slot `[start + i*slot, start + (i+1)*slot)`, so times still increase with
    the index; a script whose slot is taken moves to the next free one (and to that slot's start).
    """
    count = min(len(SCRIPTS), orders)
    if count == 0:
        return {}
    span_us = (end - start) // timedelta(microseconds=1)
    slot = max(1, span_us // orders)
    placed = sorted((m.at(s.when), n) for n, s in enumerate(SCRIPTS[:count]))
    out: dict[int, tuple[Script, datetime]] = {}
    previous = -1
    for position, (target, n) in enumerate(placed):
        wanted = (target - start) // timedelta(microseconds=1) // slot
        last_free = orders - (count - position)  # leave room for the scripts after this one
        index = min(max(wanted, previous + 1, 0), last_free)
        first = start + timedelta(microseconds=index * slot)
        inside = min(max(target, first), first + timedelta(microseconds=slot - 1))
        out[index] = (SCRIPTS[n], inside)
        previous = index
    return out
