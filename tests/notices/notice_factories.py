"""Notice snapshots for tests: a small registry the goldens pin, and factories for variations.

The small registry has every section, several grounds, two countries abroad with Korean names
(중국, 미국), a processor whose data also goes to a third country (Japan), a seller with a
Korean name, and a recipient without a phone. Names, numbers and addresses are synthetic
(555 numbers, example domains).
"""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices import Controller, NoticeEntry, NoticeSnapshot, Section

I = DataItem  # noqa: E741 (short names keep the registry table readable)
P = Purpose
R = RecipientRole
G = Ground
S = Section

CONTROLLER = Controller(
    name="한빛마켓",
    officer_name="김보호",
    officer_email="privacy@hanbit-market.example",
    officer_phone="+82 2 555 0100",
    privacy_center_url="/me",
    base_url="https://hanbit-market.example",
)

PUBLISHED_AT = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 1 Dec 2026, 00:00 in Korea

_ARTICLES = {
    (S.OVERSEAS_TRANSFER, G.CONSENT): "PIPA 28-8(1)1",
    (S.OVERSEAS_TRANSFER, G.LEGAL_MANDATE): "PIPA 28-8(1)2",
    (S.OVERSEAS_TRANSFER, G.ENTRUSTED_CONTRACT): "PIPA 28-8(1)3",
    (S.OVERSEAS_TRANSFER, G.CERTIFICATION): "PIPA 28-8(1)4",
    (S.OVERSEAS_TRANSFER, G.ADEQUACY): "PIPA 28-8(1)5",
    (S.PROVISION, G.CONSENT): "PIPA 17(1)1",
    (S.PROVISION, G.LEGAL_MANDATE): "PIPA 17(1)2",
    (S.ENTRUSTMENT, G.ENTRUSTED_CONTRACT): "PIPA 26",
}


def article(section: Section, ground: Ground) -> str:
    return _ARTICLES[section, ground]


def entry(
    rid: str = "s-cn-1",
    *,
    name: str = "Shenzhen Example Trading Co., Ltd.",
    country: str = "CN",
    also: tuple[str, ...] = (),
    role: RecipientRole = R.SELLER,
    email: str = "privacy@example.cn",
    phone: str | None = "+8675588881234",
    section: Section | None = None,
    ground: Ground = G.CONSENT,
    items: tuple[DataItem, ...] = (I.NAME, I.PHONE, I.ADDRESS, I.POSTAL_CODE),
    purposes: tuple[Purpose, ...] = (P.SHIPPING,),
    retention_days: int = 30,
) -> NoticeEntry:
    """One entry; the section follows from the countries unless given."""
    countries = (country, *sorted(set(also) - {country}))
    if section is None:
        abroad = any(c != "KR" for c in countries)
        if abroad:
            section = S.OVERSEAS_TRANSFER
        elif ground is G.ENTRUSTED_CONTRACT:
            section = S.ENTRUSTMENT
        else:
            section = S.PROVISION
    return NoticeEntry(
        recipient_id=rid,
        name=name,
        country=country,
        data_countries=countries,
        role=role,
        email=email,
        phone=phone,
        section=section,
        ground=ground,
        article=article(section, ground),
        items=items,
        purposes=purposes,
        retention_days=retention_days,
    )


SMALL_ENTRIES: tuple[NoticeEntry, ...] = (
    entry("s-cn-1"),
    entry(
        "s-us-1",
        name="Brooklyn Goods LLC",
        country="US",
        email="privacy@brooklyn-goods.example",
        phone="+12125550123",
        items=(I.NAME, I.PHONE, I.ADDRESS, I.POSTAL_CODE, I.ORDER_ITEMS),
        purposes=(P.SHIPPING, P.CUSTOMER_SERVICE),
    ),
    entry(
        "p-cn-1",
        name="Shenzhen Haiyun Cross-border Logistics Co., Ltd.",
        role=R.PROCESSOR,
        email="dpo@haiyun-logistics.example",
        phone="+8675555501234",
        ground=G.ENTRUSTED_CONTRACT,
        items=(I.NAME, I.PHONE, I.ADDRESS, I.POSTAL_CODE, I.CUSTOMS_CODE),
        purposes=(P.SHIPPING, P.CUSTOMS_CLEARANCE),
        retention_days=60,
    ),
    entry(
        "p-us-1",
        name="Northbeam Cloud Services LLC",
        country="US",
        also=("JP",),
        role=R.PROCESSOR,
        email="privacy@northbeam-cloud.example",
        phone="+14155550199",
        ground=G.ENTRUSTED_CONTRACT,
        items=(I.NAME, I.PHONE, I.EMAIL, I.ADDRESS, I.ORDER_ITEMS),
        purposes=(P.SHIPPING, P.CUSTOMER_SERVICE),
        retention_days=365,
    ),
    entry(
        "pay-us-1",
        name="Pacific Payments Inc.",
        country="US",
        role=R.PAYMENT_PROCESSOR,
        email="privacy@pacific-payments.example",
        phone=None,
        ground=G.CERTIFICATION,
        items=(I.NAME, I.CARD_NUMBER),
        purposes=(P.PAYMENT,),
        retention_days=1825,
    ),
    entry(
        "s-kr-1",
        name="주식회사 한결상사",
        country="KR",
        email="privacy@hangyeol.example",
        phone="+8225550142",
    ),
    entry(
        "cb-kr-1",
        name="관세법인 바른통관",
        country="KR",
        role=R.CUSTOMS_BROKER,
        email="privacy@bareun-customs.example",
        phone="+8225550177",
        ground=G.LEGAL_MANDATE,
        items=(I.NAME, I.ADDRESS, I.CUSTOMS_CODE),
        purposes=(P.CUSTOMS_CLEARANCE,),
        retention_days=1825,
    ),
    entry(
        "p-kr-1",
        name="빠른택배 주식회사",
        country="KR",
        role=R.PROCESSOR,
        email="privacy@parun-express.example",
        phone="+8215885550",
        ground=G.ENTRUSTED_CONTRACT,
        items=(I.NAME, I.PHONE, I.ADDRESS, I.POSTAL_CODE),
        purposes=(P.SHIPPING,),
        retention_days=90,
    ),
)


def snapshot(
    entries: tuple[NoticeEntry, ...] = SMALL_ENTRIES,
    version: str = "2026-12-01",
    **overrides: Any,
) -> NoticeSnapshot:
    values: dict[str, Any] = {
        "version": version,
        "published_at": PUBLISHED_AT,
        "controller": CONTROLLER,
        "entries": entries,
        "home_country": "KR",
    }
    values.update(overrides)
    return NoticeSnapshot(**values)


def with_entry(
    base: NoticeSnapshot, new: NoticeEntry, version: str = "2026-12-29"
) -> NoticeSnapshot:
    return replace(base, version=version, entries=(*base.entries, new))
