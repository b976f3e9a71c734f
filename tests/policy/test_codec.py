"""The decision contract's JSON at the boundary (policy/codec.py, contract version 2): parse
strictly, name the field path of every error, point a v1 caller at the field that replaced the
one it sent, and emit exactly the contract's keys (plus `rule`)."""

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from databorder.model import ConsentKind, DataItem, Purpose, RecipientRole
from databorder.policy import Engine, load_pack, load_pack_file
from databorder.policy.codec import DecisionRequestIn, decision_to_json

# The request of contracts/decision.md (version 2), verbatim.
CONTRACT_REQUEST = """
{
  "at": "2026-11-23T10:00:00+09:00",
  "pack": "pipa",
  "notice_in_force": "2026-11-01",
  "subject": {
    "id": "b-1",
    "residence": "KR",
    "transfer_suspended": false,
    "consents": [
      {"id": "c-1", "kind": "third_party_provision", "notice_version": "2026-11-01",
       "recipients": ["s-9"], "countries": [], "items": ["name", "phone", "address"],
       "purposes": ["shipping"], "given_at": "2026-11-01T09:00:00+09:00", "withdrawn_at": null},
      {"id": "c-2", "kind": "overseas_transfer", "notice_version": "2026-11-01",
       "recipients": [], "countries": ["CN"], "items": ["name", "phone", "address"],
       "purposes": ["shipping"], "given_at": "2026-11-01T09:00:00+09:00", "withdrawn_at": null}
    ]
  },
  "recipient": {
    "id": "s-9", "name": "Shenzhen Example Trading Co., Ltd.", "country": "CN",
    "role": "seller",
    "contact": {"email": "privacy@example.cn", "phone": "+86 755 1234 5678"},
    "certifications": [], "certification_measures": false, "contract_safeguards": true,
    "notices": ["2026-10-01", "2026-11-01"], "retention_days": 30, "data_countries": []
  },
  "suspension_orders": [],
  "purpose": "shipping",
  "items": ["name", "phone", "address", "postal_code", "card_number"],
  "legal_mandate": null
}
"""
EXAMPLE: dict[str, Any] = json.loads(CONTRACT_REQUEST)

# The request of contract version 1, as a v1 caller still sends it.
V1_REQUEST: dict[str, Any] = json.loads("""
{
  "at": "2026-11-23T10:00:00+09:00",
  "pack": "pipa",
  "subject": {
    "id": "b-1", "residence": "KR", "transfer_suspended": false,
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
  "legal_mandate": {"citation": "Customs Act Art. 241"}
}
""")

KST = timezone(timedelta(hours=9))
ENGINE = Engine(load_pack("pipa"))

# The keys of the contract's decision, in its order, plus `rule` (the pack rule that settled it).
DECISION_KEYS = [
    "allowed",
    "cross_border",
    "ground",
    "article",
    "bases",
    "items",
    "access_expires_after_delivery_days",
    "reasons",
    "rule",
]

Json = dict[str, Any]
Loc = tuple[str | int, ...]


def edited(change: Callable[[Json], object]) -> Json:
    data = copy.deepcopy(EXAMPLE)
    change(data)
    return data


def parse(data: Json) -> DecisionRequestIn:
    return DecisionRequestIn.model_validate(data)


def decide(data: Json) -> Json:
    return decision_to_json(ENGINE.decide(parse(data).to_request()))


def errors(data: Json) -> list[tuple[Loc, str]]:
    """Every validation error as (field path, message)."""
    with pytest.raises(ValidationError) as caught:
        parse(data)
    return [(tuple(e["loc"]), e["msg"]) for e in caught.value.errors()]


def only_error(data: Json) -> tuple[Loc, str]:
    (error,) = errors(data)
    return error


def order(**fields: Any) -> Json:
    return {"id": "o-1", "from": "2026-11-01T00:00:00+09:00", **fields}


# --- the contract's example --------------------------------------------------------------------


def test_the_contracts_example_request_parses_into_the_engines_facts() -> None:
    request = parse(EXAMPLE).to_request()
    assert request.at == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert request.at.utcoffset() == timedelta(hours=9)
    assert request.pack == "pipa"
    assert request.notice_in_force == "2026-11-01"
    assert request.subject.residence == "KR"
    provision, transfer = request.subject.consents
    assert (provision.id, provision.kind) == ("c-1", ConsentKind.THIRD_PARTY_PROVISION)
    assert provision.recipients == {"s-9"}
    assert provision.countries == frozenset()
    assert (transfer.id, transfer.kind) == ("c-2", ConsentKind.OVERSEAS_TRANSFER)
    assert transfer.recipients == frozenset()
    assert transfer.countries == {"CN"}
    assert transfer.notice_version == "2026-11-01"
    assert transfer.items == {DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS}
    assert transfer.purposes == {Purpose.SHIPPING}
    assert transfer.given_at == datetime(2026, 11, 1, 9, 0, tzinfo=KST)
    assert transfer.withdrawn_at is None
    recipient = request.recipient
    assert recipient.role is RecipientRole.SELLER
    assert recipient.notices == {"2026-10-01", "2026-11-01"}
    assert recipient.certification_measures is False
    assert recipient.contract_safeguards is True
    assert recipient.data_countries == ()
    assert recipient.retention_days == 30
    assert recipient.contact.email == "privacy@example.cn"
    assert request.suspension_orders == ()
    assert request.purpose is Purpose.SHIPPING
    assert request.items == (
        DataItem.NAME,
        DataItem.PHONE,
        DataItem.ADDRESS,
        DataItem.POSTAL_CODE,
        DataItem.CARD_NUMBER,
    )
    assert request.legal_mandate is None


def test_the_contracts_example_decides_to_the_contracts_example_decision() -> None:
    decision = decide(EXAMPLE)
    texts = [{k: r.pop(k) for k in ("en", "ko")} for r in decision["reasons"]]
    assert decision == {
        "allowed": True,
        "cross_border": True,
        "ground": "consent",
        "article": "PIPA 28-8(1)1",
        "bases": [
            {
                "basis": "provision",
                "ground": "consent",
                "article": "PIPA 17(1)1",
                "consent_id": "c-1",
            },
            {
                "basis": "transfer",
                "ground": "consent",
                "article": "PIPA 28-8(1)1",
                "consent_id": "c-2",
            },
        ],
        "items": {
            "name": "plain",
            "phone": "relay",
            "address": "plain",
            "postal_code": "deny",
            "card_number": "deny",
        },
        "access_expires_after_delivery_days": 30,
        "reasons": [
            {"code": "CONSENT_DOES_NOT_COVER", "item": "postal_code"},
            {"code": "ITEM_NOT_NEEDED", "item": "card_number"},
        ],
        "rule": "R6.bases",
    }
    assert all(t["en"].strip() and t["ko"].strip() for t in texts)


# --- the decision's JSON ---------------------------------------------------------------------

SUSPENDED = edited(lambda d: d["subject"].__setitem__("transfer_suspended", True))
MANDATED = edited(
    lambda d: (
        d["recipient"].update({"country": "KR", "role": "customs_broker"}),
        d.update(purpose="customs_clearance", legal_mandate={"id": "KR-CUSTOMS-ACT-241"}),
    )
)
DECISIONS = [
    pytest.param(EXAMPLE, id="allowed"),
    pytest.param(SUSPENDED, id="refused"),
    pytest.param(MANDATED, id="mandate"),
]


@pytest.mark.parametrize("request_json", DECISIONS)
def test_a_decision_has_exactly_the_contracts_keys_plus_rule(request_json: Json) -> None:
    decision = decide(request_json)
    assert list(decision) == DECISION_KEYS
    assert decision["reasons"]
    for reason in decision["reasons"]:
        assert set(reason) == {"code", "item", "en", "ko"}
    for basis in decision["bases"]:
        assert set(basis) in (
            {"basis", "ground", "article"},
            {"basis", "ground", "article", "consent_id"},
            {"basis", "ground", "article", "mandate_id"},
        )
    assert json.loads(json.dumps(decision)) == decision


def test_a_mandate_basis_names_the_mandate_by_id() -> None:
    decision = decide(MANDATED)
    assert decision["bases"] == [
        {
            "basis": "mandate",
            "ground": "legal_mandate",
            "article": "PIPA 17(1)2 (Customs Act Art. 241)",
            "mandate_id": "KR-CUSTOMS-ACT-241",
        }
    ]


def test_a_refusal_has_no_ground_no_bases_and_no_expiry() -> None:
    decision = decide(SUSPENDED)
    assert decision["allowed"] is False
    assert (decision["ground"], decision["article"], decision["bases"]) == (None, None, [])
    assert decision["access_expires_after_delivery_days"] is None
    assert set(decision["items"].values()) == {"deny"}
    assert [(r["code"], r["item"]) for r in decision["reasons"]] == [("TRANSFER_SUSPENDED", None)]


# --- version 1 fields that moved -------------------------------------------------------------


def test_disclosed_in_notice_points_to_recipient_notices_and_notice_in_force() -> None:
    loc, message = only_error(
        edited(lambda d: d["recipient"].__setitem__("disclosed_in_notice", True))
    )
    assert loc == ("recipient",)
    assert "disclosed_in_notice" in message
    assert "recipient.notices" in message
    assert "notice_in_force" in message


def test_legal_mandate_citation_points_to_legal_mandate_id() -> None:
    loc, message = only_error(
        edited(lambda d: d.__setitem__("legal_mandate", {"citation": "Customs Act Art. 241"}))
    )
    assert loc == ("legal_mandate",)
    assert "legal_mandate.citation" in message
    assert "legal_mandate.id" in message


def test_a_whole_v1_request_is_told_where_each_moved_field_went() -> None:
    found = dict(errors(V1_REQUEST))
    assert "recipient.notices" in found[("recipient",)]
    assert "legal_mandate.id" in found[("legal_mandate",)]
    assert ("notice_in_force",) in found


# --- strict parsing, with the field path -----------------------------------------------------

UNKNOWN_KEYS = [
    pytest.param(lambda d: d.__setitem__("verdict", "yes"), ("verdict",), id="top level"),
    pytest.param(
        lambda d: d["subject"].__setitem__("nationality", "KR"),
        ("subject", "nationality"),
        id="subject",
    ),
    pytest.param(
        lambda d: d["subject"]["consents"][1].__setitem__("scope", "all"),
        ("subject", "consents", 1, "scope"),
        id="consent",
    ),
    pytest.param(
        lambda d: d["recipient"].__setitem__("disclosed", True),
        ("recipient", "disclosed"),
        id="recipient",
    ),
    pytest.param(
        lambda d: d["recipient"]["contact"].__setitem__("fax", "+86 755 0"),
        ("recipient", "contact", "fax"),
        id="contact",
    ),
    pytest.param(
        lambda d: d.__setitem__("suspension_orders", [order(country="CN", reason="x")]),
        ("suspension_orders", 0, "reason"),
        id="suspension order",
    ),
    pytest.param(
        lambda d: d.__setitem__("legal_mandate", {"id": "KR-CUSTOMS-ACT-241", "statute": "x"}),
        ("legal_mandate", "statute"),
        id="legal mandate",
    ),
]


@pytest.mark.parametrize(("change", "loc"), UNKNOWN_KEYS)
def test_unknown_keys_are_rejected_with_their_path(
    change: Callable[[Json], object], loc: Loc
) -> None:
    assert only_error(edited(change)) == (loc, "Extra inputs are not permitted")


def test_a_suspension_orders_from_is_spelled_from_not_from_underscore() -> None:
    """`from_` is the Python attribute, not a contract key: "Unknown keys are rejected"."""
    data = edited(
        lambda d: d.__setitem__(
            "suspension_orders",
            [{"id": "o-1", "country": "CN", "from_": "2026-11-01T00:00:00+09:00"}],
        )
    )
    assert (("suspension_orders", 0, "from_"), "Extra inputs are not permitted") in errors(data)


NAIVE = "2026-11-01T09:00:00"
NAIVE_INSTANTS = [
    pytest.param(lambda d: d.__setitem__("at", NAIVE), ("at",), id="at"),
    pytest.param(
        lambda d: d["subject"]["consents"][0].__setitem__("given_at", NAIVE),
        ("subject", "consents", 0, "given_at"),
        id="given_at",
    ),
    pytest.param(
        lambda d: d["subject"]["consents"][1].__setitem__("withdrawn_at", "2026-11-20T09:00:00"),
        ("subject", "consents", 1, "withdrawn_at"),
        id="withdrawn_at",
    ),
    pytest.param(
        lambda d: d.__setitem__("suspension_orders", [order(country="CN", **{"from": NAIVE})]),
        ("suspension_orders", 0, "from"),
        id="order from",
    ),
    pytest.param(
        lambda d: d.__setitem__(
            "suspension_orders", [order(country="CN", to="2026-11-30T00:00:00")]
        ),
        ("suspension_orders", 0, "to"),
        id="order to",
    ),
]


@pytest.mark.parametrize(("change", "loc"), NAIVE_INSTANTS)
def test_naive_datetimes_are_rejected_with_their_path(
    change: Callable[[Json], object], loc: Loc
) -> None:
    found_loc, message = only_error(edited(change))
    assert found_loc == loc
    assert "must include a UTC offset" in message


UNKNOWN_COUNTRIES = [
    pytest.param(
        lambda d: d["subject"].__setitem__("residence", "UK"),
        ("subject", "residence"),
        id="residence",
    ),
    pytest.param(
        lambda d: d["recipient"].__setitem__("country", "XX"),
        ("recipient", "country"),
        id="recipient country",
    ),
    pytest.param(
        lambda d: d["recipient"].__setitem__("data_countries", ["US", "EU"]),
        ("recipient", "data_countries", 1),
        id="data country",
    ),
    pytest.param(
        lambda d: d["subject"]["consents"][1].__setitem__("countries", ["CN", "ZZ"]),
        ("subject", "consents", 1, "countries", 1),
        id="consent country",
    ),
    pytest.param(
        lambda d: d.__setitem__("suspension_orders", [order(country="XK")]),
        ("suspension_orders", 0, "country"),
        id="suspension order country",
    ),
]


@pytest.mark.parametrize(("change", "loc"), UNKNOWN_COUNTRIES)
def test_unknown_countries_are_rejected_with_their_path(
    change: Callable[[Json], object], loc: Loc
) -> None:
    found_loc, message = only_error(edited(change))
    assert found_loc == loc
    assert "ISO 3166-1 alpha-2" in message


BAD_ORDERS = [
    pytest.param(
        order(recipient="s-9", country="CN"), "exactly one of recipient and country", id="both"
    ),
    pytest.param(order(), "exactly one of recipient and country", id="neither"),
    pytest.param(
        order(recipient=None, country=None), "exactly one of recipient and country", id="nulls"
    ),
    pytest.param(
        order(country="CN", to="2026-11-01T00:00:00+09:00"),
        "'to' must be after its 'from'",
        id="to equals from",
    ),
    pytest.param(
        order(country="CN", to="2026-10-31T14:59:59Z"),
        "'to' must be after its 'from'",
        id="to before from",
    ),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ORDERS)
def test_an_incoherent_suspension_order_is_rejected(bad: Json, message: str) -> None:
    good = order(recipient="s-0")
    loc, found = only_error(edited(lambda d: d.__setitem__("suspension_orders", [good, bad])))
    assert loc == ("suspension_orders", 1)
    assert message in found


def test_a_consent_withdrawn_before_it_was_given_is_rejected() -> None:
    loc, message = only_error(
        edited(
            lambda d: d["subject"]["consents"][1].__setitem__(
                "withdrawn_at", "2026-11-01T08:59:59+09:00"
            )
        )
    )
    assert loc == ("subject", "consents", 1)
    assert "withdrawn_at is before given_at" in message


def test_a_consent_withdrawn_the_instant_it_was_given_is_accepted() -> None:
    request = parse(
        edited(
            lambda d: d["subject"]["consents"][1].__setitem__(
                "withdrawn_at", "2026-11-01T00:00:00Z"
            )
        )
    ).to_request()
    assert request.subject.consents[1].withdrawn_at == request.subject.consents[1].given_at


def test_a_consent_naming_no_recipient_and_no_country_is_rejected() -> None:
    loc, message = only_error(
        edited(lambda d: d["subject"]["consents"][0].__setitem__("recipients", []))
    )
    assert loc == ("subject", "consents", 0)
    assert "at least one recipient or country" in message


def test_a_request_with_no_items_is_rejected() -> None:
    loc, _ = only_error(edited(lambda d: d.__setitem__("items", [])))
    assert loc == ("items",)


# Identifiers are the one `model.fields.Ident` (what the registry and the tables hold).
BAD_IDS = [
    pytest.param(lambda d: d["subject"].__setitem__("id", "b 1"), ("subject", "id"), id="space"),
    pytest.param(
        lambda d: d["recipient"].__setitem__("id", "s" * 65), ("recipient", "id"), id="too long"
    ),
    pytest.param(
        lambda d: d["subject"]["consents"][0].__setitem__("recipients", ["-s-9"]),
        ("subject", "consents", 0, "recipients", 0),
        id="leading dash",
    ),
    pytest.param(
        lambda d: d.__setitem__("legal_mandate", {"id": ""}),
        ("legal_mandate", "id"),
        id="empty mandate",
    ),
]


@pytest.mark.parametrize(("change", "loc"), BAD_IDS)
def test_identifiers_are_checked_as_the_registry_checks_them(
    change: Callable[[Json], object], loc: Loc
) -> None:
    found_loc, _ = only_error(edited(change))
    assert found_loc == loc


def test_an_identifier_as_long_as_the_tables_hold_is_accepted() -> None:
    longest = "b" * 64
    assert parse(edited(lambda d: d["subject"].__setitem__("id", longest))).subject.id == longest


# --- what the codec does with valid input ----------------------------------------------------


def test_a_suspension_order_is_written_with_from_and_applies_from_then() -> None:
    active = edited(lambda d: d.__setitem__("suspension_orders", [order(country="CN")]))
    (parsed,) = parse(active).to_request().suspension_orders
    assert parsed.from_ == datetime(2026, 11, 1, 0, 0, tzinfo=KST)
    assert (parsed.country, parsed.recipient, parsed.to) == ("CN", None, None)
    assert [r["code"] for r in decide(active)["reasons"]] == ["TRANSFER_ORDER_SUSPENDED"]
    ended = edited(
        lambda d: d.__setitem__(
            "suspension_orders", [order(country="CN", to="2026-11-23T10:00:00+09:00")]
        )
    )
    assert decide(ended)["allowed"] is True


def test_duplicate_items_and_data_countries_collapse_in_first_seen_order() -> None:
    request = parse(
        edited(
            lambda d: (
                d.update(items=["phone", "name", "phone", "address", "name"]),
                d["recipient"].update(data_countries=["US", "JP", "us", "US"]),
            )
        )
    ).to_request()
    assert request.items == (DataItem.PHONE, DataItem.NAME, DataItem.ADDRESS)
    assert request.recipient.data_countries == ("US", "JP")


def test_the_decision_lists_each_requested_item_once() -> None:
    decision = decide(edited(lambda d: d.__setitem__("items", ["phone", "name", "phone"])))
    assert decision["items"] == {"phone": "relay", "name": "plain"}


def test_notice_in_force_null_is_accepted_and_discloses_no_one() -> None:
    data = edited(lambda d: d.__setitem__("notice_in_force", None))
    assert parse(data).to_request().notice_in_force is None
    assert [(r["code"], r["item"]) for r in decide(data)["reasons"]] == [("NOT_DISCLOSED", None)]


def test_a_reason_is_emitted_in_the_languages_of_the_pack_that_gave_it() -> None:
    toy = Engine(load_pack_file(str(Path(__file__).parent / "toy_pack.json")))
    berlin = edited(
        lambda d: (
            d.update(pack="toy"),
            d["recipient"].update({"id": "s-de", "name": "Berlin Waren GmbH", "country": "DE"}),
            d["subject"]["consents"][0].update(recipients=["s-de"]),
        )
    )
    decision = decision_to_json(toy.decide(parse(berlin).to_request()))
    assert decision["cross_border"] is False
    assert decision["bases"] == [
        {"basis": "provision", "ground": "consent", "article": "TOY 6(1)a", "consent_id": "c-1"}
    ]
    assert [set(r) for r in decision["reasons"]] == [{"code", "item", "en", "de"}] * 2
