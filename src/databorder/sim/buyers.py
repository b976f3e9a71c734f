"""Buyers and their consents.

Korean buyers with names drawn from Faker's ko_KR pools (which keep real surname frequencies),
010 mobile numbers, free-mail addresses, coherent 도로명 addresses with matching postal codes,
customs codes (PCCC) and birth dates. Their consents follow what a Korean marketplace asks, each
kind separately (Art. 22): a third-party provision consent (Art. 17) AND an overseas-transfer
consent (Art. 28-8(1)1), given together against the notice version in force, mostly naming the
seller countries the screen listed; some narrower, some partial, some withdrawn, a share with no
transfer consent; marketing, sometimes with the provision and transfer a seller's marketing
needs too. Many buyers consented again when a later version was published; those who did not
keep consents that reach only the sellers their version named (contract v2).
"""

from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate
from random import Random

import phonenumbers

from databorder.model import ConsentKind, DataItem, Purpose
from databorder.sim import _tables as t
from databorder.sim._base import (
    DEFAULT_DAYS,
    NOTICE_EVERY_DAYS,
    STREAM_BUYER,
    Catalog,
    Pools,
    catalog,
    notice_at,
    pools,
    rng_for,
)
from databorder.sim.scenarios import (
    HOME,
    SCENARIO_BUYERS,
    BuyerPlan,
    MarketingPlan,
    Profile,
    buyer_id,
    seller_id,
)
from databorder.sim.types import BuyerSpec, ConsentMethod, ConsentSpec, RecipientSpec

_PROFILES = tuple(Profile)
# Shares of Profile, in its order: broad, narrow, recipients, no_phone, shipping_only,
# withdrawn_early, withdrawn_later, none.
_PROFILE_CUM = tuple(accumulate((52, 8, 6, 5, 6, 2, 4, 17)))

_ITEMS = (
    DataItem.NAME,
    DataItem.PHONE,
    DataItem.EMAIL,
    DataItem.ADDRESS,
    DataItem.POSTAL_CODE,
    DataItem.CUSTOMS_CODE,
    DataItem.ORDER_ITEMS,
)
_PURPOSES = (Purpose.SHIPPING, Purpose.CUSTOMS_CLEARANCE, Purpose.CUSTOMER_SERVICE)
_FOREIGN_RESIDENCES = ("US", "CN", "JP", "VN", "CA")
_DISTRICT_CUM = tuple(accumulate(d.weight for d in t.DISTRICTS))
_EMAIL_DOMAINS = tuple(d for d, _ in t.FREE_EMAIL_DOMAINS)
_EMAIL_CUM = tuple(accumulate(w for _, w in t.FREE_EMAIL_DOMAINS))
_WITHDRAWN = frozenset({Profile.WITHDRAWN_EARLY, Profile.WITHDRAWN_LATER})


def _plan(rng: Random, index: int) -> BuyerPlan:
    if index < len(SCENARIO_BUYERS):
        return SCENARIO_BUYERS[index]
    profile = _PROFILES[bisect(_PROFILE_CUM, rng.random() * _PROFILE_CUM[-1])]
    marketing = None
    if rng.random() < 0.25:
        marketing = MarketingPlan(
            ids=None if rng.random() < 0.4 else (),  # () : sellers drawn when consenting
            provision=rng.random() < 0.6,
            transfer=rng.random() < 0.3,
        )
    residence = HOME
    if rng.random() < 0.015:
        residence = rng.choice(_FOREIGN_RESIDENCES)
    return BuyerPlan(
        profile=profile,
        suspended=rng.random() < 0.01,
        provision=rng.random() < 0.94,
        marketing=marketing,
        residence=residence,
        legacy=residence != HOME and rng.random() < 0.5,
    )


@cache
def _valid_010_blocks() -> frozenset[int]:
    """The 4-digit blocks after 010 that the numbering plan assigns (e.g. not 597x to 599x).

    phonenumbers' Korean mobile pattern decides a 010 number's validity by the block alone
    (`10[0-46-9]\\d{7}` or `105(?:[0-8]\\d|9[0-6])\\d{5}`), so asking once per block gives the same
    answers as asking for every number, about 50 µs a buyer cheaper; a test checks it.
    """
    return frozenset(
        block
        for block in range(2000, 10000)
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+8210{block}0000"))
    )


def _address(rng: Random) -> tuple[str, str]:
    """A 도로명 address ("서울특별시 강남구 테헤란로34길 12, 103동 1502호 (역삼동, 한빛아파트)")."""
    district = t.DISTRICTS[bisect(_DISTRICT_CUM, rng.random() * _DISTRICT_CUM[-1])]
    dong, road = rng.choice(district.places)
    if rng.random() < 0.4:
        road = f"{road}{rng.randint(1, 80)}길"
    number = str(rng.randint(1, 400))
    if rng.random() < 0.2:
        number = f"{number}-{rng.randint(1, 30)}"
    kind = rng.random()
    if kind < 0.6:
        unit = f"{rng.randint(101, 115)}동 {rng.randint(1, 25)}{rng.randint(1, 6):02d}호"
        detail = f", {unit} ({dong}, {rng.choice(t.APARTMENT_BRANDS)})"
    elif kind < 0.85:
        detail = f", {rng.randint(1, 5)}0{rng.randint(1, 4)}호 ({dong})"
    else:
        detail = f" ({dong})"
    region = f"{district.sido} {district.sigungu}" if district.sigungu else district.sido
    postal = f"{rng.randint(district.postal_lo, district.postal_hi):05d}"
    return f"{region} {road} {number}{detail}", postal


def _luhn_complete(rng: Random, prefix: str, length: int) -> str:
    """A card number that passes the Luhn check, so validators downstream accept it."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # these are doubled once the check digit sits to their right
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str((10 - total % 10) % 10)


@dataclass(slots=True)
class _Consents:
    """Collects one buyer's consents, numbering them and citing the notice each was given under."""

    index: int
    cat: Catalog
    method: ConsentMethod
    out: list[ConsentSpec] = field(default_factory=list)

    def add(
        self,
        kind: ConsentKind,
        items: tuple[DataItem, ...],
        purposes: tuple[Purpose, ...],
        given: datetime,
        *,
        recipients: Iterable[str] = (),
        countries: Iterable[str] = (),
        withdrawn_at: datetime | None = None,
    ) -> None:
        version = notice_at(self.cat.notices, given)
        if version is None:  # the generator never asks before the first notice
            raise ValueError(f"consent at {given.isoformat()} precedes every notice version")
        self.out.append(
            ConsentSpec(
                id=f"c-{self.index + 1:06d}-{len(self.out) + 1}",
                buyer_id=buyer_id(self.index),
                kind=kind,
                notice_version=version,
                recipients=tuple(recipients),
                countries=tuple(countries),
                items=items,
                purposes=purposes,
                given_at=given,
                withdrawn_at=withdrawn_at,
                method=self.method,
            )
        )


def _moments(
    rng: Random, plan: BuyerPlan, scenario: bool, created_at: datetime, cat: Catalog
) -> list[datetime]:
    """When the buyer agreed: at sign-up (or the campaign after the first notice), and again
    when the marketplace asked after a later version (the relaunch, a batch during the run)."""
    m = cat.moments
    first_notice = cat.notices[0].published_at
    if scenario:
        given = m.relaunch + timedelta(days=1)
    elif created_at >= first_notice:
        given = created_at + timedelta(minutes=rng.randint(1, 30))
    else:
        given = first_notice + timedelta(days=rng.uniform(0, 30))
    out = [given]
    if scenario:
        if plan.renew and m.renewal is not None:
            out.append(m.renewal)
        return out
    if plan.profile in _WITHDRAWN:
        return out
    if given < m.relaunch and rng.random() < 0.6:
        out.append(m.relaunch + timedelta(days=rng.uniform(0, 30)))
    in_run = [n.published_at for n in cat.notices if cat.start <= n.published_at < cat.end]
    if in_run and rng.random() < 0.45:
        again = rng.choice(in_run) + timedelta(days=rng.uniform(0, 20))
        if again < cat.end:
            out.append(again)
    return out


def _consents(
    rng: Random,
    index: int,
    plan: BuyerPlan,
    created_at: datetime,
    cat: Catalog,
) -> tuple[ConsentSpec, ...]:
    scenario = index < len(SCENARIO_BUYERS)
    method: ConsentMethod = "web_form"
    if plan.legacy:
        method = "import"  # carried over from the old system, residence left out
    elif not scenario and rng.random() < 0.55:
        method = "mobile_app"
    consents = _Consents(index, cat, method)
    add = consents.add
    transfer, provision = ConsentKind.OVERSEAS_TRANSFER, ConsentKind.THIRD_PARTY_PROVISION
    # Consent screens list the seller countries; cross-border is judged from Korea, so a buyer
    # living abroad is asked about their own country too, except in the old system's consents.
    everywhere = cat.countries
    abroad = tuple(c for c in everywhere if c != HOME and not (plan.legacy and c == plan.residence))
    profile = plan.profile
    span = cat.end - cat.start
    m = cat.moments
    moments = _moments(rng, plan, scenario, created_at, cat)
    given = moments[0]

    for round_, at in enumerate(moments):
        named: list[str] = []
        if profile is Profile.RECIPIENTS:
            if scenario:
                named = [seller_id(0)]
            else:
                named = sorted({cat.popular_overseas(rng, at).id for _ in range(rng.randint(1, 4))})
        # Art. 17: the seller's own provision ground, asked with the transfer consent.
        if plan.provision:
            withdrawn = None
            if round_ == 0 and not scenario and rng.random() < 0.03:
                withdrawn = cat.start + span * rng.random()
            if named:
                add(provision, _ITEMS, _PURPOSES, at, recipients=named, withdrawn_at=withdrawn)
            else:
                add(provision, _ITEMS, _PURPOSES, at, countries=everywhere, withdrawn_at=withdrawn)
        # Art. 28-8(1)1: the separate consent to the transfer abroad.
        if profile in {Profile.BROAD, *_WITHDRAWN}:
            withdrawn = None
            if profile is Profile.WITHDRAWN_EARLY:
                withdrawn = (
                    m.early_withdrawal
                    if scenario
                    else at + (cat.start - at) * rng.uniform(0.2, 0.9)
                )
            elif profile is Profile.WITHDRAWN_LATER:
                withdrawn = (
                    m.later_withdrawal if scenario else cat.start + span * rng.uniform(0.1, 0.6)
                )
            add(transfer, _ITEMS, _PURPOSES, at, countries=abroad, withdrawn_at=withdrawn)
        elif profile is Profile.NARROW:
            if round_ > 0 and rng.random() < 0.5:  # some widen it when asked again
                add(transfer, _ITEMS, _PURPOSES, at, countries=abroad)
            else:
                choices = [c for c in ("CN", "HK", "US", "JP") if c in abroad]
                picked = sorted(rng.sample(choices, min(len(choices), rng.randint(1, 3))))
                add(transfer, _ITEMS, _PURPOSES, at, countries=picked or abroad[:1])
        elif profile is Profile.RECIPIENTS:
            add(transfer, _ITEMS, _PURPOSES, at, recipients=named)
        elif profile is Profile.NO_PHONE:
            items = tuple(i for i in _ITEMS if i is not DataItem.PHONE)
            add(transfer, items, _PURPOSES, at, countries=abroad)
        elif profile is Profile.SHIPPING_ONLY:
            shipping = (Purpose.SHIPPING, Purpose.CUSTOMS_CLEARANCE)
            add(transfer, _ITEMS, shipping, at, countries=abroad)

    if plan.marketing is not None:
        _marketing(rng, consents, plan.marketing, scenario, given, cat, everywhere)
    return tuple(consents.out)


def _marketing(
    rng: Random,
    consents: _Consents,
    plan: MarketingPlan,
    scenario: bool,
    given: datetime,
    cat: Catalog,
    everywhere: tuple[str, ...],
) -> None:
    """The marketing consent (Art. 22(1)7) and, for a seller's own marketing, the provision
    (Art. 17) and transfer (Art. 28-8(1)1) consents for that purpose."""
    withdrawn = None
    if not scenario and rng.random() < 0.2:
        withdrawn = given + (cat.end - given) * rng.uniform(0.3, 1.0)
    items, purposes = (DataItem.EMAIL,), (Purpose.MARKETING,)
    ids = plan.ids
    if ids is not None and not ids:  # sellers the buyer follows, drawn now
        ids = tuple(sorted({cat.popular_seller(rng, given).id for _ in range(rng.randint(1, 3))}))
    # Country-wide: every country on the screen (abroad, for the transfer); or the named ones.
    countries: tuple[str, ...] = everywhere if ids is None else ()
    named: tuple[str, ...] = ids or ()
    foreign = tuple(c for c in countries if c != HOME)
    sellers = tuple(i for i in named if i.startswith("s-"))
    consents.add(
        ConsentKind.MARKETING,
        items,
        purposes,
        given,
        recipients=named,
        countries=countries,
        withdrawn_at=withdrawn,
    )
    if plan.provision:
        consents.add(
            ConsentKind.THIRD_PARTY_PROVISION,
            items,
            purposes,
            given,
            recipients=named,
            countries=countries,
        )
    if plan.transfer:
        consents.add(
            ConsentKind.OVERSEAS_TRANSFER,
            items,
            purposes,
            given,
            recipients=sellers,
            countries=foreign,
        )


def _buyer(
    index: int, cat: Catalog, name_pools: Pools
) -> tuple[BuyerSpec, tuple[ConsentSpec, ...]]:
    rng = rng_for(cat.seed, STREAM_BUYER, index)
    plan = _plan(rng, index)
    name = rng.choice(name_pools.ko_last) + rng.choice(name_pools.ko_first)
    middle, last = rng.randint(2000, 9999), rng.randint(0, 9999)
    # A few 010 blocks are unassigned (e.g. 010-597x to 010-599x): draw again until the
    # numbering plan accepts the number, as the vault's validation will insist.
    valid_blocks = _valid_010_blocks()
    while middle not in valid_blocks:
        middle, last = rng.randint(2000, 9999), rng.randint(0, 9999)
    user = rng.choice(name_pools.ko_user)
    if rng.random() < 0.5:
        user = f"{user}{rng.randint(1, 999)}"
    email = f"{user}@{_EMAIL_DOMAINS[bisect(_EMAIL_CUM, rng.random() * _EMAIL_CUM[-1])]}"
    address, postal = _address(rng)
    age_days = int(rng.triangular(19, 78, 34) * 365.25)
    birth = cat.start.date() - timedelta(days=age_days + rng.randint(0, 364))
    created_at = cat.start - timedelta(days=rng.uniform(1, 700))
    if index < len(SCENARIO_BUYERS):  # their consents are given the day after the relaunch
        created_at = min(created_at, cat.moments.relaunch - timedelta(days=1))
    residence = plan.residence
    rrn = None
    if rng.random() < 0.02:  # migrated from a legacy system; here only to prove it never leaves
        century = 1 if birth.year < 2000 else 3
        rrn = f"{birth:%y%m%d}-{century + rng.randint(0, 1)}{rng.randrange(10**6):06d}"
    bank = None
    if rng.random() < 0.3:
        branch = rng.choice(("110", "123", "352", "1002"))
        bank = f"{branch}-{rng.randrange(10**3):03d}-{rng.randrange(10**6):06d}"
    card = _luhn_complete(rng, rng.choice(("4", "5", "94")), 16) if rng.random() < 0.92 else None
    buyer = BuyerSpec(
        id=buyer_id(index),
        name=name,
        phone=f"010-{middle}-{last:04d}",
        phone_e164=f"+8210{middle}{last:04d}",
        email=email,
        address=address,
        postal_code=postal,
        customs_code=f"P{rng.randrange(10**12):012d}",
        birth_date=birth,
        residence=residence,
        transfer_suspended=plan.suspended,
        created_at=created_at,
        card_number=card,
        bank_account=bank,
        rrn=rrn,
    )
    return buyer, _consents(rng, index, plan, created_at, cat)


def iter_buyers(
    seed: int,
    buyers: int,
    start: datetime,
    recipients: Sequence[RecipientSpec],
    *,
    days: int = DEFAULT_DAYS,
    every_days: int = NOTICE_EVERY_DAYS,
    first: int = 0,
    stop: int | None = None,
) -> Iterator[tuple[BuyerSpec, tuple[ConsentSpec, ...]]]:
    """Buyers `first`..`stop` (default: all `buyers`) of the world, each with their consents.

    `buyers` is the world's total and `recipients` all of its recipients; any slice equals the
    same buyers of the whole world, so a large world can be streamed in batches.
    """
    cat = catalog(seed, recipients, buyers, start, days, every_days)
    yield from buyer_range(cat, first, buyers if stop is None else min(stop, buyers))


def buyer_range(
    cat: Catalog, first: int, stop: int
) -> Iterator[tuple[BuyerSpec, tuple[ConsentSpec, ...]]]:
    """Buyers `first`..`stop` of the world `cat` was built for (`catalog(..., buyers, ...)`).

    For callers that generate many slices: the catalogue, which weighs every seller, is built
    once instead of once a slice.
    """
    name_pools = pools(cat.seed)
    for index in range(first, stop):
        yield _buyer(index, cat, name_pools)
