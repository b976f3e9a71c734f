"""The transfer decision, contract version 2 (contracts/decision.md), checked as a black box.

Written from the contract's text alone, against the public API only (the codec's request model and
`decision_to_json`), so that it checks the engine independently of how the engine is built. Each
row's id names the rule or reason code and the article behind it. Requests are JSON-shaped dicts
built by the small factories below; the expected decision is spelled out in the contract's keys
(extra keys the codec may add, such as `rule`, are not asserted).

Reading notes (where the contract is read, not quoted):
- Rules 1-3 (and rule 2's refusal) refuse the whole request with one reason, `item` null; rules 4-6
  are per item, so a request whose every item lacks a basis is refused item by item.
- Reasons are compared as a sorted list of (code, item) pairs, except that
  `SUSPENSION_REFUSED_BY_LAW` must come first when present (rule 2).
- `bases` is compared in order (rule 6); each basis is checked on the contract's keys only.
"""

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from pydantic import ValidationError

from databorder.policy import Engine, load_pack
from databorder.policy.codec import DecisionRequestIn, decision_to_json

ENGINE = Engine(load_pack("pipa"))

Json = dict[str, Any]
Pair = tuple[str, str | None]

# --- decide, and compare on the contract's keys -----------------------------------------------


def decide(request: Json) -> Json:
    decision = decision_to_json(
        ENGINE.decide(DecisionRequestIn.model_validate(request).to_request())
    )
    for reason in decision["reasons"]:
        assert isinstance(reason["en"], str), reason
        assert reason["en"].strip(), reason
        assert isinstance(reason["ko"], str), reason
        assert reason["ko"].strip(), reason
    return decision


def _pair_key(pair: Pair) -> tuple[bool, str, str]:
    code, item = pair
    return (item is not None, item or "", code)


def _pairs(reasons: Iterable[Pair]) -> list[Pair]:
    return sorted(reasons, key=_pair_key)


def view(decision: Json, expected: Json) -> Json:
    """The decision projected on what `expected` asserts: the contract's keys, each basis on the
    keys the contract gives it, reasons as sorted (code, item) pairs."""
    bases = decision["bases"]
    wanted = expected["bases"]
    projected_bases = [
        {k: basis.get(k) for k in (wanted[n] if n < len(wanted) else basis)}
        for n, basis in enumerate(bases)
    ]
    reasons: list[Pair] = [(r["code"], r["item"]) for r in decision["reasons"]]
    first = reasons[:1] if expected["first_reason"] is not None else []
    return {
        "allowed": decision["allowed"],
        "cross_border": decision["cross_border"],
        "ground": decision["ground"],
        "article": decision["article"],
        "bases": projected_bases,
        "items": decision["items"],
        "access_expires_after_delivery_days": decision["access_expires_after_delivery_days"],
        "reasons": _pairs(reasons),
        "first_reason": first[0] if first else None,
    }


def check(request: Json, expected: Json) -> Json:
    decision = decide(request)
    assert view(decision, expected) == expected
    return decision


# --- expected decisions ---------------------------------------------------------------------

P, R, M, D = "plain", "relay", "masked", "deny"

NLG = "NO_LAWFUL_GROUND"
CW = "CONSENT_WITHDRAWN"
CDNC = "CONSENT_DOES_NOT_COVER"
ND = "NOT_DISCLOSED"
CSM = "CONTRACT_SAFEGUARDS_MISSING"
TS = "TRANSFER_SUSPENDED"
TOS = "TRANSFER_ORDER_SUSPENDED"
MDNC = "MANDATE_DOES_NOT_COVER"
RNP = "ROLE_NOT_PERMITTED"
INN = "ITEM_NOT_NEEDED"
IP = "ITEM_PROHIBITED"
SRBL = "SUSPENSION_REFUSED_BY_LAW"


def provision(cid: str) -> Json:
    return {"basis": "provision", "ground": "consent", "article": "PIPA 17(1)1", "consent_id": cid}


ENTRUSTMENT = {"basis": "entrustment", "ground": "entrusted_contract", "article": "PIPA 26"}


def entrustment_by_consent(cid: str) -> Json:
    return {
        "basis": "entrustment",
        "ground": "consent",
        "article": "PIPA 15(1)1",
        "consent_id": cid,
    }


def marketing(cid: str) -> Json:
    return {"basis": "marketing", "ground": "consent", "article": "PIPA 22(1)7", "consent_id": cid}


def transfer_consent(cid: str) -> Json:
    return {"basis": "transfer", "ground": "consent", "article": "PIPA 28-8(1)1", "consent_id": cid}


TRANSFER_ENTRUSTED = {
    "basis": "transfer",
    "ground": "entrusted_contract",
    "article": "PIPA 28-8(1)3",
}
TRANSFER_CERTIFICATION = {
    "basis": "transfer",
    "ground": "certification",
    "article": "PIPA 28-8(1)4",
}
TRANSFER_ADEQUACY = {"basis": "transfer", "ground": "adequacy", "article": "PIPA 28-8(1)5"}
CUSTOMS = "KR-CUSTOMS-ACT-241"
CUSTOMS_HOME = "PIPA 17(1)2 (Customs Act Art. 241)"
MANDATE_CUSTOMS = {
    "basis": "mandate",
    "ground": "legal_mandate",
    "article": CUSTOMS_HOME,
    "mandate_id": CUSTOMS,
}


def released(
    items: Json,
    bases: Sequence[Json],
    *,
    cross_border: bool,
    expiry: int = 30,
    reasons: Iterable[Pair] = (),
    first_reason: Pair | None = None,
) -> Json:
    """An allowed decision. `ground`/`article` repeat the first transfer basis when cross-border,
    else the single domestic basis (the first: provision, entrustment or the mandate)."""
    head = bases[0]
    if cross_border:
        head = next((b for b in bases if b["basis"] == "transfer"), bases[0])
    return {
        "allowed": True,
        "cross_border": cross_border,
        "ground": head["ground"],
        "article": head["article"],
        "bases": list(bases),
        "items": items,
        "access_expires_after_delivery_days": expiry,
        "reasons": _pairs(reasons),
        "first_reason": first_reason,
    }


def denied(items: Iterable[str], reasons: Iterable[Pair], *, cross_border: bool) -> Json:
    """Nothing released: every item `deny`, no bases, no ground, no expiry."""
    return {
        "allowed": False,
        "cross_border": cross_border,
        "ground": None,
        "article": None,
        "bases": [],
        "items": dict.fromkeys(items, D),
        "access_expires_after_delivery_days": None,
        "reasons": _pairs(reasons),
        "first_reason": None,
    }


def refused(code: str, items: Iterable[str], *, cross_border: bool) -> Json:
    """A whole-request refusal (rules 2-3): that code as the only reason, `item` null."""
    return denied(items, [(code, None)], cross_border=cross_border)


def each(code: str, items: Iterable[str]) -> list[Pair]:
    return [(code, i) for i in items]


# --- request factories ------------------------------------------------------------------------

AT = "2026-11-23T10:00:00+09:00"
NOTICE = "2026-11-01"
EARLIER = "2026-10-01"
GIVEN = "2026-11-01T09:00:00+09:00"
LONG_AGO = "2020-01-01T00:00:00+09:00"
SHIP = ("name", "phone", "address")
SHIP_OUT = {"name": P, "phone": R, "address": P}
ALL_ITEMS = (
    "name",
    "phone",
    "email",
    "address",
    "postal_code",
    "customs_code",
    "order_items",
    "card_number",
    "bank_account",
    "rrn",
    "birth_date",
)
CONTACT = {"email": "privacy@example.cn", "phone": "+86 755 1234 5678"}


def consent(
    cid: str,
    kind: str,
    *,
    recipients: Iterable[str] = (),
    countries: Iterable[str] = (),
    items: Iterable[str] = SHIP,
    purposes: Iterable[str] = ("shipping",),
    notice_version: str = NOTICE,
    given_at: str = GIVEN,
    withdrawn_at: str | None = None,
) -> Json:
    return {
        "id": cid,
        "kind": kind,
        "notice_version": notice_version,
        "recipients": list(recipients),
        "countries": list(countries),
        "items": list(items),
        "purposes": list(purposes),
        "given_at": given_at,
        "withdrawn_at": withdrawn_at,
    }


def provision_consent(
    cid: str = "c-1", *, recipients: Iterable[str] = ("s-9",), **terms: Any
) -> Json:
    return consent(cid, "third_party_provision", recipients=recipients, **terms)


def overseas_consent(cid: str = "c-2", *, countries: Iterable[str] = ("CN",), **terms: Any) -> Json:
    return consent(cid, "overseas_transfer", countries=countries, **terms)


def marketing_consent(
    cid: str = "c-m",
    *,
    recipients: Iterable[str] = ("p-1",),
    items: Iterable[str] = ("email",),
    purposes: Iterable[str] = ("marketing",),
    **terms: Any,
) -> Json:
    return consent(cid, "marketing", recipients=recipients, items=items, purposes=purposes, **terms)


def recipient(rid: str, role: str, country: str, **overrides: Any) -> Json:
    facts = {
        "id": rid,
        "name": f"Example {role} {rid}",
        "country": country,
        "role": role,
        "contact": dict(CONTACT),
        "certifications": [],
        "certification_measures": False,
        "contract_safeguards": True,
        "notices": [EARLIER, NOTICE],
        "retention_days": 30,
        "data_countries": [],
    }
    facts.update(overrides)
    return facts


def seller(country: str = "CN", **overrides: Any) -> Json:
    return recipient("s-9", "seller", country, **overrides)


def processor(country: str = "KR", **overrides: Any) -> Json:
    return recipient("p-1", "processor", country, **overrides)


def broker(country: str = "KR", **overrides: Any) -> Json:
    return recipient("b-7", "customs_broker", country, **overrides)


def payment_processor(country: str = "KR", **overrides: Any) -> Json:
    return recipient("pp-1", "payment_processor", country, **overrides)


CERTIFIED = {"certifications": ["ISMS-P"], "certification_measures": True}


def order(
    oid: str = "o-1",
    *,
    recipient: str | None = None,
    country: str | None = None,
    start: str = "2026-11-20T00:00:00+09:00",
    end: str | None = None,
) -> Json:
    return {"id": oid, "recipient": recipient, "country": country, "from": start, "to": end}


def request(
    to: Json | None = None,
    *,
    consents: Iterable[Json] = (),
    items: Iterable[str] = SHIP,
    purpose: str = "shipping",
    suspended: bool = False,
    residence: str = "KR",
    orders: Iterable[Json] = (),
    mandate: str | None = None,
    at: str = AT,
    notice_in_force: str | None = NOTICE,
) -> Json:
    # A deep copy: rows share consent and recipient dicts, and some tests edit their request.
    return copy.deepcopy(
        {
            "at": at,
            "pack": "pipa",
            "notice_in_force": notice_in_force,
            "subject": {
                "id": "b-1",
                "residence": residence,
                "transfer_suspended": suspended,
                "consents": list(consents),
            },
            "recipient": to if to is not None else seller(),
            "suspension_orders": list(orders),
            "purpose": purpose,
            "items": list(items),
            "legal_mandate": {"id": mandate} if mandate is not None else None,
        }
    )


def example() -> Json:
    """The contract's example request, verbatim."""
    return {
        "at": "2026-11-23T10:00:00+09:00",
        "pack": "pipa",
        "notice_in_force": "2026-11-01",
        "subject": {
            "id": "b-1",
            "residence": "KR",
            "transfer_suspended": False,
            "consents": [
                {
                    "id": "c-1",
                    "kind": "third_party_provision",
                    "notice_version": "2026-11-01",
                    "recipients": ["s-9"],
                    "countries": [],
                    "items": ["name", "phone", "address"],
                    "purposes": ["shipping"],
                    "given_at": "2026-11-01T09:00:00+09:00",
                    "withdrawn_at": None,
                },
                {
                    "id": "c-2",
                    "kind": "overseas_transfer",
                    "notice_version": "2026-11-01",
                    "recipients": [],
                    "countries": ["CN"],
                    "items": ["name", "phone", "address"],
                    "purposes": ["shipping"],
                    "given_at": "2026-11-01T09:00:00+09:00",
                    "withdrawn_at": None,
                },
            ],
        },
        "recipient": {
            "id": "s-9",
            "name": "Shenzhen Example Trading Co., Ltd.",
            "country": "CN",
            "role": "seller",
            "contact": {"email": "privacy@example.cn", "phone": "+86 755 1234 5678"},
            "certifications": [],
            "certification_measures": False,
            "contract_safeguards": True,
            "notices": ["2026-10-01", "2026-11-01"],
            "retention_days": 30,
            "data_countries": [],
        },
        "suspension_orders": [],
        "purpose": "shipping",
        "items": ["name", "phone", "address", "postal_code", "card_number"],
        "legal_mandate": None,
    }


EXAMPLE_DECISION = {
    "allowed": True,
    "cross_border": True,
    "ground": "consent",
    "article": "PIPA 28-8(1)1",
    "bases": [provision("c-1"), transfer_consent("c-2")],
    "items": {"name": P, "phone": R, "address": P, "postal_code": D, "card_number": D},
    "access_expires_after_delivery_days": 30,
    "reasons": _pairs([(CDNC, "postal_code"), (INN, "card_number")]),
    "first_reason": None,
}
SELLER_CONSENTS = (provision_consent(), overseas_consent())


# --- rule 1: where the data goes --------------------------------------------------------------

RULE_1 = [
    pytest.param(
        example(), EXAMPLE_DECISION, id="R1 the example: a CN seller is cross-border PIPA 28-8(1)"
    ),
    pytest.param(
        request(seller("KR"), consents=[provision_consent()]),
        released(SHIP_OUT, [provision("c-1")], cross_border=False),
        id="R1 a KR seller is domestic PIPA 17(1)1",
    ),
    pytest.param(
        request(seller("KR"), consents=[provision_consent()], residence="CN"),
        released(SHIP_OUT, [provision("c-1")], cross_border=False),
        id="R1 residence does not matter: CN buyer, KR seller, domestic PIPA 28-8(1)",
    ),
    pytest.param(
        request(seller("CN"), consents=SELLER_CONSENTS, residence="CN"),
        released(SHIP_OUT, [provision("c-1"), transfer_consent("c-2")], cross_border=True),
        id="R1 residence does not matter: CN buyer, CN seller, cross-border PIPA 28-8(1)1",
    ),
    pytest.param(
        request(processor("KR", data_countries=["US"])),
        released(SHIP_OUT, [ENTRUSTMENT, TRANSFER_ENTRUSTED], cross_border=True),
        id="R1 a KR processor on a US cloud transfers abroad PIPA 28-8(1)3",
    ),
    pytest.param(
        request(processor("KR", data_countries=["KR"])),
        released(SHIP_OUT, [ENTRUSTMENT], cross_border=False),
        id="R1 a KR processor whose data country is KR stays domestic PIPA 26",
    ),
    pytest.param(
        request(processor("KR"), residence="US"),
        released(SHIP_OUT, [ENTRUSTMENT], cross_border=False),
        id="R1 a KR processor for a buyer abroad is domestic PIPA 26",
    ),
    pytest.param(
        request(
            seller("KR", data_countries=["US"]),
            consents=[provision_consent(), overseas_consent(countries=["US"])],
        ),
        released(SHIP_OUT, [provision("c-1"), transfer_consent("c-2")], cross_border=True),
        id="R1 a KR seller viewing from the US: a consent to the US covers PIPA 28-8(1)1",
    ),
    pytest.param(
        request(
            seller("KR", data_countries=["US"]),
            consents=[provision_consent(), overseas_consent(countries=["KR"])],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R1 a KR seller viewing from the US: a consent to KR does not cover PIPA 28-8(1)1",
    ),
    pytest.param(
        request(
            seller("KR", data_countries=["US"]),
            consents=[
                provision_consent(recipients=[], countries=["KR"]),
                overseas_consent(countries=[], recipients=["s-9"]),
            ],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R1 a provision consent to KR misses a KR seller viewing from the US PIPA 17(1)1",
    ),
    pytest.param(
        request(
            seller("CN", data_countries=["US"]),
            consents=[provision_consent(), overseas_consent(countries=["CN"])],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R1 every foreign data country: a consent to CN misses a CN seller on a US cloud PIPA 28-8(1)1",
    ),
    pytest.param(
        request(
            seller("CN", data_countries=["US"]),
            consents=[provision_consent(), overseas_consent(countries=["CN", "US"])],
        ),
        released(SHIP_OUT, [provision("c-1"), transfer_consent("c-2")], cross_border=True),
        id="R1 a consent to CN and US covers a CN seller on a US cloud PIPA 28-8(1)1",
    ),
    pytest.param(
        request(seller("CN", data_countries=["KR"]), consents=SELLER_CONSENTS),
        released(SHIP_OUT, [provision("c-1"), transfer_consent("c-2")], cross_border=True),
        id="R1 KR among the data countries is not foreign PIPA 28-8(1)1",
    ),
    pytest.param(
        request(seller("DE"), consents=[provision_consent()]),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_ADEQUACY], cross_border=True),
        id="R1 a DE seller goes on adequacy PIPA 28-8(1)5",
    ),
    pytest.param(
        request(seller("DE", data_countries=["US"]), consents=[provision_consent()]),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R1 adequacy must hold for every foreign data country: DE seller on a US cloud PIPA 28-8(1)5",
    ),
    pytest.param(
        request(seller("DE", data_countries=["FR"]), consents=[provision_consent()]),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_ADEQUACY], cross_border=True),
        id="R1 a DE seller on a FR cloud goes on adequacy PIPA 28-8(1)5",
    ),
]


@pytest.mark.parametrize(("req", "expected"), RULE_1)
def test_rule_1_where_the_data_goes(req: Json, expected: Json) -> None:
    check(req, expected)


# --- rule 2: mandate ------------------------------------------------------------------------

MANDATE_ASKED = (
    "name",
    "customs_code",
    "address",
    "postal_code",
    "phone",
    "order_items",
    "email",
    "card_number",
    "rrn",
    "birth_date",
)
MANDATE_OUT = {
    "name": P,
    "customs_code": P,
    "address": P,
    "postal_code": P,
    "phone": R,
    "order_items": P,
    "email": D,
    "card_number": D,
    "rrn": D,
    "birth_date": D,
}
MANDATE_REASONS = [(INN, "email"), (INN, "card_number"), (IP, "rrn"), (INN, "birth_date")]


def customs(to: Json | None = None, **overrides: Any) -> Json:
    terms: dict[str, Any] = {
        "items": MANDATE_ASKED,
        "purpose": "customs_clearance",
        "mandate": CUSTOMS,
    }
    terms.update(overrides)
    return request(to if to is not None else broker(retention_days=60), **terms)


MANDATE_RELEASE = released(
    MANDATE_OUT, [MANDATE_CUSTOMS], cross_border=False, reasons=MANDATE_REASONS
)

RULE_2 = [
    pytest.param(
        customs(),
        MANDATE_RELEASE,
        id="R2 KR-CUSTOMS-ACT-241 covers a KR customs broker PIPA 17(1)2, 24-2(1)1",
    ),
    pytest.param(
        customs(consents=[provision_consent(recipients=["b-7"], withdrawn_at=GIVEN)]),
        MANDATE_RELEASE,
        id="R2 no other ground is needed: a withdrawn consent changes nothing PIPA 17(1)2",
    ),
    pytest.param(
        customs(items=["phone"]),
        released({"phone": R}, [MANDATE_CUSTOMS], cross_border=False),
        id="R2 a listed phone goes as relay PIPA 17(1)2",
    ),
    pytest.param(
        customs(items=["rrn"]),
        denied(["rrn"], [(IP, "rrn")], cross_border=False),
        id="R2 an unlisted rrn is ITEM_PROHIBITED PIPA 24-2",
    ),
    pytest.param(
        customs(items=["birth_date"]),
        denied(["birth_date"], [(INN, "birth_date")], cross_border=False),
        id="R2 an unlisted birth_date is ITEM_NOT_NEEDED PIPA 17(1)2",
    ),
    pytest.param(
        customs(mandate="KR-NO-SUCH-ACT"),
        refused(MDNC, MANDATE_ASKED, cross_border=False),
        id="R2 an unknown mandate MANDATE_DOES_NOT_COVER PIPA 17(1)2",
    ),
    pytest.param(
        customs(processor("KR")),
        refused(MDNC, MANDATE_ASKED, cross_border=False),
        id="R2 wrong role: a processor MANDATE_DOES_NOT_COVER PIPA 17(1)2",
    ),
    pytest.param(
        customs(seller("KR"), consents=[provision_consent()]),
        refused(MDNC, MANDATE_ASKED, cross_border=False),
        id="R2 wrong role: a seller MANDATE_DOES_NOT_COVER, no other ground tried PIPA 17(1)2",
    ),
    pytest.param(
        customs(broker("CN")),
        refused(MDNC, MANDATE_ASKED, cross_border=True),
        id="R2 wrong country: a CN broker MANDATE_DOES_NOT_COVER PIPA 28-8(1)2",
    ),
    pytest.param(
        customs(broker("KR", data_countries=["US"])),
        refused(MDNC, MANDATE_ASKED, cross_border=True),
        id="R2 wrong data country: a KR broker viewing from the US MANDATE_DOES_NOT_COVER PIPA 28-8(1)2",
    ),
    pytest.param(
        customs(purpose="shipping"),
        refused(MDNC, MANDATE_ASKED, cross_border=False),
        id="R2 wrong purpose: shipping MANDATE_DOES_NOT_COVER PIPA 17(1)2",
    ),
    pytest.param(
        customs(suspended=True),
        released(
            MANDATE_OUT,
            [MANDATE_CUSTOMS],
            cross_border=False,
            reasons=[(SRBL, None), *MANDATE_REASONS],
            first_reason=(SRBL, None),
        ),
        id="R2 a covering mandate lifts the suspension, SUSPENSION_REFUSED_BY_LAW first PIPA 37(2)1, 37(4)",
    ),
    pytest.param(
        customs(suspended=True, items=["rrn"]),
        denied(["rrn"], [(IP, "rrn")], cross_border=False),
        id="R2 suspension lifted but nothing released: no SUSPENSION_REFUSED_BY_LAW PIPA 37(4)",
    ),
    pytest.param(
        customs(suspended=True, mandate="KR-NO-SUCH-ACT"),
        refused(MDNC, MANDATE_ASKED, cross_border=False),
        id="R2 before R3: an unknown mandate with a suspension MANDATE_DOES_NOT_COVER PIPA 17(1)2",
    ),
    pytest.param(
        customs(broker(contract_safeguards=False)),
        refused(CSM, MANDATE_ASKED, cross_border=False),
        id="R2 rule 3 still applies: broker without safeguards CONTRACT_SAFEGUARDS_MISSING PIPA 26(1)",
    ),
    pytest.param(
        customs(broker(notices=[]), suspended=True),
        refused(ND, MANDATE_ASKED, cross_border=False),
        id="R2 rule 3 still applies under a lifted suspension: undisclosed broker NOT_DISCLOSED PIPA 26(2)",
    ),
    pytest.param(
        customs(broker(retention_days=10)),
        released(
            MANDATE_OUT, [MANDATE_CUSTOMS], cross_border=False, reasons=MANDATE_REASONS, expiry=10
        ),
        id="R2 R8 the mandate's release expires with the recipient's retention PIPA 21(1)",
    ),
    pytest.param(
        customs(orders=[order(recipient="b-7"), order("o-2", country="KR")]),
        MANDATE_RELEASE,
        id="R2 R3 an order does not refuse the domestic broker under the mandate PIPA 28-9",
    ),
]


@pytest.mark.parametrize(("req", "expected"), RULE_2)
def test_rule_2_mandate(req: Json, expected: Json) -> None:
    check(req, expected)


def test_rule_2_mandate_article_quotes_the_citation_exactly() -> None:
    decision = decide(customs(items=["name"]))
    assert decision["article"] == "PIPA 17(1)2 (Customs Act Art. 241)"
    assert decision["ground"] == "legal_mandate"
    (basis,) = decision["bases"]
    assert basis["article"] == "PIPA 17(1)2 (Customs Act Art. 241)"
    assert basis["mandate_id"] == "KR-CUSTOMS-ACT-241"


# --- rule 3: refusals of the whole request ----------------------------------------------------

PAY = ("name", "card_number")


def all_refusals(**drop: bool) -> Json:
    """A CN seller asked for payment data with every rule-3 refusal present; `drop` removes
    some (suspended, order, safeguards, undisclosed)."""
    return request(
        seller(
            "CN",
            contract_safeguards=drop.get("safeguards", False),
            notices=[NOTICE] if drop.get("undisclosed") else [EARLIER],
        ),
        consents=SELLER_CONSENTS,
        purpose="payment",
        items=PAY,
        suspended=not drop.get("suspended"),
        orders=[] if drop.get("order") else [order(country="CN")],
    )


def ship_to(to: Json, **overrides: Any) -> Json:
    terms: dict[str, Any] = {"consents": SELLER_CONSENTS}
    terms.update(overrides)
    return request(to, **terms)


CN_SHIP = released(SHIP_OUT, [provision("c-1"), transfer_consent("c-2")], cross_border=True)
KR_SELLER_SHIP = released(SHIP_OUT, [provision("c-1")], cross_border=False)
KR_PROCESSOR_SHIP = released(SHIP_OUT, [ENTRUSTMENT], cross_border=False)
US_CLOUD_SHIP = released(SHIP_OUT, [ENTRUSTMENT, TRANSFER_ENTRUSTED], cross_border=True)

RULE_3 = [
    # the order of the refusals
    pytest.param(
        all_refusals(),
        refused(TS, PAY, cross_border=True),
        id="R3 order 1 TRANSFER_SUSPENDED PIPA 37(1)",
    ),
    pytest.param(
        all_refusals(suspended=True),
        refused(TOS, PAY, cross_border=True),
        id="R3 order 2 TRANSFER_ORDER_SUSPENDED PIPA 28-9",
    ),
    pytest.param(
        all_refusals(suspended=True, order=True),
        refused(CSM, PAY, cross_border=True),
        id="R3 order 3 CONTRACT_SAFEGUARDS_MISSING PIPA 28-8(4) Decree 29-10",
    ),
    pytest.param(
        all_refusals(suspended=True, order=True, safeguards=True),
        refused(ND, PAY, cross_border=True),
        id="R3 order 4 NOT_DISCLOSED PIPA 28-8(2) 30(1)",
    ),
    pytest.param(
        all_refusals(suspended=True, order=True, safeguards=True, undisclosed=True),
        refused(RNP, PAY, cross_border=True),
        id="R3 order 5 ROLE_NOT_PERMITTED PIPA 3(1)",
    ),
    # suspension by the subject, whatever the data country
    pytest.param(
        ship_to(seller("KR"), suspended=True),
        refused(TS, SHIP, cross_border=False),
        id="R3 TRANSFER_SUSPENDED domestic too PIPA 37(1)",
    ),
    pytest.param(
        request(processor("KR"), suspended=True),
        refused(TS, SHIP, cross_border=False),
        id="R3 TRANSFER_SUSPENDED for a domestic processor PIPA 37(1)",
    ),
    # suspension orders
    pytest.param(
        ship_to(seller("CN"), orders=[order(recipient="s-9")]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 TRANSFER_ORDER_SUSPENDED by recipient PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(country="CN")]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 TRANSFER_ORDER_SUSPENDED by country PIPA 28-9",
    ),
    pytest.param(
        request(processor("KR", data_countries=["US"]), orders=[order(country="US")]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 TRANSFER_ORDER_SUSPENDED by a foreign data country PIPA 28-9",
    ),
    pytest.param(
        request(processor("KR", data_countries=["US"]), orders=[order(recipient="p-1")]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 TRANSFER_ORDER_SUSPENDED by recipient for a KR processor on a US cloud PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN", data_countries=["US"]), orders=[order(country="US")]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 TRANSFER_ORDER_SUSPENDED by any foreign data country PIPA 28-9",
    ),
    pytest.param(
        request(processor("KR", data_countries=["US"]), orders=[order(country="KR")]),
        US_CLOUD_SHIP,
        id="R3 an order on KR is not on a foreign data country PIPA 28-9",
    ),
    pytest.param(
        request(processor("KR"), orders=[order(recipient="p-1")]),
        KR_PROCESSOR_SHIP,
        id="R3 an order does not refuse a domestic transfer PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(recipient="s-2"), order("o-2", country="US")]),
        CN_SHIP,
        id="R3 orders on another recipient or country do not apply PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(country="CN", start="2026-11-23T10:00:01+09:00")]),
        CN_SHIP,
        id="R3 an order before its from does not apply PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(country="CN", start=AT)]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 an order applies from its from inclusive PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(country="CN", start="2026-11-23T01:00:00+00:00")]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 an order's from in UTC is the same instant as at PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(country="CN", end=AT)]),
        CN_SHIP,
        id="R3 an order's to is exclusive: ended at at PIPA 28-9",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(country="CN", end="2026-11-23T10:00:01+09:00")]),
        refused(TOS, SHIP, cross_border=True),
        id="R3 an order with to after at applies PIPA 28-9",
    ),
    pytest.param(
        ship_to(
            seller("CN"),
            orders=[
                order(country="CN", end="2026-11-21T00:00:00+09:00"),
                order("o-2", recipient="s-9"),
            ],
        ),
        refused(TOS, SHIP, cross_border=True),
        id="R3 one active order among ended ones suffices PIPA 28-9",
    ),
    # safeguards and disclosure: cross-border or entrusted
    pytest.param(
        ship_to(seller("KR", contract_safeguards=False), consents=[provision_consent()]),
        KR_SELLER_SHIP,
        id="R3 a domestic seller without safeguards is not refused PIPA 28-8(4) 26(1)",
    ),
    pytest.param(
        ship_to(seller("KR", notices=[]), consents=[provision_consent()]),
        KR_SELLER_SHIP,
        id="R3 an undisclosed domestic seller is not refused PIPA 28-8(2) 26(2)",
    ),
    pytest.param(
        ship_to(seller("KR"), consents=[provision_consent()], notice_in_force=None),
        KR_SELLER_SHIP,
        id="R3 no notice ever published: a domestic seller is not refused PIPA 26(2)",
    ),
    pytest.param(
        ship_to(seller("CN", contract_safeguards=False)),
        refused(CSM, SHIP, cross_border=True),
        id="R3 CONTRACT_SAFEGUARDS_MISSING cross-border seller PIPA 28-8(4) Decree 29-10",
    ),
    pytest.param(
        ship_to(seller("KR", data_countries=["US"], contract_safeguards=False)),
        refused(CSM, SHIP, cross_border=True),
        id="R3 CONTRACT_SAFEGUARDS_MISSING a KR seller viewing from abroad PIPA 28-8(4)",
    ),
    pytest.param(
        request(processor("KR", contract_safeguards=False)),
        refused(CSM, SHIP, cross_border=False),
        id="R3 CONTRACT_SAFEGUARDS_MISSING domestic processor PIPA 26(1)",
    ),
    pytest.param(
        request(broker("KR", contract_safeguards=False), purpose="customs_clearance"),
        refused(CSM, SHIP, cross_border=False),
        id="R3 CONTRACT_SAFEGUARDS_MISSING domestic customs broker PIPA 26(1)",
    ),
    pytest.param(
        ship_to(seller("CN", notices=[EARLIER])),
        refused(ND, SHIP, cross_border=True),
        id="R3 NOT_DISCLOSED cross-border seller named only in an earlier notice PIPA 28-8(2) 30(1)",
    ),
    pytest.param(
        ship_to(seller("CN"), notice_in_force=None),
        refused(ND, SHIP, cross_border=True),
        id="R3 NOT_DISCLOSED cross-border when no notice was ever published PIPA 30(1)",
    ),
    pytest.param(
        request(processor("KR", notices=[])),
        refused(ND, SHIP, cross_border=False),
        id="R3 NOT_DISCLOSED domestic processor PIPA 26(2)",
    ),
    pytest.param(
        request(processor("KR"), notice_in_force=None),
        refused(ND, SHIP, cross_border=False),
        id="R3 NOT_DISCLOSED domestic processor when no notice was ever published PIPA 26(2)",
    ),
    pytest.param(
        ship_to(seller("KR", data_countries=["US"], notices=[EARLIER])),
        refused(ND, SHIP, cross_border=True),
        id="R3 NOT_DISCLOSED a KR seller viewing from abroad PIPA 28-8(2)",
    ),
    pytest.param(
        ship_to(seller("CN"), suspended=True, items=["name", "rrn", "birth_date"]),
        refused(TS, ["name", "rrn", "birth_date"], cross_border=True),
        id="R3 a refusal's code is the only reason: no item reasons beside it PIPA 37(1)",
    ),
    pytest.param(
        request(payment_processor("KR", notices=[EARLIER]), purpose="payment", items=PAY),
        refused(ND, PAY, cross_border=False),
        id="R3 NOT_DISCLOSED domestic payment processor PIPA 26(2)",
    ),
    pytest.param(
        request(processor("KR"), purpose="payment", items=PAY),
        refused(RNP, PAY, cross_border=False),
        id="R3 ROLE_NOT_PERMITTED payment to a processor PIPA 3(1)",
    ),
    pytest.param(
        request(broker("KR"), purpose="payment", items=PAY),
        refused(RNP, PAY, cross_border=False),
        id="R3 ROLE_NOT_PERMITTED payment to a customs broker PIPA 3(1)",
    ),
    pytest.param(
        ship_to(seller("KR"), purpose="payment", items=PAY),
        refused(RNP, PAY, cross_border=False),
        id="R3 ROLE_NOT_PERMITTED payment to a seller PIPA 3(1)",
    ),
    pytest.param(
        request(payment_processor("KR"), purpose="payment", items=[*PAY, "bank_account"]),
        released(
            {"name": P, "card_number": P, "bank_account": P}, [ENTRUSTMENT], cross_border=False
        ),
        id="R3 payment to a payment processor is permitted PIPA 26",
    ),
]


@pytest.mark.parametrize(("req", "expected"), RULE_3)
def test_rule_3_refusals(req: Json, expected: Json) -> None:
    check(req, expected)


# --- rule 4: marketing ------------------------------------------------------------------------


def to_market(to: Json, consents: Iterable[Json], items: Iterable[str] = ("email",)) -> Json:
    return request(to, consents=consents, purpose="marketing", items=items)


SELLER_MARKETING = (
    provision_consent(items=["email"], purposes=["marketing"]),
    marketing_consent(recipients=["s-9"]),
)

RULE_4 = [
    pytest.param(
        to_market(processor("KR", retention_days=400), [marketing_consent()]),
        released(
            {"email": R},
            [entrustment_by_consent("c-m"), marketing("c-m")],
            cross_border=False,
            expiry=90,
        ),
        id="R4 a processor under marketing: entrustment PIPA 15(1)1 and marketing PIPA 22(1)7",
    ),
    pytest.param(
        to_market(processor("KR"), []),
        denied(["email"], [(NLG, "email")], cross_border=False),
        id="R4 entrusted_contract never covers marketing: no consent NO_LAWFUL_GROUND once PIPA 22(1)7",
    ),
    pytest.param(
        to_market(processor("KR"), [marketing_consent(purposes=["shipping"])]),
        denied(["email"], [(NLG, "email")], cross_border=False),
        id="R4 a marketing consent without the marketing purpose NO_LAWFUL_GROUND PIPA 22(1)7",
    ),
    pytest.param(
        to_market(processor("KR"), [marketing_consent(items=["name"])]),
        denied(["email"], [(CDNC, "email")], cross_border=False),
        id="R4 a marketing consent without the item CONSENT_DOES_NOT_COVER PIPA 22(1)7",
    ),
    pytest.param(
        to_market(processor("KR"), [marketing_consent(withdrawn_at=AT)]),
        denied(["email"], [(CW, "email")], cross_border=False),
        id="R4 a withdrawn marketing consent CONSENT_WITHDRAWN PIPA 22(1)7 37",
    ),
    pytest.param(
        to_market(
            processor("KR"),
            [provision_consent(recipients=["p-1"], items=["email"], purposes=["marketing"])],
        ),
        denied(["email"], [(NLG, "email")], cross_border=False),
        id="R4 a provision consent is not a marketing consent NO_LAWFUL_GROUND PIPA 22(1)7",
    ),
    pytest.param(
        to_market(processor("KR"), [marketing_consent(recipients=[], countries=["KR"])]),
        released(
            {"email": R},
            [entrustment_by_consent("c-m"), marketing("c-m")],
            cross_border=False,
        ),
        id="R4 a country-wide marketing consent covers a named processor PIPA 22(1)7",
    ),
    pytest.param(
        to_market(
            processor("KR", notices=[NOTICE]),
            [marketing_consent(recipients=[], countries=["KR"], notice_version=EARLIER)],
        ),
        denied(["email"], [(NLG, "email")], cross_border=False),
        id="R4 a country-wide marketing consent misses a processor not named in its notice PIPA 17(2)1",
    ),
    pytest.param(
        to_market(seller("KR"), SELLER_MARKETING),
        released({"email": R}, [provision("c-1"), marketing("c-m")], cross_border=False),
        id="R4 a seller under marketing: provision PIPA 17(1)1 and marketing PIPA 22(1)7",
    ),
    pytest.param(
        to_market(seller("KR"), [marketing_consent(recipients=["s-9"])]),
        denied(["email"], [(NLG, "email")], cross_border=False),
        id="R4 a marketing consent alone gives a seller no provision NO_LAWFUL_GROUND PIPA 17(1)1",
    ),
    pytest.param(
        to_market(seller("KR"), [provision_consent(items=["email"], purposes=["marketing"])]),
        denied(["email"], [(NLG, "email")], cross_border=False),
        id="R4 a provision consent alone is no marketing consent NO_LAWFUL_GROUND PIPA 22(1)7",
    ),
    pytest.param(
        to_market(
            seller("KR"),
            [
                provision_consent(items=["name"], purposes=["marketing"]),
                marketing_consent(recipients=["s-9"], withdrawn_at=AT),
            ],
        ),
        denied(["email"], [(CDNC, "email"), (CW, "email")], cross_border=False),
        id="R4 R6 one reason per question: provision CONSENT_DOES_NOT_COVER, marketing CONSENT_WITHDRAWN PIPA 17(1)1 22(1)7",
    ),
    pytest.param(
        to_market(processor("CN"), [marketing_consent()]),
        denied(["email"], [(NLG, "email")], cross_border=True),
        id="R4 entrusted_contract never grounds a marketing transfer abroad NO_LAWFUL_GROUND PIPA 28-8(1)3",
    ),
    pytest.param(
        to_market(
            processor("CN"),
            [marketing_consent(), overseas_consent("c-o", items=["email"], purposes=["marketing"])],
        ),
        released(
            {"email": R},
            [entrustment_by_consent("c-m"), marketing("c-m"), transfer_consent("c-o")],
            cross_border=True,
        ),
        id="R4 a CN processor under marketing with an overseas consent PIPA 15(1)1 22(1)7 28-8(1)1",
    ),
    pytest.param(
        to_market(processor("CN", **CERTIFIED), [marketing_consent()]),
        released(
            {"email": R},
            [entrustment_by_consent("c-m"), marketing("c-m"), TRANSFER_CERTIFICATION],
            cross_border=True,
        ),
        id="R4 a certified CN processor under marketing goes on certification PIPA 28-8(1)4",
    ),
    pytest.param(
        to_market(processor("DE"), [marketing_consent()]),
        released(
            {"email": R},
            [entrustment_by_consent("c-m"), marketing("c-m"), TRANSFER_ADEQUACY],
            cross_border=True,
        ),
        id="R4 a DE processor under marketing goes on adequacy PIPA 28-8(1)5",
    ),
    pytest.param(
        to_market(
            seller("CN"),
            [*SELLER_MARKETING, overseas_consent("c-o", items=["email"], purposes=["marketing"])],
        ),
        released(
            {"email": R},
            [provision("c-1"), marketing("c-m"), transfer_consent("c-o")],
            cross_border=True,
        ),
        id="R4 R6 a CN seller under marketing: provision, marketing, then transfer PIPA 17(1)1 22(1)7 28-8(1)1",
    ),
    pytest.param(
        to_market(processor("CN"), [marketing_consent(), overseas_consent("c-o", items=["email"])]),
        denied(["email"], [(NLG, "email")], cross_border=True),
        id="R4 an overseas consent for shipping does not carry marketing abroad NO_LAWFUL_GROUND PIPA 28-8(1)1",
    ),
]


@pytest.mark.parametrize(("req", "expected"), RULE_4)
def test_rule_4_marketing(req: Json, expected: Json) -> None:
    check(req, expected)


def test_rule_4_marketing_ground_and_article_are_the_entrustment_consent() -> None:
    decision = decide(to_market(processor("KR"), [marketing_consent()]))
    assert (decision["ground"], decision["article"]) == ("consent", "PIPA 15(1)1")
    assert all(b["ground"] != "entrusted_contract" for b in decision["bases"])


# --- rule 5: items per purpose --------------------------------------------------------------

TABLE: dict[str, dict[str, str]] = {
    "shipping": {"name": P, "address": P, "postal_code": P, "order_items": P, "phone": R},
    "customs_clearance": {
        "name": P,
        "customs_code": P,
        "address": P,
        "postal_code": P,
        "order_items": P,
        "phone": R,
    },
    "customer_service": {"order_items": P, "phone": R, "email": R, "name": M},
    "payment": {"name": P, "card_number": P, "bank_account": P},
    "marketing": {"email": R},
}
CAPS = {
    "shipping": 30,
    "customs_clearance": 30,
    "customer_service": 90,
    "payment": 30,
    "marketing": 90,
}


def _table_row(role: str, purpose: str, item: str) -> Any:
    """One item asked of a domestic recipient that has every basis it could need."""
    everything = {"items": ALL_ITEMS, "purposes": tuple(TABLE)}
    if role == "processor":
        to = payment_processor() if purpose == "payment" else processor()
        consents = [marketing_consent(items=ALL_ITEMS)] if purpose == "marketing" else []
        bases = (
            [entrustment_by_consent("c-m"), marketing("c-m")]
            if purpose == "marketing"
            else [ENTRUSTMENT]
        )
    else:
        to = seller("KR", retention_days=400)
        consents = [
            provision_consent(**everything),
            marketing_consent(recipients=["s-9"], **everything),
        ]
        bases = (
            [provision("c-1"), marketing("c-m")] if purpose == "marketing" else [provision("c-1")]
        )
    req = request(to, consents=consents, purpose=purpose, items=[item])
    if item == "rrn":
        expected = denied([item], [(IP, item)], cross_border=False)
        rule = "ITEM_PROHIBITED PIPA 24-2"
    elif item in TABLE[purpose]:
        expiry = min(to["retention_days"], CAPS[purpose])
        expected = released({item: TABLE[purpose][item]}, bases, cross_border=False, expiry=expiry)
        rule = f"{TABLE[purpose][item]} PIPA 3(1)"
    else:
        expected = denied([item], [(INN, item)], cross_border=False)
        rule = "ITEM_NOT_NEEDED PIPA 3(1)"
    return pytest.param(req, expected, id=f"R5 {role} {purpose} {item} {rule}")


RULE_5 = [
    _table_row(role, purpose, item)
    for role in ("processor", "seller")
    for purpose in TABLE
    for item in ALL_ITEMS
    if not (role == "seller" and purpose == "payment")
]


@pytest.mark.parametrize(("req", "expected"), RULE_5)
def test_rule_5_items_per_purpose(req: Json, expected: Json) -> None:
    check(req, expected)


def test_rule_5_the_whole_shipping_table_in_one_request() -> None:
    check(
        request(processor(), items=ALL_ITEMS),
        released(
            {
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
            },
            [ENTRUSTMENT],
            cross_border=False,
            reasons=[
                (INN, "email"),
                (INN, "customs_code"),
                (INN, "card_number"),
                (INN, "bank_account"),
                (IP, "rrn"),
                (INN, "birth_date"),
            ],
        ),
    )


def test_rule_5_card_and_bank_data_go_to_a_payment_processor_only_for_payment() -> None:
    asked = ["name", "card_number", "bank_account"]
    check(
        request(payment_processor(), items=asked),
        released(
            {"name": P, "card_number": D, "bank_account": D},
            [ENTRUSTMENT],
            cross_border=False,
            reasons=[(INN, "card_number"), (INN, "bank_account")],
        ),
    )


# --- rule 6: the bases and the diagnosis ----------------------------------------------------

KR_SELLER = seller("KR")
ONE_SECOND_BEFORE = "2026-11-23T09:59:59+09:00"
ONE_SECOND_AFTER = "2026-11-23T10:00:01+09:00"
LATER = "2026-11-02T09:00:00+09:00"


def kr_ship(*consents: Json, items: Iterable[str] = SHIP) -> Json:
    return request(KR_SELLER, consents=consents, items=items)


RULE_6 = [
    # provision: the diagnosis
    pytest.param(
        kr_ship(),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: no consent at all PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(items=["name"])),
        released(
            {"name": P, "phone": D, "address": D},
            [provision("c-1")],
            cross_border=False,
            reasons=each(CDNC, ["phone", "address"]),
        ),
        id="R6 CONSENT_DOES_NOT_COVER: a valid consent covers recipient and purpose, not the item PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(withdrawn_at=AT)),
        denied(SHIP, each(CW, SHIP), cross_border=False),
        id="R6 CONSENT_WITHDRAWN: withdrawn exactly at at PIPA 37",
    ),
    pytest.param(
        kr_ship(provision_consent(withdrawn_at=ONE_SECOND_BEFORE)),
        denied(SHIP, each(CW, SHIP), cross_border=False),
        id="R6 CONSENT_WITHDRAWN: withdrawn before at PIPA 37",
    ),
    pytest.param(
        kr_ship(provision_consent(withdrawn_at=ONE_SECOND_AFTER)),
        KR_SELLER_SHIP,
        id="R6 a consent withdrawn after at is still valid PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(given_at=ONE_SECOND_AFTER)),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: a consent given after at is neither valid nor withdrawn PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(given_at=AT)),
        KR_SELLER_SHIP,
        id="R6 a consent given exactly at at is valid PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(items=["name"]), provision_consent("c-3", withdrawn_at=AT)),
        released(
            {"name": P, "phone": D, "address": D},
            [provision("c-1")],
            cross_border=False,
            reasons=each(CDNC, ["phone", "address"]),
        ),
        id="R6 CONSENT_DOES_NOT_COVER before CONSENT_WITHDRAWN PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(
            provision_consent(purposes=["customer_service"]),
            provision_consent("c-3", withdrawn_at=AT),
        ),
        denied(SHIP, each(CW, SHIP), cross_border=False),
        id="R6 CONSENT_WITHDRAWN when the valid consent does not cover the purpose PIPA 37",
    ),
    pytest.param(
        kr_ship(provision_consent(purposes=["customer_service"])),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: a consent for another purpose PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(recipients=["s-2"])),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: a consent to another recipient PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(recipients=["s-2"], withdrawn_at=AT)),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: a withdrawn consent to another recipient PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(overseas_consent(countries=[], recipients=["s-9"])),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: an overseas consent is no provision consent PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(marketing_consent(recipients=["s-9"], items=SHIP, purposes=["shipping"])),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: a marketing consent is no provision consent PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(recipients=[], countries=["KR"])),
        KR_SELLER_SHIP,
        id="R6 a country-wide consent covers a recipient named in its notice PIPA 17(2)1",
    ),
    pytest.param(
        kr_ship(provision_consent(recipients=[], countries=["KR"], notice_version=EARLIER)),
        KR_SELLER_SHIP,
        id="R6 a country-wide consent covers a recipient named in its (earlier) notice version PIPA 17(2)1",
    ),
    pytest.param(
        request(
            seller("KR", notices=[NOTICE]),
            consents=[provision_consent(recipients=[], countries=["KR"], notice_version=EARLIER)],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 a country-wide consent misses a recipient not named in its notice PIPA 17(2)1",
    ),
    pytest.param(
        request(
            seller("KR", notices=[NOTICE]),
            consents=[
                provision_consent(
                    recipients=[], countries=["KR"], notice_version=EARLIER, withdrawn_at=AT
                )
            ],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: a withdrawn country-wide consent that never covered the recipient PIPA 17(2)1",
    ),
    pytest.param(
        request(
            seller("KR", notices=[NOTICE]),
            consents=[
                provision_consent(
                    recipients=[], countries=["KR"], notice_version=EARLIER, items=["name"]
                )
            ],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND not CONSENT_DOES_NOT_COVER: a country-wide consent that misses the recipient PIPA 17(2)1",
    ),
    pytest.param(
        request(
            seller("KR", notices=[EARLIER]),
            consents=[provision_consent(recipients=[], countries=["KR"], notice_version=EARLIER)],
            notice_in_force=NOTICE,
        ),
        KR_SELLER_SHIP,
        id="R6 coverage follows the consent's notice, not the notice in force (domestic seller) PIPA 17(2)1",
    ),
    # two questions: provision and transfer
    pytest.param(
        ship_to(seller("CN"), consents=[]),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R6 duplicates of one code for one item are given once NO_LAWFUL_GROUND PIPA 17(1)1 28-8(1)",
    ),
    pytest.param(
        ship_to(seller("CN"), consents=[provision_consent(withdrawn_at=AT)]),
        denied(SHIP, [*each(CW, SHIP), *each(NLG, SHIP)], cross_border=True),
        id="R6 one reason per question: provision CONSENT_WITHDRAWN, transfer NO_LAWFUL_GROUND PIPA 17(1)1 28-8(1)",
    ),
    pytest.param(
        ship_to(seller("CN"), consents=[provision_consent(), overseas_consent(withdrawn_at=AT)]),
        denied(SHIP, each(CW, SHIP), cross_border=True),
        id="R6 transfer CONSENT_WITHDRAWN PIPA 28-8(1)1",
    ),
    pytest.param(
        ship_to(seller("CN"), consents=[provision_consent(), overseas_consent(items=["name"])]),
        released(
            {"name": P, "phone": D, "address": D},
            [provision("c-1"), transfer_consent("c-2")],
            cross_border=True,
            reasons=each(CDNC, ["phone", "address"]),
        ),
        id="R6 transfer CONSENT_DOES_NOT_COVER PIPA 28-8(1)1",
    ),
    pytest.param(
        ship_to(
            seller("CN"),
            consents=[provision_consent(items=["name"]), overseas_consent(items=["phone"])],
        ),
        denied(SHIP, each(CDNC, SHIP), cross_border=True),
        id="R6 every item lacks one basis or the other CONSENT_DOES_NOT_COVER once each PIPA 17(1)1 28-8(1)1",
    ),
    # transfer grounds in order
    pytest.param(
        request(processor("CN"), consents=[overseas_consent(items=["name"])]),
        released(
            SHIP_OUT,
            [ENTRUSTMENT, transfer_consent("c-2"), TRANSFER_ENTRUSTED],
            cross_border=True,
        ),
        id="R6 transfer grounds in order: consent before entrusted_contract PIPA 28-8(1)1 28-8(1)3",
    ),
    pytest.param(
        request(processor("CN", **CERTIFIED)),
        released(SHIP_OUT, [ENTRUSTMENT, TRANSFER_ENTRUSTED], cross_border=True),
        id="R6 entrusted_contract before certification PIPA 28-8(1)3",
    ),
    pytest.param(
        request(processor("DE")),
        released(SHIP_OUT, [ENTRUSTMENT, TRANSFER_ENTRUSTED], cross_border=True),
        id="R6 entrusted_contract before adequacy PIPA 28-8(1)3",
    ),
    pytest.param(
        ship_to(
            seller("CN", **CERTIFIED),
            consents=[provision_consent(), overseas_consent(items=["name"])],
        ),
        released(
            SHIP_OUT,
            [provision("c-1"), transfer_consent("c-2"), TRANSFER_CERTIFICATION],
            cross_border=True,
        ),
        id="R6 consent before certification, per item PIPA 28-8(1)1 28-8(1)4",
    ),
    pytest.param(
        ship_to(seller("CN", **CERTIFIED), consents=[provision_consent()]),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_CERTIFICATION], cross_border=True),
        id="R6 certification: ISMS-P and the measures PIPA 28-8(1)4",
    ),
    pytest.param(
        ship_to(seller("CN", certifications=["ISMS-P"]), consents=[provision_consent()]),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R6 certification without the measures NO_LAWFUL_GROUND PIPA 28-8(1)4",
    ),
    pytest.param(
        ship_to(
            seller("CN", certifications=["ISO-27001"], certification_measures=True),
            consents=[provision_consent()],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R6 a certification the pack does not designate NO_LAWFUL_GROUND PIPA 28-8(1)4",
    ),
    pytest.param(
        ship_to(seller("CN", certification_measures=True), consents=[provision_consent()]),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R6 the measures without a certification NO_LAWFUL_GROUND PIPA 28-8(1)4",
    ),
    pytest.param(
        ship_to(seller("DE", **CERTIFIED), consents=[provision_consent()]),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_CERTIFICATION], cross_border=True),
        id="R6 certification before adequacy PIPA 28-8(1)4",
    ),
    pytest.param(
        ship_to(
            seller("DE"),
            consents=[provision_consent(), overseas_consent(countries=["DE"], items=["name"])],
        ),
        released(
            SHIP_OUT,
            [provision("c-1"), transfer_consent("c-2"), TRANSFER_ADEQUACY],
            cross_border=True,
        ),
        id="R6 consent before adequacy, per item PIPA 28-8(1)1 28-8(1)5",
    ),
    pytest.param(
        ship_to(seller("DE", **CERTIFIED), consents=[]),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R6 certification and adequacy never ground a seller's provision PIPA 17(1)1 28-8(4)",
    ),
    pytest.param(
        ship_to(seller("DE"), consents=[provision_consent(withdrawn_at=AT)]),
        denied(SHIP, each(CW, SHIP), cross_border=True),
        id="R6 adequacy answers the transfer only: provision CONSENT_WITHDRAWN PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(items=["name"], withdrawn_at=AT)),
        denied(SHIP, [(CW, "name"), (NLG, "phone"), (NLG, "address")], cross_border=False),
        id="R6 CONSENT_WITHDRAWN only for the items the withdrawn consent covered PIPA 37",
    ),
    pytest.param(
        kr_ship(items=["name", "birth_date", "rrn"]),
        denied(
            ["name", "birth_date", "rrn"],
            [(NLG, "name"), (INN, "birth_date"), (IP, "rrn")],
            cross_border=False,
        ),
        id="R5 R6 an item rule 5 denies gets its rule 5 reason only PIPA 3(1) 24-2",
    ),
    pytest.param(
        ship_to(
            seller("CN"),
            consents=[
                provision_consent(items=["name"]),
                provision_consent("c-3", items=["phone"], given_at=LATER),
                overseas_consent(items=["name"]),
            ],
            items=["name", "phone"],
        ),
        released(
            {"name": P, "phone": D},
            [provision("c-1"), transfer_consent("c-2")],
            cross_border=True,
            reasons=[(CDNC, "phone")],
        ),
        id="R6 bases list only what a released item used: not the consent of a denied item PIPA 17(1)1",
    ),
    # the consent given last wins
    pytest.param(
        kr_ship(provision_consent(), provision_consent("c-3", given_at=LATER)),
        released(SHIP_OUT, [provision("c-3")], cross_border=False),
        id="R6 the consent given last wins PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent("c-3", given_at=LATER), provision_consent()),
        released(SHIP_OUT, [provision("c-3")], cross_border=False),
        id="R6 the consent given last wins whatever the list order PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent("c-9"), provision_consent("c-10")),
        released(SHIP_OUT, [provision("c-10")], cross_border=False),
        id="R6 a tie goes to the smallest id in code-point order c-10 before c-9 PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent("c-a"), provision_consent("c-B")),
        released(SHIP_OUT, [provision("c-B")], cross_border=False),
        id="R6 a tie goes to the smallest id in code-point order c-B before c-a PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(
            provision_consent("c-9"),
            provision_consent("c-10", given_at="2026-11-01T00:00:00+00:00"),
        ),
        released(SHIP_OUT, [provision("c-10")], cross_border=False),
        id="R6 a tie is a tie of instants, whatever the offsets PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(
            provision_consent("c-3"), provision_consent("c-1", given_at="2026-11-01T01:00:00+00:00")
        ),
        released(SHIP_OUT, [provision("c-1")], cross_border=False),
        id="R6 given last compares instants, not their text PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(withdrawn_at="2026-11-23T01:00:00+00:00")),
        denied(SHIP, each(CW, SHIP), cross_border=False),
        id="R6 CONSENT_WITHDRAWN: withdrawn at at, given in UTC PIPA 37",
    ),
    pytest.param(
        kr_ship(provision_consent(given_at="2026-11-23T01:00:01+00:00")),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="R6 NO_LAWFUL_GROUND: given one second after at, in UTC PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(), provision_consent("c-3", given_at=LATER, withdrawn_at=AT)),
        released(SHIP_OUT, [provision("c-1")], cross_border=False),
        id="R6 a later withdrawn consent does not win PIPA 17(1)1",
    ),
    pytest.param(
        kr_ship(provision_consent(), provision_consent("c-3", given_at=ONE_SECOND_AFTER)),
        released(SHIP_OUT, [provision("c-1")], cross_border=False),
        id="R6 a consent not yet given does not win PIPA 17(1)1",
    ),
    pytest.param(
        ship_to(
            seller("CN"),
            consents=[
                provision_consent(),
                overseas_consent(),
                overseas_consent("c-4", countries=[], recipients=["s-9"], given_at=LATER),
            ],
        ),
        released(SHIP_OUT, [provision("c-1"), transfer_consent("c-4")], cross_border=True),
        id="R6 the overseas consent given last wins PIPA 28-8(1)1",
    ),
    pytest.param(
        to_market(
            processor("KR"),
            [marketing_consent(), marketing_consent("c-n", given_at=LATER)],
        ),
        released(
            {"email": R},
            [entrustment_by_consent("c-n"), marketing("c-n")],
            cross_border=False,
        ),
        id="R6 the marketing consent given last wins PIPA 22(1)7",
    ),
]


@pytest.mark.parametrize(("req", "expected"), RULE_6)
def test_rule_6_bases(req: Json, expected: Json) -> None:
    check(req, expected)


def test_rule_6_each_item_takes_the_consent_given_last_that_covers_it() -> None:
    # name: c-3 (given later) covers it; phone and address: only c-1 does. Both are used; the
    # contract does not order two provision bases between themselves.
    decision = decide(
        kr_ship(provision_consent(), provision_consent("c-3", items=["name"], given_at=LATER))
    )
    assert decision["allowed"] is True
    assert decision["items"] == SHIP_OUT
    assert sorted(
        (b["basis"], b["ground"], b["article"], b["consent_id"]) for b in decision["bases"]
    ) == [
        ("provision", "consent", "PIPA 17(1)1", "c-1"),
        ("provision", "consent", "PIPA 17(1)1", "c-3"),
    ]
    assert (decision["ground"], decision["article"]) == ("consent", "PIPA 17(1)1")
    assert decision["reasons"] == []


# --- rule 7: recognitions and their dates -----------------------------------------------------

EEA = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
)  # fmt: skip
NOT_RECOGNISED = ("GB", "CH", "US", "JP", "CN", "SG")


def dated(to: Json, at: str) -> Json:
    return request(to, consents=[provision_consent(given_at=LONG_AGO)], at=at)


RULE_7 = [
    *(
        pytest.param(
            dated(seller(country), AT),
            released(SHIP_OUT, [provision("c-1"), TRANSFER_ADEQUACY], cross_border=True),
            id=f"R7 {country} is recognised PIPA 28-8(1)5",
        )
        for country in EEA
    ),
    *(
        pytest.param(
            dated(seller(country), AT),
            denied(SHIP, each(NLG, SHIP), cross_border=True),
            id=f"R7 {country} is not recognised NO_LAWFUL_GROUND PIPA 28-8(1)5",
        )
        for country in NOT_RECOGNISED
    ),
    pytest.param(
        dated(seller("DE"), "2025-09-16T00:00:00+09:00"),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_ADEQUACY], cross_border=True),
        id="R7 adequacy from 2025-09-16 00:00 KST PIPA 28-8(1)5",
    ),
    pytest.param(
        dated(seller("DE"), "2025-09-15T15:00:00+00:00"),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_ADEQUACY], cross_border=True),
        id="R7 adequacy from 2025-09-16 00:00 KST given in UTC PIPA 28-8(1)5",
    ),
    pytest.param(
        dated(seller("DE"), "2025-09-15T23:59:59+09:00"),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R7 no adequacy on 2025-09-15 23:59:59 KST PIPA 28-8(1)5",
    ),
    pytest.param(
        dated(seller("DE"), "2025-09-15T14:59:59+00:00"),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R7 no adequacy one second before, given in UTC PIPA 28-8(1)5",
    ),
    pytest.param(
        dated(seller("CN", **CERTIFIED), "2023-10-16T00:00:00+09:00"),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_CERTIFICATION], cross_border=True),
        id="R7 ISMS-P designated from 2023-10-16 00:00 KST PIPA 28-8(1)4",
    ),
    pytest.param(
        dated(seller("CN", **CERTIFIED), "2023-10-15T15:00:00+00:00"),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_CERTIFICATION], cross_border=True),
        id="R7 ISMS-P designated from 2023-10-16 00:00 KST given in UTC PIPA 28-8(1)4",
    ),
    pytest.param(
        dated(seller("CN", **CERTIFIED), "2023-10-15T23:59:59+09:00"),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
        id="R7 ISMS-P not yet designated on 2023-10-15 23:59:59 KST PIPA 28-8(1)4",
    ),
    pytest.param(
        dated(seller("DE", **CERTIFIED), "2024-01-01T00:00:00+09:00"),
        released(SHIP_OUT, [provision("c-1"), TRANSFER_CERTIFICATION], cross_border=True),
        id="R7 a DE seller in 2024: certification, not yet adequacy PIPA 28-8(1)4",
    ),
]


@pytest.mark.parametrize(("req", "expected"), RULE_7)
def test_rule_7_recognitions(req: Json, expected: Json) -> None:
    check(req, expected)


# --- rule 8: expiry -----------------------------------------------------------------------------

RULE_8 = [
    pytest.param(
        request(processor(retention_days=10)),
        released(SHIP_OUT, [ENTRUSTMENT], cross_border=False, expiry=10),
        id="R8 shipping: retention under the cap PIPA 21(1)",
    ),
    pytest.param(
        request(processor(retention_days=30)),
        released(SHIP_OUT, [ENTRUSTMENT], cross_border=False, expiry=30),
        id="R8 shipping: retention at the cap PIPA 21(1)",
    ),
    pytest.param(
        request(processor(retention_days=45)),
        released(SHIP_OUT, [ENTRUSTMENT], cross_border=False, expiry=30),
        id="R8 shipping capped at 30 PIPA 21(1)",
    ),
    pytest.param(
        request(broker(retention_days=365), purpose="customs_clearance"),
        released(SHIP_OUT, [ENTRUSTMENT], cross_border=False, expiry=30),
        id="R8 customs_clearance capped at 30 PIPA 21(1)",
    ),
    pytest.param(
        request(payment_processor(retention_days=365), purpose="payment", items=PAY),
        released({"name": P, "card_number": P}, [ENTRUSTMENT], cross_border=False, expiry=30),
        id="R8 payment capped at 30 PIPA 21(1)",
    ),
    pytest.param(
        request(processor(retention_days=365), purpose="customer_service", items=["order_items"]),
        released({"order_items": P}, [ENTRUSTMENT], cross_border=False, expiry=90),
        id="R8 customer_service capped at 90 PIPA 21(1)",
    ),
    pytest.param(
        request(processor(retention_days=60), purpose="customer_service", items=["order_items"]),
        released({"order_items": P}, [ENTRUSTMENT], cross_border=False, expiry=60),
        id="R8 customer_service under the cap PIPA 21(1)",
    ),
    pytest.param(
        to_market(processor(retention_days=3650), [marketing_consent()]),
        released(
            {"email": R},
            [entrustment_by_consent("c-m"), marketing("c-m")],
            cross_border=False,
            expiry=90,
        ),
        id="R8 marketing capped at 90 PIPA 21(1)",
    ),
    pytest.param(
        request(processor(retention_days=1)),
        released(SHIP_OUT, [ENTRUSTMENT], cross_border=False, expiry=1),
        id="R8 one day PIPA 21(1)",
    ),
    pytest.param(
        request(processor(), items=["rrn", "card_number"]),
        denied(["rrn", "card_number"], [(IP, "rrn"), (INN, "card_number")], cross_border=False),
        id="R8 null when nothing is released PIPA 21(1)",
    ),
]


@pytest.mark.parametrize(("req", "expected"), RULE_8)
def test_rule_8_expiry(req: Json, expected: Json) -> None:
    check(req, expected)


# --- every reason code ------------------------------------------------------------------------

REASON_CODES = [
    pytest.param(
        kr_ship(),
        denied(SHIP, each(NLG, SHIP), cross_border=False),
        id="NO_LAWFUL_GROUND PIPA 17(1)",
    ),
    pytest.param(
        kr_ship(provision_consent(withdrawn_at=GIVEN)),
        denied(SHIP, each(CW, SHIP), cross_border=False),
        id="CONSENT_WITHDRAWN PIPA 37",
    ),
    pytest.param(
        kr_ship(provision_consent(items=["name", "phone"])),
        released(
            {"name": P, "phone": R, "address": D},
            [provision("c-1")],
            cross_border=False,
            reasons=[(CDNC, "address")],
        ),
        id="CONSENT_DOES_NOT_COVER PIPA 17(1)1",
    ),
    pytest.param(
        ship_to(seller("CN", notices=[])),
        refused(ND, SHIP, cross_border=True),
        id="NOT_DISCLOSED PIPA 28-8(2) 30(1)",
    ),
    pytest.param(
        ship_to(seller("CN", contract_safeguards=False)),
        refused(CSM, SHIP, cross_border=True),
        id="CONTRACT_SAFEGUARDS_MISSING PIPA 28-8(4)",
    ),
    pytest.param(
        ship_to(seller("CN"), suspended=True),
        refused(TS, SHIP, cross_border=True),
        id="TRANSFER_SUSPENDED PIPA 37(1)",
    ),
    pytest.param(
        ship_to(seller("CN"), orders=[order(country="CN")]),
        refused(TOS, SHIP, cross_border=True),
        id="TRANSFER_ORDER_SUSPENDED PIPA 28-9",
    ),
    pytest.param(
        customs(broker("CN")),
        refused(MDNC, MANDATE_ASKED, cross_border=True),
        id="MANDATE_DOES_NOT_COVER PIPA 28-8(1)2",
    ),
    pytest.param(
        ship_to(seller("CN"), purpose="payment", items=PAY),
        refused(RNP, PAY, cross_border=True),
        id="ROLE_NOT_PERMITTED PIPA 3(1)",
    ),
    pytest.param(
        ship_to(seller("CN"), items=["name", "birth_date"]),
        released(
            {"name": P, "birth_date": D},
            [provision("c-1"), transfer_consent("c-2")],
            cross_border=True,
            reasons=[(INN, "birth_date")],
        ),
        id="ITEM_NOT_NEEDED PIPA 3(1)",
    ),
    pytest.param(
        ship_to(seller("CN"), items=["name", "rrn"]),
        released(
            {"name": P, "rrn": D},
            [provision("c-1"), transfer_consent("c-2")],
            cross_border=True,
            reasons=[(IP, "rrn")],
        ),
        id="ITEM_PROHIBITED PIPA 24-2",
    ),
    pytest.param(
        customs(suspended=True, items=["name"]),
        released(
            {"name": P},
            [MANDATE_CUSTOMS],
            cross_border=False,
            reasons=[(SRBL, None)],
            first_reason=(SRBL, None),
        ),
        id="SUSPENSION_REFUSED_BY_LAW PIPA 37(2)1 37(4)",
    ),
]


@pytest.mark.parametrize(("req", "expected"), REASON_CODES)
def test_reason_code(req: Json, expected: Json) -> None:
    check(req, expected)


# --- the twelve legal cases -----------------------------------------------------------


def test_case_01_consent_to_china_misses_a_seller_not_named_in_its_notice() -> None:
    # AliExpress: "sellers in China" reaches nobody the buyer was not told of by name (17(2)1,
    # 28-8(2)3). The seller is disclosed now (named in 2026-11-01) but not in the consent's notice.
    check(
        request(
            seller("CN", notices=[NOTICE]),
            consents=[provision_consent(), overseas_consent(notice_version=EARLIER)],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
    )


def test_case_02_consent_to_china_reaches_a_seller_named_in_its_notice() -> None:
    check(
        request(
            seller("CN", notices=[EARLIER, NOTICE]),
            consents=[provision_consent(), overseas_consent(notice_version=EARLIER)],
        ),
        {
            "allowed": True,
            "cross_border": True,
            "ground": "consent",
            "article": "PIPA 28-8(1)1",
            "bases": [provision("c-1"), transfer_consent("c-2")],
            "items": SHIP_OUT,
            "access_expires_after_delivery_days": 30,
            "reasons": [],
            "first_reason": None,
        },
    )


def test_case_03_a_certified_seller_abroad_still_needs_a_provision_consent() -> None:
    # 28-8(4): Arts. 17-19 still apply; a certification never replaces the provision consent.
    check(
        request(seller("CN", **CERTIFIED), consents=[]),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
    )


def test_case_04_a_marketing_consent_alone_sends_no_shipping_data_abroad() -> None:
    check(
        request(
            seller("CN"),
            consents=[
                marketing_consent(
                    recipients=["s-9"], items=SHIP, purposes=["shipping", "marketing"]
                )
            ],
        ),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
    )


def test_case_05_an_undisclosed_certified_processor_abroad_is_not_disclosed() -> None:
    # Temu: entrusted processing abroad that the notice does not name (28-8(2), 26(2)).
    check(
        request(processor("CN", notices=[], **CERTIFIED)),
        refused(ND, SHIP, cross_border=True),
    )


def test_case_06_a_buyer_in_china_and_a_chinese_seller_is_cross_border() -> None:
    decision = check(
        request(seller("CN"), consents=SELLER_CONSENTS, residence="CN"),
        released(SHIP_OUT, [provision("c-1"), transfer_consent("c-2")], cross_border=True),
    )
    assert decision["cross_border"] is True


def test_case_07_a_buyer_in_china_and_a_korean_seller_is_domestic() -> None:
    check(
        request(seller("KR"), consents=[provision_consent()], residence="CN"),
        {
            "allowed": True,
            "cross_border": False,
            "ground": "consent",
            "article": "PIPA 17(1)1",
            "bases": [provision("c-1")],
            "items": SHIP_OUT,
            "access_expires_after_delivery_days": 30,
            "reasons": [],
            "first_reason": None,
        },
    )


def test_case_08_a_domestic_carrier_for_a_buyer_abroad_is_domestic_entrustment() -> None:
    check(
        request(processor("KR"), residence="US"),
        {
            "allowed": True,
            "cross_border": False,
            "ground": "entrusted_contract",
            "article": "PIPA 26",
            "bases": [ENTRUSTMENT],
            "items": SHIP_OUT,
            "access_expires_after_delivery_days": 30,
            "reasons": [],
            "first_reason": None,
        },
    )


def test_case_09a_card_data_to_an_eu_payment_processor_goes_on_the_earlier_ground() -> None:
    # Adequacy excludes card and bank data, but entrusted_contract comes first and covers them.
    check(
        request(
            payment_processor("DE"),
            purpose="payment",
            items=["name", "card_number", "bank_account"],
        ),
        {
            "allowed": True,
            "cross_border": True,
            "ground": "entrusted_contract",
            "article": "PIPA 28-8(1)3",
            "bases": [ENTRUSTMENT, TRANSFER_ENTRUSTED],
            "items": {"name": P, "card_number": P, "bank_account": P},
            "access_expires_after_delivery_days": 30,
            "reasons": [],
            "first_reason": None,
        },
    )


def test_case_09b_an_eu_seller_with_a_provision_consent_goes_on_adequacy_without_card_data() -> (
    None
):
    check(
        request(
            seller("DE"),
            consents=[provision_consent(items=["name", "address", "card_number"])],
            items=["name", "address", "card_number"],
        ),
        {
            "allowed": True,
            "cross_border": True,
            "ground": "adequacy",
            "article": "PIPA 28-8(1)5",
            "bases": [provision("c-1"), TRANSFER_ADEQUACY],
            "items": {"name": P, "address": P, "card_number": D},
            "access_expires_after_delivery_days": 30,
            "reasons": [(INN, "card_number")],
            "first_reason": None,
        },
    )


def test_case_10_the_customs_mandate_covers_a_korean_broker() -> None:
    check(
        customs(items=["name", "customs_code", "address", "phone"]),
        {
            "allowed": True,
            "cross_border": False,
            "ground": "legal_mandate",
            "article": "PIPA 17(1)2 (Customs Act Art. 241)",
            "bases": [MANDATE_CUSTOMS],
            "items": {"name": P, "customs_code": P, "address": P, "phone": R},
            "access_expires_after_delivery_days": 30,
            "reasons": [],
            "first_reason": None,
        },
    )


def test_case_11_the_customs_mandate_does_not_cover_a_chinese_seller() -> None:
    check(
        customs(seller("CN"), consents=SELLER_CONSENTS, items=SHIP),
        refused(MDNC, SHIP, cross_border=True),
    )


def test_case_12_a_suspension_order_refuses_while_active_and_not_after_it_ended() -> None:
    active = order(country="CN", start="2026-11-01T00:00:00+09:00")
    ended = order(country="CN", start="2026-11-01T00:00:00+09:00", end="2026-11-20T00:00:00+09:00")
    check(ship_to(seller("CN"), orders=[active]), refused(TOS, SHIP, cross_border=True))
    check(ship_to(seller("CN"), orders=[ended]), CN_SHIP)


# --- the decision's shape -------------------------------------------------------------------


def test_items_answer_every_requested_item() -> None:
    decision = decide(request(processor(), items=ALL_ITEMS))
    assert set(decision["items"]) == set(ALL_ITEMS)


def test_omitted_optional_recipient_keys_default_to_empty_and_false() -> None:
    to = processor("KR")
    del to["data_countries"]
    del to["certification_measures"]
    check(request(to), KR_PROCESSOR_SHIP)
    certified = seller("CN", certifications=["ISMS-P"])
    del certified["certification_measures"]
    check(
        request(certified, consents=[provision_consent()]),
        denied(SHIP, each(NLG, SHIP), cross_border=True),
    )


# --- invalid input ----------------------------------------------------------------------------


def _messages(error: ValidationError) -> str:
    return " ".join(str(e["msg"]) for e in error.errors())


def test_v1_disclosed_in_notice_is_refused_naming_notices_and_notice_in_force() -> None:
    req = request(seller("CN"), consents=SELLER_CONSENTS)
    req["recipient"]["disclosed_in_notice"] = True
    with pytest.raises(ValidationError) as raised:
        DecisionRequestIn.model_validate(req)
    assert "notices" in _messages(raised.value)
    assert "notice_in_force" in _messages(raised.value)


def test_v1_mandate_citation_is_refused_naming_legal_mandate_id() -> None:
    req = customs()
    req["legal_mandate"] = {"citation": "Customs Act Art. 241"}
    with pytest.raises(ValidationError) as raised:
        DecisionRequestIn.model_validate(req)
    assert "legal_mandate.id" in _messages(raised.value)


def _with(path: Sequence[str | int], key: str, value: Any) -> Json:
    req = ship_to(seller("CN"), orders=[order(country="US", end=AT)], mandate=None)
    req["legal_mandate"] = {"id": CUSTOMS}
    target: Any = req
    for step in path:
        target = target[step]
    target[key] = value
    return req


@pytest.mark.parametrize(
    "req",
    [
        pytest.param(_with([], "surprise", 1), id="unknown key in the request"),
        pytest.param(_with(["subject"], "surprise", 1), id="unknown key in the subject"),
        pytest.param(
            _with(["subject", "consents", 0], "surprise", 1), id="unknown key in a consent"
        ),
        pytest.param(_with(["recipient"], "surprise", 1), id="unknown key in the recipient"),
        pytest.param(
            _with(["recipient", "contact"], "surprise", 1), id="unknown key in the contact"
        ),
        pytest.param(_with(["suspension_orders", 0], "surprise", 1), id="unknown key in an order"),
        pytest.param(_with(["legal_mandate"], "surprise", 1), id="unknown key in the mandate"),
        pytest.param(
            _with(["suspension_orders", 0], "recipient", "s-9"),
            id="an order with both recipient and country",
        ),
        pytest.param(
            _with(["suspension_orders", 0], "country", None),
            id="an order with neither recipient nor country",
        ),
        pytest.param(_with([], "purpose", "profiling"), id="an unknown purpose"),
        pytest.param(_with([], "items", ["name", "shoe_size"]), id="an unknown item"),
        pytest.param(_with(["recipient"], "role", "broker"), id="an unknown role"),
        pytest.param(
            _with(["subject", "consents", 0], "kind", "collection"), id="an unknown consent kind"
        ),
    ],
)
def test_invalid_input_is_refused(req: Json) -> None:
    with pytest.raises(ValidationError):
        DecisionRequestIn.model_validate(req)


@pytest.mark.parametrize(
    "key",
    [
        "id",
        "name",
        "country",
        "role",
        "contact",
        "certifications",
        "contract_safeguards",
        "notices",
        "retention_days",
    ],
)
def test_every_other_recipient_key_is_required(key: str) -> None:
    req = ship_to(seller("CN"))
    del req["recipient"][key]
    with pytest.raises(ValidationError):
        DecisionRequestIn.model_validate(req)


def test_the_valid_base_of_the_invalid_input_tests_is_valid() -> None:
    # Without this, every invalid-input test above could pass on a base that is itself invalid.
    req = ship_to(seller("CN"), orders=[order(country="US", end=AT)])
    req["legal_mandate"] = {"id": CUSTOMS}
    DecisionRequestIn.model_validate(req)
    DecisionRequestIn.model_validate(example())
    DecisionRequestIn.model_validate(ship_to(seller("CN"), orders=[order(recipient="s-9")]))
