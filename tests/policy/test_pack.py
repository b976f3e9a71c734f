"""Rule packs (policy/pack.py): the shipped PIPA pack carries what contract v2 says it carries, a
broken pack fails at load naming the place (STYLE.md: fail closed), and a second law is a second
file: a toy pack loads, registers beside PIPA, and no module outside the PIPA pack and the sim
names Korea."""

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import databorder
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
    PACKS,
    PackError,
    PackRegistry,
    compile_pack,
    load_pack,
    load_pack_file,
)
from databorder.policy.pack import Validity

SHIPPED: dict[str, Any] = json.loads(
    resources.files("databorder.policy.packs").joinpath("pipa.json").read_text("utf-8")
)
TOY_FILE = Path(__file__).parent / "toy_pack.json"
KST = timezone(timedelta(hours=9))
CET = timezone(timedelta(hours=1))

# The rule ids the engine writes into `Decision.rule` itself (not through a reason code).
ENGINE_RULE_IDS = ("R2.mandate", "R6.bases")

EU_27 = {
    *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
    *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
}


def edited(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """A deep copy of the shipped pack file with one edit applied."""
    data = copy.deepcopy(SHIPPED)
    change(data)
    return data


# --- the shipped pack -----------------------------------------------------------------------


def test_shipped_pack_loads_with_korea_as_home_and_every_vocabulary_value() -> None:
    pack = load_pack("pipa")
    assert pack.name == "pipa"
    assert pack.home_country == "KR"
    assert set(pack.languages) == {"ko", "en"}
    assert set(pack.purposes) == set(Purpose)
    assert set(pack.reason_texts) == set(ReasonCode)
    assert set(pack.item_labels) == set(DataItem)
    assert set(pack.purpose_labels) == set(Purpose)
    assert set(pack.role_labels) == set(RecipientRole)
    assert pack.provision_roles == {RecipientRole.SELLER}
    assert pack.entrusted_roles == {
        RecipientRole.PROCESSOR,
        RecipientRole.CUSTOMS_BROKER,
        RecipientRole.PAYMENT_PROCESSOR,
    }
    assert (pack.provision_consent, pack.transfer_consent, pack.marketing_consent) == (
        ConsentKind.THIRD_PARTY_PROVISION,
        ConsentKind.OVERSEAS_TRANSFER,
        ConsentKind.MARKETING,
    )


def test_load_pack_defaults_to_pipa_and_compiles_the_same_as_the_file() -> None:
    assert load_pack() is load_pack("pipa")
    assert compile_pack(SHIPPED) == load_pack()
    assert "pipa" in PACKS.names()


def test_unknown_pack_name_is_an_error_listing_the_available_ones() -> None:
    with pytest.raises(PackError, match=r"unknown rule pack 'gdpr'; available: \[.*'pipa'.*\]"):
        load_pack("gdpr")


def test_every_rule_cites_a_pipa_article_and_speaks_every_language() -> None:
    pack = load_pack()
    assert pack.rules
    for rule in pack.rules.values():
        assert re.fullmatch(r"PIPA \d+(-\d+)?(\(\d+\))?.*", rule.article), rule
        assert set(rule.texts) == set(pack.languages), rule
        assert all(text.strip() for text in rule.texts.values()), rule


def test_every_reason_code_has_a_text_in_every_language_and_a_rule_of_the_pack() -> None:
    pack = load_pack()
    for code in ReasonCode:
        rule_id, texts = pack.reason_texts[code]
        assert rule_id in pack.rules, code
        assert set(texts) == set(pack.languages), code
        assert all(text.strip() for text in texts.values()), code


def test_the_rules_the_engine_names_are_in_the_shipped_pack() -> None:
    assert set(ENGINE_RULE_IDS) <= set(load_pack().rules)


def test_shipped_pack_articles_are_the_contracts() -> None:
    pack = load_pack()
    assert [(g.ground, g.article) for g in pack.transfer_grounds] == [
        (Ground.CONSENT, "PIPA 28-8(1)1"),
        (Ground.ENTRUSTED_CONTRACT, "PIPA 28-8(1)3"),
        (Ground.CERTIFICATION, "PIPA 28-8(1)4"),
        (Ground.ADEQUACY, "PIPA 28-8(1)5"),
    ]
    assert (pack.provision_basis.ground, pack.provision_basis.article) == (
        Ground.CONSENT,
        "PIPA 17(1)1",
    )
    assert (pack.entrustment_basis.ground, pack.entrustment_basis.article) == (
        Ground.ENTRUSTED_CONTRACT,
        "PIPA 26",
    )
    assert pack.entrustment_by_consent_basis.article == "PIPA 15(1)1"
    assert pack.marketing_basis.article == "PIPA 22(1)7"
    assert pack.mandate_domestic_article.format(citation="X") == "PIPA 17(1)2 (X)"
    assert pack.mandate_cross_border_article.format(citation="X") == "PIPA 28-8(1)2 (X)"
    assert pack.marketing_purposes == {Purpose.MARKETING}
    assert pack.mandate_relay_items == {DataItem.PHONE, DataItem.EMAIL}


def test_shipped_pack_encodes_rule_5s_table_and_rule_8s_caps() -> None:
    pack = load_pack()
    p, r, m = Disposition.PLAIN, Disposition.RELAY, Disposition.MASKED
    table = {purpose: dict(rule.dispositions) for purpose, rule in pack.purposes.items()}
    assert table == {
        Purpose.SHIPPING: {"name": p, "address": p, "postal_code": p, "order_items": p, "phone": r},
        Purpose.CUSTOMS_CLEARANCE: {
            "name": p,
            "customs_code": p,
            "address": p,
            "postal_code": p,
            "order_items": p,
            "phone": r,
        },
        Purpose.CUSTOMER_SERVICE: {"order_items": p, "phone": r, "email": r, "name": m},
        Purpose.PAYMENT: {"name": p, "card_number": p, "bank_account": p},
        Purpose.MARKETING: {"email": r},
    }
    assert pack.prohibited_items == {DataItem.RRN}
    assert pack.purposes[Purpose.PAYMENT].roles == frozenset({RecipientRole.PAYMENT_PROCESSOR})
    assert all(pack.purposes[p].roles is None for p in Purpose if p is not Purpose.PAYMENT)
    caps = {purpose: rule.max_access_days for purpose, rule in pack.purposes.items()}
    assert caps == {
        Purpose.SHIPPING: 30,
        Purpose.CUSTOMS_CLEARANCE: 30,
        Purpose.PAYMENT: 30,
        Purpose.CUSTOMER_SERVICE: 90,
        Purpose.MARKETING: 90,
    }


def test_the_eu_and_eea_are_recognised_from_16_september_2025_kst_without_rrn_or_credit_data() -> (
    None
):
    (recognition,) = load_pack().recognitions
    assert recognition.countries == EU_27 | {"IS", "LI", "NO"}
    assert len(recognition.countries) == 30
    assert recognition.excluded_items == {
        DataItem.RRN,
        DataItem.CARD_NUMBER,
        DataItem.BANK_ACCOUNT,
    }
    assert recognition.validity.from_ == datetime(2025, 9, 16, 0, 0, tzinfo=KST)
    assert recognition.validity.to is None
    assert recognition.validity.source.strip()


def test_isms_p_is_designated_from_16_october_2023_kst() -> None:
    (designation,) = load_pack().designations
    assert designation.certification == "ISMS-P"
    assert designation.validity.from_ == datetime(2023, 10, 16, 0, 0, tzinfo=KST)
    assert designation.validity.to is None
    assert designation.validity.source.strip()


def test_the_customs_act_mandate_is_the_contracts() -> None:
    mandate = load_pack().mandates["KR-CUSTOMS-ACT-241"]
    assert mandate.id == "KR-CUSTOMS-ACT-241"
    assert mandate.citation == "Customs Act Art. 241"
    assert mandate.roles == {RecipientRole.CUSTOMS_BROKER}
    assert mandate.countries == {"KR"}
    assert mandate.purposes == {Purpose.CUSTOMS_CLEARANCE}
    assert mandate.items == {
        DataItem.NAME,
        DataItem.CUSTOMS_CODE,
        DataItem.ADDRESS,
        DataItem.POSTAL_CODE,
        DataItem.PHONE,
        DataItem.ORDER_ITEMS,
    }
    assert set(mandate.title) == {"ko", "en"}
    assert mandate.validity.holds_at(datetime(2026, 11, 23, 10, 0, tzinfo=KST))


# --- validity: `from` inclusive at 00:00 in the pack's offset, `to` exclusive ----------------


def test_a_designation_holds_from_midnight_kst_of_its_first_day() -> None:
    validity = load_pack().designations[0].validity
    assert not validity.holds_at(datetime(2023, 10, 15, 23, 59, 59, tzinfo=KST))
    assert validity.holds_at(datetime(2023, 10, 16, 0, 0, tzinfo=KST))
    # 15:00 UTC on the 15th is already 00:00 on the 16th in Seoul.
    assert validity.holds_at(datetime(2023, 10, 15, 15, 0, tzinfo=UTC))
    assert not validity.holds_at(datetime(2023, 10, 15, 14, 59, 59, tzinfo=UTC))


def test_a_recognition_holds_from_its_first_day_and_not_on_its_to_day() -> None:
    pack = compile_pack(edited(lambda d: d["recognitions"][0].__setitem__("to", "2026-01-01")))
    validity = pack.recognitions[0].validity
    assert not validity.holds_at(datetime(2025, 9, 15, 23, 59, 59, tzinfo=KST))
    assert validity.holds_at(datetime(2025, 9, 16, 0, 0, tzinfo=KST))
    assert validity.holds_at(datetime(2025, 12, 31, 23, 59, 59, tzinfo=KST))
    assert not validity.holds_at(datetime(2026, 1, 1, 0, 0, tzinfo=KST))


def test_a_mandate_with_dates_holds_only_between_them() -> None:
    pack = compile_pack(
        edited(
            lambda d: d["mandates"][0].update({"from": "2026-12-01", "to": "2027-01-01"}),
        )
    )
    validity = pack.mandates["KR-CUSTOMS-ACT-241"].validity
    assert not validity.holds_at(datetime(2026, 11, 30, 23, 59, tzinfo=KST))
    assert validity.holds_at(datetime(2026, 12, 1, 0, 0, tzinfo=KST))
    assert not validity.holds_at(datetime(2027, 1, 1, 0, 0, tzinfo=KST))


def test_validity_compares_instants_not_wall_clocks() -> None:
    start = datetime(2026, 1, 1, 0, 0, tzinfo=KST)
    validity = Validity("test", start, start + timedelta(days=1))
    assert validity.holds_at(datetime(2025, 12, 31, 15, 0, tzinfo=UTC))  # 00:00 KST
    assert not validity.holds_at(datetime(2025, 12, 31, 14, 59, 59, tzinfo=UTC))
    assert validity.holds_at(datetime(2026, 1, 1, 15, 59, 59, tzinfo=CET))  # 23:59:59 KST
    assert not validity.holds_at(datetime(2026, 1, 1, 16, 0, tzinfo=CET))  # 00:00 KST, the 2nd


# --- broken packs fail at load, naming the place ---------------------------------------------


def _set_text(code: str, lang: str, text: str) -> Callable[[dict[str, Any]], object]:
    return lambda d: d["reasons"][code]["text"].__setitem__(lang, text)


BROKEN_PACKS = [
    pytest.param(
        lambda d: d["purposes"]["shipping"]["plain"].append("shoe_size"),
        "at purposes.shipping.plain.4: Input should be 'name'",
        id="unknown item",
    ),
    pytest.param(
        lambda d: d["mandates"][0]["items"].append("shoe_size"),
        "at mandates.0.items.6: Input should be 'name'",
        id="unknown item in a mandate",
    ),
    pytest.param(
        lambda d: d["purposes"].__setitem__("dating", d["purposes"]["shipping"]),
        "at purposes.dating.[key]: Input should be 'shipping'",
        id="unknown purpose",
    ),
    pytest.param(
        lambda d: d["marketing_purposes"].append("dating"),
        "at marketing_purposes.1: Input should be 'shipping'",
        id="unknown marketing purpose",
    ),
    pytest.param(
        lambda d: d["purposes"].pop("marketing"),
        "purposes must list every value; missing: ['marketing']",
        id="missing purpose",
    ),
    pytest.param(
        lambda d: d["roles"]["entrusted"].append("broker"),
        "at roles.entrusted.3: Input should be 'seller'",
        id="unknown role",
    ),
    pytest.param(
        lambda d: d["roles"]["entrusted"].remove("processor"),
        "roles must list every value; missing: ['processor']",
        id="role in neither provision nor entrusted",
    ),
    pytest.param(
        lambda d: d["transfer_grounds"][0].__setitem__("ground", "legitimate_interest"),
        "at transfer_grounds.0.ground: Input should be 'consent'",
        id="unknown ground",
    ),
    pytest.param(
        lambda d: d["transfer_grounds"].append(d["transfer_grounds"][0]),
        "at transfer_grounds: a ground is listed twice",
        id="transfer ground listed twice",
    ),
    pytest.param(
        lambda d: d["reasons"].__setitem__("TOO_LATE", d["reasons"]["NOT_DISCLOSED"]),
        "at reasons.TOO_LATE.[key]: Input should be 'NO_LAWFUL_GROUND'",
        id="unknown reason code",
    ),
    pytest.param(
        lambda d: d["reasons"].pop("NOT_DISCLOSED"),
        "reasons must list every value; missing: ['NOT_DISCLOSED']",
        id="missing reason code",
    ),
    pytest.param(
        lambda d: d["reasons"]["NOT_DISCLOSED"].__setitem__("rule", "R9.nope"),
        "at reasons.NOT_DISCLOSED: unknown rule 'R9.nope'",
        id="reason naming an unknown rule",
    ),
    pytest.param(
        lambda d: d["reasons"]["NOT_DISCLOSED"]["text"].pop("ko"),
        "at reasons.NOT_DISCLOSED.text: no text for language(s) ['ko']",
        id="missing language text in a reason",
    ),
    pytest.param(
        _set_text("NOT_DISCLOSED", "ko", ""),
        "at reasons.NOT_DISCLOSED.text: no text for language(s) ['ko']",
        id="empty language text in a reason",
    ),
    pytest.param(
        lambda d: d["rules"][3]["text"].pop("en"),
        "at rules.R3.order.text: no text for language(s) ['en']",
        id="missing language text in a rule",
    ),
    pytest.param(
        lambda d: d["labels"]["items"]["name"].pop("ko"),
        "at labels.items.name: no text for language(s) ['ko']",
        id="missing language text in a label",
    ),
    pytest.param(
        lambda d: d["mandates"][0]["title"].pop("en"),
        "at mandates.0.title: no text for language(s) ['en']",
        id="missing language text in a mandate title",
    ),
    pytest.param(
        lambda d: d["rules"].append(d["rules"][0]),
        "at rules: duplicate rule id",
        id="duplicate rule id",
    ),
    pytest.param(
        lambda d: d["mandates"].append(d["mandates"][0]),
        "at mandates.1: duplicate mandate id 'KR-CUSTOMS-ACT-241'",
        id="duplicate mandate id",
    ),
    pytest.param(
        lambda d: d["bases"]["mandate"].__setitem__("domestic_article", "PIPA 17(1)2"),
        "at bases.mandate.domestic_article: must contain {citation}",
        id="domestic mandate article without {citation}",
    ),
    pytest.param(
        lambda d: d["bases"]["mandate"].__setitem__("cross_border_article", "PIPA 28-8(1)2"),
        "at bases.mandate.cross_border_article: must contain {citation}",
        id="cross-border mandate article without {citation}",
    ),
    # A dated entry's error names it by its source, the text a privacy officer wrote.
    pytest.param(
        lambda d: d["designations"][0].__setitem__("to", "2023-10-01"),
        "'PIPC notice designating certifications for overseas transfer under PIPA "
        "Art. 28-8(1)4': 'to' (2023-10-01) is not after 'from'",
        id="to before from",
    ),
    pytest.param(
        lambda d: d["recognitions"][0].__setitem__("to", "2025-09-16"),
        "'to' (2025-09-16) is not after 'from'",
        id="to equal to from",
    ),
    pytest.param(
        lambda d: d["roles"]["entrusted"].append("seller"),
        "at roles: a role is both provision and entrusted",
        id="role both provision and entrusted",
    ),
    pytest.param(
        lambda d: d["recognitions"][0]["countries"].append("EU"),
        "at recognitions.0.countries: country must be an ISO 3166-1 alpha-2 code",
        id="unknown country in a recognition",
    ),
    pytest.param(
        lambda d: d["mandates"][0]["countries"].append("XX"),
        "at mandates.0.countries: country must be an ISO 3166-1 alpha-2 code",
        id="unknown country in a mandate",
    ),
    pytest.param(
        lambda d: d.__setitem__("home_country", "XX"),
        "at home_country: country must be an ISO 3166-1 alpha-2 code",
        id="unknown home country",
    ),
    pytest.param(
        _set_text("NOT_DISCLOSED", "en", "{recipient} lacks the {item}"),
        "at reasons.NOT_DISCLOSED.text.en: a request-level text cannot use ['item']",
        id="request-level text using {item}",
    ),
    pytest.param(
        _set_text("ITEM_NOT_NEEDED", "ko", "{recipient}: {item}"),
        "at reasons.ITEM_NOT_NEEDED.text.ko: an item-level text cannot use ['recipient']",
        id="item-level text using {recipient}",
    ),
    pytest.param(
        _set_text("NO_LAWFUL_GROUND", "en", "{item} to {country}"),
        "at reasons.NO_LAWFUL_GROUND.text.en: an item-level text cannot use ['country']",
        id="item-level text using {country}",
    ),
    pytest.param(
        _set_text("NOT_DISCLOSED", "en", "{buyer} was not told"),
        "at reasons.NOT_DISCLOSED.text: Value error, unknown placeholder(s) ['buyer']",
        id="unknown placeholder",
    ),
    pytest.param(
        _set_text("NOT_DISCLOSED", "en", "{} was not told"),
        "at reasons.NOT_DISCLOSED.text: Value error, placeholders must be plain names",
        id="positional placeholder",
    ),
    pytest.param(
        _set_text("NOT_DISCLOSED", "en", "{recipient!r} was not told"),
        "at reasons.NOT_DISCLOSED.text: Value error, placeholders must be plain names",
        id="placeholder with a conversion",
    ),
    pytest.param(
        _set_text("NOT_DISCLOSED", "en", "{recipient was not told"),
        "at reasons.NOT_DISCLOSED.text: Value error, expected '}'",
        id="unclosed placeholder",
    ),
    pytest.param(
        lambda d: d.__setitem__("languages", ["ko"]),
        "at languages: every pack speaks at least 'en'",
        id="pack without en",
    ),
    pytest.param(
        lambda d: d["purposes"]["shipping"]["plain"].append("rrn"),
        "at purposes.shipping: rrn is prohibited",
        id="prohibited item in the purpose table",
    ),
    pytest.param(
        lambda d: d.__setitem__("grounds", []),
        "at grounds: Extra inputs are not permitted",
        id="unknown key",
    ),
]


@pytest.mark.parametrize(("change", "message"), BROKEN_PACKS)
def test_a_broken_pack_fails_at_load_naming_the_place(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    with pytest.raises(PackError, match=re.escape(message)):
        compile_pack(edited(change))


def test_a_pack_missing_a_rule_the_engine_names_is_refused_at_load() -> None:
    """The engine writes `R2.mandate` and `R6.bases` into decisions itself; a pack without them
    would produce decisions naming rules it does not define, so it must not load."""

    def rename(data: dict[str, Any]) -> None:
        for rule in data["rules"]:
            if rule["id"] == "R6.bases":
                rule["id"] = "R6.grounds"
        for reason in data["reasons"].values():
            if reason["rule"] == "R6.bases":
                reason["rule"] = "R6.grounds"

    with pytest.raises(PackError, match=r"R6\.bases"):
        compile_pack(edited(rename))


def test_pack_errors_are_value_errors() -> None:
    assert issubclass(PackError, ValueError)


def test_a_pack_file_that_is_not_json_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"pack": "pipa",', encoding="utf-8")
    with pytest.raises(PackError, match=rf"pack file {re.escape(str(path))} is not JSON"):
        load_pack_file(str(path))


def test_an_edited_pack_file_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "pipa-edited.json"
    data = edited(lambda d: d["designations"][0].__setitem__("to", "2027-01-01"))
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    pack = load_pack_file(str(path))
    assert pack.designations[0].validity.to == datetime(2027, 1, 1, 0, 0, tzinfo=KST)
    assert pack.recognitions == load_pack().recognitions


# --- a second law is a second file -----------------------------------------------------------


def test_the_toy_pack_loads_from_its_file_with_its_own_home_languages_and_dates() -> None:
    toy = load_pack_file(str(TOY_FILE))
    assert toy.name == "toy"
    assert toy.home_country == "DE"
    assert toy.languages == ("en", "de")
    assert {r.article for r in toy.rules.values()} >= {"TOY 1", "TOY 6"}
    assert [g.ground for g in toy.transfer_grounds] == [
        Ground.ADEQUACY,
        Ground.CERTIFICATION,
        Ground.ENTRUSTED_CONTRACT,
        Ground.CONSENT,
    ]
    assert set(toy.mandates) == {"TOY-ZOLL-1"}
    assert toy.mandates["TOY-ZOLL-1"].countries == {"DE"}
    assert toy.designations[0].validity.from_ == datetime(2024, 1, 1, 0, 0, tzinfo=CET)
    (recognition,) = toy.recognitions
    assert recognition.countries == {"JP", "CH"}
    assert recognition.validity.from_ == datetime(2025, 3, 1, 0, 0, tzinfo=CET)
    assert recognition.validity.to == datetime(2027, 3, 1, 0, 0, tzinfo=CET)
    for _, texts in toy.reason_texts.values():
        assert set(texts) == {"en", "de"}
    assert set(ENGINE_RULE_IDS) <= set(toy.rules)


def test_the_toy_pack_registers_beside_pipa_in_a_fresh_registry() -> None:
    registry = PackRegistry()
    toy = registry.register(load_pack_file(str(TOY_FILE)))
    registry.register(load_pack("pipa"))
    assert registry.names() == ["pipa", "toy"]
    assert registry.get("toy") is toy
    assert registry.get("pipa") is load_pack("pipa")
    assert "toy" not in PACKS.names()  # the process-wide registry is untouched


def test_a_registry_refuses_a_second_pack_with_a_registered_name() -> None:
    registry = PackRegistry()
    first = registry.register(load_pack_file(str(TOY_FILE)))
    with pytest.raises(PackError, match="a rule pack named 'toy' is registered already"):
        registry.register(load_pack_file(str(TOY_FILE)))
    assert registry.get("toy") is first


def test_a_registry_refuses_an_unknown_name() -> None:
    registry = PackRegistry()
    with pytest.raises(PackError, match=r"unknown rule pack 'toy'; available: \[\]"):
        registry.get("toy")


_KR_LITERAL = re.compile(r"""["']KR["']""")
_SRC = Path(databorder.__file__).parent
_MAY_NAME_KOREA = (_SRC / "policy" / "packs", _SRC / "sim")


def test_no_module_outside_the_pipa_pack_and_the_sim_names_korea() -> None:
    """The home country lives in the pack (issue 9): a module that spells "KR" ties itself to one
    law, and a second law would need a code change there."""
    found = []
    for path in sorted(_SRC.rglob("*.py")):
        if any(path.is_relative_to(allowed) for allowed in _MAY_NAME_KOREA):
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if _KR_LITERAL.search(line):
                found.append(f"{path.relative_to(_SRC.parent)}:{number}: {line.strip()}")
    assert found == [], "\n".join(found)
