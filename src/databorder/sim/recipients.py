"""Recipients: the marketplace's processors, customs brokers and payment processors, and sellers.

Sellers come from the countries a Korean cross-border marketplace really sells from, mostly China,
named the way companies there are named ("Yiwu Ruifeng Trading Co., Ltd.", "株式会社さくら商事",
"Müller Versand GmbH", "(주)다온리빙"), with a privacy contact whose phone is valid for the country.
They register over time: most long ago, some between notice versions, a few during the run and
after its last publication, so a version names some sellers of a country and not others (the
AliExpress case). A share lack contract safeguards; the marketplace's own processors include
deliberately flawed ones, EU processors, a Korean one storing on a foreign cloud and certified
ones with and without the measures the certification requires (see `FIXED`).
"""

from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from random import Random

from databorder.model import Purpose, RecipientRole, aware
from databorder.sim import _tables as t
from databorder.sim._base import (
    DEFAULT_DAYS,
    NOTICE_EVERY_DAYS,
    STREAM_FIXED,
    STREAM_SELLER,
    Pools,
    Schedule,
    fixed_line,
    pools,
    rng_for,
    schedule,
    slug,
)
from databorder.sim.scenarios import HOME, ISMS_P, SCENARIO_SELLERS, seller_id
from databorder.sim.types import DomesticAgent, RecipientSpec

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
_COUNTRY_CODES = tuple(c for c, _ in _SELLER_COUNTRIES)
_COUNTRY_CUM = tuple(accumulate(w for _, w in _SELLER_COUNTRIES))
# After the scenario sellers, one seller from each remaining country, so even a small world is
# spread over every country of the mix.
_ROUND_ROBIN = tuple(c for c in _COUNTRY_CODES if c not in {p.country for p in SCENARIO_SELLERS})
_RETENTIONS = (30, 60, 90, 180, 365)
_RETENTION_CUM = tuple(accumulate((45, 20, 15, 10, 10)))


def _company_name(rng: Random, country: str, pools: Pools) -> tuple[str, str, str | None]:
    """(legal name, email-domain slug, fixed-line area code or None) in the country's style."""
    if country == "CN":
        city, area = rng.choice(t.CHINESE_CITIES)
        brand = rng.choice(t.PINYIN) + rng.choice(t.PINYIN).lower()
        trade = rng.choice(t.CHINESE_TRADES)
        return f"{city} {brand} {trade} Co., Ltd.", slug(f"{brand} {city}"), area
    if country == "KR":
        brand, brand_r = rng.choice(t.KOREAN_BRANDS)
        trade, trade_r = rng.choice(t.KOREAN_TRADES)
        form = "(주){}" if rng.random() < 0.7 else "주식회사 {}"
        return form.format(brand + trade), slug(brand_r + trade_r), None
    if country == "HK":
        brand = f"{rng.choice(t.CANTONESE)} {rng.choice(t.CANTONESE)}"
        form = "{} Trading (HK) Limited" if rng.random() < 0.5 else "{} International Limited"
        return form.format(brand), slug(brand + " hk"), None
    if country == "TW":
        brand = rng.choice(t.TAIWANESE)
        kind = rng.choice(("Enterprise", "Industrial", "Trading"))
        return f"{brand} {kind} Co., Ltd.", slug(brand + " tw"), None
    if country == "JP":
        romaji, native = rng.choice(t.JAPANESE_BRANDS)
        trade_r, trade_n = rng.choice(t.JAPANESE_TRADES)
        if rng.random() < 0.5:
            return f"株式会社{native}{trade_n}", slug(f"{romaji} {trade_r}"), None
        return f"{romaji} {trade_r} Co., Ltd.", slug(f"{romaji} {trade_r}"), None
    if country == "VN":
        brand = rng.choice(t.VIETNAMESE_BRANDS)
        if rng.random() < 0.4:
            return f"Công ty TNHH {brand}", slug(brand + " vn"), None
        return f"{brand} Trading Company Limited", slug(brand + " vn"), None
    if country == "TH":
        brand = rng.choice(t.THAI_BRANDS)
        return f"{brand} Co., Ltd.", slug(brand + " th"), None
    if country == "SG":
        brand = rng.choice(t.SINGAPORE_BRANDS)
        return f"{brand} {rng.choice(t.WESTERN_TRADES)} Pte. Ltd.", slug(brand + " sg"), None
    surname = rng.choice(pools.surnames[country])
    if country == "US":
        form = rng.choice(("LLC", "Inc."))
        return f"{surname} {rng.choice(t.WESTERN_TRADES)} {form}", slug(surname + " us"), None
    if country == "GB":
        if rng.random() < 0.4:
            other = rng.choice(pools.surnames[country])
            return f"{surname} & {other} Ltd", slug(f"{surname} {other}"), None
        return f"{surname} {rng.choice(t.WESTERN_TRADES)} Ltd", slug(surname + " uk"), None
    if country == "DE":
        return f"{surname} {rng.choice(t.GERMAN_TRADES)} GmbH", slug(surname + " de"), None
    if country == "FR":
        return f"{surname} {rng.choice(t.FRENCH_TRADES)} SAS", slug(surname + " fr"), None
    if country == "AU":
        return f"{surname} {rng.choice(t.WESTERN_TRADES)} Pty Ltd", slug(surname + " au"), None
    if country == "IT":
        return f"{surname} {rng.choice(t.ITALIAN_TRADES)} S.r.l.", slug(surname + " it"), None
    raise ValueError(f"no company-name style for country {country!r}")


def _agent(rng: Random, of: str) -> DomesticAgent:
    brand, brand_r = rng.choice(t.KOREAN_BRANDS)
    name = f"(주){brand}국내대리인" if rng.random() < 0.5 else f"법무법인 {brand}"
    return DomesticAgent(
        name=name,
        email=f"{of}@{brand_r}-agent.example.com",
        phone=fixed_line(rng, "KR", "2"),
    )


def _seller_created(rng: Random, plan: Schedule) -> datetime:
    """When a seller registered: most before the first notice, the rest spread up to the end."""
    first = plan.notices[0].published_at
    relaunch = plan.moments.relaunch
    roll = rng.random()
    if roll < 0.62:
        return first - timedelta(days=rng.uniform(1, 900))
    if roll < 0.82:
        return first + (relaunch - first) * rng.random()
    if roll < 0.93:
        return relaunch + (plan.start - relaunch) * rng.random()
    return plan.start + (plan.end - plan.start) * rng.uniform(0, 0.98)


def _seller(index: int, plan: Schedule, seed: int, pools: Pools) -> RecipientSpec:
    rng = rng_for(seed, STREAM_SELLER, index)
    scenario = SCENARIO_SELLERS[index] if index < len(SCENARIO_SELLERS) else None
    if scenario is not None:
        country = scenario.country
    elif index - len(SCENARIO_SELLERS) < len(_ROUND_ROBIN):
        country = _ROUND_ROBIN[index - len(SCENARIO_SELLERS)]
    else:
        country = _COUNTRY_CODES[bisect(_COUNTRY_CUM, rng.random() * _COUNTRY_CUM[-1])]
    name, domain, area = _company_name(rng, country, pools)
    domain = f"{domain}-{index + 1}"  # sellers may share a trade name; their mailboxes do not
    domestic = country == HOME
    if scenario is not None:
        safeguards = scenario.contract_safeguards
        certifications = scenario.certifications
        measures = scenario.certification_measures
        if scenario.joins is None:
            created = plan.moments.relaunch - timedelta(days=rng.uniform(30, 600))
        else:
            created = plan.moments.at(scenario.joins)
    else:
        # Chinese seller terms are the ones the regulator found wanting; a share still lack clauses.
        safeguards = rng.random() < (0.85 if country == "CN" else 0.93)
        certifications = (ISMS_P,) if rng.random() < (0.12 if domestic else 0.02) else ()
        measures = bool(certifications) and rng.random() < 0.7
        created = _seller_created(rng, plan)
    mailbox = rng.choice(("privacy", "dpo", "cs", "legal"))
    return RecipientSpec(
        id=seller_id(index),
        legal_name=name,
        country=country,
        role=RecipientRole.SELLER,
        service="marketplace seller (ships and services its own orders)",
        privacy_email=f"{mailbox}@{domain}.example.com",
        privacy_phone=fixed_line(rng, country, area),
        certifications=certifications,
        certification_measures=measures,
        contract_safeguards=safeguards,
        data_countries=(),
        purposes=_SELLER_PURPOSES,
        retention_days=_RETENTIONS[bisect(_RETENTION_CUM, rng.random() * _RETENTION_CUM[-1])],
        domestic_agent=None if domestic or rng.random() >= 0.35 else _agent(rng, domain),
        created_at=created,
    )


_SELLER_PURPOSES = (Purpose.SHIPPING, Purpose.CUSTOMER_SERVICE)
_SHIP_SERVICE = _SELLER_PURPOSES
_SERVICE = (Purpose.CUSTOMER_SERVICE,)
_CUSTOMS = (Purpose.CUSTOMS_CLEARANCE,)
_PAY = (Purpose.PAYMENT,)
_MARKET = (Purpose.MARKETING,)


@dataclass(frozen=True, slots=True)
class _Fixed:
    id: str
    role: RecipientRole
    country: str
    legal_name: str
    domain: str
    service: str
    purposes: tuple[Purpose, ...]
    certifications: tuple[str, ...] = ()
    measures: bool = False  # the certification's measures taken (Art. 28-8(1)4)
    contract_safeguards: bool = True
    data_countries: tuple[str, ...] = ()
    retention_days: int = 30
    agent: bool = False
    area: str | None = None
    joins: str | None = None  # a moment of the run (see scenarios.Moments); None: long before


_P, _CB, _PP = (
    RecipientRole.PROCESSOR,
    RecipientRole.CUSTOMS_BROKER,
    RecipientRole.PAYMENT_PROCESSOR,
)

# The marketplace's own processors, brokers and payment processors. A few are deliberately flawed,
# because real registries are; the comments say which outcome each of those exists to produce.
# One recipient per line reads as the registry table it is.
# fmt: off
FIXED: tuple[_Fixed, ...] = (
    _Fixed("p-001", _P, "KR", "(주)한결로지스", "hangyeol-logis", "domestic parcel delivery", _SHIP_SERVICE, (ISMS_P,), True),
    _Fixed("p-002", _P, "KR", "(주)바로택배", "baro-parcel", "domestic parcel delivery", _SHIP_SERVICE),
    _Fixed("p-003", _P, "CN", "Shenzhen Haiyun Cross-border Logistics Co., Ltd.", "haiyun-logistics", "cross-border logistics (China to Korea)", _SHIP_SERVICE, retention_days=60, agent=True, area="755"),
    _Fixed("p-004", _P, "HK", "Pacific Bridge Logistics (HK) Limited", "pacific-bridge-hk", "cross-border logistics (Hong Kong and Taiwan to Korea)", _SHIP_SERVICE, retention_days=60, agent=True),
    _Fixed("p-005", _P, "SG", "Straits Global Fulfilment Pte. Ltd.", "straits-fulfilment", "international freight forwarding", _SHIP_SERVICE, retention_days=90),
    _Fixed("p-006", _P, "US", "Northbeam Cloud Services LLC", "northbeam-cloud", "cloud hosting and storage", _SHIP_SERVICE, (ISMS_P,), True, retention_days=365, agent=True),
    _Fixed("p-007", _P, "PH", "Manila Bay Contact Solutions Inc.", "manilabay-contact", "outsourced customer service desk", _SERVICE, retention_days=90),
    # Registered mid-run, used before the next batch names it: NOT_DISCLOSED at home (Art. 26(2)).
    _Fixed("p-008", _P, "KR", "(주)새벽퀵배송", "saebyeok-quick", "same-day delivery subcontractor", _SHIP_SERVICE, joins="gap_join"),
    # The same, abroad: NOT_DISCLOSED across the border (Art. 28-8(2)).
    _Fixed("p-009", _P, "CN", "Dongguan Jinhai Bonded Warehousing Co., Ltd.", "jinhai-warehousing", "bonded warehousing", _SHIP_SERVICE, retention_days=60, area="769", joins="gap_join"),
    _Fixed("p-010", _P, "JP", "Hinode Logistics Co., Ltd.", "hinode-logistics", "cross-border air freight (Japan to Korea)", _SHIP_SERVICE, (ISMS_P,), True, retention_days=60),
    # Contract without the Art. 28-8(4) clauses: CONTRACT_SAFEGUARDS_MISSING for a processor.
    _Fixed("p-011", _P, "VN", "Saigon Express Logistics Company Limited", "saigon-express", "cross-border logistics (Vietnam to Korea)", _SHIP_SERVICE, contract_safeguards=False, retention_days=60),
    # A Korean processor whose system runs on a US cloud: a transfer abroad (rule 1).
    _Fixed("p-012", _P, "KR", "(주)온누리풀필먼트", "onnuri-fulfilment", "fulfilment and customer service desk (order system hosted on a US cloud)", _SHIP_SERVICE, data_countries=("US",), retention_days=90),
    # EU processors: entrusted contracts abroad, and the EU/EEA recognition for marketing.
    _Fixed("p-013", _P, "DE", "Rheinwerk Cloud GmbH", "rheinwerk-cloud", "cloud customer service platform", _SERVICE, retention_days=90),
    _Fixed("p-014", _P, "DE", "Elbe Dialog Marketing GmbH", "elbe-dialog", "email marketing on the marketplace's behalf", _MARKET, retention_days=90),
    # Certified marketing processors, with and without the measures: certification or nothing.
    _Fixed("p-015", _P, "US", "Bluewave Email Marketing Inc.", "bluewave-email", "email marketing on the marketplace's behalf", _MARKET, (ISMS_P,), True, retention_days=90),
    _Fixed("p-016", _P, "SG", "Orchid CRM Pte. Ltd.", "orchid-crm", "customer relationship marketing", _MARKET, (ISMS_P,), False, retention_days=90),
    _Fixed("p-017", _P, "KR", "(주)다온마케팅", "daon-marketing", "email marketing on the marketplace's behalf", _MARKET, retention_days=90),
    _Fixed("cb-001", _CB, "KR", "관세법인 한빛", "hanbit-customs", "import customs clearance", _CUSTOMS, retention_days=90),
    _Fixed("cb-002", _CB, "KR", "관세법인 세움", "seum-customs", "import customs clearance", _CUSTOMS, retention_days=90),
    _Fixed("cb-003", _CB, "CN", "Shenzhen Hengtong Customs Brokerage Co., Ltd.", "hengtong-customs", "export customs declaration (China)", _CUSTOMS, retention_days=90, area="755"),
    _Fixed("cb-004", _CB, "US", "Harbor Point Customs Brokers LLC", "harborpoint-customs", "export customs filing (United States)", _CUSTOMS, retention_days=90),
    _Fixed("pp-001", _PP, "KR", "(주)한빛페이먼츠", "hanbit-payments", "payment gateway", _PAY, (ISMS_P,), True, retention_days=365),
    _Fixed("pp-002", _PP, "KR", "(주)다온결제", "daon-pay", "payment gateway", _PAY, retention_days=365),
    _Fixed("pp-003", _PP, "GB", "Meridian Payments Ltd", "meridian-payments", "international card acquiring", _PAY, retention_days=365, agent=True),
    _Fixed("pp-004", _PP, "NL", "Amstel Payments B.V.", "amstel-payments", "card acquiring for EU sellers", _PAY, retention_days=365, agent=True),
)
# fmt: on


def _fixed(seed: int, index: int, spec: _Fixed, plan: Schedule) -> RecipientSpec:
    rng = rng_for(seed, STREAM_FIXED, index)
    created = plan.start - timedelta(days=rng.uniform(400, 1500))
    if spec.joins is not None:
        created = plan.moments.at(spec.joins)
    return RecipientSpec(
        id=spec.id,
        legal_name=spec.legal_name,
        country=spec.country,
        role=spec.role,
        service=spec.service,
        privacy_email=f"privacy@{spec.domain}.example.com",
        privacy_phone=fixed_line(rng, spec.country, spec.area),
        certifications=spec.certifications,
        certification_measures=spec.measures,
        contract_safeguards=spec.contract_safeguards,
        data_countries=spec.data_countries,
        purposes=spec.purposes,
        retention_days=spec.retention_days,
        domestic_agent=_agent(rng, spec.domain) if spec.agent else None,
        created_at=created,
    )


def iter_recipients(
    seed: int,
    sellers: int,
    start: datetime,
    *,
    days: int = DEFAULT_DAYS,
    every_days: int = NOTICE_EVERY_DAYS,
    first: int = 0,
    stop: int | None = None,
) -> Iterator[RecipientSpec]:
    """The fixed processors, brokers and payment processors, then sellers `first`..`stop`.

    The fixed recipients come only with the first batch (`first == 0`), so batches concatenate
    to the whole list. `days` and `every_days` place registrations against the notice schedule.
    """
    aware(start, "start")
    plan = schedule(start, days, every_days)
    if first == 0:
        for index, spec in enumerate(FIXED):
            yield _fixed(seed, index, spec, plan)
    name_pools = pools(seed)
    for index in range(first, sellers if stop is None else min(stop, sellers)):
        yield _seller(index, plan, seed, name_pools)
