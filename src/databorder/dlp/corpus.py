"""A labelled corpus of synthetic Korean and English messages, built from a seed.

For measuring the message filter (bench/bench_dlp.py) and testing it: every personal value is
generated (valid check digits, real dates, numbering plans), placed in a message from templates,
and its exact code-point span recorded. Hard negatives, identifiers that are not personal data
(order and tracking numbers, prices, dates, product codes, business registration numbers), sit
in the same messages next to the same words. Nothing here is real: no name, number or address
belongs to anyone. Pure and deterministic: the same seed gives the same corpus.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers

from databorder.dlp import checks
from databorder.dlp.types import FindingType

_T = FindingType


@dataclass(frozen=True, slots=True)
class Span:
    type: FindingType
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    lang: str  # "ko" or "en"
    text: str
    spans: tuple[Span, ...]  # the personal data in it, in text order


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _date(rng: random.Random, first: int = 1940, last: int = 2019) -> tuple[int, int, int]:
    while True:
        y, m, d = rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 31)
        if checks.valid_date(y, m, d):
            return y, m, d


def _registration(rng: random.Random, foreign: bool) -> str:
    y, m, d = _date(rng)
    base = (5 if foreign else 1) + (2 if y >= 2000 else 0) + rng.randint(0, 1)
    head = f"{y % 100:02d}{m:02d}{d:02d}{base}{_digits(rng, 5)}"
    if rng.random() < 0.25 and not foreign:  # issued since 2020-10: random last digit
        last = str(rng.randint(0, 9))
    else:
        check = checks.frn_check_digit(head) if foreign else checks.rrn_check_digit(head)
        last = str(check)
    full = head + last
    return rng.choice((f"{full[:6]}-{full[6:]}", f"{full[:6]}-{full[6:]}", full))


def rrn(rng: random.Random) -> str:
    return _registration(rng, foreign=False)


def frn(rng: random.Random) -> str:
    return _registration(rng, foreign=True)


_AREAS = (
    "031",
    "032",
    "033",
    "041",
    "042",
    "043",
    "051",
    "052",
    "053",
    "054",
    "055",
    "061",
    "062",
    "063",
    "064",
)
_FOREIGN_REGIONS = ("US", "CN", "JP", "GB", "DE", "VN", "SG", "AU")


def phone(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        a, b = f"{rng.randint(2000, 9999)}", _digits(rng, 4)
        return rng.choice(
            (
                f"010-{a}-{b}",
                f"010 {a} {b}",
                f"010.{a}.{b}",
                f"010{a}{b}",
                f"+82 10-{a}-{b}",
                f"+82-10-{a}-{b}",
                f"+8210{a}{b}",
                f"+82 (0)10 {a} {b}",
                f"010-{a}-{b}",
            )
        )
    if kind < 0.85:
        sub = f"{rng.randint(2, 9)}{_digits(rng, rng.choice((2, 3)))}"
        area = rng.choice(("02", *_AREAS))
        last = _digits(rng, 4)
        return rng.choice(
            (
                f"{area}-{sub}-{last}",
                f"({area}) {sub}-{last}",
                f"{area} {sub} {last}",
                f"{area}.{sub}.{last}",
            )
        )
    while True:
        region = rng.choice(_FOREIGN_REGIONS)
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        assert example is not None  # noqa: S101 (phonenumbers ships an example for each region)
        national = str(example.national_number)
        candidate = phonenumbers.parse(
            f"+{example.country_code}{national[:2]}{_digits(rng, len(national) - 2)}", None
        )
        if phonenumbers.is_valid_number(candidate):
            return phonenumbers.format_number(
                candidate, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )


_CARD_PREFIXES = (
    ("4", 16),
    ("51", 16),
    ("55", 16),
    ("2221", 16),
    ("37", 15),
    ("3568", 16),
    ("62", 16),
    ("9410", 16),
)


def card_number(rng: random.Random) -> str:
    while True:
        prefix, n = rng.choice(_CARD_PREFIXES)
        body = prefix + _digits(rng, n - len(prefix) - 1)
        for last in "0123456789":
            if checks.luhn(body + last):
                number = body + last
                break
        if checks.card_issuer(number) is not None:
            break
    groups: tuple[str, ...]
    if n == 15:
        groups = (number[:4], number[4:10], number[10:])
    else:
        groups = (number[:4], number[4:8], number[8:12], number[12:])
    return rng.choice(("-".join(groups), " ".join(groups), number))


_BANKS = (
    ("신한은행", (3, 3, 6)),
    ("KB국민은행", (6, 2, 6)),
    ("국민은행", (6, 2, 6)),
    ("우리은행", (4, 3, 6)),
    ("하나은행", (3, 6, 5)),
    ("NH농협", (3, 4, 4, 2)),
    ("농협", (3, 4, 4, 2)),
    ("카카오뱅크", (4, 2, 7)),
    ("토스뱅크", (4, 4, 4)),
    ("기업은행", (3, 6, 2, 3)),
    ("우체국", (6, 2, 6)),
)
_BANKS_EN = ("Shinhan", "Kookmin", "Woori", "Hana Bank", "Kakao Bank", "Toss Bank", "IBK")


def _account_number(rng: random.Random, shape: tuple[int, ...]) -> str:
    groups = [str(rng.randint(1, 9)) + _digits(rng, shape[0] - 1)] + [
        _digits(rng, g) for g in shape[1:]
    ]
    return rng.choice(("-".join(groups), "-".join(groups), "".join(groups)))


def _bank(rng: random.Random, lang: str) -> tuple[str, str]:
    name, shape = rng.choice(_BANKS)
    if lang == "en":
        name = rng.choice(_BANKS_EN)
    return name, _account_number(rng, shape)


def customs_code(rng: random.Random) -> str:
    return "P" + _digits(rng, 12)


def passport(rng: random.Random) -> str:
    letter = rng.choice("MMMSR")
    if rng.random() < 0.5:
        return letter + _digits(rng, 8)
    return f"{letter}{_digits(rng, 3)}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{_digits(rng, 4)}"


_USERS = (
    "minji",
    "jh.kim",
    "seoyeon_lee",
    "park.dh",
    "buyer2024",
    "hana.choi",
    "yuna+shop",
    "s.jung",
)
_DOMAINS = (
    "naver.com",
    "gmail.com",
    "daum.net",
    "kakao.com",
    "hanmail.net",
    "example.co.kr",
    "korea.ac.kr",
)


def email(rng: random.Random) -> str:
    return f"{rng.choice(_USERS)}{rng.randint(1, 999)}@{rng.choice(_DOMAINS)}"


_SIDO = (
    ("서울특별시", "서울", "서울시"),
    ("부산광역시", "부산"),
    ("인천광역시", "인천"),
    ("대구광역시", "대구"),
    ("경기도", "경기"),
    ("제주특별자치도", "제주"),
    ("충청남도", "충남"),
)
_GU = (
    "강남구",
    "마포구",
    "송파구",
    "해운대구",
    "연수구",
    "수성구",
    "성남시 분당구",
    "수원시 영통구",
    "제주시",
    "천안시 동남구",
)
_ROADS = (
    "테헤란로",
    "월드컵북로",
    "올림픽로",
    "해운대로570번길",
    "송도과학로",
    "달구벌대로",
    "판교역로",
    "중앙로",
    "번영로",
    "청수로",
)
_DONG = ("역삼동", "서교동", "잠실동", "우동", "송도동", "범어동", "정자동", "연동", "신부동")


def address(rng: random.Random) -> str:
    sido = rng.choice(rng.choice(_SIDO))
    gu = rng.choice(_GU)
    if rng.random() < 0.65:
        place = f"{rng.choice(_ROADS)} {rng.randint(1, 999)}"
        if rng.random() < 0.3:
            place += f"-{rng.randint(1, 40)}"
    else:
        place = f"{rng.choice(_DONG)} {rng.randint(1, 999)}-{rng.randint(1, 99)}"
        if rng.random() < 0.3:
            place += "번지"
    detail = rng.choice(
        (
            "",
            "",
            f", {rng.randint(101, 120)}동 {rng.randint(101, 2505)}호",
            f" {rng.randint(101, 2505)}호",
        )
    )
    return f"{sido} {gu} {place}{detail}"


_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def birth_date(rng: random.Random) -> str:
    y, m, d = _date(rng, 1945, 2008)
    return rng.choice(
        (
            f"{y}-{m:02d}-{d:02d}",
            f"{y}.{m:02d}.{d:02d}",
            f"{y}년 {m}월 {d}일",
            f"{y}/{m}/{d}",
            f"{y % 100:02d}{m:02d}{d:02d}",
            f"{_MONTHS_EN[m - 1]} {d}, {y}",
            f"{d} {_MONTHS_EN[m - 1][:3]} {y}",
        )
    )


# --- hard negatives: identifiers that are not personal data ------------------------------------


def order_number(rng: random.Random) -> str:
    y, m, d = _date(rng, 2023, 2025)
    stamp = f"{y % 100:02d}{m:02d}{d:02d}"
    return rng.choice(
        (
            f"{stamp}{rng.randint(1, 8)}{_digits(rng, 6)}",  # 13 digits: a registration number's shape
            f"{y}{m:02d}{d:02d}-{_digits(rng, 7)}",
            f"{y}{m:02d}{d:02d}{_digits(rng, 6)}",
            f"{stamp}-{rng.randint(1, 8)}{_digits(rng, 6)}",
            "0" + _digits(rng, 10),
        )
    )


def tracking_number(rng: random.Random) -> str:
    return rng.choice(
        (
            f"{_digits(rng, 4)}-{_digits(rng, 4)}-{_digits(rng, 4)}",
            _digits(rng, 12),
            f"1Z{_digits(rng, 3)}AA{_digits(rng, 10)}",
            f"{rng.randint(5, 6)}{_digits(rng, 11)}",
            "4" + _digits(rng, 15),
        )
    )


def price(rng: random.Random) -> str:
    return rng.choice(
        (
            f"{rng.randint(1, 999):,}",
            f"{rng.randint(1, 2500) * 100:,}원",
            f"₩{rng.randint(10, 5000) * 1000:,}",
            f"USD {rng.randint(1, 300)}.{rng.randint(0, 99):02d}",
            f"{rng.randint(1, 99)},{rng.randint(100, 999)},{rng.randint(100, 999)}원",
        )
    )


def plain_date(rng: random.Random) -> str:
    y, m, d = _date(rng, 2023, 2026)
    return rng.choice(
        (
            f"{y}-{m:02d}-{d:02d}",
            f"{y}.{m:02d}.{d:02d}",
            f"{m}월 {d}일",
            f"{y}년 {m}월 {d}일",
            f"{y}/{m}/{d}",
        )
    )


def product_code(rng: random.Random) -> str:
    return rng.choice(
        (
            f"SKU-{_digits(rng, 4)}-{_digits(rng, 4)}",
            f"SM-G{_digits(rng, 3)}N",
            f"A{_digits(rng, 4)}-{_digits(rng, 4)}-{_digits(rng, 2)}",
            f"M{_digits(rng, 8)}",
            f"P{_digits(rng, 12)}",
            f"{_digits(rng, 13)}",
        )
    )


def business_number(rng: random.Random) -> str:
    return f"{rng.randint(100, 999)}-{rng.randint(10, 99)}-{_digits(rng, 5)}"


def service_number(rng: random.Random) -> str:
    return f"{rng.choice(('1588', '1544', '1577', '1661'))}-{_digits(rng, 4)}"


Gen = Callable[[random.Random], str]

# Slots a template names: {type} for personal data (recorded) and {neg_*} for hard negatives.
_POSITIVE: dict[str, Gen] = {
    "rrn": rrn,
    "frn": frn,
    "phone": phone,
    "card_number": card_number,
    "customs_code": customs_code,
    "passport": passport,
    "email": email,
    "address": address,
    "birth_date": birth_date,
}
_NEGATIVE: dict[str, Gen] = {
    "neg_order": order_number,
    "neg_tracking": tracking_number,
    "neg_price": price,
    "neg_date": plain_date,
    "neg_product": product_code,
    "neg_business": business_number,
    "neg_service": service_number,
}

# Each template: a message with slots. Positives carry the words a writer uses around them;
# negatives are labelled as the writer would label them, and some share a sentence with the
# same words as the positives (연락처, 번호, 계좌, number, ...).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "ko": (
        "안녕하세요, 배송 전에 {phone}로 연락 부탁드립니다.",
        "연락처 변경했어요: {phone} (주문번호 {neg_order})",
        "휴대폰 {phone} 으로 문자 주세요. 결제 금액은 {neg_price}입니다.",
        "집 전화는 {phone}, 회사는 {phone} 입니다.",
        "통관용 주민번호 {rrn} 입니다. 송장번호 {neg_tracking} 확인 부탁드려요.",
        "주민등록번호: {rrn}",
        "제 주민번호는 {rrn}이고 연락처는 {phone}입니다.",
        "외국인등록번호 {frn} 로 통관 진행해 주세요.",
        "외국인 등록번호는 {frn}입니다. 주문일은 {neg_date}예요.",
        "결제한 카드 {card_number} 로 환불해 주세요.",
        "카드번호 {card_number} 유효기간 12/27, 금액 {neg_price}",
        "환불 계좌 {bank} {account} (예금주 본인)",
        "{bank} {account}로 입금 부탁드려요. 주문번호 {neg_order}",
        "환불은 계좌번호 {account} ({bank})로 해주세요.",
        "개인통관고유부호 {customs_code} 입니다.",
        "통관부호 {customs_code} 넣어주세요. 상품코드 {neg_product}",
        "여권번호 {passport} 로 예약했습니다.",
        "여권 번호는 {passport}입니다. 운송장번호 {neg_tracking}",
        "이메일 {email}로 영수증 보내주세요.",
        "문의 답변은 {email} 으로 부탁드립니다. 주문번호: {neg_order}",
        "배송지: {address}",
        "주소 변경합니다 {address} 로 보내주세요.",
        "{address}로 배송 부탁드립니다. 연락처 {phone}",
        "생년월일 {birth_date} 입니다.",
        "생일은 {birth_date}이고 주민번호는 {rrn}입니다.",
        "주문번호 {neg_order} 배송 언제 되나요? 주문일 {neg_date}",
        "송장번호 {neg_tracking} 조회가 안 돼요. 고객센터 {neg_service} 연결이 안 됩니다.",
        "상품코드 {neg_product} 재고 있나요? 가격 {neg_price}",
        "사업자등록번호 {neg_business} 로 세금계산서 발행해 주세요.",
        "{neg_date}에 주문했는데 아직 안 왔어요. 주문번호 {neg_order}",
        "모델번호 {neg_product}, 수량 3개, 총 {neg_price}",
        "운송장 {neg_tracking}, 도착 예정일 {neg_date}",
        "전화번호 바뀌었어요 {phone}. 주문번호는 {neg_order} 입니다",
        "영수증번호 {neg_order}, 금액 {neg_price}, 카드 {card_number}",
    ),
    "en": (
        "Hi, please call me at {phone} before delivery.",
        "My new number is {phone} (order #{neg_order}).",
        "Text me on {phone}. I paid {neg_price} for it.",
        "My RRN is {rrn} for customs clearance.",
        "Resident registration number: {rrn}, tracking no. {neg_tracking}",
        "Alien registration number {frn}, please use it for customs.",
        "Please refund the card {card_number}, order no. {neg_order}",
        "Card number: {card_number}, amount {neg_price}",
        "Refund to my {bank} account {account} please.",
        "Bank transfer: {bank} {account}",
        "My personal customs code is {customs_code}.",
        "Customs code {customs_code}; product code {neg_product}",
        "Passport no. {passport}, expires next year.",
        "My passport number is {passport}. Tracking number {neg_tracking}",
        "Email me at {email} with the receipt.",
        "Contact: {email} / {phone}",
        "Ship to {address}, thanks.",
        "Delivery address: {address}",
        "Date of birth: {birth_date}",
        "I was born on {birth_date}, DOB needed for customs?",
        "Where is order #{neg_order}? Ordered on {neg_date}.",
        "Tracking number {neg_tracking} shows no update since {neg_date}.",
        "Is product code {neg_product} in stock? Price {neg_price}",
        "Business registration number {neg_business} for the tax invoice please.",
        "Invoice #{neg_order}, total {neg_price}, paid by card {card_number}",
        "Call center {neg_service} did not answer; my number is {phone}",
        "Model no. {neg_product}, qty 2, {neg_price} each",
    ),
}


def message(rng: random.Random, n: int, lang: str) -> Message:
    """One message from a random template of `lang`, every slot filled, spans recorded."""
    template = rng.choice(TEMPLATES[lang])
    bank, account = _bank(rng, lang)
    out: list[str] = []
    spans: list[Span] = []
    length = 0
    rest = template
    while rest:
        open_at = rest.find("{")
        if open_at < 0:
            out.append(rest)
            break
        close_at = rest.index("}", open_at)
        out.append(rest[:open_at])
        length += open_at
        slot = rest[open_at + 1 : close_at]
        if slot == "bank":
            value = bank
        elif slot == "account":
            value = account
            spans.append(Span(_T.BANK_ACCOUNT, length, length + len(value)))
        elif slot in _POSITIVE:
            value = _POSITIVE[slot](rng)
            spans.append(Span(_T(slot), length, length + len(value)))
        else:
            value = _NEGATIVE[slot](rng)
        out.append(value)
        length += len(value)
        rest = rest[close_at + 1 :]
    return Message(f"m{n:06d}", lang, "".join(out), tuple(spans))


def build(seed: int, size: int, korean_share: float = 0.6) -> list[Message]:
    """`size` messages, about `korean_share` of them Korean, the rest English."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible synthetic corpus, not a secret)
    return [message(rng, n, "ko" if rng.random() < korean_share else "en") for n in range(size)]
