"""The engine itself (policy/engine.py), below the contract: one answer however it is called,
requests it cannot answer refused loudly, reason texts filled in every language of the pack and
built once, the `rule` it names, rule 8's cap, and a second law decided with no engine change.

The contract's rule-by-rule table lives in test_contract.py; nothing here repeats it.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from databorder.model import (
    Basis,
    ConsentKind,
    DataItem,
    Disposition,
    Ground,
    Purpose,
    ReasonCode,
    RecipientRole,
)
from databorder.policy import (
    BasisUsed,
    ConsentFacts,
    Decision,
    DecisionRequest,
    Engine,
    PackRegistry,
    Reason,
    RecipientFacts,
    SubjectFacts,
    SuspensionOrder,
    decide,
    load_pack,
    load_pack_file,
)

KST = timezone(timedelta(hours=9))
CET = timezone(timedelta(hours=1))
AT = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
GIVEN = datetime(2026, 11, 1, 9, 0, tzinfo=KST)
NOTICE = "2026-11-01"
PIPA = load_pack("pipa")
TOY = load_pack_file(str(Path(__file__).parent / "toy_pack.json"))
SHIPPING = ("name", "phone", "address", "postal_code")
SHENZHEN = "Shenzhen Example Trading Co., Ltd."

# --- factories -------------------------------------------------------------------------------


def consent(
    cid: str,
    kind: str,
    *,
    recipients: Iterable[str] = ("s-9",),
    countries: Iterable[str] = (),
    items: Iterable[str] = SHIPPING,
    purposes: Iterable[str] = ("shipping",),
    withdrawn_at: datetime | None = None,
) -> ConsentFacts:
    return ConsentFacts(
        id=cid,
        kind=ConsentKind(kind),
        notice_version=NOTICE,
        recipients=frozenset(recipients),
        countries=frozenset(countries),
        items=frozenset(DataItem(i) for i in items),
        purposes=frozenset(Purpose(p) for p in purposes),
        given_at=GIVEN,
        withdrawn_at=withdrawn_at,
    )


def both_consents(rid: str = "s-9", items: Iterable[str] = SHIPPING) -> tuple[ConsentFacts, ...]:
    """What a marketplace asks of a buyer for a seller abroad: provision and transfer."""
    return (
        consent("c-p", "third_party_provision", recipients=(rid,), items=items),
        consent("c-t", "overseas_transfer", recipients=(rid,), items=items),
    )


def recipient(
    rid: str = "s-9",
    *,
    name: str = SHENZHEN,
    country: str = "CN",
    role: str = "seller",
    notices: Iterable[str] = (NOTICE,),
    safeguards: bool = True,
    retention_days: int = 30,
    data_countries: Iterable[str] = (),
) -> RecipientFacts:
    return RecipientFacts(
        id=rid,
        name=name,
        country=country,
        role=RecipientRole(role),
        contract_safeguards=safeguards,
        notices=frozenset(notices),
        retention_days=retention_days,
        data_countries=tuple(data_countries),
    )


def request(
    to: RecipientFacts,
    consents: Iterable[ConsentFacts] = (),
    *,
    purpose: str = "shipping",
    items: Iterable[str] = SHIPPING,
    pack: str = "pipa",
    suspended: bool = False,
    orders: Iterable[SuspensionOrder] = (),
    mandate: str | None = None,
    at: datetime = AT,
) -> DecisionRequest:
    return DecisionRequest(
        at=at,
        pack=pack,
        notice_in_force=NOTICE,
        subject=SubjectFacts("b-1", "KR", suspended, tuple(consents)),
        recipient=to,
        purpose=Purpose(purpose),
        items=tuple(DataItem(i) for i in items),
        suspension_orders=tuple(orders),
        legal_mandate=mandate,
    )


def reason(decision: Decision, code: ReasonCode) -> Reason:
    """The first reason with `code`."""
    return next(r for r in decision.reasons if r.code is code)


KR_BROKER = recipient("b-kr", name="Seoul Customs Brokers", country="KR", role="customs_broker")
CUSTOMS = "customs_clearance"
CUSTOMS_ACT = "KR-CUSTOMS-ACT-241"

# One request per reason code, each giving that code at least once under the PIPA pack.
BY_CODE: dict[ReasonCode, DecisionRequest] = {
    ReasonCode.NO_LAWFUL_GROUND: request(recipient(), both_consents()[:1], items=("name",)),
    ReasonCode.CONSENT_WITHDRAWN: request(
        recipient(),
        (
            consent("c-p", "third_party_provision", withdrawn_at=AT),
            both_consents()[1],
        ),
        items=("phone",),
    ),
    ReasonCode.CONSENT_DOES_NOT_COVER: request(
        recipient(), both_consents(items=("name",)), items=("name", "postal_code")
    ),
    ReasonCode.NOT_DISCLOSED: request(recipient(notices=())),
    ReasonCode.CONTRACT_SAFEGUARDS_MISSING: request(recipient(safeguards=False)),
    ReasonCode.TRANSFER_SUSPENDED: request(recipient(), both_consents(), suspended=True),
    ReasonCode.TRANSFER_ORDER_SUSPENDED: request(
        recipient(), both_consents(), orders=[SuspensionOrder("o-1", None, "CN", GIVEN)]
    ),
    ReasonCode.MANDATE_DOES_NOT_COVER: request(
        recipient(), both_consents(), purpose=CUSTOMS, mandate=CUSTOMS_ACT
    ),
    ReasonCode.ITEM_NOT_NEEDED: request(recipient(), both_consents(), items=("name", "email")),
    ReasonCode.ITEM_PROHIBITED: request(recipient(), both_consents(), items=("name", "rrn")),
    ReasonCode.ROLE_NOT_PERMITTED: request(
        recipient(), purpose="payment", items=("name", "card_number")
    ),
    ReasonCode.SUSPENSION_REFUSED_BY_LAW: request(
        KR_BROKER,
        suspended=True,
        purpose=CUSTOMS,
        items=("name", "customs_code"),
        mandate=CUSTOMS_ACT,
    ),
}
ALLOWED = [
    request(recipient(), both_consents()),
    request(recipient("w-1", name="Incheon Warehouse", country="KR", role="processor")),
    request(
        KR_BROKER, purpose=CUSTOMS, items=("name", "customs_code", "phone"), mandate=CUSTOMS_ACT
    ),
]
EVERY = [*BY_CODE.values(), *ALLOWED]
EVERY_IDS = [*(code.value for code in BY_CODE), *(f"allowed-{n}" for n in range(len(ALLOWED)))]


def test_the_catalogue_gives_every_code() -> None:
    """Guards the catalogue the tests below rely on."""
    assert set(BY_CODE) == set(ReasonCode)
    for code, req in BY_CODE.items():
        assert code in {r.code for r in Engine(PIPA).decide(req).reasons}, code
    assert all(Engine(PIPA).decide(req).allowed for req in ALLOWED)


# --- one answer, however it is asked ---------------------------------------------------------


def test_decide_many_answers_as_decide_does_one_by_one() -> None:
    one_by_one = [Engine(PIPA).decide(r) for r in EVERY]
    assert Engine(PIPA).decide_many(EVERY) == one_by_one
    assert Engine(PIPA).decide_many(iter(EVERY)) == one_by_one
    assert [decide(r, PIPA) for r in EVERY] == one_by_one
    engine = Engine(PIPA)  # a warm cache changes nothing
    assert engine.decide_many(EVERY) == engine.decide_many(reversed(EVERY))[::-1] == one_by_one


# --- requests the engine cannot answer --------------------------------------------------------


def test_a_request_for_another_pack_is_refused_loudly() -> None:
    toy_request = request(recipient(), pack="toy")
    with pytest.raises(ValueError, match="request asks for pack 'toy', engine holds 'pipa'"):
        Engine(PIPA).decide(toy_request)
    with pytest.raises(ValueError, match="request asks for pack 'pipa', engine holds 'toy'"):
        Engine(TOY).decide_many([request(recipient())])


def test_a_request_with_no_items_is_refused_loudly() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        Engine(PIPA).decide(request(recipient(), both_consents(), items=()))
    with pytest.raises(ValueError, match="at least one item"):
        Engine(PIPA).decide_many([ALLOWED[0], request(recipient(), items=())])


# --- reason texts ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", list(ReasonCode), ids=str)
def test_every_reason_speaks_every_language_of_the_pack_with_no_placeholder_left(
    code: ReasonCode,
) -> None:
    found = reason(Engine(PIPA).decide(BY_CODE[code]), code)
    assert set(found.texts) == set(PIPA.languages)
    for text in found.texts.values():
        assert text.strip()
        assert "{" not in text
        assert "}" not in text
    assert (found.en, found.ko) == (found.texts["en"], found.texts["ko"])


# (code, language) -> what the filled text must contain: the recipient's name in the request-level
# texts that name it, the Korean labels in `ko`, the English ones in `en`.
FILLED = [
    (ReasonCode.NOT_DISCLOSED, "en", [SHENZHEN]),
    (ReasonCode.NOT_DISCLOSED, "ko", [SHENZHEN]),
    (ReasonCode.CONTRACT_SAFEGUARDS_MISSING, "en", [SHENZHEN]),
    (ReasonCode.CONTRACT_SAFEGUARDS_MISSING, "ko", [SHENZHEN]),
    (ReasonCode.TRANSFER_ORDER_SUSPENDED, "en", [SHENZHEN, "CN"]),
    (ReasonCode.TRANSFER_ORDER_SUSPENDED, "ko", [SHENZHEN, "CN"]),
    (ReasonCode.MANDATE_DOES_NOT_COVER, "en", [SHENZHEN, "CN", "customs clearance"]),
    (ReasonCode.MANDATE_DOES_NOT_COVER, "ko", [SHENZHEN, "CN", "통관"]),
    (ReasonCode.ROLE_NOT_PERMITTED, "en", ["payment processor", "payment"]),
    (ReasonCode.ROLE_NOT_PERMITTED, "ko", ["결제대행사", "결제"]),
    (ReasonCode.SUSPENSION_REFUSED_BY_LAW, "en", ["Customs Act Art. 241"]),
    (ReasonCode.SUSPENSION_REFUSED_BY_LAW, "ko", ["관세법 제241조"]),
    (ReasonCode.CONSENT_DOES_NOT_COVER, "en", ["postal code", "shipping"]),
    (ReasonCode.CONSENT_DOES_NOT_COVER, "ko", ["우편번호", "배송"]),
    (ReasonCode.ITEM_NOT_NEEDED, "en", ["email address", "shipping"]),
    (ReasonCode.ITEM_NOT_NEEDED, "ko", ["이메일", "배송"]),
    (ReasonCode.ITEM_PROHIBITED, "ko", ["주민등록번호"]),
    (ReasonCode.NO_LAWFUL_GROUND, "ko", ["이름", "배송"]),
    (ReasonCode.CONSENT_WITHDRAWN, "ko", ["휴대전화번호", "배송"]),
]


@pytest.mark.parametrize(("code", "lang", "fragments"), FILLED, ids=lambda v: str(v)[:24])
def test_reason_texts_are_filled_with_the_requests_values_in_their_language(
    code: ReasonCode, lang: str, fragments: list[str]
) -> None:
    text = reason(Engine(PIPA).decide(BY_CODE[code]), code).texts[lang]
    for fragment in fragments:
        assert fragment in text, (fragment, text)


def test_item_level_reasons_are_built_once_per_engine_and_reused() -> None:
    engine = Engine(PIPA)
    yiwu = recipient("s-8", name="Yiwu Other Goods Co., Ltd.")
    first = engine.decide(request(recipient(), both_consents(), items=("name", "email")))
    second = engine.decide(request(yiwu, both_consents("s-8"), items=("email", "name", "rrn")))
    assert reason(second, ReasonCode.ITEM_NOT_NEEDED) is reason(first, ReasonCode.ITEM_NOT_NEEDED)
    # The text depends on the purpose, so another purpose gets its own.
    other = engine.decide(request(recipient(), purpose="marketing", items=("email", "address")))
    not_needed = reason(other, ReasonCode.ITEM_NOT_NEEDED)
    assert not_needed.item is DataItem.ADDRESS
    assert "marketing" in not_needed.en
    # Another engine builds its own, equal copy.
    again = Engine(PIPA).decide(request(recipient(), both_consents(), items=("name", "email")))
    fresh = reason(again, ReasonCode.ITEM_NOT_NEEDED)
    assert fresh == reason(first, ReasonCode.ITEM_NOT_NEEDED)
    assert fresh is not reason(first, ReasonCode.ITEM_NOT_NEEDED)


def test_request_level_reasons_name_each_recipient_and_are_not_shared() -> None:
    engine = Engine(PIPA)
    shenzhen = engine.decide(request(recipient(notices=())))
    yiwu = engine.decide(request(recipient("s-8", name="Yiwu Other Goods Co., Ltd.", notices=())))
    assert SHENZHEN in reason(shenzhen, ReasonCode.NOT_DISCLOSED).en
    assert "Yiwu Other Goods Co., Ltd." in reason(yiwu, ReasonCode.NOT_DISCLOSED).en
    assert SHENZHEN not in reason(yiwu, ReasonCode.NOT_DISCLOSED).en


# --- the rule a decision names ----------------------------------------------------------------


@pytest.mark.parametrize("req", EVERY, ids=EVERY_IDS)
def test_the_rule_a_decision_names_is_a_rule_of_the_pack(req: DecisionRequest) -> None:
    decision = Engine(PIPA).decide(req)
    assert decision.rule in PIPA.rules


def test_a_whole_request_refusal_names_its_reasons_rule() -> None:
    for code in (
        ReasonCode.TRANSFER_SUSPENDED,
        ReasonCode.TRANSFER_ORDER_SUSPENDED,
        ReasonCode.CONTRACT_SAFEGUARDS_MISSING,
        ReasonCode.NOT_DISCLOSED,
        ReasonCode.ROLE_NOT_PERMITTED,
        ReasonCode.MANDATE_DOES_NOT_COVER,
    ):
        decision = Engine(PIPA).decide(BY_CODE[code])
        assert decision.rule == PIPA.reason_texts[code][0], code
    assert Engine(PIPA).decide(ALLOWED[0]).rule == "R6.bases"
    assert Engine(PIPA).decide(ALLOWED[2]).rule == "R2.mandate"


# --- rule 8: the expiry ----------------------------------------------------------------------

CAPS = [
    ("shipping", "processor", ("name",), 365, 30),
    ("shipping", "processor", ("name",), 30, 30),
    ("shipping", "processor", ("name",), 29, 29),
    ("customs_clearance", "customs_broker", ("name",), 365, 30),
    ("customer_service", "processor", ("order_items",), 365, 90),
    ("customer_service", "processor", ("order_items",), 60, 60),
    ("payment", "payment_processor", ("card_number",), 365, 30),
]


@pytest.mark.parametrize(("purpose", "role", "items", "retention", "expected"), CAPS)
def test_access_lasts_the_recipients_retention_capped_per_purpose(
    purpose: str, role: str, items: tuple[str, ...], retention: int, expected: int
) -> None:
    to = recipient("k-1", country="KR", role=role, retention_days=retention)
    decision = Engine(PIPA).decide(request(to, purpose=purpose, items=items))
    assert decision.allowed
    assert decision.access_expires_after_delivery_days == expected


def test_marketing_access_is_capped_at_ninety_days() -> None:
    to = recipient("k-1", country="KR", role="processor", retention_days=365)
    marketing = consent(
        "c-m", "marketing", recipients=("k-1",), items=("email",), purposes=("marketing",)
    )
    decision = Engine(PIPA).decide(request(to, [marketing], purpose="marketing", items=["email"]))
    assert decision.released() == {DataItem.EMAIL: Disposition.RELAY}
    assert decision.access_expires_after_delivery_days == 90


def test_a_mandated_disclosure_is_capped_by_its_purpose_too() -> None:
    broker = recipient("b-kr", country="KR", role="customs_broker", retention_days=365)
    decision = Engine(PIPA).decide(
        request(broker, purpose=CUSTOMS, items=("name",), mandate=CUSTOMS_ACT)
    )
    assert decision.access_expires_after_delivery_days == 30


def test_nothing_released_means_no_expiry() -> None:
    decision = Engine(PIPA).decide(request(recipient(retention_days=365), items=("rrn",)))
    assert not decision.allowed
    assert decision.access_expires_after_delivery_days is None


def test_the_cap_comes_from_the_pack() -> None:
    to = recipient("k-1", country="DE", role="processor", retention_days=365)
    decision = toy(request(to, pack="toy", items=("name",)))
    assert decision.access_expires_after_delivery_days == 14


# --- a second law, with no engine change ------------------------------------------------------


def toy(req: DecisionRequest) -> Decision:
    """Decide with the toy pack, found by name in a registry as a deployment would find it."""
    registry = PackRegistry()
    registry.register(TOY)
    return Engine(registry.get(req.pack)).decide(req)


def test_a_korean_seller_is_domestic_under_pipa_and_foreign_under_the_toy_law() -> None:
    seoul = recipient("s-kr", name="Seoul Goods", country="KR")
    consents = both_consents("s-kr")
    under_pipa = Engine(PIPA).decide(request(seoul, consents))
    assert under_pipa.cross_border is False
    assert under_pipa.bases == (BasisUsed(Basis.PROVISION, Ground.CONSENT, "PIPA 17(1)1", "c-p"),)
    under_toy = toy(request(seoul, consents, pack="toy"))
    assert under_toy.cross_border is True
    assert under_toy.bases == (
        BasisUsed(Basis.PROVISION, Ground.CONSENT, "TOY 6(1)a", "c-p"),
        BasisUsed(Basis.TRANSFER, Ground.CONSENT, "TOY 49(1)a", "c-t"),
    )
    assert (under_toy.ground, under_toy.article) == (Ground.CONSENT, "TOY 49(1)a")
    assert under_toy.rule in TOY.rules


def test_a_german_seller_is_domestic_under_the_toy_law() -> None:
    berlin = recipient("s-de", name="Berlin Waren GmbH", country="DE")
    decision = toy(
        request(berlin, both_consents("s-de"), pack="toy", items=(*SHIPPING, "order_items"))
    )
    assert decision.cross_border is False
    assert (decision.ground, decision.article) == (Ground.CONSENT, "TOY 6(1)a")
    # The toy law's shipping table has no order_items: its table, not PIPA's, decides.
    assert decision.items[DataItem.ORDER_ITEMS] is Disposition.DENY
    not_needed = reason(decision, ReasonCode.ITEM_NOT_NEEDED)
    assert set(not_needed.texts) == {"en", "de"}
    assert not_needed.texts["de"] == "TOY: bestellte Waren wird für Versand nicht benötigt"
    assert not_needed.texts["en"] == "TOY: the ordered goods is not needed for shipping"


def test_a_german_processor_on_a_korean_cloud_transfers_abroad_under_the_toy_law() -> None:
    processor = recipient("p-de", country="DE", role="processor", data_countries=["KR"])
    decision = toy(request(processor, pack="toy"))
    assert decision.cross_border is True
    assert decision.bases == (
        BasisUsed(Basis.ENTRUSTMENT, Ground.ENTRUSTED_CONTRACT, "TOY 28"),
        BasisUsed(Basis.TRANSFER, Ground.ENTRUSTED_CONTRACT, "TOY 46(2)c"),
    )


def test_the_toy_laws_ground_order_and_recognition_dates_decide() -> None:
    tokyo = recipient("s-jp", name="Tokyo Shoten", country="JP")
    consents = both_consents("s-jp")
    recognised = toy(request(tokyo, consents, pack="toy"))
    assert recognised.bases[1] == BasisUsed(Basis.TRANSFER, Ground.ADEQUACY, "TOY 45")
    lapsed = toy(request(tokyo, consents, pack="toy", at=datetime(2027, 3, 1, tzinfo=CET)))
    assert lapsed.bases[1] == BasisUsed(Basis.TRANSFER, Ground.CONSENT, "TOY 49(1)a", "c-t")
    last = datetime(2027, 2, 28, 23, 59, 59, tzinfo=CET)
    just_before = toy(request(tokyo, consents, pack="toy", at=last))
    assert just_before.ground is Ground.ADEQUACY


def test_a_suspension_order_on_korea_stops_a_korean_seller_under_the_toy_law() -> None:
    seoul = recipient("s-kr", name="Seoul Goods", country="KR")
    stop = SuspensionOrder("o-1", None, "KR", GIVEN)
    decision = toy(request(seoul, both_consents("s-kr"), pack="toy", orders=[stop]))
    assert [(r.code, r.item) for r in decision.reasons] == [
        (ReasonCode.TRANSFER_ORDER_SUSPENDED, None)
    ]
    assert decision.reasons[0].texts == {
        "en": "TOY: transfers to Seoul Goods (KR) are suspended",
        "de": "TOY: Übermittlungen an Seoul Goods (KR) sind ausgesetzt",
    }
    assert decision.rule == "R3.order"
    assert TOY.article(decision.rule) == "TOY 3(2)"


def test_the_toy_law_grounds_only_its_own_mandates() -> None:
    broker = recipient("b-de", name="Hamburg Zoll", country="DE", role="customs_broker")
    items = ("name", "email", "phone")
    decision = toy(request(broker, pack="toy", purpose=CUSTOMS, items=items, mandate="TOY-ZOLL-1"))
    assert decision.bases == (
        BasisUsed(
            Basis.MANDATE,
            Ground.LEGAL_MANDATE,
            "TOY 6(1)c (Toy Customs Code § 1)",
            mandate_id="TOY-ZOLL-1",
        ),
    )
    assert dict(decision.items) == {
        DataItem.NAME: Disposition.PLAIN,
        DataItem.EMAIL: Disposition.RELAY,
        DataItem.PHONE: Disposition.DENY,
    }
    korean = toy(request(broker, pack="toy", purpose=CUSTOMS, items=items, mandate=CUSTOMS_ACT))
    assert [r.code for r in korean.reasons] == [ReasonCode.MANDATE_DOES_NOT_COVER]
    assert set(korean.reasons[0].texts) == {"en", "de"}
