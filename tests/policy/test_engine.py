"""The decision contract (contracts/decision.md), rule by rule, against the shipped PIPA pack.

Each test builds a request through the small factories below, decides it, and asserts the whole
outcome: every item's disposition, the ground and its article, the reason codes, the expiry.
Where the contract is silent the tests pin the interpretations the lead engineer chose (see the
engine's docstrings and docs/decisions.md).
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import pytest

from databorder.model import (
    ConsentKind,
    DataItem,
    Disposition,
    Ground,
    Purpose,
    ReasonCode,
    RecipientRole,
)
from databorder.policy import (
    ConsentFacts,
    Decision,
    DecisionRequest,
    Engine,
    LegalMandate,
    PackError,
    RecipientFacts,
    RulePack,
    SubjectFacts,
    compile_pack,
    decide,
    load_pack,
)

# --- factories -----------------------------------------------------------------------------

KST = timezone(timedelta(hours=9))
AT = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
GIVEN = datetime(2026, 11, 1, 9, 0, tzinfo=KST)
PACK = load_pack()

ALL_ITEMS = tuple(i.value for i in DataItem)
CONTRACT_ITEMS = ("name", "phone", "address", "postal_code", "card_number")
SHIPPING_ITEMS = ("name", "phone", "address", "postal_code")

P, R, M, D = "plain", "relay", "masked", "deny"
NOT_NEEDED = ReasonCode.ITEM_NOT_NEEDED
PROHIBITED = ReasonCode.ITEM_PROHIBITED
NOT_COVERED = ReasonCode.CONSENT_DOES_NOT_COVER
ROLE_NOT_PERMITTED = ReasonCode.ROLE_NOT_PERMITTED
NO_GROUND = ReasonCode.NO_LAWFUL_GROUND
WITHDRAWN = ReasonCode.CONSENT_WITHDRAWN
NOT_DISCLOSED = ReasonCode.NOT_DISCLOSED
SAFEGUARDS = ReasonCode.CONTRACT_SAFEGUARDS_MISSING
SUSPENDED = ReasonCode.TRANSFER_SUSPENDED


def consent(
    cid: str = "c-1",
    kind: str = "overseas_transfer",
    recipients: Iterable[str] = ("s-9",),
    countries: Iterable[str] = (),
    items: Iterable[str] = SHIPPING_ITEMS,
    purposes: Iterable[str] = ("shipping",),
    given_at: datetime = GIVEN,
    withdrawn_at: datetime | None = None,
) -> ConsentFacts:
    return ConsentFacts(
        id=cid,
        kind=ConsentKind(kind),
        notice_version="2026-11-01",
        recipients=frozenset(recipients),
        countries=frozenset(countries),
        items=frozenset(DataItem(i) for i in items),
        purposes=frozenset(Purpose(p) for p in purposes),
        given_at=given_at,
        withdrawn_at=withdrawn_at,
    )


def recipient(
    rid: str = "s-9",
    role: str = "seller",
    country: str = "CN",
    name: str = "Shenzhen Example Trading Co., Ltd.",
    certifications: Iterable[str] = (),
    safeguards: bool = True,
    disclosed: bool = True,
    retention_days: int = 30,
) -> RecipientFacts:
    return RecipientFacts(
        id=rid,
        name=name,
        country=country,
        role=RecipientRole(role),
        certifications=frozenset(certifications),
        contract_safeguards=safeguards,
        disclosed_in_notice=disclosed,
        retention_days=retention_days,
    )


def processor(country: str = "CN", **overrides: Any) -> RecipientFacts:
    """A carrier: entrusted processing, disclosed in the notice, contract with safeguards."""
    values: dict[str, Any] = {
        "rid": "p-1",
        "role": "processor",
        "country": country,
        "name": "Global Parcel Logistics Ltd.",
    }
    values.update(overrides)
    return recipient(**values)


def request(
    items: Iterable[str] = SHIPPING_ITEMS,
    purpose: str = "shipping",
    to: RecipientFacts | None = None,
    consents: Iterable[ConsentFacts] = (),
    residence: str = "KR",
    suspended: bool = False,
    mandate: str | None = None,
    at: datetime = AT,
) -> DecisionRequest:
    return DecisionRequest(
        at=at,
        subject=SubjectFacts(
            id="b-1",
            residence=residence,
            transfer_suspended=suspended,
            consents=tuple(consents),
        ),
        recipient=to if to is not None else recipient(),
        purpose=Purpose(purpose),
        items=tuple(DataItem(i) for i in items),
        legal_mandate=LegalMandate(mandate) if mandate is not None else None,
    )


MANDATE = "관세법 제241조 (Customs Act Art. 241)"


def decided(req: DecisionRequest, pack: RulePack = PACK) -> Decision:
    return decide(req, pack)


def items_of(decision: Decision) -> dict[str, str]:
    return {i.value: d.value for i, d in decision.items.items()}


def codes(decision: Decision) -> list[tuple[ReasonCode, str | None]]:
    """The reasons as (code, item) pairs, sorted: the contract fixes the set, not the order."""
    return sorted(
        ((r.code, r.item.value if r.item is not None else None) for r in decision.reasons),
        key=lambda pair: (pair[0].value, pair[1] or ""),
    )


def expected(*pairs: tuple[ReasonCode, str | None]) -> list[tuple[ReasonCode, str | None]]:
    return sorted(pairs, key=lambda pair: (pair[0].value, pair[1] or ""))


def each(code: ReasonCode, items: Iterable[str]) -> list[tuple[ReasonCode, str | None]]:
    return [(code, i) for i in items]


def all_deny(items: Iterable[str]) -> dict[str, str]:
    return dict.fromkeys(items, D)


def assert_refused(
    decision: Decision, items: Iterable[str], reasons: list[tuple[ReasonCode, str | None]]
) -> None:
    assert decision.allowed is False
    assert decision.ground is None
    assert decision.consent_id is None
    assert decision.access_expires_after_delivery_days is None
    assert items_of(decision) == all_deny(items)
    assert codes(decision) == reasons


def pack_variant(**changes: Any) -> RulePack:
    """The shipped pack file with top-level keys replaced, compiled like any edited pack."""
    text = resources.files("databorder.policy.packs").joinpath("pipa.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    data.update(changes)
    return compile_pack(data)


# --- the contract's example --------------------------------------------------------------


def test_contract_example_releases_covered_items_and_denies_the_rest() -> None:
    # The example JSON shows postal_code plain, but its consent covers only name/phone/address;
    # numbered rule 4 ("items it does not cover are deny") decides, so postal_code is deny.
    decision = decided(
        request(
            CONTRACT_ITEMS, consents=[consent(items=("name", "phone", "address"))], to=recipient()
        )
    )
    assert decision.allowed is True
    assert decision.cross_border is True
    assert decision.ground is Ground.CONSENT
    assert decision.article == "PIPA 28-8(1)1"
    assert items_of(decision) == {
        "name": P,
        "phone": R,
        "address": P,
        "postal_code": D,
        "card_number": D,
    }
    assert decision.access_expires_after_delivery_days == 30
    assert codes(decision) == expected((NOT_NEEDED, "card_number"), (NOT_COVERED, "postal_code"))
    assert decision.rule == "R4.consent"
    assert decision.consent_id == "c-1"


def test_released_lists_only_the_items_that_go() -> None:
    decision = decided(request(CONTRACT_ITEMS, consents=[consent()]))
    assert decision.released() == {
        DataItem.NAME: Disposition.PLAIN,
        DataItem.PHONE: Disposition.RELAY,
        DataItem.ADDRESS: Disposition.PLAIN,
        DataItem.POSTAL_CODE: Disposition.PLAIN,
    }


# --- rule 1: cross-border ------------------------------------------------------------------


def test_recipient_abroad_is_cross_border() -> None:
    decision = decided(request(to=processor(country="CN")))
    assert decision.cross_border is True
    assert decision.article == "PIPA 28-8(1)3"


def test_recipient_in_the_subjects_country_is_domestic() -> None:
    decision = decided(request(to=processor(country="KR")))
    assert decision.cross_border is False
    assert decision.ground is Ground.ENTRUSTED_CONTRACT
    assert decision.article == "PIPA 26"


def test_cross_border_follows_the_subjects_residence_not_korea() -> None:
    # A buyer living in China, a recipient in China: a domestic provision for that buyer.
    domestic = decided(request(to=processor(country="CN"), residence="CN"))
    abroad = decided(request(to=processor(country="KR"), residence="CN"))
    assert domestic.cross_border is False
    assert abroad.cross_border is True


# --- rule 2: refusals no ground can lift ---------------------------------------------------


def test_suspended_subject_refuses_a_consented_transfer() -> None:
    decision = decided(request(consents=[consent()], suspended=True))
    assert_refused(decision, SHIPPING_ITEMS, [(SUSPENDED, None)])
    assert decision.cross_border is True
    assert decision.rule == "R2.suspended"
    assert decision.article == "PIPA 37(1)"


def test_suspended_subject_refuses_even_a_legal_mandate() -> None:
    decision = decided(request(to=processor(), mandate=MANDATE, suspended=True))
    assert_refused(decision, SHIPPING_ITEMS, [(SUSPENDED, None)])
    assert decision.rule == "R2.suspended"


def test_suspended_subject_refuses_a_domestic_provision_too() -> None:
    decision = decided(request(to=processor(country="KR"), suspended=True))
    assert_refused(decision, SHIPPING_ITEMS, [(SUSPENDED, None)])
    assert decision.cross_border is False


def test_missing_safeguards_refuse_a_consented_cross_border_transfer() -> None:
    decision = decided(request(to=recipient(safeguards=False), consents=[consent()]))
    assert_refused(decision, SHIPPING_ITEMS, [(SAFEGUARDS, None)])
    assert decision.rule == "R2.safeguards"
    assert decision.article == "PIPA 28-8(4)"


def test_missing_safeguards_refuse_even_a_legal_mandate() -> None:
    decision = decided(request(to=processor(safeguards=False), mandate=MANDATE))
    assert_refused(decision, SHIPPING_ITEMS, [(SAFEGUARDS, None)])


def test_missing_safeguards_refuse_every_cross_border_ground() -> None:
    certified = recipient(safeguards=False, certifications=["ISMS-P"])
    assert decided(request(to=certified)).allowed is False
    assert decided(request(to=processor(safeguards=False))).allowed is False


def test_missing_safeguards_do_not_apply_to_a_domestic_recipient() -> None:
    # Art. 28-8(4) is about contracts with overseas recipients.
    decision = decided(request(to=processor(country="KR", safeguards=False)))
    assert decision.allowed is True
    assert decision.ground is Ground.ENTRUSTED_CONTRACT


# --- rule 3: the items table ---------------------------------------------------------------


def test_shipping_row_releases_name_address_postal_code_order_items_and_relays_phone() -> None:
    decision = decided(request(ALL_ITEMS, to=processor()))
    assert decision.allowed is True
    assert items_of(decision) == {
        "name": P,
        "phone": R,
        "email": D,
        "address": P,
        "postal_code": P,
        "customs_code": D,
        "order_items": P,
        "card_number": D,
        "bank_account": D,
        "rrn": D,
        "birth_date": D,
    }
    assert codes(decision) == expected(
        *each(NOT_NEEDED, ["email", "customs_code", "card_number", "bank_account", "birth_date"]),
        (PROHIBITED, "rrn"),
    )


def test_customs_clearance_row_adds_the_customs_code() -> None:
    broker = recipient(rid="cb-1", role="customs_broker", name="Incheon Customs Brokerage")
    decision = decided(request(ALL_ITEMS, purpose="customs_clearance", to=broker))
    assert decision.ground is Ground.ENTRUSTED_CONTRACT
    assert items_of(decision) == {
        "name": P,
        "phone": R,
        "email": D,
        "address": P,
        "postal_code": P,
        "customs_code": P,
        "order_items": P,
        "card_number": D,
        "bank_account": D,
        "rrn": D,
        "birth_date": D,
    }
    assert codes(decision) == expected(
        *each(NOT_NEEDED, ["email", "card_number", "bank_account", "birth_date"]),
        (PROHIBITED, "rrn"),
    )


def test_customer_service_row_relays_contacts_and_masks_the_name() -> None:
    decision = decided(request(ALL_ITEMS, purpose="customer_service", to=processor()))
    assert decision.ground is Ground.ENTRUSTED_CONTRACT
    assert items_of(decision) == {
        "name": M,
        "phone": R,
        "email": R,
        "address": D,
        "postal_code": D,
        "customs_code": D,
        "order_items": P,
        "card_number": D,
        "bank_account": D,
        "rrn": D,
        "birth_date": D,
    }
    assert codes(decision) == expected(
        *each(
            NOT_NEEDED,
            ["address", "postal_code", "customs_code", "card_number", "bank_account", "birth_date"],
        ),
        (PROHIBITED, "rrn"),
    )


def test_payment_row_releases_card_and_bank_data_to_a_payment_processor() -> None:
    psp = recipient(rid="pp-1", role="payment_processor", country="US", name="Example Pay Inc.")
    decision = decided(request(ALL_ITEMS, purpose="payment", to=psp))
    assert decision.ground is Ground.ENTRUSTED_CONTRACT
    assert items_of(decision) == {
        "name": P,
        "phone": D,
        "email": D,
        "address": D,
        "postal_code": D,
        "customs_code": D,
        "order_items": D,
        "card_number": P,
        "bank_account": P,
        "rrn": D,
        "birth_date": D,
    }
    assert codes(decision) == expected(
        *each(
            NOT_NEEDED,
            [
                "phone",
                "email",
                "address",
                "postal_code",
                "customs_code",
                "order_items",
                "birth_date",
            ],
        ),
        (PROHIBITED, "rrn"),
    )


@pytest.mark.parametrize("role", ["seller", "processor", "customs_broker"])
def test_payment_row_refuses_anyone_but_a_payment_processor(role: str) -> None:
    # Even a consent and a mandate cannot send card data to a non-payment processor (rule 3).
    items = ("name", "card_number", "bank_account")
    payment_consent = consent(items=items, purposes=["payment"], recipients=["x-1"])
    to = recipient(rid="x-1", role=role)
    decision = decided(
        request(items, purpose="payment", to=to, consents=[payment_consent], mandate=MANDATE)
    )
    assert_refused(decision, items, expected(*each(ROLE_NOT_PERMITTED, items)))
    assert decision.rule == "R3.payment"


def test_marketing_row_relays_only_the_email() -> None:
    marketing = consent(kind="marketing", items=ALL_ITEMS, purposes=["marketing"])
    decision = decided(request(ALL_ITEMS, purpose="marketing", consents=[marketing]))
    assert decision.allowed is True
    assert decision.ground is Ground.CONSENT
    assert items_of(decision) == {**all_deny(ALL_ITEMS), "email": R}
    assert codes(decision) == expected(
        *each(NOT_NEEDED, [i for i in ALL_ITEMS if i not in ("email", "rrn")]),
        (PROHIBITED, "rrn"),
    )


@pytest.mark.parametrize("purpose", ["shipping", "customs_clearance"])
def test_order_items_are_plain_for_shipping_and_customs_clearance(purpose: str) -> None:
    decision = decided(request(["order_items"], purpose=purpose, to=processor()))
    assert items_of(decision) == {"order_items": P}
    assert decision.reasons == ()


@pytest.mark.parametrize("purpose", ["payment", "marketing"])
def test_order_items_are_not_needed_for_payment_or_marketing(purpose: str) -> None:
    psp = recipient(rid="pp-1", role="payment_processor")
    marketing = consent(
        kind="marketing", recipients=["pp-1"], items=ALL_ITEMS, purposes=["marketing"]
    )
    decision = decided(
        request(["order_items", "name", "email"], purpose=purpose, to=psp, consents=[marketing])
    )
    assert decision.allowed is True
    assert decision.items[DataItem.ORDER_ITEMS] is Disposition.DENY
    assert (NOT_NEEDED, "order_items") in codes(decision)


@pytest.mark.parametrize("purpose", [p.value for p in Purpose])
def test_rrn_is_prohibited_for_every_purpose_even_with_mandate_and_consent(purpose: str) -> None:
    psp = recipient(rid="pp-1", role="payment_processor", certifications=["ISMS-P"])
    kind = "marketing" if purpose == "marketing" else "overseas_transfer"
    everything = consent(kind=kind, recipients=["pp-1"], items=ALL_ITEMS, purposes=[purpose])
    decision = decided(
        request(["rrn"], purpose=purpose, to=psp, consents=[everything], mandate=MANDATE)
    )
    assert_refused(decision, ["rrn"], [(PROHIBITED, "rrn")])
    assert decision.rule == "R3.prohibited"
    assert decision.article == "PIPA 24-2"


def test_rrn_is_denied_beside_items_that_are_released() -> None:
    decision = decided(request(["name", "rrn"], to=processor(), mandate=MANDATE))
    assert decision.allowed is True
    assert items_of(decision) == {"name": P, "rrn": D}
    assert codes(decision) == [(PROHIBITED, "rrn")]


@pytest.mark.parametrize("item", ["card_number", "bank_account"])
def test_card_and_bank_data_are_not_needed_for_shipping_even_by_a_payment_processor(
    item: str,
) -> None:
    psp = recipient(rid="pp-1", role="payment_processor")
    decision = decided(request(["name", item], to=psp))
    assert items_of(decision) == {"name": P, item: D}
    assert codes(decision) == [(NOT_NEEDED, item)]


def test_request_for_unneeded_items_only_is_refused_item_by_item() -> None:
    items = ("email", "birth_date", "customs_code")
    decision = decided(request(items, to=processor(), mandate=MANDATE))
    assert_refused(decision, items, expected(*each(NOT_NEEDED, items)))
    assert decision.rule == "R3.needed"


# --- rule 4: grounds, in order -------------------------------------------------------------


def test_legal_mandate_grounds_a_cross_border_transfer() -> None:
    decision = decided(request(mandate=MANDATE))
    assert decision.allowed is True
    assert decision.ground is Ground.LEGAL_MANDATE
    assert decision.article == "PIPA 28-8(1)2"
    assert decision.rule == "R4.legal_mandate"
    assert decision.consent_id is None
    assert items_of(decision) == {"name": P, "phone": R, "address": P, "postal_code": P}
    assert decision.reasons == ()


def test_legal_mandate_grounds_a_domestic_provision_under_article_17() -> None:
    decision = decided(request(to=recipient(country="KR"), mandate=MANDATE))
    assert decision.ground is Ground.LEGAL_MANDATE
    assert decision.article == "PIPA 17(1)2"
    assert decision.cross_border is False


def test_legal_mandate_is_tried_before_consent() -> None:
    decision = decided(request(consents=[consent(items=["name"])], mandate=MANDATE))
    assert decision.ground is Ground.LEGAL_MANDATE
    assert decision.consent_id is None
    assert items_of(decision) == {"name": P, "phone": R, "address": P, "postal_code": P}


def test_overseas_transfer_consent_grounds_a_cross_border_transfer() -> None:
    decision = decided(request(consents=[consent()]))
    assert decision.allowed is True
    assert decision.ground is Ground.CONSENT
    assert decision.article == "PIPA 28-8(1)1"
    assert decision.consent_id == "c-1"
    assert items_of(decision) == {"name": P, "phone": R, "address": P, "postal_code": P}
    assert decision.reasons == ()


def test_third_party_provision_consent_grounds_a_domestic_provision() -> None:
    provision = consent(kind="third_party_provision")
    decision = decided(request(to=recipient(country="KR"), consents=[provision]))
    assert decision.ground is Ground.CONSENT
    assert decision.article == "PIPA 17(1)1"
    assert decision.cross_border is False
    assert decision.consent_id == "c-1"


def test_overseas_transfer_consent_does_not_ground_a_domestic_provision() -> None:
    decision = decided(request(to=recipient(country="KR"), consents=[consent()]))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])
    assert decision.rule == "R5.seller"


def test_third_party_provision_consent_does_not_ground_a_cross_border_transfer() -> None:
    decision = decided(request(consents=[consent(kind="third_party_provision")]))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_consent_naming_the_recipients_country_covers_the_recipient() -> None:
    by_country = consent(recipients=[], countries=["CN"])
    decision = decided(request(consents=[by_country]))
    assert decision.ground is Ground.CONSENT
    assert decision.consent_id == "c-1"


def test_consent_naming_another_recipient_or_country_grounds_nothing() -> None:
    others = [consent("c-1", recipients=["s-1"]), consent("c-2", recipients=[], countries=["JP"])]
    decision = decided(request(consents=others))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_consent_for_another_purpose_refuses_with_does_not_cover() -> None:
    customer_service = consent(purposes=["customer_service"])
    decision = decided(request(consents=[customer_service]))
    assert_refused(decision, SHIPPING_ITEMS, expected((NO_GROUND, None), (NOT_COVERED, None)))


def test_consent_covering_none_of_the_items_refuses_with_does_not_cover() -> None:
    decision = decided(request(["address"], consents=[consent(items=["email"])]))
    assert_refused(decision, ["address"], expected((NO_GROUND, None), (NOT_COVERED, None)))


def test_consent_denies_each_item_it_does_not_cover() -> None:
    decision = decided(request(consents=[consent(items=["name", "address"])]))
    assert items_of(decision) == {"name": P, "phone": D, "address": P, "postal_code": D}
    assert codes(decision) == expected((NOT_COVERED, "phone"), (NOT_COVERED, "postal_code"))


def test_consent_given_after_the_request_does_not_count() -> None:
    later = consent(given_at=AT + timedelta(seconds=1))
    decision = decided(request(consents=[later]))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_consent_given_at_the_very_instant_counts() -> None:
    decision = decided(request(consents=[consent(given_at=AT)]))
    assert decision.ground is Ground.CONSENT


def test_consent_given_in_another_time_zone_compares_as_an_instant() -> None:
    # 01:00 UTC is 10:00 in Seoul: the same instant as AT, so the consent already counts.
    decision = decided(request(consents=[consent(given_at=datetime(2026, 11, 23, 1, tzinfo=UTC))]))
    assert decision.ground is Ground.CONSENT


def test_consent_withdrawn_at_the_very_instant_no_longer_counts() -> None:
    decision = decided(request(consents=[consent(withdrawn_at=AT)]))
    assert_refused(decision, SHIPPING_ITEMS, expected((NO_GROUND, None), (WITHDRAWN, None)))


def test_consent_withdrawn_after_the_request_still_counts() -> None:
    decision = decided(request(consents=[consent(withdrawn_at=AT + timedelta(minutes=1))]))
    assert decision.ground is Ground.CONSENT
    assert decision.consent_id == "c-1"


def test_the_consent_covering_most_items_grounds_the_release() -> None:
    narrow = consent("c-narrow", items=["name"], given_at=GIVEN + timedelta(days=5))
    broad = consent("c-broad", items=["name", "phone", "address"])
    decision = decided(request(consents=[narrow, broad]))
    assert decision.consent_id == "c-broad"
    assert items_of(decision) == {"name": P, "phone": R, "address": P, "postal_code": D}
    assert codes(decision) == [(NOT_COVERED, "postal_code")]


def test_one_consent_grounds_the_release_even_when_another_covers_the_rest() -> None:
    # Interpretation (d): a single consent grounds a release, so that withdrawing it revokes
    # exactly what it granted; items only the other consent covers stay denied.
    first = consent("c-1", items=["name", "address"])
    second = consent("c-2", items=["phone"])
    decision = decided(request(consents=[first, second]))
    assert decision.consent_id == "c-1"
    assert items_of(decision) == {"name": P, "phone": D, "address": P, "postal_code": D}


def test_the_latest_consent_wins_a_tie() -> None:
    older = consent("c-old", items=["name", "phone"])
    newer = consent("c-new", items=["name", "phone"], given_at=GIVEN + timedelta(days=1))
    assert decided(request(consents=[older, newer])).consent_id == "c-new"
    assert decided(request(consents=[newer, older])).consent_id == "c-new"


def test_a_withdrawn_consent_never_wins_over_a_valid_narrower_one() -> None:
    withdrawn = consent("c-all", withdrawn_at=AT - timedelta(days=1))
    valid = consent("c-name", items=["name"])
    decision = decided(request(consents=[withdrawn, valid]))
    assert decision.consent_id == "c-name"
    assert items_of(decision) == {"name": P, "phone": D, "address": D, "postal_code": D}


def test_consent_only_counts_items_the_purpose_releases() -> None:
    # c-rrn names more requested items, but none of them can be released.
    greedy = consent("c-rrn", items=["rrn", "email", "birth_date"])
    modest = consent("c-name", items=["name"])
    decision = decided(request(["name", "rrn", "email", "birth_date"], consents=[greedy, modest]))
    assert decision.consent_id == "c-name"


@pytest.mark.parametrize("role", ["processor", "customs_broker", "payment_processor"])
def test_entrusted_contract_grounds_a_disclosed_processor_abroad(role: str) -> None:
    decision = decided(request(to=processor(role=role)))
    assert decision.allowed is True
    assert decision.ground is Ground.ENTRUSTED_CONTRACT
    assert decision.article == "PIPA 28-8(1)3"
    assert decision.rule == "R4.entrusted_contract"
    assert decision.consent_id is None
    assert items_of(decision) == {"name": P, "phone": R, "address": P, "postal_code": P}


@pytest.mark.parametrize("role", ["processor", "customs_broker", "payment_processor"])
def test_entrusted_contract_grounds_a_domestic_processor_under_article_26(role: str) -> None:
    decision = decided(request(to=processor(role=role, country="KR")))
    assert decision.ground is Ground.ENTRUSTED_CONTRACT
    assert decision.article == "PIPA 26"


def test_consent_is_tried_before_entrusted_contract() -> None:
    # The first ground that holds wins, even when it releases fewer items than the next would.
    covered = consent(recipients=["p-1"], items=["name", "address", "postal_code"])
    decision = decided(request(to=processor(), consents=[covered]))
    assert decision.ground is Ground.CONSENT
    assert decision.consent_id == "c-1"
    assert items_of(decision) == {"name": P, "phone": D, "address": P, "postal_code": P}
    assert codes(decision) == [(NOT_COVERED, "phone")]


def test_certification_grounds_a_certified_seller_abroad() -> None:
    decision = decided(request(to=recipient(certifications=["ISMS-P"])))
    assert decision.allowed is True
    assert decision.ground is Ground.CERTIFICATION
    assert decision.article == "PIPA 28-8(1)4"
    assert decision.rule == "R4.certification"
    assert items_of(decision) == {"name": P, "phone": R, "address": P, "postal_code": P}


def test_an_unrecognised_certification_grounds_nothing() -> None:
    decision = decided(request(to=recipient(certifications=["ISO-27001", "isms-p"])))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_certification_does_not_ground_a_domestic_provision() -> None:
    decision = decided(request(to=recipient(country="KR", certifications=["ISMS-P"])))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])
    assert decision.cross_border is False


def test_entrusted_contract_is_tried_before_certification() -> None:
    decision = decided(request(to=processor(certifications=["ISMS-P"])))
    assert decision.ground is Ground.ENTRUSTED_CONTRACT


ADEQUATE_JP = pack_variant(adequate_countries=["JP"])


def test_adequacy_grounds_a_transfer_to_a_country_the_pack_recognises() -> None:
    decision = decided(request(to=recipient(country="JP")), ADEQUATE_JP)
    assert decision.allowed is True
    assert decision.ground is Ground.ADEQUACY
    assert decision.article == "PIPA 28-8(1)5"
    assert decision.rule == "R4.adequacy"
    assert items_of(decision) == {"name": P, "phone": R, "address": P, "postal_code": P}


def test_adequacy_of_another_country_grounds_nothing() -> None:
    decision = decided(request(to=recipient(country="CN")), ADEQUATE_JP)
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_adequacy_does_not_ground_a_domestic_provision() -> None:
    adequate_kr = pack_variant(adequate_countries=["KR"])
    decision = decided(request(to=recipient(country="KR")), adequate_kr)
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_certification_is_tried_before_adequacy() -> None:
    decision = decided(request(to=recipient(country="JP", certifications=["ISMS-P"])), ADEQUATE_JP)
    assert decision.ground is Ground.CERTIFICATION


# --- rule 4: marketing only ever on a marketing consent -----------------------------------

MARKETING = consent(kind="marketing", items=["email"], purposes=["marketing"])


def test_marketing_consent_grounds_marketing_abroad() -> None:
    decision = decided(request(["email"], purpose="marketing", consents=[MARKETING]))
    assert decision.allowed is True
    assert decision.ground is Ground.CONSENT
    assert decision.article == "PIPA 28-8(1)1"
    assert decision.rule == "R4.marketing"
    assert decision.consent_id == "c-1"
    assert items_of(decision) == {"email": R}


def test_marketing_consent_grounds_marketing_at_home() -> None:
    decision = decided(
        request(["email"], purpose="marketing", to=recipient(country="KR"), consents=[MARKETING])
    )
    assert decision.ground is Ground.CONSENT
    assert decision.article == "PIPA 17(1)1"


def test_marketing_is_refused_on_an_overseas_transfer_consent() -> None:
    transfer = consent(items=["email"], purposes=["marketing"])
    decision = decided(request(["email"], purpose="marketing", consents=[transfer]))
    assert_refused(decision, ["email"], [(NO_GROUND, None)])
    assert decision.rule == "R4.marketing"


@pytest.mark.parametrize(
    ("to", "mandate", "pack"),
    [
        pytest.param(recipient(), MANDATE, PACK, id="legal_mandate"),
        pytest.param(processor(), None, PACK, id="entrusted_contract"),
        pytest.param(recipient(certifications=["ISMS-P"]), None, PACK, id="certification"),
        pytest.param(recipient(country="JP"), None, ADEQUATE_JP, id="adequacy"),
    ],
)
def test_marketing_is_refused_on_every_ground_but_a_marketing_consent(
    to: RecipientFacts, mandate: str | None, pack: RulePack
) -> None:
    decision = decided(request(["email"], purpose="marketing", to=to, mandate=mandate), pack)
    assert_refused(decision, ["email"], [(NO_GROUND, None)])
    assert decision.rule == "R4.marketing"


def test_withdrawn_marketing_consent_refuses_marketing() -> None:
    withdrawn = consent(kind="marketing", items=["email"], purposes=["marketing"], withdrawn_at=AT)
    decision = decided(request(["email"], purpose="marketing", consents=[withdrawn]))
    assert_refused(decision, ["email"], expected((NO_GROUND, None), (WITHDRAWN, None)))


# --- rule 5: sellers are third parties -----------------------------------------------------


def test_seller_without_a_ground_is_refused_with_no_lawful_ground() -> None:
    decision = decided(request(to=recipient()))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])
    assert decision.rule == "R5.seller"
    assert decision.article == "PIPA 17(1)"


def test_seller_is_never_on_entrusted_contract_at_home_either() -> None:
    decision = decided(request(to=recipient(country="KR")))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_withdrawn_consent_refuses_seller() -> None:
    withdrawn = consent(withdrawn_at=AT - timedelta(days=2))
    decision = decided(request(consents=[withdrawn]))
    assert_refused(decision, SHIPPING_ITEMS, expected((NO_GROUND, None), (WITHDRAWN, None)))
    assert decision.rule == "R5.seller"


def test_seller_request_after_consent_withdrawal_denies_also_unneeded_items() -> None:
    withdrawn = consent(withdrawn_at=AT - timedelta(days=2))
    decision = decided(request(CONTRACT_ITEMS, consents=[withdrawn]))
    assert_refused(
        decision,
        CONTRACT_ITEMS,
        expected((NO_GROUND, None), (WITHDRAWN, None), (NOT_NEEDED, "card_number")),
    )


@pytest.mark.parametrize(
    ("to", "mandate", "pack", "ground"),
    [
        pytest.param(recipient(), MANDATE, PACK, Ground.LEGAL_MANDATE, id="mandate"),
        pytest.param(
            recipient(certifications=["ISMS-P"]), None, PACK, Ground.CERTIFICATION, id="cert"
        ),
        pytest.param(recipient(country="JP"), None, ADEQUATE_JP, Ground.ADEQUACY, id="adequacy"),
    ],
)
def test_seller_may_receive_on_the_other_grounds(
    to: RecipientFacts, mandate: str | None, pack: RulePack, ground: Ground
) -> None:
    decision = decided(request(to=to, mandate=mandate), pack)
    assert decision.ground is ground


# --- rule 6: recipients missing from the notice --------------------------------------------


@pytest.mark.parametrize("role", ["processor", "customs_broker", "payment_processor"])
def test_undisclosed_processor_is_refused_with_not_disclosed(role: str) -> None:
    decision = decided(request(to=processor(role=role, disclosed=False)))
    assert_refused(decision, SHIPPING_ITEMS, expected((NO_GROUND, None), (NOT_DISCLOSED, None)))
    assert decision.rule == "R6.not_disclosed"
    assert decision.article == "PIPA 30(1)"


def test_undisclosed_domestic_processor_is_refused_with_not_disclosed() -> None:
    decision = decided(request(to=processor(country="KR", disclosed=False)))
    assert_refused(decision, SHIPPING_ITEMS, expected((NO_GROUND, None), (NOT_DISCLOSED, None)))


def test_undisclosed_processor_may_still_receive_on_its_consent() -> None:
    covered = consent(recipients=["p-1"])
    decision = decided(request(to=processor(disclosed=False), consents=[covered]))
    assert decision.ground is Ground.CONSENT
    assert decision.reasons == ()


def test_undisclosed_certified_processor_is_grounded_on_its_certification() -> None:
    # Rule 6 closes only the entrusted ground; interpretation (e) says NOT_DISCLOSED in refusals.
    decision = decided(request(to=processor(disclosed=False, certifications=["ISMS-P"])))
    assert decision.ground is Ground.CERTIFICATION
    assert decision.reasons == ()


def test_undisclosed_seller_is_refused_without_not_disclosed() -> None:
    # A seller would never have had entrusted_contract, so disclosure is not why it is refused.
    decision = decided(request(to=recipient(disclosed=False)))
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_undisclosed_processor_with_withdrawn_consent_gets_every_reason() -> None:
    withdrawn = consent(recipients=["p-1"], withdrawn_at=AT)
    decision = decided(request(to=processor(disclosed=False), consents=[withdrawn]))
    assert_refused(
        decision,
        SHIPPING_ITEMS,
        expected((NO_GROUND, None), (WITHDRAWN, None), (NOT_DISCLOSED, None)),
    )


def test_undisclosed_processor_is_not_told_not_disclosed_for_marketing() -> None:
    decision = decided(request(["email"], purpose="marketing", to=processor(disclosed=False)))
    assert_refused(decision, ["email"], [(NO_GROUND, None)])
    assert decision.rule == "R4.marketing"


# --- rule 7: recognition is pack data ------------------------------------------------------


def test_pack_recognises_isms_p_and_no_country_by_default() -> None:
    assert PACK.recognised_certifications == frozenset({"ISMS-P"})
    assert PACK.adequate_countries == frozenset()
    assert decided(request(to=recipient(country="JP"))).allowed is False


def test_privacy_officer_can_recognise_another_certification() -> None:
    cbpr = pack_variant(recognised_certifications=["ISMS-P", "APEC-CBPR"])
    decision = decided(request(to=recipient(certifications=["APEC-CBPR"])), cbpr)
    assert decision.ground is Ground.CERTIFICATION


def test_privacy_officer_can_withdraw_recognition_of_isms_p() -> None:
    none = pack_variant(recognised_certifications=[])
    decision = decided(request(to=recipient(certifications=["ISMS-P"])), none)
    assert_refused(decision, SHIPPING_ITEMS, [(NO_GROUND, None)])


def test_adequate_countries_are_normalised_when_the_pack_loads() -> None:
    assert pack_variant(adequate_countries=["jp"]).adequate_countries == frozenset({"JP"})


# --- rule 8: access expiry -----------------------------------------------------------------

EXPIRY_CASES = [
    # (purpose, recipient role, items, cap)
    ("shipping", "processor", ["name"], 30),
    ("customs_clearance", "customs_broker", ["customs_code"], 30),
    ("customer_service", "processor", ["order_items"], 90),
    ("payment", "payment_processor", ["card_number"], 30),
]


@pytest.mark.parametrize(("purpose", "role", "items", "cap"), EXPIRY_CASES)
def test_access_expires_after_the_recipients_retention_when_shorter_than_the_cap(
    purpose: str, role: str, items: list[str], cap: int
) -> None:
    decision = decided(request(items, purpose=purpose, to=processor(role=role, retention_days=7)))
    assert decision.allowed is True
    assert decision.access_expires_after_delivery_days == 7


@pytest.mark.parametrize(("purpose", "role", "items", "cap"), EXPIRY_CASES)
def test_access_expiry_is_capped_by_the_purpose(
    purpose: str, role: str, items: list[str], cap: int
) -> None:
    decision = decided(
        request(items, purpose=purpose, to=processor(role=role, retention_days=3650))
    )
    assert decision.access_expires_after_delivery_days == cap


def test_access_expiry_equals_the_cap_when_retention_equals_it() -> None:
    decision = decided(request(to=processor(retention_days=30)))
    assert decision.access_expires_after_delivery_days == 30


@pytest.mark.parametrize(("retention", "expiry"), [(400, 365), (60, 60)])
def test_marketing_access_is_capped_at_a_year(retention: int, expiry: int) -> None:
    to = recipient(retention_days=retention)
    decision = decided(request(["email"], purpose="marketing", to=to, consents=[MARKETING]))
    assert decision.access_expires_after_delivery_days == expiry


def test_a_refusal_grants_no_access_period() -> None:
    assert decided(request()).access_expires_after_delivery_days is None


# --- reason texts --------------------------------------------------------------------------


def _every_reason_decisions() -> list[Decision]:
    """Decisions that between them carry every reason code the engine emits."""
    withdrawn = consent(withdrawn_at=AT)
    return [
        decided(request(ALL_ITEMS, to=processor())),  # ITEM_NOT_NEEDED, ITEM_PROHIBITED
        decided(request(CONTRACT_ITEMS, consents=[consent(items=["name"])])),  # DOES_NOT_COVER
        decided(request(consents=[withdrawn])),  # NO_LAWFUL_GROUND, CONSENT_WITHDRAWN
        decided(request(consents=[consent(purposes=["customer_service"])])),  # request-level
        decided(request(to=processor(disclosed=False))),  # NOT_DISCLOSED
        decided(request(to=recipient(safeguards=False))),  # CONTRACT_SAFEGUARDS_MISSING
        decided(request(suspended=True)),  # TRANSFER_SUSPENDED
        decided(request(["card_number"], purpose="payment", to=processor())),  # ROLE_NOT_PERMITTED
    ]


def test_the_reason_fixtures_cover_every_reason_code() -> None:
    seen = {r.code for d in _every_reason_decisions() for r in d.reasons}
    assert seen == set(ReasonCode)


def test_every_reason_has_korean_and_english_text() -> None:
    for decision in _every_reason_decisions():
        for reason in decision.reasons:
            assert reason.en.strip(), reason
            assert reason.ko.strip(), reason
            assert "{" not in reason.en
            assert "{" not in reason.ko


def test_item_reasons_name_the_item_in_both_languages() -> None:
    for decision in _every_reason_decisions():
        for reason in decision.reasons:
            if reason.item is not None:
                assert reason.item.value in reason.en, reason
                assert PACK.item_labels[reason.item] in reason.ko, reason


RECIPIENT_CODES = {NO_GROUND, WITHDRAWN, NOT_DISCLOSED, SAFEGUARDS}
RECIPIENT_NAMES = ("Shenzhen Example Trading Co., Ltd.", "Global Parcel Logistics Ltd.")


def test_request_reasons_name_the_recipient_in_both_languages() -> None:
    for decision in _every_reason_decisions():
        for reason in decision.reasons:
            if reason.code in RECIPIENT_CODES:
                assert any(name in reason.en for name in RECIPIENT_NAMES), reason
                assert any(name in reason.ko for name in RECIPIENT_NAMES), reason


def test_no_lawful_ground_names_the_country_and_purpose() -> None:
    (reason,) = decided(request(to=recipient())).reasons
    assert reason.en == (
        "no lawful ground allows giving data to Shenzhen Example Trading Co., Ltd. (CN) "
        "for shipping"
    )
    assert "배송" in reason.ko
    assert "(CN)" in reason.ko


def test_role_not_permitted_names_the_roles_that_may_receive() -> None:
    decision = decided(request(["card_number"], purpose="payment", to=processor()))
    (reason,) = decision.reasons
    assert reason.en == "card_number for payment may go only to: payment_processor"
    assert "결제대행사" in reason.ko


def test_request_level_reasons_leave_no_empty_template_slot() -> None:
    # A request-level reason has no item, so a template slot for the item renders empty:
    # "the consent does not cover  for shipping". Every request-level text must read whole.
    decision = decided(request(consents=[consent(purposes=["customer_service"])]))
    for reason in decision.reasons:
        assert reason.item is None
        assert "  " not in reason.en, reason.en
        assert "의 이(가)" not in reason.ko, reason.ko


def test_item_reason_texts_may_not_name_the_recipient_so_the_shared_cache_never_leaks() -> None:
    # Item-level texts are built once per (code, item, purpose) and shared by every request;
    # a pack naming the recipient in one would repeat the first recipient's name to the next,
    # so such a pack is refused at load time.
    data = json.loads(
        resources.files("databorder.policy.packs").joinpath("pipa.json").read_text("utf-8")
    )
    data["reasons"]["ITEM_NOT_NEEDED"]["en"] = "{recipient} does not need {item} for {purpose}"
    with pytest.raises(
        PackError,
        match=r"reasons\.ITEM_NOT_NEEDED\.en: an item-level text cannot use \['recipient'\]",
    ):
        compile_pack(data)


# --- the engine as a function --------------------------------------------------------------


def test_engine_decides_like_the_function() -> None:
    engine = Engine(PACK)
    requests = [
        request(CONTRACT_ITEMS, consents=[consent(items=["name"])]),
        request(to=processor(disclosed=False)),
        request(["email"], purpose="marketing", consents=[MARKETING]),
    ]
    assert engine.decide_many(requests) == [decide(r, PACK) for r in requests]
    assert [engine.decide(r) for r in requests] == [decide(r, PACK) for r in requests]


def test_a_request_without_items_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        decide(request(items=()), PACK)


def test_a_request_for_another_pack_is_an_error() -> None:
    other = request()
    other = DecisionRequest(
        at=other.at,
        subject=other.subject,
        recipient=other.recipient,
        purpose=other.purpose,
        items=other.items,
        pack="gdpr",
    )
    with pytest.raises(ValueError, match="'gdpr'"):
        decide(other, PACK)


def test_decision_items_keep_the_request_order() -> None:
    order = ("postal_code", "rrn", "name", "phone")
    assert tuple(items_of(decided(request(order, to=processor())))) == order
