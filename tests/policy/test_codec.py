"""The decision contract's JSON at the boundary: parse strictly, emit exactly the contract's keys."""

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from databorder.model import ConsentKind, DataItem, Purpose, RecipientRole
from databorder.policy import Engine, load_pack
from databorder.policy.codec import DecisionRequestIn, decision_to_json

# The request of contracts/decision.md, verbatim.
CONTRACT_REQUEST = """
{
  "at": "2026-11-23T10:00:00+09:00",
  "pack": "pipa",
  "subject": {
    "id": "b-1",
    "residence": "KR",
    "transfer_suspended": false,
    "consents": [
      {"id": "c-1", "kind": "overseas_transfer", "notice_version": "2026-11-01",
       "recipients": ["s-9"], "countries": [], "items": ["name", "phone", "address"],
       "purposes": ["shipping"], "given_at": "2026-11-01T09:00:00+09:00", "withdrawn_at": null}
    ]
  },
  "recipient": {
    "id": "s-9", "name": "Shenzhen Example Trading Co., Ltd.", "country": "CN",
    "role": "seller",
    "contact": {"email": "privacy@example.cn", "phone": "+86 755 1234 5678"},
    "certifications": [], "contract_safeguards": true,
    "disclosed_in_notice": true, "retention_days": 30
  },
  "purpose": "shipping",
  "items": ["name", "phone", "address", "postal_code", "card_number"],
  "legal_mandate": null
}
"""
EXAMPLE: dict[str, Any] = json.loads(CONTRACT_REQUEST)
KST = timezone(timedelta(hours=9))

# The decision contract's keys, plus the two the lead added (interpretation (h)).
DECISION_KEYS = [
    "allowed",
    "cross_border",
    "ground",
    "article",
    "items",
    "access_expires_after_delivery_days",
    "reasons",
    "rule",
    "consent_id",
]


def edited(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    change(data)
    return data


def parse(data: dict[str, Any]) -> DecisionRequestIn:
    return DecisionRequestIn.model_validate(data)


def error_at(data: dict[str, Any]) -> tuple[tuple[str | int, ...], str]:
    """The location and message of the first validation error."""
    with pytest.raises(ValidationError) as caught:
        parse(data)
    first = caught.value.errors()[0]
    return tuple(first["loc"]), first["msg"]


def test_contract_example_request_parses() -> None:
    request = parse(EXAMPLE).to_request()
    assert request.at == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert request.at.utcoffset() == timedelta(hours=9)
    assert request.pack == "pipa"
    assert request.subject.residence == "KR"
    assert request.subject.transfer_suspended is False
    (consent,) = request.subject.consents
    assert consent.kind is ConsentKind.OVERSEAS_TRANSFER
    assert consent.recipients == frozenset({"s-9"})
    assert consent.countries == frozenset()
    assert consent.items == frozenset({DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS})
    assert consent.purposes == frozenset({Purpose.SHIPPING})
    assert consent.given_at == datetime(2026, 11, 1, 9, 0, tzinfo=KST)
    assert consent.withdrawn_at is None
    assert request.recipient.role is RecipientRole.SELLER
    assert request.recipient.contact.email == "privacy@example.cn"
    assert request.recipient.contact.phone == "+8675512345678"  # stored in E.164
    assert request.recipient.retention_days == 30
    assert request.purpose is Purpose.SHIPPING
    assert request.items == (
        DataItem.NAME,
        DataItem.PHONE,
        DataItem.ADDRESS,
        DataItem.POSTAL_CODE,
        DataItem.CARD_NUMBER,
    )
    assert request.legal_mandate is None


def test_contract_example_decides_to_the_contracts_decision_under_rule_4() -> None:
    decision = Engine(load_pack()).decide(parse(EXAMPLE).to_request())
    assert decision_to_json(decision) == {
        "allowed": True,
        "cross_border": True,
        "ground": "consent",
        "article": "PIPA 28-8(1)1",
        # The contract's example shows postal_code plain; its consent does not cover it, and
        # numbered rule 4 denies what the consent does not cover.
        "items": {
            "name": "plain",
            "phone": "relay",
            "address": "plain",
            "postal_code": "deny",
            "card_number": "deny",
        },
        "access_expires_after_delivery_days": 30,
        "reasons": [
            {
                "code": "ITEM_NOT_NEEDED",
                "item": "card_number",
                "en": "card_number is not needed for shipping",
                "ko": "카드번호은(는) 배송 목적에 필요하지 않습니다",
            },
            {
                "code": "CONSENT_DOES_NOT_COVER",
                "item": "postal_code",
                "en": "the consent does not cover postal_code for shipping",
                "ko": "동의 범위에 배송 목적의 우편번호이(가) 포함되어 있지 않습니다",
            },
        ],
        "rule": "R4.consent",
        "consent_id": "c-1",
    }


def test_decision_json_has_exactly_the_contracts_keys_plus_rule_and_consent_id() -> None:
    engine = Engine(load_pack())
    allowed = decision_to_json(engine.decide(parse(EXAMPLE).to_request()))
    refused = decision_to_json(
        engine.decide(
            parse(edited(lambda d: d["subject"].__setitem__("consents", []))).to_request()
        )
    )
    for emitted in (allowed, refused):
        assert list(emitted) == DECISION_KEYS
        for reason in emitted["reasons"]:
            assert list(reason) == ["code", "item", "en", "ko"]
    assert refused["allowed"] is False
    assert refused["ground"] is None
    assert refused["consent_id"] is None
    assert refused["access_expires_after_delivery_days"] is None
    assert refused["reasons"][0] == {
        "code": "NO_LAWFUL_GROUND",
        "item": None,
        "en": "no lawful ground allows giving data to Shenzhen Example Trading Co., Ltd. (CN) "
        "for shipping",
        "ko": "Shenzhen Example Trading Co., Ltd.(CN)에 배송 목적으로 개인정보를 제공할 법적 "
        "근거가 없습니다",
    }


def test_decision_json_is_plain_json() -> None:
    emitted = decision_to_json(Engine(load_pack()).decide(parse(EXAMPLE).to_request()))
    assert json.loads(json.dumps(emitted, ensure_ascii=False)) == emitted


def test_a_legal_mandate_parses_with_its_citation() -> None:
    citation = "관세법 제241조 (Customs Act Art. 241)"
    data = edited(lambda d: d.__setitem__("legal_mandate", {"citation": citation}))
    mandate = parse(data).to_request().legal_mandate
    assert mandate is not None
    assert mandate.citation == citation


def test_pack_defaults_to_pipa() -> None:
    assert parse(edited(lambda d: d.pop("pack"))).to_request().pack == "pipa"


def test_lower_case_countries_are_normalised() -> None:
    def lower(d: dict[str, Any]) -> None:
        d["subject"]["residence"] = "kr"
        d["recipient"]["country"] = "cn"
        d["subject"]["consents"][0]["countries"] = ["cn"]

    request = parse(edited(lower)).to_request()
    assert request.subject.residence == "KR"
    assert request.recipient.country == "CN"
    assert request.subject.consents[0].countries == frozenset({"CN"})


def test_repeated_items_are_asked_once_in_their_first_order() -> None:
    data = edited(lambda d: d.__setitem__("items", ["phone", "name", "phone"]))
    assert parse(data).to_request().items == (DataItem.PHONE, DataItem.NAME)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(lambda d: d.__setitem__("note", "x"), ("note",), id="top level"),
        pytest.param(
            lambda d: d["subject"].__setitem__("age", 40), ("subject", "age"), id="subject"
        ),
        pytest.param(
            lambda d: d["subject"]["consents"][0].__setitem__("scope", "all"),
            ("subject", "consents", 0, "scope"),
            id="consent",
        ),
        pytest.param(
            lambda d: d["recipient"].__setitem__("agent", "x"),
            ("recipient", "agent"),
            id="recipient",
        ),
        pytest.param(
            lambda d: d["recipient"]["contact"].__setitem__("fax", "x"),
            ("recipient", "contact", "fax"),
            id="contact",
        ),
        pytest.param(
            lambda d: d.__setitem__("legal_mandate", {"citation": "관세법 제241조", "year": 2026}),
            ("legal_mandate", "year"),
            id="mandate",
        ),
    ],
)
def test_unknown_keys_are_rejected(
    change: Callable[[dict[str, Any]], object], where: tuple[str | int, ...]
) -> None:
    assert error_at(edited(change)) == (where, "Extra inputs are not permitted")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(lambda d: d.__setitem__("at", "2026-11-23T10:00:00"), ("at",), id="at"),
        pytest.param(
            lambda d: d["subject"]["consents"][0].__setitem__("given_at", "2026-11-01T09:00:00"),
            ("subject", "consents", 0, "given_at"),
            id="given_at",
        ),
        pytest.param(
            lambda d: d["subject"]["consents"][0].__setitem__("withdrawn_at", "2026-11-02T09:00"),
            ("subject", "consents", 0, "withdrawn_at"),
            id="withdrawn_at",
        ),
    ],
)
def test_naive_datetimes_are_rejected(
    change: Callable[[dict[str, Any]], object], where: tuple[str | int, ...]
) -> None:
    loc, message = error_at(edited(change))
    assert loc == where
    assert "must include a UTC offset" in message


@pytest.mark.parametrize("code", ["XX", "UK", "KOR", ""])
@pytest.mark.parametrize(
    ("field", "where"),
    [
        (("recipient", "country"), ("recipient", "country")),
        (("subject", "residence"), ("subject", "residence")),
    ],
)
def test_unknown_countries_are_rejected(
    code: str, field: tuple[str, str], where: tuple[str, ...]
) -> None:
    data = edited(lambda d: d[field[0]].__setitem__(field[1], code))
    loc, message = error_at(data)
    assert loc == where
    assert f"ISO 3166-1 alpha-2 code such as 'KR' or 'CN', got {code!r}" in message


def test_unknown_country_in_a_consent_is_rejected() -> None:
    data = edited(lambda d: d["subject"]["consents"][0].__setitem__("countries", ["UK"]))
    loc, _ = error_at(data)
    assert loc == ("subject", "consents", 0, "countries", 0)


def test_consent_withdrawn_before_it_was_given_is_rejected() -> None:
    data = edited(
        lambda d: d["subject"]["consents"][0].__setitem__(
            "withdrawn_at", "2026-11-01T08:59:59+09:00"
        )
    )
    loc, message = error_at(data)
    assert loc == ("subject", "consents", 0)
    assert "withdrawn_at is before given_at" in message


def test_consent_withdrawn_the_moment_it_was_given_is_accepted() -> None:
    data = edited(
        lambda d: d["subject"]["consents"][0].__setitem__(
            "withdrawn_at", "2026-11-01T00:00:00+00:00"
        )
    )
    (consent,) = parse(data).to_request().subject.consents
    assert consent.withdrawn_at == consent.given_at


def test_consent_naming_nobody_is_rejected() -> None:
    data = edited(lambda d: d["subject"]["consents"][0].__setitem__("recipients", []))
    loc, message = error_at(data)
    assert loc == ("subject", "consents", 0)
    assert "must name at least one recipient or country" in message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(lambda d: d.__setitem__("items", []), ("items",), id="request items"),
        pytest.param(
            lambda d: d["subject"]["consents"][0].__setitem__("items", []),
            ("subject", "consents", 0, "items"),
            id="consent items",
        ),
        pytest.param(
            lambda d: d["subject"]["consents"][0].__setitem__("purposes", []),
            ("subject", "consents", 0, "purposes"),
            id="consent purposes",
        ),
    ],
)
def test_empty_lists_are_rejected(
    change: Callable[[dict[str, Any]], object], where: tuple[str | int, ...]
) -> None:
    loc, message = error_at(edited(change))
    assert loc == where
    assert "at least 1 item" in message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        pytest.param(lambda d: d.__setitem__("purpose", "dating"), ("purpose",), id="purpose"),
        pytest.param(lambda d: d.__setitem__("items", ["name", "iq"]), ("items", 1), id="item"),
        pytest.param(
            lambda d: d["recipient"].__setitem__("role", "reseller"),
            ("recipient", "role"),
            id="role",
        ),
        pytest.param(
            lambda d: d["subject"]["consents"][0].__setitem__("kind", "implied"),
            ("subject", "consents", 0, "kind"),
            id="consent kind",
        ),
        pytest.param(
            lambda d: d["recipient"].__setitem__("retention_days", 0),
            ("recipient", "retention_days"),
            id="retention",
        ),
        pytest.param(
            lambda d: d["recipient"]["contact"].__setitem__("email", "privacy@"),
            ("recipient", "contact", "email"),
            id="email",
        ),
        pytest.param(
            lambda d: d["recipient"]["contact"].__setitem__("phone", "12345"),
            ("recipient", "contact", "phone"),
            id="phone",
        ),
        pytest.param(
            lambda d: d["recipient"].pop("contract_safeguards"),
            ("recipient", "contract_safeguards"),
            id="missing safeguards flag",
        ),
        pytest.param(
            lambda d: d.__setitem__("legal_mandate", {"citation": ""}),
            ("legal_mandate", "citation"),
            id="empty citation",
        ),
    ],
)
def test_values_outside_the_contract_are_rejected_naming_the_field(
    change: Callable[[dict[str, Any]], object], where: tuple[str | int, ...]
) -> None:
    loc, _ = error_at(edited(change))
    assert loc == where
