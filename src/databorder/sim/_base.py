"""What every generator shares: per-item seeding, Faker pools, phones, the notice schedule, the
catalogue.

Every buyer, seller and order is drawn from its own PRNG, seeded from `(seed, stream, index)`, so
any slice of a world can be generated alone, in any order or in parallel, and equals the same
slice of the whole world. One `Random` construction costs about 4 µs, a fair price for that.
"""

import re
import unicodedata
from bisect import bisect, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from random import Random

import phonenumbers
from faker import Faker

from databorder.model import RecipientRole, aware
from databorder.sim.scenarios import (
    HOME,
    SCENARIO_BUYERS,
    SCENARIO_SELLERS,
    SCRIPTS,
    SELLER,
    Moments,
    moments,
)
from databorder.sim.types import NoticeSpec, RecipientSpec

DEFAULT_DAYS = 180
NOTICE_EVERY_DAYS = 28  # batches of registry changes, about every four weeks (PIPC guideline)

STREAM_SELLER, STREAM_BUYER, STREAM_ORDER, STREAM_FIXED, STREAM_POPULARITY = range(1, 6)
_MASK64 = (1 << 64) - 1


def rng_for(seed: int, stream: int, index: int) -> Random:
    """The PRNG of one item. Distinct (seed mod 2**64, stream, index) give distinct states."""
    return Random((index << 72) | (stream << 64) | (seed & _MASK64))


# --------------------------------------------------------------------------------------------
# Faker pools


@dataclass(frozen=True, slots=True)
class Pools:
    ko_last: tuple[str, ...]
    ko_first: tuple[str, ...]
    ko_user: tuple[str, ...]
    surnames: dict[str, tuple[str, ...]]  # country -> surnames usable in a company name


_SURNAME_LOCALES = {
    "US": "en_US",
    "GB": "en_GB",
    "DE": "de_DE",
    "FR": "fr_FR",
    "AU": "en_AU",
    "IT": "it_IT",
}


@lru_cache(maxsize=8)
def pools(seed: int) -> Pools:
    """Faker's realistic name parts, drawn once per seed (ko_KR keeps surname frequencies).

    Faker costs microseconds per call; drawing a few thousand parts once and combining them with
    the PRNG keeps a buyer's cost flat however large the world.
    """
    ko = Faker("ko_KR")
    ko.seed_instance(seed)
    surnames: dict[str, tuple[str, ...]] = {}
    for country, locale in _SURNAME_LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        drawn = (fake.last_name() for _ in range(400))
        # Compound or titled names ("Koch II", "Müller-Lüdenscheidt") read oddly in company names.
        surnames[country] = tuple(sorted({s for s in drawn if s.isalpha()}))
    return Pools(
        ko_last=tuple(ko.last_name() for _ in range(2000)),
        ko_first=tuple(ko.first_name() for _ in range(2000)),
        ko_user=tuple(ko.user_name() for _ in range(3000)),
        surnames=surnames,
    )


def slug(text: str) -> str:
    """Lower-case ASCII with hyphens, for email domains ("Müller Versand" -> "muller-versand")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --------------------------------------------------------------------------------------------
# Phones

# (area prefixes, digits after the prefix): real area codes, so that numbers look local.
_PHONE_PLANS: dict[str, tuple[tuple[str, ...], int]] = {
    "KR": (("2", "31", "51"), 8),
    "US": (("212", "415", "206", "310", "312", "617"), 7),
    "JP": (("3", "6"), 8),
    "HK": (("2",), 7),
    "VN": (("28", "24"), 8),
    "DE": (("30", "40", "89"), 8),
    "GB": (("20",), 8),
    "SG": (("6",), 7),
    "TW": (("2",), 8),
    "TH": (("2",), 7),
    "FR": (("1",), 8),
    "AU": (("2", "3"), 8),
    "IT": (("02", "06"), 8),
    "PH": (("2",), 8),
    "NL": (("20", "10"), 7),
}
_AREA_DIGITS = {"592": 7}  # Xiamen's local numbers are a digit shorter than other Chinese cities'
_FIXED_LINE = phonenumbers.PhoneNumberType.FIXED_LINE
_E164 = phonenumbers.PhoneNumberFormat.E164


def fixed_line(rng: Random, country: str, prefix: str | None = None) -> str:
    """A fixed-line number valid for `country` per phonenumbers, in E.164.

    Random digits after a real area code, retried until phonenumbers accepts the number for that
    region; the library's own example number is the fallback, so the result is always valid.
    """
    code = phonenumbers.country_code_for_region(country)
    prefixes: tuple[str, ...]
    if prefix is not None:
        prefixes, length = (prefix,), _AREA_DIGITS.get(prefix, 8)
    elif country in _PHONE_PLANS:
        prefixes, length = _PHONE_PLANS[country]
    else:
        national = phonenumbers.national_significant_number(_example(country))
        prefixes, length = (national[:2],), len(national) - 2
    for _ in range(100):
        digits = str(rng.randrange(2, 10)) + "".join(
            str(rng.randrange(10)) for _ in range(length - 1)
        )
        number = phonenumbers.parse(f"+{code}{rng.choice(prefixes)}{digits}")
        if (
            phonenumbers.is_valid_number(number)
            and phonenumbers.region_code_for_number(number) == country
        ):
            return phonenumbers.format_number(number, _E164)
    return phonenumbers.format_number(_example(country), _E164)


def _example(country: str) -> phonenumbers.PhoneNumber:
    example = phonenumbers.example_number_for_type(country, _FIXED_LINE)
    if example is None:
        raise ValueError(f"phonenumbers has no fixed-line example for {country!r}")
    return example


# --------------------------------------------------------------------------------------------
# Notices


def _at_ten(moment: datetime) -> datetime:
    return moment.replace(hour=10, minute=0, second=0, microsecond=0)


def notice_versions(
    start: datetime, days: int = DEFAULT_DAYS, every_days: int = NOTICE_EVERY_DAYS
) -> tuple[NoticeSpec, ...]:
    """When the marketplace publishes its notice: first, relaunched, then in batches.

    The first version about a year before `start`; the relaunch some months before, the first
    to name every recipient with its contact as the PIPC's guideline asks; then a batch every
    `every_days` days (the guideline allows about four weeks for frequently changing lists)
    until a week before the end. Each is published through `NoticePublisher`, which names the
    recipients registered by then: those registered after a version are not in it.
    """
    aware(start, "start")
    if every_days < 1:
        raise ValueError(f"every_days must be at least 1, got {every_days}")
    first = _at_ten((start - timedelta(days=360)).replace(day=1))
    relaunch = _at_ten((start - timedelta(days=150)).replace(day=1))
    out = [
        NoticeSpec(first.date().isoformat(), first, "국외 이전 고지 최초 게시 (제28조의8 제2항)"),
        NoticeSpec(
            relaunch.date().isoformat(),
            relaunch,
            "수령자 전체 공개: 국가·수령자 명칭·연락처 (개인정보 처리방침 작성지침)",
        ),
    ]
    last = start + timedelta(days=days) - timedelta(days=7)
    batch = relaunch + timedelta(days=every_days)
    while batch < last:
        out.append(NoticeSpec(batch.date().isoformat(), batch, "수령자 목록 정기 갱신 (일괄 공지)"))
        batch += timedelta(days=every_days)
    return tuple(out)


def notice_at(notices: Sequence[NoticeSpec], at: datetime) -> str | None:
    """The version in force at `at`: the latest published at or before it (None before any)."""
    times = [n.published_at for n in notices]
    i = bisect_right(times, at)
    return notices[i - 1].version if i else None


def naming(notices: Sequence[NoticeSpec], created_at: datetime) -> frozenset[str]:
    """Every version that names a recipient registered at `created_at` (the engine's `notices`)."""
    return frozenset(n.version for n in notices if n.published_at >= created_at)


@dataclass(frozen=True, slots=True)
class Schedule:
    """The run's notice versions and the moments the deliberate cases hang on."""

    start: datetime
    end: datetime
    notices: tuple[NoticeSpec, ...]
    moments: Moments


@lru_cache(maxsize=64)
def schedule(start: datetime, days: int, every_days: int = NOTICE_EVERY_DAYS) -> Schedule:
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    notices = notice_versions(start, days, every_days)
    end = start + timedelta(days=days)
    return Schedule(start, end, notices, moments(start, end, notices))


# --------------------------------------------------------------------------------------------
# The catalogue: what buyers and orders need to know about the recipients


@dataclass(frozen=True, slots=True)
class Catalog:
    seed: int
    start: datetime
    end: datetime
    notices: tuple[NoticeSpec, ...]
    moments: Moments
    sellers: tuple[RecipientSpec, ...]
    seller_cum: tuple[float, ...]  # cumulative popularity: a few sellers get most orders
    overseas_sellers: tuple[RecipientSpec, ...]
    overseas_cum: tuple[float, ...]
    countries: tuple[str, ...]  # every seller country, sorted: what the consent screens list
    created: dict[str, datetime]  # when each non-seller recipient registered
    scenarios: bool  # whether this world is large enough to hold the deliberate scenarios

    def popular_seller(self, rng: Random, at: datetime) -> RecipientSpec:
        """A seller by popularity among those registered by `at`."""
        return _existing(rng, self.sellers, self.seller_cum, at)

    def popular_overseas(self, rng: Random, at: datetime) -> RecipientSpec:
        return _existing(rng, self.overseas_sellers, self.overseas_cum, at)

    def exists(self, recipient_id: str, at: datetime) -> bool:
        created = self.created.get(recipient_id)
        return created is None or created <= at


def _existing(
    rng: Random, sellers: tuple[RecipientSpec, ...], cum: tuple[float, ...], at: datetime
) -> RecipientSpec:
    for _ in range(16):
        seller = sellers[bisect(cum, rng.random() * cum[-1])]
        if seller.created_at <= at:
            return seller
    # Almost every seller registered long ago; a run of newcomers ends at the oldest one.
    return min(sellers, key=lambda s: s.created_at)


def catalog(
    seed: int,
    recipients: Sequence[RecipientSpec],
    buyers: int,
    start: datetime,
    days: int,
    every_days: int = NOTICE_EVERY_DAYS,
) -> Catalog:
    aware(start, "start")
    plan = schedule(start, days, every_days)
    sellers = tuple(r for r in recipients if r.role is RecipientRole.SELLER)
    if not sellers:
        raise ValueError("the world needs at least one seller")
    rng = rng_for(seed, STREAM_POPULARITY, 0)
    popularity = [rng.paretovariate(1.3) for _ in sellers]
    weighted = list(zip(sellers, popularity, strict=True))
    # A domestic-only world has no overseas seller: overseas consents then name domestic ones.
    overseas = [(s, w) for s, w in weighted if s.country != HOME] or weighted
    ids = {r.id for r in recipients}
    named = {d.recipient_id for s in SCRIPTS for d in s.disclosures} - {SELLER}
    return Catalog(
        seed=seed,
        start=start,
        end=plan.end,
        notices=plan.notices,
        moments=plan.moments,
        sellers=sellers,
        seller_cum=tuple(accumulate(popularity)),
        overseas_sellers=tuple(s for s, _ in overseas),
        overseas_cum=tuple(accumulate(w for _, w in overseas)),
        countries=tuple(sorted({s.country for s in sellers})),
        created={r.id: r.created_at for r in recipients if r.role is not RecipientRole.SELLER},
        scenarios=buyers >= len(SCENARIO_BUYERS)
        and len(sellers) >= len(SCENARIO_SELLERS)
        and named <= ids,
    )
