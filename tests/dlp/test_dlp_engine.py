"""Each type's spellings and the classic false positives, with exact code-point spans."""

import pytest

from databorder.dlp.checks import frn_check_digit, rrn_check_digit
from databorder.dlp.engine import resolve, scan
from databorder.dlp.types import Finding, FindingType

RRN = "900115-123456" + str(rrn_check_digit("900115123456"))
FRN = "900115-512345" + str(frn_check_digit("900115512345"))


def found(text: str) -> list[tuple[str, str]]:
    return [(f.type.value, text[f.start : f.end]) for f in scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"주민번호 {RRN} 입니다", [("rrn", RRN)]),
        (f"주민번호 {RRN.replace('-', '')}", [("rrn", RRN.replace("-", ""))]),
        (f"외국인등록번호 {FRN}", [("frn", FRN)]),
        ("연락처 010-2345-6789로", [("phone", "010-2345-6789")]),
        ("010 2345 6789", [("phone", "010 2345 6789")]),
        ("010.2345.6789", [("phone", "010.2345.6789")]),
        ("01023456789", [("phone", "01023456789")]),
        ("+82 10-2345-6789", [("phone", "+82 10-2345-6789")]),
        ("+821023456789", [("phone", "+821023456789")]),
        ("+82 (0)10 2345 6789", [("phone", "+82 (0)10 2345 6789")]),
        ("(02) 2345-6789", [("phone", "(02) 2345-6789")]),
        ("call +1 650-253-0000", [("phone", "+1 650-253-0000")]),
        ("카드 4111-1111-1111-1111", [("card_number", "4111-1111-1111-1111")]),
        ("card 3782 822463 10005", [("card_number", "3782 822463 10005")]),
        ("신한은행 110-123-456789 로 환불", [("bank_account", "110-123-456789")]),
        ("환불 계좌 3333011234567", [("bank_account", "3333011234567")]),
        ("통관부호 P123456789012", [("customs_code", "P123456789012")]),
        ("여권번호 M12345678", [("passport", "M12345678")]),
        ("passport no. M123A4567", [("passport", "M123A4567")]),
        ("메일 a.b@naver.com으로", [("email", "a.b@naver.com")]),
        (
            "서울 강남구 테헤란로 123, 101동 1203호로",
            [("address", "서울 강남구 테헤란로 123, 101동 1203호")],
        ),
        (
            "경기도 성남시 분당구 정자동 178-1번지",
            [("address", "경기도 성남시 분당구 정자동 178-1번지")],
        ),
        ("생년월일 1990년 1월 15일", [("birth_date", "1990년 1월 15일")]),
        ("DOB: Jan 15, 1990", [("birth_date", "Jan 15, 1990")]),
    ],
)
def test_each_type_is_found_with_its_exact_span(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "주문번호 2411201234567 문의",  # a registration number's shape, labelled an order
        "order #241120-5123456",
        "운송장번호 6012-3456-7890",
        "tracking number 4111111111111111",
        "결제 금액 1,250,000원",
        "2024-11-20 도착 예정",
        "배송일 2024.11.21",
        "상품코드 SKU-0101-2345",
        "모델번호 M12345678",  # a passport's shape without a passport word
        "상품코드 P123456789012",
        "사업자등록번호 123-45-67890",
        "고객센터 1588-1234",
        "110-123-456789",  # an account's shape, no bank, no account word
        "주문일 1990년 1월 15일",  # a date, not a birth date
        "다시 문자로 3번 보냈어요",
    ],
)
def test_classic_false_positives_are_not_found(text):
    assert found(text) == []


def test_spans_are_code_points_not_bytes():
    text = "전화 010-2345-6789"
    (f,) = scan(text)
    assert (f.start, f.end) == (3, 16)


def test_full_width_digits_are_read():
    assert found("전화 ０１０-２３４５-６７８９") == [("phone", "０１０-２３４５-６７８９")]


def test_overlaps_keep_the_longer_then_surer_finding():
    long = Finding(FindingType.ADDRESS, 0, 20, 0.5, "a", "")
    inner = Finding(FindingType.PHONE, 5, 10, 0.99, "b", "")
    tie = Finding(FindingType.BANK_ACCOUNT, 0, 20, 0.9, "c", "")
    assert resolve([inner, long, tie]) == (tie,)
    assert resolve([inner, Finding(FindingType.EMAIL, 12, 14, 0.9, "d", "")])[0] is inner


def test_a_finding_with_an_empty_span_is_refused():
    with pytest.raises(ValueError, match="0 <= start < end"):
        Finding(FindingType.EMAIL, 3, 3, 0.9, "x", "")


def test_every_finding_names_a_registered_detector_of_its_type():
    from databorder.dlp.corpus import build  # noqa: PLC0415
    from databorder.dlp.engine import default_registry  # noqa: PLC0415

    declared = {d.name: d.types for d in default_registry()}
    for m in build(8, 300):
        for f in scan(m.text):
            assert f.type in declared[f.detector]
