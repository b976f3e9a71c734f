"""A deterministic synthetic marketplace: buyers, recipients at home and abroad, consents, orders.

Why it is built this way:
- **Deterministic per item.** Every buyer, seller and order is drawn from its own PRNG, seeded from
  `(seed, stream, index)`. The same arguments give the same world, and any slice of it (buyers
  1,000,000 to 1,099,999, say) can be generated alone, in any order or in parallel, without
  generating what comes before. That is what lets a later issue stream 8 million buyers and tens of
  millions of orders in batches, and it costs one `Random.seed` (~4 µs) per item.
- **Faker once, the PRNG after.** Faker is slow per call, so pools of Korean name parts, user names
  and foreign surnames are drawn from seeded Faker instances once per seed and then combined with
  the PRNG. Addresses and company names come from the coherent tables in `_tables` (Faker's ko_KR
  addresses put 용인시 in 강원도).
- **Every outcome on purpose.** A handful of scenario buyers, sellers, processors and orders are
  placed deliberately, so that deciding the world's requests with the PIPA pack yields every refusal
  code and every reachable ground even in a world of 200 buyers; the bulk adds a realistic mix.
- **Pure.** No clock, no database: `start` is passed in and every instant derives from it.
"""

import hashlib
import re
import unicodedata
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate
from random import Random

import phonenumbers
from faker import Faker

from databorder.model import ConsentKind, DataItem, Purpose, RecipientRole, aware
from databorder.sim import _tables as t

DEFAULT_DAYS = 180
ISMS_P = "ISMS-P"
CUSTOMS_MANDATE = "관세법 제241조 (수출·수입 또는 반송의 신고)"


# --------------------------------------------------------------------------------------------
# The world's values


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


# --------------------------------------------------------------------------------------------
# Seeding and pools

_STREAM_SELLER, _STREAM_BUYER, _STREAM_ORDER, _STREAM_FIXED, _STREAM_POPULARITY = range(1, 6)
_MASK64 = (1 << 64) - 1


def _rng_key(seed: int, stream: int, index: int) -> int:
    # Distinct (seed mod 2**64, stream, index) give distinct integers, hence distinct PRNG states.
    return (index << 72) | (stream << 64) | (seed & _MASK64)


@dataclass(frozen=True, slots=True)
class _Pools:
    ko_last: tuple[str, ...]
    ko_first: tuple[str, ...]
    ko_user: tuple[str, ...]
    surnames: dict[str, tuple[str, ...]]  # country -> ASCII-friendly surnames


_SURNAME_LOCALES = {
    "US": "en_US",
    "GB": "en_GB",
    "DE": "de_DE",
    "FR": "fr_FR",
    "AU": "en_AU",
    "IT": "it_IT",
}


@lru_cache(maxsize=8)
def _pools(seed: int) -> _Pools:
    """Draw Faker's realistic name parts once per seed (Faker keeps ko_KR surname frequencies)."""
    ko = Faker("ko_KR")
    ko.seed_instance(seed)
    surnames: dict[str, tuple[str, ...]] = {}
    for country, locale in _SURNAME_LOCALES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        drawn = (fake.last_name() for _ in range(400))
        # Compound or titled names ("Koch II", "Müller-Lüdenscheidt") read oddly in company names.
        surnames[country] = tuple(
            sorted({s for s in drawn if s.isalpha() and " " not in s and "-" not in s})
        )
    return _Pools(
        ko_last=tuple(ko.last_name() for _ in range(2000)),
        ko_first=tuple(ko.first_name() for _ in range(2000)),
        ko_user=tuple(ko.user_name() for _ in range(3000)),
        surnames=surnames,
    )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --------------------------------------------------------------------------------------------
# Phones

# (area prefixes, digits after the prefix): real area codes so that numbers look local.
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
}
_CN_AREA_DIGITS = {"592": 7}  # Xiamen's local numbers are a digit shorter


def _fixed_line(rng: Random, country: str, prefix: str | None = None) -> str:
    """A fixed-line number valid for `country` per phonenumbers, in E.164.

    Random digits after a real area code, retried until phonenumbers accepts the number for that
    region; the library's own example number is the fallback, so the result is always valid.
    """
    code = phonenumbers.country_code_for_region(country)
    if prefix is not None:
        prefixes, length = (prefix,), _CN_AREA_DIGITS.get(prefix, 8)
    elif country in _PHONE_PLANS:
        prefixes, length = _PHONE_PLANS[country]
    else:
        example = phonenumbers.example_number_for_type(
            country, phonenumbers.PhoneNumberType.FIXED_LINE
        )
        national = phonenumbers.national_significant_number(example)
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
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.FIXED_LINE)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


# --------------------------------------------------------------------------------------------
# Recipients

# Sellers' countries: the mix of a Korean cross-border marketplace, mostly China.
_SELLER_COUNTRIES: tuple[tuple[str, float], ...] = (
    ("CN", 46),
    ("KR", 18),
    ("US", 7),
    ("JP", 6),
    ("HK", 5),
    ("TW", 3),
    ("VN", 3),
    ("DE", 2),
    ("GB", 2),
    ("SG", 2),
    ("TH", 2),
    ("FR", 1.5),
    ("AU", 1.5),
    ("IT", 1),
)
_SELLER_COUNTRY_CODES = tuple(c for c, _ in _SELLER_COUNTRIES)
_SELLER_COUNTRY_CUM = tuple(accumulate(w for _, w in _SELLER_COUNTRIES))
_RETENTIONS = (30, 60, 90, 180, 365)
_RETENTION_CUM = tuple(accumulate((45, 20, 15, 10, 10)))


@dataclass(frozen=True, slots=True)
class _ScenarioSeller:
    country: str
    contract_safeguards: bool
    certifications: tuple[str, ...]


# The first sellers are placed on purpose (see _SCRIPTS); the next ones cover every other country.
_SCENARIO_SELLERS: tuple[_ScenarioSeller, ...] = (
    _ScenarioSeller("CN", True, ()),  # s-000001: an ordinary Chinese seller
    _ScenarioSeller("CN", False, ()),  # s-000002: seller terms without Art. 28-8(4) clauses
    _ScenarioSeller("US", True, (ISMS_P,)),  # s-000003: a large US seller certified in Korea
    _ScenarioSeller("KR", True, ()),  # s-000004: a domestic seller
    _ScenarioSeller("JP", True, ()),  # s-000005: a Japanese seller
)
_ROUND_ROBIN = tuple(c for c in _SELLER_COUNTRY_CODES if c not in {"CN", "US", "KR", "JP"})


def seller_id(index: int) -> str:
    return f"s-{index + 1:06d}"


def buyer_id(index: int) -> str:
    return f"b-{index + 1:06d}"


def order_id(index: int) -> str:
    return f"o-{index + 1:07d}"


def _company_name(rng: Random, country: str, pools: _Pools) -> tuple[str, str, str | None]:
    """(legal name, email-domain slug, fixed-line area prefix or None) in the country's style."""
    if country == "CN":
        city, area = rng.choice(t.CHINESE_CITIES)
        brand = rng.choice(t.PINYIN) + rng.choice(t.PINYIN).lower()
        trade = rng.choice(t.CHINESE_TRADES)
        return f"{city} {brand} {trade} Co., Ltd.", _slug(f"{brand} {city}"), area
    if country == "KR":
        (brand, brand_r), (trade, trade_r) = (
            rng.choice(t.KOREAN_BRANDS),
            rng.choice(t.KOREAN_TRADES),
        )
        form = "(주){}" if rng.random() < 0.7 else "주식회사 {}"
        return form.format(brand + trade), _slug(f"{brand_r}{trade_r}"), None
    if country == "HK":
        brand = f"{rng.choice(t.CANTONESE)} {rng.choice(t.CANTONESE)}"
        form = "{} Trading (HK) Limited" if rng.random() < 0.5 else "{} International Limited"
        return form.format(brand), _slug(brand + " hk"), None
    if country == "TW":
        brand = rng.choice(t.TAIWANESE)
        kind = rng.choice(("Enterprise", "Industrial", "Trading"))
        return f"{brand} {kind} Co., Ltd.", _slug(brand + " tw"), None
    if country == "JP":
        (romaji, native), (trade_r, trade_n) = (
            rng.choice(t.JAPANESE_BRANDS),
            rng.choice(t.JAPANESE_TRADES),
        )
        name = (
            f"株式会社{native}{trade_n}" if rng.random() < 0.5 else f"{romaji} {trade_r} Co., Ltd."
        )
        return name, _slug(f"{romaji}-{trade_r}"), None
    if country == "VN":
        brand = rng.choice(t.VIETNAMESE_BRANDS)
        name = f"Công ty TNHH {brand}" if rng.random() < 0.4 else f"{brand} Trading Company Limited"
        return name, _slug(brand + " vn"), None
    if country == "TH":
        brand = rng.choice(t.THAI_BRANDS)
        return f"{brand} Co., Ltd.", _slug(brand + " th"), None
    if country == "SG":
        brand = rng.choice(t.SINGAPORE_BRANDS)
        return f"{brand} {rng.choice(t.WESTERN_TRADES)} Pte. Ltd.", _slug(brand + " sg"), None
    surname = rng.choice(pools.surnames[country])
    if country == "US":
        form = rng.choice(("LLC", "Inc."))
        return f"{surname} {rng.choice(t.WESTERN_TRADES)} {form}", _slug(surname + " us"), None
    if country == "GB":
        other = rng.choice(pools.surnames[country])
        name = (
            f"{surname} & {other} Ltd"
            if rng.random() < 0.4
            else f"{surname} {rng.choice(t.WESTERN_TRADES)} Ltd"
        )
        return name, _slug(surname + " uk"), None
    if country == "DE":
        return f"{surname} {rng.choice(t.GERMAN_TRADES)} GmbH", _slug(surname + " de"), None
    if country == "FR":
        return f"{surname} {rng.choice(t.FRENCH_TRADES)} SAS", _slug(surname + " fr"), None
    if country == "AU":
        return f"{surname} {rng.choice(t.WESTERN_TRADES)} Pty Ltd", _slug(surname + " au"), None
    if country == "IT":
        return f"{surname} {rng.choice(t.ITALIAN_TRADES)} S.r.l.", _slug(surname + " it"), None
    raise ValueError(f"no company-name style for country {country!r}")


def _agent(rng: Random, slug: str) -> DomesticAgent:
    brand, brand_r = rng.choice(t.KOREAN_BRANDS)
    name = f"(주){brand}국내대리인" if rng.random() < 0.5 else f"법무법인 {brand}"
    return DomesticAgent(
        name=name,
        email=f"agent-{slug}@{_slug(brand_r)}-agent.example.com",
        phone=_fixed_line(rng, "KR", "2"),
    )


def _seller(seed: int, index: int, start: datetime, pools: _Pools) -> RecipientSpec:
    rng = Random(_rng_key(seed, _STREAM_SELLER, index))
    scenario = _SCENARIO_SELLERS[index] if index < len(_SCENARIO_SELLERS) else None
    if scenario is not None:
        country = scenario.country
    elif index - len(_SCENARIO_SELLERS) < len(_ROUND_ROBIN):
        country = _ROUND_ROBIN[index - len(_SCENARIO_SELLERS)]
    else:
        country = _SELLER_COUNTRY_CODES[
            bisect(_SELLER_COUNTRY_CUM, rng.random() * _SELLER_COUNTRY_CUM[-1])
        ]
    name, slug, area = _company_name(rng, country, pools)
    slug = f"{slug}-{index + 1}"  # sellers may share a trade name; their mailboxes do not
    domestic = country == "KR"
    if scenario is not None:
        safeguards, certifications = scenario.contract_safeguards, scenario.certifications
        disclosed = True
    else:
        # Chinese seller terms are the ones the regulator found wanting; a share still lack clauses.
        safeguards = rng.random() < (0.85 if country == "CN" else 0.93)
        certifications = (ISMS_P,) if rng.random() < (0.12 if domestic else 0.02) else ()
        disclosed = rng.random() < 0.92
    agent = None if domestic or rng.random() >= 0.35 else _agent(rng, slug)
    return RecipientSpec(
        id=seller_id(index),
        legal_name=name,
        country=country,
        role=RecipientRole.SELLER,
        service="marketplace seller (ships and services its own orders)",
        privacy_email=f"{rng.choice(('privacy', 'dpo', 'cs', 'legal'))}@{slug}.example.com",
        privacy_phone=_fixed_line(rng, country, area),
        certifications=certifications,
        contract_safeguards=safeguards,
        disclosed_in_notice=disclosed,
        retention_days=_RETENTIONS[bisect(_RETENTION_CUM, rng.random() * _RETENTION_CUM[-1])],
        domestic_agent=agent,
        created_at=start - timedelta(days=rng.uniform(30, 900)),
    )


@dataclass(frozen=True, slots=True)
class _Fixed:
    id: str
    role: RecipientRole
    country: str
    legal_name: str
    slug: str
    service: str
    certifications: tuple[str, ...] = ()
    contract_safeguards: bool = True
    disclosed_in_notice: bool = True
    retention_days: int = 30
    agent: bool = False
    area: str | None = None


_P, _CB, _PP = (
    RecipientRole.PROCESSOR,
    RecipientRole.CUSTOMS_BROKER,
    RecipientRole.PAYMENT_PROCESSOR,
)

# The marketplace's own processors, brokers and payment processors. A few are deliberately flawed
# (undisclosed, missing safeguards) because real registries are; the comments say which outcome each
# one exists to produce.
_FIXED: tuple[_Fixed, ...] = (
    _Fixed(
        "p-001", _P, "KR", "(주)한결로지스", "hangyeol-logis", "domestic parcel delivery", (ISMS_P,)
    ),
    _Fixed("p-002", _P, "KR", "(주)바로택배", "baro-parcel", "domestic parcel delivery"),
    _Fixed(
        "p-003",
        _P,
        "CN",
        "Shenzhen Haiyun Cross-border Logistics Co., Ltd.",
        "haiyun-logistics",
        "cross-border logistics (China to Korea)",
        retention_days=60,
        agent=True,
        area="755",
    ),
    _Fixed(
        "p-004",
        _P,
        "HK",
        "Pacific Bridge Logistics (HK) Limited",
        "pacific-bridge-hk",
        "cross-border logistics (Hong Kong and Taiwan to Korea)",
        retention_days=60,
        agent=True,
    ),
    _Fixed(
        "p-005",
        _P,
        "SG",
        "Straits Global Fulfilment Pte. Ltd.",
        "straits-fulfilment",
        "international freight forwarding",
        retention_days=90,
    ),
    _Fixed(
        "p-006",
        _P,
        "US",
        "Northbeam Cloud Services LLC",
        "northbeam-cloud",
        "cloud hosting and storage",
        (ISMS_P,),
        retention_days=365,
        agent=True,
    ),
    _Fixed(
        "p-007",
        _P,
        "PH",
        "Manila Bay Contact Solutions Inc.",
        "manilabay-contact",
        "outsourced customer service desk",
        retention_days=90,
    ),
    # Undisclosed domestic subcontractor: NOT_DISCLOSED on a domestic request.
    _Fixed(
        "p-008",
        _P,
        "KR",
        "(주)새벽퀵배송",
        "saebyeok-quick",
        "same-day delivery subcontractor",
        disclosed_in_notice=False,
    ),
    # Undisclosed Chinese bonded warehouse with safeguards: NOT_DISCLOSED across the border.
    _Fixed(
        "p-009",
        _P,
        "CN",
        "Dongguan Jinhai Bonded Warehousing Co., Ltd.",
        "jinhai-warehousing",
        "bonded warehousing",
        disclosed_in_notice=False,
        retention_days=60,
        area="769",
    ),
    # Undisclosed but ISMS-P certified: stands on the certification ground (28-8(1)4).
    _Fixed(
        "p-010",
        _P,
        "JP",
        "Hinode Logistics Co., Ltd.",
        "hinode-logistics",
        "cross-border air freight (Japan to Korea)",
        (ISMS_P,),
        disclosed_in_notice=False,
        retention_days=60,
    ),
    # Contract without Art. 28-8(4) clauses: CONTRACT_SAFEGUARDS_MISSING for a processor.
    _Fixed(
        "p-011",
        _P,
        "VN",
        "Saigon Express Logistics Company Limited",
        "saigon-express",
        "cross-border logistics (Vietnam to Korea)",
        contract_safeguards=False,
        retention_days=60,
    ),
    _Fixed(
        "cb-001",
        _CB,
        "KR",
        "관세법인 한빛",
        "hanbit-customs",
        "import customs clearance",
        retention_days=90,
    ),
    _Fixed(
        "cb-002",
        _CB,
        "KR",
        "관세법인 세움",
        "seum-customs",
        "import customs clearance",
        retention_days=90,
    ),
    _Fixed(
        "cb-003",
        _CB,
        "CN",
        "Shenzhen Hengtong Customs Brokerage Co., Ltd.",
        "hengtong-customs",
        "export customs declaration (China)",
        retention_days=90,
        area="755",
    ),
    _Fixed(
        "cb-004",
        _CB,
        "US",
        "Harbor Point Customs Brokers LLC",
        "harborpoint-customs",
        "export customs filing (United States)",
        retention_days=90,
    ),
    _Fixed(
        "pp-001",
        _PP,
        "KR",
        "(주)한빛페이먼츠",
        "hanbit-payments",
        "payment gateway",
        (ISMS_P,),
        retention_days=365,
    ),
    _Fixed("pp-002", _PP, "KR", "(주)다온결제", "daon-pay", "payment gateway", retention_days=365),
    _Fixed(
        "pp-003",
        _PP,
        "GB",
        "Meridian Payments Ltd",
        "meridian-payments",
        "international card acquiring",
        retention_days=365,
        agent=True,
    ),
)


def _fixed_recipient(seed: int, index: int, spec: _Fixed, start: datetime) -> RecipientSpec:
    rng = Random(_rng_key(seed, _STREAM_FIXED, index))
    return RecipientSpec(
        id=spec.id,
        legal_name=spec.legal_name,
        country=spec.country,
        role=spec.role,
        service=spec.service,
        privacy_email=f"privacy@{spec.slug}.example.com",
        privacy_phone=_fixed_line(rng, spec.country, spec.area),
        certifications=spec.certifications,
        contract_safeguards=spec.contract_safeguards,
        disclosed_in_notice=spec.disclosed_in_notice,
        retention_days=spec.retention_days,
        domestic_agent=_agent(rng, spec.slug) if spec.agent else None,
        created_at=start - timedelta(days=rng.uniform(400, 1500)),
    )


def iter_recipients(seed: int, sellers: int, start: datetime) -> Iterator[RecipientSpec]:
    """The marketplace's processors, customs brokers and payment processors, then `sellers` sellers."""
    aware(start, "start")
    for index, spec in enumerate(_FIXED):
        yield _fixed_recipient(seed, index, spec, start)
    pools = _pools(seed)
    for index in range(sellers):
        yield _seller(seed, index, start, pools)


# --------------------------------------------------------------------------------------------
# Notices


def _first_of_month(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=9, minute=0, second=0, microsecond=0)


def notice_versions(start: datetime, days: int = DEFAULT_DAYS) -> tuple[NoticeSpec, ...]:
    """Three versions: a year before `start`, some months before, and one in the middle of the run.

    Consents given under an older version stay valid; the version is kept so the privacy center
    can show the buyer exactly what they were told.
    """
    aware(start, "start")
    dates = (
        _first_of_month(start - timedelta(days=360)),
        _first_of_month(start - timedelta(days=150)),
        _first_of_month(start + timedelta(days=days / 2)),
    )
    summaries = (
        "국외 이전 고지 최초 게시 (Art. 28-8(2) 다섯 항목)",
        "수령자 목록 갱신: 국가·수령자·연락처 전체 공개",
        "수령자 목록 정기 갱신 (4주 단위 공지)",
    )
    return tuple(
        NoticeSpec(version=d.date().isoformat(), published_at=d, summary=s)
        for d, s in zip(dates, summaries, strict=True)
    )


# --------------------------------------------------------------------------------------------
# The catalogue: what buyers and orders need to know about the recipients


@dataclass(frozen=True, slots=True)
class _Catalog:
    seed: int
    start: datetime
    end: datetime
    notices: tuple[NoticeSpec, ...]
    by_id: dict[str, RecipientSpec]
    sellers: tuple[RecipientSpec, ...]
    seller_cum: tuple[float, ...]  # cumulative popularity: a few sellers get most orders
    overseas_sellers: tuple[RecipientSpec, ...]
    overseas_cum: tuple[float, ...]
    countries: tuple[str, ...]  # every recipient country, sorted: what the notice names
    scenarios: bool  # whether the deliberate scenario buyers/sellers exist in this world

    def popular_seller(self, rng: Random) -> RecipientSpec:
        return self.sellers[bisect(self.seller_cum, rng.random() * self.seller_cum[-1])]

    def popular_overseas(self, rng: Random) -> RecipientSpec:
        return self.overseas_sellers[
            bisect(self.overseas_cum, rng.random() * self.overseas_cum[-1])
        ]


def _catalog(
    seed: int, recipients: Sequence[RecipientSpec], buyers: int, start: datetime, days: int
) -> _Catalog:
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    aware(start, "start")
    sellers = tuple(r for r in recipients if r.role is RecipientRole.SELLER)
    if not sellers:
        raise ValueError("the world needs at least one seller")
    rng = Random(_rng_key(seed, _STREAM_POPULARITY, 0))
    popularity = [rng.paretovariate(1.3) for _ in sellers]
    overseas = [(s, w) for s, w in zip(sellers, popularity, strict=True) if s.country != "KR"]
    if not overseas:  # a domestic-only world: "overseas" consents then name domestic sellers
        overseas = list(zip(sellers, popularity, strict=True))
    by_id = {r.id: r for r in recipients}
    return _Catalog(
        seed=seed,
        start=start,
        end=start + timedelta(days=days),
        notices=notice_versions(start, days),
        by_id=by_id,
        sellers=sellers,
        seller_cum=tuple(accumulate(popularity)),
        overseas_sellers=tuple(s for s, _ in overseas),
        overseas_cum=tuple(accumulate(w for _, w in overseas)),
        countries=tuple(sorted({r.country for r in recipients})),
        scenarios=buyers >= len(_SCENARIO_BUYERS)
        and len(sellers) >= len(_SCENARIO_SELLERS)
        and all(f.id in by_id for f in _FIXED),
    )


# --------------------------------------------------------------------------------------------
# Buyers and their consents


class _Profile(StrEnum):
    """The buyer's overseas-transfer consent, as the mix of a real marketplace has them."""

    BROAD = "broad"  # every country in the notice, every item and purpose
    NARROW = "narrow"  # one to three countries
    RECIPIENTS = "recipients"  # named sellers only
    NO_PHONE = "no_phone"  # unticked the phone number
    SHIPPING_ONLY = "shipping_only"  # shipping and customs, not customer service
    WITHDRAWN_EARLY = "withdrawn_early"  # withdrawn before the first order of the run
    WITHDRAWN_LATER = "withdrawn_later"  # withdrawn during the run
    NONE = "none"  # never consented to overseas transfer


_PROFILES = tuple(_Profile)
_PROFILE_CUM = tuple(accumulate((52, 8, 6, 5, 6, 2, 4, 17)))


@dataclass(frozen=True, slots=True)
class _BuyerPlan:
    profile: _Profile
    suspended: bool = False
    domestic_consent: bool = True
    marketing: str | None = None  # "seller:<id>", "country" or None
    foreign: bool = False


# Scenario buyers b-000001..b-000009; _SCRIPTS orders from them on purpose.
_SCENARIO_BUYERS: tuple[_BuyerPlan, ...] = (
    _BuyerPlan(_Profile.BROAD, suspended=True),
    _BuyerPlan(_Profile.WITHDRAWN_EARLY),
    _BuyerPlan(_Profile.NO_PHONE),
    _BuyerPlan(_Profile.SHIPPING_ONLY),
    _BuyerPlan(_Profile.NONE),
    _BuyerPlan(_Profile.BROAD, marketing=f"seller:{seller_id(0)}"),
    _BuyerPlan(_Profile.RECIPIENTS),
    _BuyerPlan(_Profile.NONE, marketing="country"),
    _BuyerPlan(_Profile.WITHDRAWN_LATER),
)

_OVERSEAS_ITEMS = (
    DataItem.NAME,
    DataItem.PHONE,
    DataItem.EMAIL,
    DataItem.ADDRESS,
    DataItem.POSTAL_CODE,
    DataItem.CUSTOMS_CODE,
    DataItem.ORDER_ITEMS,
)
_OVERSEAS_PURPOSES = (Purpose.SHIPPING, Purpose.CUSTOMS_CLEARANCE, Purpose.CUSTOMER_SERVICE)
_DOMESTIC_ITEMS = (
    DataItem.NAME,
    DataItem.PHONE,
    DataItem.EMAIL,
    DataItem.ADDRESS,
    DataItem.POSTAL_CODE,
    DataItem.ORDER_ITEMS,
)
_DOMESTIC_PURPOSES = (Purpose.SHIPPING, Purpose.CUSTOMER_SERVICE)
_FOREIGN_RESIDENCES = ("US", "CN", "JP", "VN", "CA")
_DISTRICT_CUM = tuple(accumulate(d.weight for d in t.DISTRICTS))
_EMAIL_DOMAINS = tuple(d for d, _ in t.FREE_EMAIL_DOMAINS)
_EMAIL_CUM = tuple(accumulate(w for _, w in t.FREE_EMAIL_DOMAINS))


def _buyer_plan(rng: Random, index: int) -> _BuyerPlan:
    if index < len(_SCENARIO_BUYERS):
        return _SCENARIO_BUYERS[index]
    profile = _PROFILES[bisect(_PROFILE_CUM, rng.random() * _PROFILE_CUM[-1])]
    roll = rng.random()
    marketing = None if roll >= 0.25 else ("country" if roll < 0.1 else "seller")
    return _BuyerPlan(
        profile=profile,
        suspended=rng.random() < 0.01,
        domestic_consent=rng.random() < 0.8,
        marketing=marketing,
        foreign=rng.random() < 0.015,
    )


def _address(rng: Random) -> tuple[str, str]:
    district = t.DISTRICTS[bisect(_DISTRICT_CUM, rng.random() * _DISTRICT_CUM[-1])]
    dong, road = rng.choice(district.places)
    if rng.random() < 0.4:
        road = f"{road}{rng.randint(1, 80)}길"
    number = (
        str(rng.randint(1, 400))
        if rng.random() < 0.8
        else f"{rng.randint(1, 400)}-{rng.randint(1, 30)}"
    )
    kind = rng.random()
    if kind < 0.6:
        detail = f", {rng.randint(101, 115)}동 {rng.randint(1, 25)}{rng.randint(1, 6):02d}호 ({dong}, {rng.choice(t.APARTMENT_BRANDS)})"
    elif kind < 0.85:
        detail = f", {rng.randint(1, 5)}0{rng.randint(1, 4)}호 ({dong})"
    else:
        detail = f" ({dong})"
    region = f"{district.sido} {district.sigungu}" if district.sigungu else district.sido
    postal = f"{rng.randint(district.postal_lo, district.postal_hi):05d}"
    return f"{region} {road} {number}{detail}", postal


def _luhn_complete(rng: Random, prefix: str, length: int) -> str:
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the check digit will sit to the right of this one
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str((10 - total % 10) % 10)


def _notice_at(notices: Sequence[NoticeSpec], at: datetime) -> str:
    version = notices[0].version
    for notice in notices:
        if notice.published_at <= at:
            version = notice.version
    return version


def _consents(
    rng: Random,
    index: int,
    plan: _BuyerPlan,
    residence: str,
    created_at: datetime,
    cat: _Catalog,
) -> tuple[ConsentSpec, ...]:
    bid = buyer_id(index)
    first_notice = cat.notices[0].published_at
    # Accounts older than the first notice consented in the campaign that followed it.
    if created_at >= first_notice:
        given = created_at + timedelta(minutes=rng.randint(1, 30))
    else:
        given = first_notice + timedelta(days=rng.uniform(0, 30))
    span = cat.end - cat.start
    out: list[ConsentSpec] = []

    def add(
        kind: ConsentKind,
        *,
        recipients: Iterable[str] = (),
        countries: Iterable[str] = (),
        items: tuple[DataItem, ...],
        purposes: tuple[Purpose, ...],
        given_at: datetime = given,
        withdrawn_at: datetime | None = None,
    ) -> None:
        out.append(
            ConsentSpec(
                id=f"c-{index + 1:06d}-{len(out) + 1}",
                buyer_id=bid,
                kind=kind,
                notice_version=_notice_at(cat.notices, given_at),
                recipients=tuple(recipients),
                countries=tuple(countries),
                items=items,
                purposes=purposes,
                given_at=given_at,
                withdrawn_at=withdrawn_at,
            )
        )

    abroad = tuple(c for c in cat.countries if c != residence)
    profile = plan.profile
    overseas = ConsentKind.OVERSEAS_TRANSFER
    if profile in {_Profile.BROAD, _Profile.WITHDRAWN_EARLY, _Profile.WITHDRAWN_LATER}:
        withdrawn = None
        if profile is _Profile.WITHDRAWN_EARLY:
            withdrawn = given + (cat.start - given) * rng.uniform(0.2, 0.9)
        elif profile is _Profile.WITHDRAWN_LATER:
            withdrawn = cat.start + span * rng.uniform(0.1, 0.6)
        add(
            overseas,
            countries=abroad,
            items=_OVERSEAS_ITEMS,
            purposes=_OVERSEAS_PURPOSES,
            withdrawn_at=withdrawn,
        )
    elif profile is _Profile.NARROW:
        choices = [c for c in ("CN", "HK", "US", "JP") if c != residence and c in abroad]
        picked = sorted(rng.sample(choices, min(len(choices), rng.randint(1, 3))))
        add(
            overseas,
            countries=picked or abroad[:1],
            items=_OVERSEAS_ITEMS,
            purposes=_OVERSEAS_PURPOSES,
        )
    elif profile is _Profile.RECIPIENTS:
        if index < len(_SCENARIO_BUYERS):
            named = [seller_id(0)]
        else:
            named = sorted({cat.popular_overseas(rng).id for _ in range(rng.randint(1, 4))})
        add(overseas, recipients=named, items=_OVERSEAS_ITEMS, purposes=_OVERSEAS_PURPOSES)
    elif profile is _Profile.NO_PHONE:
        items = tuple(i for i in _OVERSEAS_ITEMS if i is not DataItem.PHONE)
        add(overseas, countries=abroad, items=items, purposes=_OVERSEAS_PURPOSES)
    elif profile is _Profile.SHIPPING_ONLY:
        add(
            overseas,
            countries=abroad,
            items=_OVERSEAS_ITEMS,
            purposes=(Purpose.SHIPPING, Purpose.CUSTOMS_CLEARANCE),
        )

    # Some buyers who gave a narrow consent widen it when the mid-run notice asks again.
    if index >= len(_SCENARIO_BUYERS) and profile is _Profile.NARROW and rng.random() < 0.3:
        again = cat.notices[-1].published_at + timedelta(days=rng.uniform(0, 20))
        add(
            overseas,
            countries=abroad,
            items=_OVERSEAS_ITEMS,
            purposes=_OVERSEAS_PURPOSES,
            given_at=again,
        )

    if plan.domestic_consent:
        withdrawn = None
        if index >= len(_SCENARIO_BUYERS) and rng.random() < 0.03:
            withdrawn = cat.start + span * rng.uniform(0.0, 1.0)
        add(
            ConsentKind.THIRD_PARTY_PROVISION,
            countries=(residence,),
            items=_DOMESTIC_ITEMS,
            purposes=_DOMESTIC_PURPOSES,
            withdrawn_at=withdrawn,
        )

    if plan.marketing is not None:
        withdrawn = None
        if index >= len(_SCENARIO_BUYERS) and rng.random() < 0.2:
            withdrawn = given + (cat.end - given) * rng.uniform(0.3, 1.0)
        marketing = ConsentKind.MARKETING
        if plan.marketing == "country":
            add(
                marketing,
                countries=(residence,),
                items=(DataItem.EMAIL,),
                purposes=(Purpose.MARKETING,),
                withdrawn_at=withdrawn,
            )
        else:
            named = (
                [plan.marketing.removeprefix("seller:")]
                if plan.marketing.startswith("seller:")
                else sorted({cat.popular_seller(rng).id for _ in range(rng.randint(1, 3))})
            )
            add(
                marketing,
                recipients=named,
                items=(DataItem.EMAIL,),
                purposes=(Purpose.MARKETING,),
                withdrawn_at=withdrawn,
            )
    return tuple(out)


def _buyer(index: int, cat: _Catalog, pools: _Pools) -> tuple[BuyerSpec, tuple[ConsentSpec, ...]]:
    rng = Random(_rng_key(cat.seed, _STREAM_BUYER, index))
    plan = _buyer_plan(rng, index)
    name = rng.choice(pools.ko_last) + rng.choice(pools.ko_first)
    middle, last = rng.randint(2000, 9999), rng.randint(0, 9999)
    user = rng.choice(pools.ko_user)
    if rng.random() < 0.5:
        user = f"{user}{rng.randint(1, 999)}"
    email = f"{user}@{_EMAIL_DOMAINS[bisect(_EMAIL_CUM, rng.random() * _EMAIL_CUM[-1])]}"
    address, postal = _address(rng)
    age_days = int(rng.triangular(19, 78, 34) * 365.25)
    birth = cat.start.date() - timedelta(days=age_days + rng.randint(0, 364))
    created_at = cat.start - timedelta(days=rng.uniform(1, 700))
    residence = rng.choice(_FOREIGN_RESIDENCES) if plan.foreign else "KR"
    rrn = None
    if rng.random() < 0.02:  # migrated from a legacy system; here only to prove it never leaves
        century = 1 if birth.year < 2000 else 3
        rrn = f"{birth:%y%m%d}-{century + rng.randint(0, 1)}{rng.randrange(10**6):06d}"
    bank = None
    if rng.random() < 0.3:
        bank = f"{rng.choice(('110', '123', '352', '1002'))}-{rng.randrange(10**3):03d}-{rng.randrange(10**6):06d}"
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
    return buyer, _consents(rng, index, plan, residence, created_at, cat)


def iter_buyers(
    seed: int,
    buyers: int,
    start: datetime,
    recipients: Sequence[RecipientSpec],
    *,
    days: int = DEFAULT_DAYS,
    first: int = 0,
    stop: int | None = None,
) -> Iterator[tuple[BuyerSpec, tuple[ConsentSpec, ...]]]:
    """Buyers `first`..`stop` (default: all `buyers`) of the world, each with their consents.

    `buyers` is the world's total; any slice is the same as in the whole world, so callers may
    stream a large world in batches.
    """
    cat = _catalog(seed, recipients, buyers, start, days)
    pools = _pools(seed)
    for index in range(first, buyers if stop is None else min(stop, buyers)):
        yield _buyer(index, cat, pools)


# --------------------------------------------------------------------------------------------
# Orders

_SHIP = (
    DataItem.NAME,
    DataItem.PHONE,
    DataItem.ADDRESS,
    DataItem.POSTAL_CODE,
    DataItem.ORDER_ITEMS,
)
_CARRY = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE)
_CUSTOMS = (
    DataItem.NAME,
    DataItem.CUSTOMS_CODE,
    DataItem.ADDRESS,
    DataItem.POSTAL_CODE,
    DataItem.PHONE,
)
_EXPORT = (DataItem.NAME, DataItem.ADDRESS, DataItem.ORDER_ITEMS)
_PAY = (DataItem.NAME, DataItem.CARD_NUMBER)
_SERVICE = (DataItem.NAME, DataItem.PHONE, DataItem.EMAIL, DataItem.ORDER_ITEMS)
_MARKETING = (DataItem.EMAIL,)

_D = DisclosureSpec
_SHIPPING, _CLEARANCE, _SERVICE_P = (
    Purpose.SHIPPING,
    Purpose.CUSTOMS_CLEARANCE,
    Purpose.CUSTOMER_SERVICE,
)
_PAYMENT, _MARKETING_P = Purpose.PAYMENT, Purpose.MARKETING


@dataclass(frozen=True, slots=True)
class _Script:
    """A deliberate order: buyer and seller by index, and its disclosures (`{seller}` stands in)."""

    buyer: int
    seller: int
    disclosures: tuple[DisclosureSpec, ...]


_SELLER = "{seller}"
_SCRIPTS: tuple[_Script, ...] = (
    # broad consent: consent, ITEM_NOT_NEEDED (email), entrusted, legal mandate, marketing consent
    _Script(
        5,
        0,
        (
            _D(_SELLER, _SHIPPING, (*_SHIP, DataItem.EMAIL), None, 2),
            _D("p-003", _SHIPPING, _CARRY, None, 5),
            _D("cb-001", _CLEARANCE, _CUSTOMS, CUSTOMS_MANDATE, 30),
            _D("p-001", _SHIPPING, _CARRY, None, 40),
            _D("pp-001", _PAYMENT, _PAY, None, 1),
            _D(_SELLER, _SERVICE_P, _SERVICE, None, 90),
            _D(_SELLER, _MARKETING_P, _MARKETING, None, 120),
        ),
    ),
    _Script(
        0, 0, (_D(_SELLER, _SHIPPING, _SHIP, None, 2), _D("p-003", _SHIPPING, _CARRY, None, 5))
    ),  # TRANSFER_SUSPENDED
    _Script(1, 0, (_D(_SELLER, _SHIPPING, _SHIP, None, 2),)),  # CONSENT_WITHDRAWN
    _Script(2, 0, (_D(_SELLER, _SHIPPING, _SHIP, None, 2),)),  # CONSENT_DOES_NOT_COVER (phone)
    _Script(
        3, 0, (_D(_SELLER, _SHIPPING, _SHIP, None, 2), _D(_SELLER, _SERVICE_P, _SERVICE, None, 60))
    ),  # purpose not covered
    _Script(4, 0, (_D(_SELLER, _SHIPPING, _SHIP, None, 2),)),  # NO_LAWFUL_GROUND
    _Script(
        4,
        2,
        (  # certification (a seller), entrusted both sides of the border
            _D(_SELLER, _SHIPPING, _SHIP, None, 2),
            _D("p-005", _SHIPPING, _CARRY, None, 5),
            _D("cb-004", _CLEARANCE, _EXPORT, None, 20),
            _D("cb-002", _CLEARANCE, _CUSTOMS, None, 30),
            _D("p-002", _SHIPPING, _CARRY, None, 40),
        ),
    ),
    _Script(5, 1, (_D(_SELLER, _SHIPPING, _SHIP, None, 2),)),  # CONTRACT_SAFEGUARDS_MISSING
    _Script(
        7,
        3,
        (  # domestic: consent, ITEM_PROHIBITED, NOT_DISCLOSED, ROLE_NOT_PERMITTED, marketing
            _D(_SELLER, _SHIPPING, (*_SHIP, DataItem.RRN), None, 2),
            _D("p-008", _SHIPPING, _CARRY, None, 5),
            _D(_SELLER, _PAYMENT, _PAY, None, 1),
            _D("pp-002", _PAYMENT, _PAY, None, 1),
            _D(_SELLER, _MARKETING_P, _MARKETING, None, 120),
        ),
    ),
    _Script(
        6,
        0,
        (  # consent naming the seller; undisclosed warehouse abroad: NOT_DISCLOSED
            _D(_SELLER, _SHIPPING, _SHIP, None, 2),
            _D("p-009", _SHIPPING, _CARRY, None, 5),
        ),
    ),
    _Script(
        4,
        4,
        (  # no consent: the seller is refused, the certified undisclosed carrier is not
            _D(_SELLER, _SHIPPING, _SHIP, None, 2),
            _D("p-010", _SHIPPING, _CARRY, None, 5),
            _D("cb-002", _CLEARANCE, _CUSTOMS, None, 30),
        ),
    ),
    _Script(8, 0, (_D(_SELLER, _SHIPPING, _SHIP, None, 2),)),  # late in the run: withdrawn by then
)

# Overseas carriers by origin: (carrier, share) tried in order, the remainder to the last one.
_ORIGIN_CARRIERS: dict[str, tuple[tuple[str, float], ...]] = {
    "CN": (("p-009", 0.04), ("p-003", 1.0)),
    "HK": (("p-004", 1.0),),
    "TW": (("p-004", 1.0),),
    "JP": (("p-010", 0.2), ("p-005", 1.0)),
    "VN": (("p-011", 0.3), ("p-005", 1.0)),
}


def _pick(rng: Random, options: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for option, share in options:
        if roll < share:
            return option
    return options[-1][0]


def _bulk_disclosures(rng: Random, seller: RecipientSpec) -> tuple[DisclosureSpec, ...]:
    """What the marketplace asks to disclose for an ordinary order, mistakes included.

    Most requests are right; a few ask for more than the purpose needs (email or the customs code
    for shipping, a birth date, a legacy resident registration number, card data to a seller),
    because that is what the engine exists to catch.
    """
    out: list[DisclosureSpec] = []
    cross = seller.country != "KR"
    ship: tuple[DataItem, ...] = _SHIP
    roll = rng.random()
    if roll < 0.08:
        ship = (*_SHIP, DataItem.EMAIL)
    elif roll < 0.12 and cross:
        ship = (*_SHIP, DataItem.CUSTOMS_CODE)
    elif roll < 0.125:
        ship = (*_SHIP, DataItem.RRN)
    elif roll < 0.128:
        ship = (*_SHIP, DataItem.BIRTH_DATE)
    out.append(_D(seller.id, _SHIPPING, ship, None, rng.randint(1, 5)))
    if cross:
        out.append(
            _D(
                _pick(rng, _ORIGIN_CARRIERS.get(seller.country, (("p-005", 1.0),))),
                _SHIPPING,
                _CARRY,
                None,
                rng.randint(5, 20),
            )
        )
        if seller.country == "CN" and rng.random() < 0.3:
            out.append(_D("cb-003", _CLEARANCE, _EXPORT, None, rng.randint(10, 30)))
        elif seller.country == "US" and rng.random() < 0.3:
            out.append(_D("cb-004", _CLEARANCE, _EXPORT, None, rng.randint(10, 30)))
        customs = (*_CUSTOMS, DataItem.RRN) if rng.random() < 0.005 else _CUSTOMS
        mandate = CUSTOMS_MANDATE if rng.random() < 0.25 else None
        out.append(
            _D(rng.choice(("cb-001", "cb-002")), _CLEARANCE, customs, mandate, rng.randint(20, 60))
        )
    last_mile = _pick(rng, (("p-001", 0.6), ("p-002", 0.95), ("p-008", 1.0)))
    out.append(_D(last_mile, _SHIPPING, _CARRY, None, rng.randint(30, 90)))
    payer = (
        "pp-003" if cross and rng.random() < 0.15 else rng.choice(("pp-001", "pp-001", "pp-002"))
    )
    pay = (*_PAY, DataItem.BANK_ACCOUNT) if rng.random() < 0.05 else _PAY
    out.append(_D(payer, _PAYMENT, pay, None, 1))
    if rng.random() < 0.003:
        out.append(_D(seller.id, _PAYMENT, _PAY, None, 2))
    if rng.random() < 0.15:
        out.append(_D(seller.id, _SERVICE_P, _SERVICE, None, rng.randint(60, 120)))
    if rng.random() < 0.04:
        out.append(_D("p-007", _SERVICE_P, _SERVICE, None, rng.randint(60, 120)))
    if rng.random() < 0.03:
        out.append(_D(seller.id, _MARKETING_P, _MARKETING, None, rng.randint(60, 120)))
    return tuple(out)


def _order_items(rng: Random) -> str:
    parts = []
    for product in rng.sample(t.PRODUCTS, rng.choice((1, 1, 1, 2, 2, 3))):
        quantity = rng.choice((1, 1, 1, 2, 3))
        parts.append(product if quantity == 1 else f"{product} x{quantity}")
    return ", ".join(parts)


def _script_slots(orders: int) -> dict[int, _Script]:
    """Spread the scripts evenly over the run, so the late one lands after its withdrawal."""
    count = min(len(_SCRIPTS), orders)
    if count == 0:
        return {}
    step = orders // count
    return {i * step + step // 2: _SCRIPTS[i] for i in range(count)}


def _order(
    index: int,
    orders: int,
    buyers: int,
    cat: _Catalog,
    slots: dict[int, _Script],
) -> OrderSpec:
    rng = Random(_rng_key(cat.seed, _STREAM_ORDER, index))
    # Each order owns one time slot of the run, so ordered_at strictly increases with the index
    # and any order's time is known without generating the ones before it.
    span_us = (cat.end - cat.start) // timedelta(microseconds=1)
    slot = max(1, span_us // orders)
    ordered_at = cat.start + timedelta(microseconds=index * slot + rng.randrange(slot))
    script = slots.get(index)
    if script is not None:
        buyer = buyer_id(script.buyer)
        seller = cat.sellers[script.seller]
        disclosures = tuple(
            _D(
                seller.id if d.recipient_id == _SELLER else d.recipient_id,
                d.purpose,
                d.items,
                d.legal_mandate,
                d.minutes_after_order,
            )
            for d in script.disclosures
        )
    else:
        # Heavy buyers exist: the skew makes a minority of accounts place most orders.
        skip = len(_SCENARIO_BUYERS) if cat.scenarios and buyers > len(_SCENARIO_BUYERS) else 0
        buyer = buyer_id(skip + int((buyers - skip) * rng.random() ** 1.6))
        seller = cat.popular_seller(rng)
        disclosures = _bulk_disclosures(rng, seller)
    transit = rng.uniform(1, 3) if seller.country == "KR" else rng.uniform(5, 14)
    delivered: datetime | None = ordered_at + timedelta(days=transit)
    if delivered is not None and delivered > cat.end:
        delivered = None
    return OrderSpec(
        id=order_id(index),
        buyer_id=buyer,
        seller_id=seller.id,
        ordered_at=ordered_at,
        delivered_at=delivered,
        order_items=_order_items(rng),
        disclosures=disclosures,
    )


def iter_orders(
    seed: int,
    orders: int,
    start: datetime,
    recipients: Sequence[RecipientSpec],
    buyers: int,
    *,
    days: int = DEFAULT_DAYS,
    first: int = 0,
    stop: int | None = None,
) -> Iterator[OrderSpec]:
    """Orders `first`..`stop` (default: all `orders`) of a world with `buyers` buyers.

    Like `iter_buyers`, a slice is identical to the same orders of the whole world.
    """
    if buyers < 1:
        raise ValueError(f"orders need at least one buyer, got buyers={buyers}")
    cat = _catalog(seed, recipients, buyers, start, days)
    slots = _script_slots(orders) if cat.scenarios else {}
    for index in range(first, orders if stop is None else min(stop, orders)):
        yield _order(index, orders, buyers, cat, slots)


# --------------------------------------------------------------------------------------------
# The whole world


def generate_world(
    seed: int,
    buyers: int,
    sellers: int,
    orders: int,
    start: datetime,
    *,
    days: int = DEFAULT_DAYS,
) -> World:
    """Generate a whole marketplace in memory; the same arguments always give the same world.

    Orders are spread over `days` days from `start`. Every refusal code and the grounds consent,
    legal_mandate, entrusted_contract and certification occur once buyers >= 9, sellers >= 5 and
    orders >= 12 (the deliberate scenarios need that many); larger worlds add a realistic mix.
    """
    for label, value in (("buyers", buyers), ("sellers", sellers), ("orders", orders)):
        if value < (0 if label == "orders" else 1):
            raise ValueError(f"{label} must be positive, got {value}")
    recipients = tuple(iter_recipients(seed, sellers, start))
    buyer_specs: list[BuyerSpec] = []
    consents: list[ConsentSpec] = []
    for buyer, given in iter_buyers(seed, buyers, start, recipients, days=days):
        buyer_specs.append(buyer)
        consents.extend(given)
    return World(
        seed=seed,
        start=start,
        end=start + timedelta(days=days),
        notices=notice_versions(start, days),
        recipients=recipients,
        buyers=tuple(buyer_specs),
        consents=tuple(consents),
        orders=tuple(iter_orders(seed, orders, start, recipients, buyers, days=days)),
    )


def world_digest(world: World) -> str:
    """SHA-256 over every field of every value: equal digests mean equal worlds."""
    digest = hashlib.sha256()
    for part in (
        (world.seed, world.start, world.end),
        world.notices,
        world.recipients,
        world.buyers,
        world.consents,
        world.orders,
    ):
        for value in part:
            digest.update(repr(value).encode())
    return digest.hexdigest()
