"""The policy's form of each finding type, applied to a message (pure: no database)."""

from databorder.dlp import scan
from databorder.dlp.forms import ALWAYS_REMOVED, REMOVED, Form, GrantForms, apply, forms_of
from databorder.dlp.types import FindingType
from databorder.model import DataItem, Disposition

RELAY = "0505-1234-5678"
TEXT = (
    "연락처 010-2345-6789, 메일 minsu@example.kr, 주소 서울특별시 강남구 테헤란로 123, "
    "통관부호 P123456789012, 주민번호 900101-1234567"
)


def _forms(**items: str) -> dict[DataItem, Form]:
    return forms_of([GrantForms(items, {DataItem.PHONE: RELAY})])


def test_shipping_relays_the_phone_keeps_the_address_removes_the_rest():
    forms = _forms(name="plain", phone="relay", address="plain", postal_code="plain")
    out = apply(TEXT, scan(TEXT), forms, "KR")
    assert out.text == (
        f"연락처 {RELAY}, 메일 {REMOVED}, 주소 서울특별시 강남구 테헤란로 123, "
        f"통관부호 {REMOVED}, 주민번호 {REMOVED}"
    )
    assert out.changed == {"customs_code": 1, "email": 1, "phone": 1, "rrn": 1}
    assert out.found == 5


def test_masked_items_use_the_vaults_masks():
    forms = _forms(phone="masked", email="masked", address="masked", customs_code="masked")
    out = apply(TEXT, scan(TEXT), forms, "KR")
    assert "010-****-6789" in out.text
    assert "m****@example.kr" in out.text
    assert "서울특별시 강남구 ***" in out.text
    assert "P************" in out.text
    assert out.changed == {"address": 1, "customs_code": 1, "email": 1, "phone": 1, "rrn": 1}


def test_no_live_grant_removes_every_finding():
    out = apply(TEXT, scan(TEXT), {}, "KR")
    assert out.text.count(REMOVED) == 5
    assert "010" not in out.text
    assert "@" not in out.text


def test_identity_and_payment_numbers_are_removed_even_when_a_grant_releases_them_plain():
    text = "카드 4111 1111 1111 1111 주민번호 900101-1234567"
    forms = _forms(card_number="plain", bank_account="plain", rrn="plain")
    out = apply(text, scan(text), forms, "KR")
    assert out.text == f"카드 {REMOVED} 주민번호 {REMOVED}"
    assert {
        FindingType.RRN,
        FindingType.FRN,
        FindingType.CARD_NUMBER,
        FindingType.BANK_ACCOUNT,
        FindingType.PASSPORT,
    } == ALWAYS_REMOVED


def test_a_relay_without_a_bound_number_fails_closed():
    forms = forms_of([GrantForms({"phone": "relay"}, {})])
    assert forms[DataItem.PHONE] == Form(Disposition.DENY)
    out = apply("전화 010-2345-6789", scan("전화 010-2345-6789"), forms, "KR")
    assert out.text == f"전화 {REMOVED}"


def test_two_live_grants_give_the_more_open_form_with_its_own_relay():
    masked = GrantForms({"phone": "masked", "email": "relay"}, {DataItem.EMAIL: "a1@relay.x"})
    relayed = GrantForms({"phone": "relay", "email": "deny"}, {DataItem.PHONE: RELAY})
    for order in ([masked, relayed], [relayed, masked]):
        forms = forms_of(order)
        assert forms[DataItem.PHONE] == Form(Disposition.RELAY, RELAY)
        assert forms[DataItem.EMAIL] == Form(Disposition.RELAY, "a1@relay.x")


def test_a_plain_finding_is_left_and_not_counted():
    text = "메일 minsu@example.kr"
    out = apply(text, scan(text), _forms(email="plain"), "KR")
    assert out.text == text
    assert out.changed == {}
    assert out.found == 1
