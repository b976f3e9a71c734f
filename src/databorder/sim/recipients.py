"""Recipients: the marketplace's processors, customs brokers and payment processors, and sellers.

Sellers come from the countries a Korean cross-border marketplace really sells from, mostly China,
named the way companies there are named ("Yiwu Ruifeng Trading Co., Ltd.", "株式会社さくら商事",
"Müller Versand GmbH", "(주)다온리빙"), with a privacy contact whose phone is valid for the country.
A share lack contract safeguards or are missing from the notice, as in the AliExpress and Temu
cases; the marketplace's own processors include deliberately flawed ones (see `FIXED`).
"""

from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from random import Random

from databorder.model import RecipientRole, aware
from databorder.sim import _tables as t
from databorder.sim._base import (
    STREAM_FIXED,
    STREAM_SELLER,
    Pools,
    fixed_line,
    pools,
    rng_for,
    slug,
)
from databorder.sim.scenarios import ISMS_P, SCENARIO_SELLERS, seller_id
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


def _seller(seed: int, index: int, start: datetime, pools: Pools) -> RecipientSpec:
    rng = rng_for(seed, STREAM_SELLER, index)
    plan = SCENARIO_SELLERS[index] if index < len(SCENARIO_SELLERS) else None
    if plan is not None:
        country = plan.country
    elif index - len(SCENARIO_SELLERS) < len(_ROUND_ROBIN):
        country = _ROUND_ROBIN[index - len(SCENARIO_SELLERS)]
    else:
        country = _COUNTRY_CODES[bisect(_COUNTRY_CUM, rng.random() * _COUNTRY_CUM[-1])]
    name, domain, area = _company_name(rng, country, pools)
    domain = f"{domain}-{index + 1}"  # sellers may share a trade name; their mailboxes do not
    domestic = country == "KR"
    if plan is not None:
        safeguards, certifications, disclosed = plan.contract_safeguards, plan.certifications, True
    else:
        # Chinese seller terms are the ones the regulator found wanting; a share still lack clauses.
        safeguards = rng.random() < (0.85 if country == "CN" else 0.93)
        certifications = (ISMS_P,) if rng.random() < (0.12 if domestic else 0.02) else ()
        disclosed = rng.random() < 0.92
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
        contract_safeguards=safeguards,
        disclosed_in_notice=disclosed,
        retention_days=_RETENTIONS[bisect(_RETENTION_CUM, rng.random() * _RETENTION_CUM[-1])],
        domestic_agent=None if domestic or rng.random() >= 0.35 else _agent(rng, domain),
        created_at=start - timedelta(days=rng.uniform(30, 900)),
    )


@dataclass(frozen=True, slots=True)
class _Fixed:
    id: str
    role: RecipientRole
    country: str
    legal_name: str
    domain: str
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

# The marketplace's own processors, brokers and payment processors. A few are deliberately flawed,
# because real registries are; the comments say which outcome each of those exists to produce.
# One recipient per line reads as the registry table it is.
# fmt: off
FIXED: tuple[_Fixed, ...] = (
    _Fixed("p-001", _P, "KR", "(주)한결로지스", "hangyeol-logis", "domestic parcel delivery", (ISMS_P,)),
    _Fixed("p-002", _P, "KR", "(주)바로택배", "baro-parcel", "domestic parcel delivery"),
    _Fixed("p-003", _P, "CN", "Shenzhen Haiyun Cross-border Logistics Co., Ltd.", "haiyun-logistics", "cross-border logistics (China to Korea)", retention_days=60, agent=True, area="755"),
    _Fixed("p-004", _P, "HK", "Pacific Bridge Logistics (HK) Limited", "pacific-bridge-hk", "cross-border logistics (Hong Kong and Taiwan to Korea)", retention_days=60, agent=True),
    _Fixed("p-005", _P, "SG", "Straits Global Fulfilment Pte. Ltd.", "straits-fulfilment", "international freight forwarding", retention_days=90),
    _Fixed("p-006", _P, "US", "Northbeam Cloud Services LLC", "northbeam-cloud", "cloud hosting and storage", (ISMS_P,), retention_days=365, agent=True),
    _Fixed("p-007", _P, "PH", "Manila Bay Contact Solutions Inc.", "manilabay-contact", "outsourced customer service desk", retention_days=90),
    # Undisclosed domestic subcontractor: NOT_DISCLOSED on a domestic request.
    _Fixed("p-008", _P, "KR", "(주)새벽퀵배송", "saebyeok-quick", "same-day delivery subcontractor", disclosed_in_notice=False),
    # Undisclosed Chinese bonded warehouse, safeguards in place: NOT_DISCLOSED across the border.
    _Fixed("p-009", _P, "CN", "Dongguan Jinhai Bonded Warehousing Co., Ltd.", "jinhai-warehousing", "bonded warehousing", disclosed_in_notice=False, retention_days=60, area="769"),
    # Undisclosed but ISMS-P certified: stands on the certification ground (28-8(1)4).
    _Fixed("p-010", _P, "JP", "Hinode Logistics Co., Ltd.", "hinode-logistics", "cross-border air freight (Japan to Korea)", (ISMS_P,), disclosed_in_notice=False, retention_days=60),
    # Contract without the Art. 28-8(4) clauses: CONTRACT_SAFEGUARDS_MISSING for a processor.
    _Fixed("p-011", _P, "VN", "Saigon Express Logistics Company Limited", "saigon-express", "cross-border logistics (Vietnam to Korea)", contract_safeguards=False, retention_days=60),
    _Fixed("cb-001", _CB, "KR", "관세법인 한빛", "hanbit-customs", "import customs clearance", retention_days=90),
    _Fixed("cb-002", _CB, "KR", "관세법인 세움", "seum-customs", "import customs clearance", retention_days=90),
    _Fixed("cb-003", _CB, "CN", "Shenzhen Hengtong Customs Brokerage Co., Ltd.", "hengtong-customs", "export customs declaration (China)", retention_days=90, area="755"),
    _Fixed("cb-004", _CB, "US", "Harbor Point Customs Brokers LLC", "harborpoint-customs", "export customs filing (United States)", retention_days=90),
    _Fixed("pp-001", _PP, "KR", "(주)한빛페이먼츠", "hanbit-payments", "payment gateway", (ISMS_P,), retention_days=365),
    _Fixed("pp-002", _PP, "KR", "(주)다온결제", "daon-pay", "payment gateway", retention_days=365),
    _Fixed("pp-003", _PP, "GB", "Meridian Payments Ltd", "meridian-payments", "international card acquiring", retention_days=365, agent=True),
)
# fmt: on


def _fixed(seed: int, index: int, spec: _Fixed, start: datetime) -> RecipientSpec:
    rng = rng_for(seed, STREAM_FIXED, index)
    return RecipientSpec(
        id=spec.id,
        legal_name=spec.legal_name,
        country=spec.country,
        role=spec.role,
        service=spec.service,
        privacy_email=f"privacy@{spec.domain}.example.com",
        privacy_phone=fixed_line(rng, spec.country, spec.area),
        certifications=spec.certifications,
        contract_safeguards=spec.contract_safeguards,
        disclosed_in_notice=spec.disclosed_in_notice,
        retention_days=spec.retention_days,
        domestic_agent=_agent(rng, spec.domain) if spec.agent else None,
        created_at=start - timedelta(days=rng.uniform(400, 1500)),
    )


def iter_recipients(
    seed: int, sellers: int, start: datetime, *, first: int = 0, stop: int | None = None
) -> Iterator[RecipientSpec]:
    """The fixed processors, brokers and payment processors, then sellers `first`..`stop`.

    The fixed recipients come only with the first batch (`first == 0`), so batches concatenate
    to the whole list.
    """
    aware(start, "start")
    if first == 0:
        for index, spec in enumerate(FIXED):
            yield _fixed(seed, index, spec, start)
    name_pools = pools(seed)
    for index in range(first, sellers if stop is None else min(stop, sellers)):
        yield _seller(seed, index, start, name_pools)
