"""The rule-pack loader: the shipped pack loads, and a broken pack fails at load time, naming
the place, never silently at decision time (STYLE.md: fail closed)."""

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from databorder.model import DataItem, Ground, Purpose, ReasonCode, RecipientRole
from databorder.policy import PackError, compile_pack, load_pack, load_pack_file

SHIPPED: dict[str, Any] = json.loads(
    resources.files("databorder.policy.packs").joinpath("pipa.json").read_text("utf-8")
)

# Every rule id the engine can put on a decision (`Decision.rule`), so each must be in the pack.
ENGINE_RULES = {
    "R2.suspended",
    "R2.safeguards",
    "R3.needed",
    "R3.prohibited",
    "R3.payment",
    "R4.legal_mandate",
    "R4.consent",
    "R4.entrusted_contract",
    "R4.certification",
    "R4.adequacy",
    "R4.marketing",
    "R5.seller",
    "R6.not_disclosed",
}


def edited(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """A deep copy of the shipped pack file with one edit applied."""
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


def test_shipped_pack_loads() -> None:
    pack = load_pack("pipa")
    assert pack.name == "pipa"
    assert pack.version == "2026-11-01"
    assert pack.title_en
    assert pack.title_ko
    assert set(pack.purposes) == set(Purpose)
    assert set(pack.reason_texts) == set(ReasonCode)


def test_load_pack_defaults_to_pipa() -> None:
    assert load_pack() == load_pack("pipa")


def test_every_rule_cites_an_article() -> None:
    pack = load_pack()
    assert pack.rules
    for rule in pack.rules.values():
        assert rule.article.startswith("PIPA "), rule
        assert rule.en
        assert rule.ko


def test_every_rule_the_engine_names_is_in_the_pack() -> None:
    assert set(load_pack().rules) >= ENGINE_RULES


def test_the_contracts_numbered_rules_each_have_a_pack_rule() -> None:
    numbers = {rule_id.split(".")[0] for rule_id in load_pack().rules}
    assert numbers == {f"R{n}" for n in range(1, 9)}


def test_shipped_pack_tries_the_grounds_in_the_contracts_order() -> None:
    pack = load_pack()
    assert [g.ground for g in pack.grounds] == [
        Ground.LEGAL_MANDATE,
        Ground.CONSENT,
        Ground.ENTRUSTED_CONTRACT,
        Ground.CERTIFICATION,
        Ground.ADEQUACY,
    ]
    articles = {g.ground: (g.domestic_article, g.cross_border_article) for g in pack.grounds}
    assert articles == {
        Ground.CONSENT: ("PIPA 17(1)1", "PIPA 28-8(1)1"),
        Ground.LEGAL_MANDATE: ("PIPA 17(1)2", "PIPA 28-8(1)2"),
        Ground.ENTRUSTED_CONTRACT: ("PIPA 26", "PIPA 28-8(1)3"),
        Ground.CERTIFICATION: (None, "PIPA 28-8(1)4"),
        Ground.ADEQUACY: (None, "PIPA 28-8(1)5"),
    }


def test_shipped_pack_encodes_the_contracts_items_table() -> None:
    pack = load_pack()
    table = {
        purpose.value: {i.value: d.value for i, d in rule.dispositions.items()}
        for purpose, rule in pack.purposes.items()
    }
    assert table == {
        "shipping": {
            "name": "plain",
            "address": "plain",
            "postal_code": "plain",
            "order_items": "plain",
            "phone": "relay",
        },
        "customs_clearance": {
            "name": "plain",
            "customs_code": "plain",
            "address": "plain",
            "postal_code": "plain",
            "order_items": "plain",
            "phone": "relay",
        },
        "customer_service": {
            "order_items": "plain",
            "phone": "relay",
            "email": "relay",
            "name": "masked",
        },
        "payment": {"name": "plain", "card_number": "plain", "bank_account": "plain"},
        "marketing": {"email": "relay"},
    }
    assert pack.purposes[Purpose.PAYMENT].roles == frozenset({RecipientRole.PAYMENT_PROCESSOR})
    assert pack.prohibited_items == frozenset({DataItem.RRN})
    caps = {p.value: rule.max_access_days for p, rule in pack.purposes.items()}
    assert caps == {
        "shipping": 30,
        "customs_clearance": 30,
        "customer_service": 90,
        "payment": 30,
        "marketing": 365,
    }


def test_shipped_pack_has_korean_labels_for_every_value() -> None:
    pack = load_pack()
    assert set(pack.item_labels) == set(DataItem)
    assert set(pack.purpose_labels) == set(Purpose)
    assert set(pack.role_labels) == set(RecipientRole)
    assert all(pack.item_labels.values())


def test_unknown_pack_name_is_an_error() -> None:
    with pytest.raises(PackError, match=r"unknown rule pack 'gdpr'; available: \['pipa'\]"):
        load_pack("gdpr")


def test_pack_errors_are_value_errors() -> None:
    assert issubclass(PackError, ValueError)


BROKEN_PACKS = [
    pytest.param(
        lambda d: d["purposes"]["shipping"]["plain"].append("shoe_size"),
        r"at purposes\.shipping\.plain\.4: Input should be 'name'",
        id="unknown item",
    ),
    pytest.param(
        lambda d: d["purposes"].__setitem__("dating", d["purposes"]["shipping"]),
        r"at purposes\.dating\.\[key\]: Input should be 'shipping'",
        id="unknown purpose",
    ),
    pytest.param(
        lambda d: d["purposes"].pop("marketing"),
        r"purposes must list every value; missing: \['marketing'\]",
        id="missing purpose",
    ),
    pytest.param(
        lambda d: d["grounds"][0].__setitem__("ground", "legitimate_interest"),
        r"at grounds\.0\.ground: Input should be 'consent'",
        id="unknown ground",
    ),
    pytest.param(
        lambda d: d["grounds"].append(d["grounds"][0]),
        r"at grounds: a ground is listed twice",
        id="ground listed twice",
    ),
    pytest.param(
        lambda d: d["entrusted_roles"].append("broker"),
        r"at entrusted_roles\.3: Input should be 'seller'",
        id="unknown entrusted role",
    ),
    pytest.param(
        lambda d: d["purposes"]["payment"].__setitem__("roles", ["bank"]),
        r"at purposes\.payment\.roles\.0: Input should be 'seller'",
        id="unknown purpose role",
    ),
    pytest.param(
        lambda d: d["reasons"].__setitem__("TOO_LATE", d["reasons"]["NOT_DISCLOSED"]),
        r"at reasons\.TOO_LATE\.\[key\]: Input should be 'NO_LAWFUL_GROUND'",
        id="unknown reason code",
    ),
    pytest.param(
        lambda d: d["reasons"].pop("NOT_DISCLOSED"),
        r"reasons must list every value; missing: \['NOT_DISCLOSED'\]",
        id="missing reason",
    ),
    pytest.param(
        lambda d: d["reasons"]["NOT_DISCLOSED"].__setitem__("ko", ""),
        r"at reasons\.NOT_DISCLOSED\.ko: String should have at least 1 character",
        id="empty reason text",
    ),
    pytest.param(
        lambda d: d["reasons"]["NOT_DISCLOSED"].pop("en"),
        r"at reasons\.NOT_DISCLOSED\.en: Field required",
        id="missing reason text",
    ),
    pytest.param(
        lambda d: d["reasons"]["ITEM_NOT_NEEDED"].__setitem__("en", "{itme} is not needed"),
        r"at reasons\.ITEM_NOT_NEEDED\.en: Value error, unknown placeholder\(s\) \['itme'\]",
        id="unknown placeholder",
    ),
    pytest.param(
        lambda d: d["reasons"]["ITEM_NOT_NEEDED"].__setitem__("ko", "{item.upper} 불필요"),
        r"at reasons\.ITEM_NOT_NEEDED\.ko: Value error, unknown placeholder\(s\) \['item\.upper'\]",
        id="attribute placeholder",
    ),
    pytest.param(
        lambda d: d["reasons"]["ITEM_NOT_NEEDED"].__setitem__("en", "{item is not needed"),
        r"at reasons\.ITEM_NOT_NEEDED\.en: Value error, expected '}' before end of string",
        id="unclosed placeholder",
    ),
    pytest.param(
        lambda d: d["purposes"]["shipping"]["plain"].append("rrn"),
        r"at purposes\.shipping: rrn is prohibited",
        id="prohibited item in a purpose",
    ),
    pytest.param(
        lambda d: d["purposes"]["shipping"]["relay"].append("name"),
        r"at purposes\.shipping: name listed twice",
        id="item listed twice",
    ),
    pytest.param(
        lambda d: d["rules"][0].pop("article"),
        r"at rules\.0\.article: Field required",
        id="rule without article",
    ),
    pytest.param(
        lambda d: d["rules"][0].__setitem__("article", "Art. 17"),
        r"at rules\.0\.article: String should match pattern",
        id="rule citing no known law",
    ),
    pytest.param(
        lambda d: d["rules"].append(d["rules"][0]),
        r"at rules: duplicate rule id",
        id="duplicate rule",
    ),
    pytest.param(
        lambda d: d.__setitem__("rules", []),
        r"at rules: List should have at least 1 item",
        id="no rules",
    ),
    pytest.param(
        lambda d: d["grounds"][0].__setitem__("rule", "R9"),
        r"at grounds\.legal_mandate: unknown rule 'R9'",
        id="ground citing unknown rule",
    ),
    pytest.param(
        lambda d: d["reasons"]["NOT_DISCLOSED"].__setitem__("rule", "R9"),
        r"at reasons\.NOT_DISCLOSED: unknown rule 'R9'",
        id="reason citing unknown rule",
    ),
    pytest.param(
        lambda d: d.__setitem__("comment", "draft"),
        r"at comment: Extra inputs are not permitted",
        id="unknown top-level key",
    ),
    pytest.param(
        lambda d: d.__setitem__("adequate_countries", ["XX"]),
        r"at adequate_countries: country must be an ISO 3166-1 alpha-2 code .* got 'XX'",
        id="unknown adequate country",
    ),
    pytest.param(
        lambda d: d.__setitem__("adequate_countries", ["UK"]),
        r"at adequate_countries: .* got 'UK'",
        id="UK is not ISO 3166-1 (GB is)",
    ),
    pytest.param(
        lambda d: d["labels"]["items"].pop("rrn"),
        r"labels\.items must list every value; missing: \['rrn'\]",
        id="missing item label",
    ),
    pytest.param(
        lambda d: d["consent_kinds"].__setitem__("domestic", "implied"),
        r"at consent_kinds\.domestic: Input should be 'overseas_transfer'",
        id="unknown consent kind",
    ),
    pytest.param(
        lambda d: d["purposes"]["shipping"].__setitem__("max_access_days", 0),
        r"at purposes\.shipping\.max_access_days: Input should be greater than or equal to 1",
        id="zero access days",
    ),
]


@pytest.mark.parametrize(("change", "message"), BROKEN_PACKS)
def test_broken_pack_is_an_error_naming_the_place(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    with pytest.raises(PackError, match=message):
        compile_pack(edited(change))


def test_positional_placeholder_is_an_error_at_load_time() -> None:
    # "{}" has an empty field name, which the placeholder check skips; the text then loads and
    # every decision that uses it raises "Format string contains positional fields".
    broken = edited(lambda d: d["reasons"]["ITEM_NOT_NEEDED"].__setitem__("en", "{} not needed"))
    with pytest.raises(PackError, match=r"reasons\.ITEM_NOT_NEEDED\.en"):
        compile_pack(broken)


def test_shipped_pack_compiles_from_its_data() -> None:
    assert compile_pack(copy.deepcopy(SHIPPED)) == load_pack()


def test_pack_file_a_privacy_officer_edited_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "pipa-edited.json"
    path.write_text(
        json.dumps(edited(lambda d: d.__setitem__("adequate_countries", ["jp"]))),
        encoding="utf-8",
    )
    assert load_pack_file(str(path)).adequate_countries == frozenset({"JP"})


def test_pack_file_that_is_not_json_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"pack": "pipa",', encoding="utf-8")
    with pytest.raises(PackError, match=rf"pack file {path} is not JSON"):
        load_pack_file(str(path))


def test_pack_file_with_a_broken_rule_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        json.dumps(edited(lambda d: d["purposes"]["shipping"]["plain"].append("rrn"))),
        encoding="utf-8",
    )
    with pytest.raises(PackError, match=r"purposes\.shipping: rrn is prohibited"):
        load_pack_file(str(path))


@pytest.mark.parametrize(
    ("code", "field", "text", "problem"),
    [
        ("NO_LAWFUL_GROUND", "en", "no ground for {item}", "a request-level text cannot use"),
        (
            "CONSENT_DOES_NOT_COVER",
            "request_ko",
            "{item_ko} 없음",
            "a request-level text cannot use",
        ),
        ("ITEM_NOT_NEEDED", "ko", "{recipient}: {item_ko}", "an item-level text cannot use"),
    ],
)
def test_reason_texts_fit_the_level_they_are_given_at(
    code: str, field: str, text: str, problem: str
) -> None:
    data = edited(lambda d: d["reasons"][code].__setitem__(field, text))
    with pytest.raises(PackError, match=rf"reasons\.{code}\.{field}: {problem}"):
        compile_pack(data)


def test_a_code_given_for_whole_requests_needs_its_request_wording() -> None:
    data = edited(lambda d: d["reasons"]["CONSENT_DOES_NOT_COVER"].pop("request_en"))
    with pytest.raises(PackError, match=r"reasons\.CONSENT_DOES_NOT_COVER\.request_en: missing"):
        compile_pack(data)
