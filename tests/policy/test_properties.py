"""Invariants of the transfer decision, contract version 2 (contracts/decision.md), by hypothesis.

Black-box: requests are JSON-shaped dicts decided through the public codec, and every property is
stated from the contract's text (the rule it follows from is named in each test's docstring).

The strategies draw from small sets (five countries, two recipient ids, two notice versions,
instants on an hour grid around `at` and around the recognitions' start dates) so that the
interesting coincidences happen often: a consent naming exactly this recipient or its country, a
withdrawal at the very instant of the request, a domestic recipient on a foreign cloud, a notice
version the recipient was or was not named in, an order starting or ending at `at`. About half of
the consents are aimed at the request (its recipient, purpose and a kind it needs) so that
releases are common, and a drawn customs mandate often meets the broker it covers.
"""

import copy
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from databorder.policy import Engine, load_pack
from databorder.policy.codec import DecisionRequestIn, decision_to_json

ENGINE = Engine(load_pack("pipa"))
Json = dict[str, Any]
T = TypeVar("T")

# About 150 examples a property keeps the file well under 20 s while still meeting the rare
# combinations (a covering mandate with a suspended subject, a certified recipient at the
# designation's first second) several times a run.
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KST = timezone(timedelta(hours=9))
AT = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
CERTIFICATION_FROM = datetime(2023, 10, 16, 0, 0, tzinfo=KST)  # rule 7: ISMS-P designated
ADEQUACY_FROM = datetime(2025, 9, 16, 0, 0, tzinfo=KST)  # rule 7: EU/EEA recognised
ONE_SECOND = timedelta(seconds=1)
HOME = "KR"
COUNTRIES = ("KR", "CN", "US", "DE", "FR")
EEA = frozenset((
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
))  # fmt: skip
NOT_ON_ADEQUACY = frozenset({"rrn", "card_number", "bank_account"})
RECIPIENT_IDS = ("s-9", "s-2")
NOTICES = ("2026-10-01", "2026-11-01")
ROLES = ("seller", "processor", "customs_broker", "payment_processor")
ENTRUSTED = frozenset(ROLES[1:])
PURPOSES = ("shipping", "customs_clearance", "customer_service", "payment", "marketing")
ITEMS = (
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
KINDS = ("third_party_provision", "overseas_transfer", "marketing")
PAYMENT_DATA = frozenset({"card_number", "bank_account"})
CUSTOMS = "KR-CUSTOMS-ACT-241"
CUSTOMS_ITEMS = frozenset(
    {"name", "customs_code", "address", "postal_code", "phone", "order_items"}
)
TABLE: dict[str, dict[str, str]] = {
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
CAPS = {
    "shipping": 30,
    "customs_clearance": 30,
    "payment": 30,
    "customer_service": 90,
    "marketing": 90,
}
CONTRACT_KEYS = (
    "allowed",
    "cross_border",
    "ground",
    "article",
    "bases",
    "items",
    "access_expires_after_delivery_days",
    "reasons",
)
BASIS_KEYS = ("basis", "ground", "article", "consent_id", "mandate_id")


# --- deciding, and reading requests the way the contract does ---------------------------------


def decide(request: Json) -> Json:
    return decision_to_json(ENGINE.decide(DecisionRequestIn.model_validate(request).to_request()))


def contract_view(decision: Json) -> Json:
    """The decision on the contract's keys only; reasons as (code, item) pairs with
    SUSPENSION_REFUSED_BY_LAW kept first and the rest sorted (their order is not fixed)."""
    pairs = [(r["code"], r["item"]) for r in decision["reasons"]]
    head = [p for p in pairs[:1] if p[0] == "SUSPENSION_REFUSED_BY_LAW"]
    rest = sorted(pairs[len(head) :], key=lambda p: (p[1] is not None, p[1] or "", p[0]))
    view = {k: decision[k] for k in CONTRACT_KEYS}
    view["bases"] = [{k: b.get(k) for k in BASIS_KEYS} for b in decision["bases"]]
    view["reasons"] = head + rest
    return view


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def released(decision: Json) -> dict[str, str]:
    return {i: d for i, d in decision["items"].items() if d != "deny"}


def data_countries(request: Json) -> set[str]:
    to = request["recipient"]
    return {to["country"], *to.get("data_countries", [])}


def foreign(request: Json) -> set[str]:
    return data_countries(request) - {HOME}


def countries_tested(request: Json) -> set[str]:
    """Rule 1: a test on "the recipient's country" must hold for every foreign data country (for
    a domestic transfer: for KR)."""
    return foreign(request) or {HOME}


def valid(consent: Json, at: datetime) -> bool:
    withdrawn = consent["withdrawn_at"]
    return instant(consent["given_at"]) <= at and (withdrawn is None or instant(withdrawn) > at)


def covers_recipient(consent: Json, request: Json) -> bool:
    to = request["recipient"]
    if to["id"] in consent["recipients"]:
        return True
    return countries_tested(request) <= set(consent["countries"]) and (
        consent["notice_version"] in to["notices"]
    )


def covering(request: Json, kind: str, item: str, purpose: str | None = None) -> list[Json]:
    """The consents of `kind` valid at `at` that cover the recipient, the purpose and the item."""
    at = instant(request["at"])
    purpose = purpose or request["purpose"]
    return [
        c
        for c in request["subject"]["consents"]
        if c["kind"] == kind
        and valid(c, at)
        and covers_recipient(c, request)
        and purpose in c["purposes"]
        and item in c["items"]
    ]


def transfer_grounds(request: Json, item: str) -> list[str]:
    """Rule 6: the transfer grounds that cover `item`, in the contract's order."""
    at = instant(request["at"])
    to = request["recipient"]
    grounds = []
    if covering(request, "overseas_transfer", item):
        grounds.append("consent")
    if to["role"] in ENTRUSTED and request["purpose"] != "marketing":
        grounds.append("entrusted_contract")
    if (
        "ISMS-P" in to["certifications"]
        and to.get("certification_measures", False)
        and at >= CERTIFICATION_FROM
    ):
        grounds.append("certification")
    if foreign(request) <= EEA and at >= ADEQUACY_FROM and item not in NOT_ON_ADEQUACY:
        grounds.append("adequacy")
    return grounds


# --- strategies -------------------------------------------------------------------------------


def subsets(values: Iterable[T], min_size: int = 0) -> st.SearchStrategy[list[T]]:
    """A subset as one bitmask draw (cheaper than `st.sets`; shrinks towards the smallest)."""
    chosen = tuple(values)
    mask = st.integers(min_value=0, max_value=2 ** len(chosen) - 1)
    return mask.map(lambda m: [v for n, v in enumerate(chosen) if m >> n & 1]).filter(
        lambda picked: len(picked) >= min_size
    )


ats = st.sampled_from(
    [
        AT,
        AT,
        AT,
        AT,
        ADEQUACY_FROM - ONE_SECOND,
        ADEQUACY_FROM,
        CERTIFICATION_FROM - ONE_SECOND,
        CERTIFICATION_FROM,
    ]
)
offsets = st.integers(min_value=-48, max_value=48).map(lambda h: timedelta(hours=h))
maybe_durations = st.none() | st.integers(min_value=0, max_value=72).map(
    lambda h: timedelta(hours=h)
)
maybe_order_durations = st.none() | st.integers(min_value=1, max_value=72).map(
    lambda h: timedelta(hours=h)
)
country_sets = subsets(COUNTRIES)
id_sets = subsets(RECIPIENT_IDS)
purpose_sets = subsets(PURPOSES, min_size=1)
item_sets = subsets(ITEMS, min_size=1)
mandates = st.sampled_from([None, None, None, CUSTOMS, CUSTOMS, "KR-NO-SUCH-ACT"])


@st.composite
def consents_for(draw: st.DrawFn, request: Json, cid: str) -> Json:
    at = instant(request["at"])
    to = request["recipient"]
    purpose = request["purpose"]
    given_at = at + draw(offsets)
    duration = draw(maybe_durations)
    recipients = draw(id_sets)
    countries = draw(country_sets)
    purposes = draw(purpose_sets)
    kind = draw(st.sampled_from(KINDS))
    items = draw(item_sets)
    if draw(st.booleans()):  # aimed at this request: given by `at`, often its items too
        given_at = at - abs(given_at - at)
        if draw(st.booleans()):
            items = sorted({*items, *request["items"]})
        needed = ["marketing"] if purpose == "marketing" else []
        needed.append("third_party_provision" if to["role"] == "seller" else "overseas_transfer")
        if foreign(request):
            needed.append("overseas_transfer")
        kind = draw(st.sampled_from(needed))
        purposes = sorted({*purposes, purpose})
        if draw(st.booleans()):
            recipients = sorted({*recipients, to["id"]})
        else:
            countries = sorted({*countries, *countries_tested(request)})
    if not recipients and not countries:
        countries = ["US"]
    return {
        "id": cid,
        "kind": kind,
        "notice_version": draw(st.sampled_from(NOTICES)),
        "recipients": recipients,
        "countries": countries,
        "items": items,
        "purposes": purposes,
        "given_at": given_at.isoformat(),
        "withdrawn_at": (given_at + duration).isoformat() if duration is not None else None,
    }


@st.composite
def complete_consents(draw: st.DrawFn, request: Json) -> list[Json]:
    """One valid consent of every kind the request needs, covering its recipient, purpose and
    items: sellers, marketing and transfers abroad are released often."""
    at = instant(request["at"])
    to = request["recipient"]
    kinds = ["marketing"] if request["purpose"] == "marketing" else []
    if to["role"] == "seller":
        kinds.append("third_party_provision")
    if foreign(request) and draw(st.booleans()):  # else certification or adequacy may carry it
        kinds.append("overseas_transfer")
    consents = []
    for n, kind in enumerate(kinds):
        by_id = draw(st.booleans()) or not to["notices"]
        given_at = at - timedelta(hours=draw(st.integers(min_value=0, max_value=48)))
        withdrawn_at = draw(st.none() | st.just(at + timedelta(hours=1)))
        consents.append(
            {
                "id": f"c-k{n}",
                "kind": kind,
                "notice_version": to["notices"][0] if to["notices"] else NOTICES[1],
                "recipients": [to["id"]] if by_id else [],
                "countries": [] if by_id else sorted(countries_tested(request)),
                "items": sorted({*request["items"], *draw(item_sets)}),
                "purposes": [request["purpose"]],
                "given_at": given_at.isoformat(),
                "withdrawn_at": withdrawn_at.isoformat() if withdrawn_at else None,
            }
        )
    return consents


@st.composite
def orders_for(draw: st.DrawFn, request: Json, oid: str) -> Json:
    at = instant(request["at"])
    start = at + draw(offsets)
    # The codec refuses an order whose `to` is not after its `from` (the contract is silent).
    duration = draw(maybe_order_durations)
    by_recipient = draw(st.booleans())
    return {
        "id": oid,
        "recipient": draw(st.sampled_from(RECIPIENT_IDS)) if by_recipient else None,
        "country": None if by_recipient else draw(st.sampled_from(COUNTRIES)),
        "from": start.isoformat(),
        "to": (start + duration).isoformat() if duration is not None else None,
    }


@st.composite
def requests(draw: st.DrawFn) -> Json:
    at = draw(ats)
    # Half the requests are "clean" (no suspension, safeguards in place, the recipient disclosed,
    # no order, no mandate) so that rules 4-6 decide often; the rest draw every obstacle.
    clean = draw(st.booleans())
    mandate = None if clean else draw(mandates)
    role = draw(st.sampled_from(ROLES))
    country = draw(st.sampled_from(COUNTRIES))
    purpose = draw(st.sampled_from(PURPOSES))
    extra_countries = draw(country_sets)
    covered = mandate == CUSTOMS and draw(st.booleans())
    if covered:  # the broker the mandate covers, disclosed, with safeguards: it decides
        role, country, purpose, extra_countries = "customs_broker", "KR", "customs_clearance", []
    in_force = draw(st.sampled_from([NOTICES[1], NOTICES[1], NOTICES[0], None]))
    notices = draw(subsets(NOTICES))
    if clean or covered:  # disclosed: the notice in force named the recipient
        in_force = in_force or NOTICES[1]
        notices = sorted({*notices, in_force})
    request: Json = {
        "at": at.isoformat(),
        "pack": "pipa",
        "notice_in_force": in_force,
        "subject": {
            "id": "b-1",
            "residence": draw(st.sampled_from(COUNTRIES)),
            "transfer_suspended": not clean and draw(st.sampled_from([False, False, True])),
            "consents": [],
        },
        "recipient": {
            "id": draw(st.sampled_from(RECIPIENT_IDS)),
            "name": "Example Trading Co., Ltd.",
            "country": country,
            "role": role,
            "contact": {"email": "privacy@example.cn", "phone": "+86 755 1234 5678"},
            "certifications": draw(subsets(("ISMS-P", "ISO-27001"))),
            "certification_measures": draw(st.booleans()),
            "contract_safeguards": clean or covered or draw(st.sampled_from([True, True, False])),
            "notices": notices,
            "retention_days": draw(st.integers(min_value=1, max_value=400)),
            "data_countries": draw(st.sampled_from([[], [], extra_countries])),
        },
        "suspension_orders": [],
        "purpose": purpose,
        "items": draw(item_sets),
        "legal_mandate": {"id": mandate} if mandate is not None else None,
    }
    n_consents = draw(st.integers(min_value=0, max_value=4))
    consents = [draw(consents_for(request, f"c-{n}")) for n in range(n_consents)]
    if clean and draw(st.booleans()):
        consents += draw(complete_consents(request))
    request["subject"]["consents"] = consents
    n_orders = 0 if clean else draw(st.sampled_from([0, 1, 2]))
    request["suspension_orders"] = [draw(orders_for(request, f"o-{n}")) for n in range(n_orders)]
    return request


# --- the properties ---------------------------------------------------------------------------


@given(requests())
@EXAMPLES
def test_no_decision_releases_rrn_without_a_covering_mandate_listing_it(request: Json) -> None:
    """Rules 2 and 5: rrn is ITEM_PROHIBITED unless a covering mandate lists it; the pack's
    customs mandate does not list it, and an unknown mandate covers nothing."""
    decision = decide(request)
    if "rrn" in released(decision):
        mandate = request["legal_mandate"]
        assert mandate is not None
        assert mandate["id"] not in {CUSTOMS, "KR-NO-SUCH-ACT"}
    if "rrn" in request["items"]:
        assert decision["items"]["rrn"] == "deny"


@given(requests())
@EXAMPLES
def test_card_and_bank_data_go_only_to_a_payment_processor_for_payment(request: Json) -> None:
    """Rule 5: card_number and bank_account go only to a payment_processor (for payment)."""
    decision = decide(request)
    if PAYMENT_DATA & released(decision).keys():
        assert request["recipient"]["role"] == "payment_processor"
        assert request["purpose"] == "payment"


@given(requests())
@EXAMPLES
def test_every_deny_and_every_refusal_has_a_reason(request: Json) -> None:
    """`reasons` explains every deny and every refusal; a refusal of the whole request has its
    code as its only reason, `item` null; SUSPENSION_REFUSED_BY_LAW comes first, on an allowed
    decision only."""
    decision = decide(request)
    assert set(decision["items"]) == set(request["items"])
    reasons = decision["reasons"]
    items_explained = {r["item"] for r in reasons}
    assert items_explained <= {None, *request["items"]}
    for item, disposition in decision["items"].items():
        if disposition == "deny":
            assert item in items_explained or None in items_explained, item
    if not decision["allowed"]:
        assert reasons
    codes = [r["code"] for r in reasons]
    if "SUSPENSION_REFUSED_BY_LAW" in codes:
        assert codes.index("SUSPENSION_REFUSED_BY_LAW") == 0
        assert codes.count("SUSPENSION_REFUSED_BY_LAW") == 1
        assert reasons[0]["item"] is None
        assert decision["allowed"]
        assert request["subject"]["transfer_suspended"]
    request_level = [
        r for r in reasons if r["item"] is None and r["code"] != "SUSPENSION_REFUSED_BY_LAW"
    ]
    if request_level:
        assert len(reasons) == 1
        assert not decision["allowed"]
    pairs = [(r["code"], r["item"]) for r in reasons]
    assert len(pairs) == len(set(pairs))  # duplicates of one code for one item are given once
    for reason in reasons:
        assert isinstance(reason["en"], str)
        assert reason["en"].strip()
        assert isinstance(reason["ko"], str)
        assert reason["ko"].strip()


@given(requests())
@EXAMPLES
def test_no_seller_receives_an_item_without_a_provision_basis_unless_under_a_mandate(
    request: Json,
) -> None:
    """Rule 6: a seller's provision is a valid third_party_provision consent covering the
    recipient, the purpose and the item; nothing else grounds it (28-8(4): also abroad)."""
    decision = decide(request)
    if request["recipient"]["role"] != "seller" or request["legal_mandate"] is not None:
        return
    by_id = {c["id"]: c for c in request["subject"]["consents"]}
    for item in released(decision):
        assert covering(request, "third_party_provision", item), item
    provision = [b for b in decision["bases"] if b["basis"] == "provision"]
    assert bool(provision) == decision["allowed"]
    for basis in provision:
        assert (basis["ground"], basis["article"]) == ("consent", "PIPA 17(1)1")
        assert by_id[basis["consent_id"]]["kind"] == "third_party_provision"
    assert all(b["basis"] != "entrustment" for b in decision["bases"])


@given(requests())
@EXAMPLES
def test_no_item_crosses_the_border_without_a_transfer_basis(request: Json) -> None:
    """Rule 6: when cross-border, every released item has a transfer ground (consent,
    entrusted_contract, certification, adequacy), `bases` lists the transfer grounds used, and
    ground/article repeat the first."""
    decision = decide(request)
    assert decision["cross_border"] == bool(foreign(request))
    if not decision["cross_border"] or request["legal_mandate"] is not None:
        return
    for item in released(decision):
        assert transfer_grounds(request, item), item
    transfer = [b for b in decision["bases"] if b["basis"] == "transfer"]
    assert bool(transfer) == decision["allowed"]
    if transfer:
        assert (decision["ground"], decision["article"]) == (
            transfer[0]["ground"],
            transfer[0]["article"],
        )
        order = ["consent", "entrusted_contract", "certification", "adequacy"]
        ranks = [order.index(b["ground"]) for b in transfer]
        assert ranks == sorted(ranks)  # transfer in the order of its grounds
        assert decision["bases"][-len(transfer) :] == transfer  # and after the others


@given(requests())
@EXAMPLES
def test_a_country_wide_consent_never_reaches_a_recipient_not_named_in_its_notice(
    request: Json,
) -> None:
    """A consent covers a recipient by country only when the recipient's `notices` contains the
    consent's `notice_version` (17(2)1, 28-8(2)3): such consents change nothing at all."""
    decision = decide(request)
    to = request["recipient"]
    by_id = {c["id"]: c for c in request["subject"]["consents"]}
    for basis in decision["bases"]:
        if basis.get("consent_id") is not None:
            consent = by_id[basis["consent_id"]]
            assert to["id"] in consent["recipients"] or consent["notice_version"] in to["notices"]
    reaching = copy.deepcopy(request)
    reaching["subject"]["consents"] = [
        c
        for c in request["subject"]["consents"]
        if to["id"] in c["recipients"] or c["notice_version"] in to["notices"]
    ]
    assert contract_view(decide(reaching)) == contract_view(decision)


@given(requests())
@EXAMPLES
def test_withdrawing_every_consent_never_releases_more(request: Json) -> None:
    """A consent withdrawn at or before `at` grounds nothing (rules 4 and 6)."""
    decision = decide(request)
    at = instant(request["at"])
    withdrawn = copy.deepcopy(request)
    for consent in withdrawn["subject"]["consents"]:
        earlier = consent["withdrawn_at"] is not None and instant(consent["withdrawn_at"]) <= at
        if instant(consent["given_at"]) <= at and not earlier:
            consent["withdrawn_at"] = request["at"]
    after = decide(withdrawn)
    assert released(after).items() <= released(decision).items()
    assert all(b.get("consent_id") is None for b in after["bases"])


@given(requests())
@EXAMPLES
def test_a_refusal_denies_everything_with_no_bases(request: Json) -> None:
    """`allowed` is true when at least one item is released; allowed false has every item deny,
    empty bases, ground and article null, and no expiry (rule 8)."""
    decision = decide(request)
    assert decision["allowed"] == bool(released(decision))
    if not decision["allowed"]:
        assert set(decision["items"].values()) <= {"deny"}
        assert decision["bases"] == []
        assert decision["ground"] is None
        assert decision["article"] is None
        assert decision["access_expires_after_delivery_days"] is None
        return
    assert decision["bases"]
    assert decision["ground"] in {
        "consent",
        "legal_mandate",
        "entrusted_contract",
        "certification",
        "adequacy",
    }
    assert decision["article"]
    cap = CAPS[request["purpose"]]
    retention = request["recipient"]["retention_days"]
    assert decision["access_expires_after_delivery_days"] == min(retention, cap)


@given(requests())
@EXAMPLES
def test_bases_reference_only_consents_of_the_request_valid_at_its_instant(request: Json) -> None:
    """`bases` names the consents used: they are in the request and valid at `at`; a mandate
    basis names the request's mandate and stands alone (rule 2)."""
    decision = decide(request)
    at = instant(request["at"])
    by_id = {c["id"]: c for c in request["subject"]["consents"]}
    for basis in decision["bases"]:
        if basis["ground"] == "consent":
            assert basis["consent_id"] in by_id
            assert valid(by_id[basis["consent_id"]], at)
        if basis["basis"] == "mandate":
            assert decision["bases"] == [basis]
            assert basis["mandate_id"] == request["legal_mandate"]["id"]
            assert basis["ground"] == "legal_mandate"
    distinct = {tuple(b.get(k) for k in BASIS_KEYS) for b in decision["bases"]}
    assert len(distinct) == len(decision["bases"])


@given(requests(), st.sampled_from(COUNTRIES))
@EXAMPLES
def test_the_buyers_residence_changes_nothing(request: Json, residence: str) -> None:
    """Rule 1: the subject's residence does not change whether the transfer is cross-border,
    nor anything else the contract decides from."""
    moved = copy.deepcopy(request)
    moved["subject"]["residence"] = residence
    assert contract_view(decide(moved)) == contract_view(decide(request))


@given(requests(), st.randoms(use_true_random=False))
@EXAMPLES
def test_the_order_of_consents_and_orders_changes_nothing(request: Json, rng: Any) -> None:
    """Rule 6: the consent given last wins, ties to the smallest id: never the list's order."""
    shuffled = copy.deepcopy(request)
    rng.shuffle(shuffled["subject"]["consents"])
    rng.shuffle(shuffled["suspension_orders"])
    assert contract_view(decide(shuffled)) == contract_view(decide(request))


@given(requests())
@EXAMPLES
def test_released_items_take_their_form_from_the_table_or_the_mandate(request: Json) -> None:
    """Rule 5's table (or, under a covering mandate, its list: plain, phone and email relay)
    fixes each released item's form."""
    decision = decide(request)
    covered_by_mandate = any(b["basis"] == "mandate" for b in decision["bases"])
    for item, disposition in released(decision).items():
        if covered_by_mandate:
            assert item in CUSTOMS_ITEMS
            assert disposition == ("relay" if item in {"phone", "email"} else "plain")
        else:
            assert TABLE[request["purpose"]].get(item) == disposition


@given(requests())
@EXAMPLES
def test_marketing_needs_a_marketing_consent_and_never_rests_on_the_contract(
    request: Json,
) -> None:
    """Rule 4: marketing needs a valid marketing consent whose purposes include marketing,
    covering the recipient and the item; entrusted_contract never covers marketing."""
    decision = decide(request)
    if request["purpose"] != "marketing" or request["legal_mandate"] is not None:
        return
    assert all(b["ground"] != "entrusted_contract" for b in decision["bases"])
    for item in released(decision):
        assert covering(request, "marketing", item, purpose="marketing"), item
    if decision["allowed"]:
        assert any(
            (b["basis"], b["ground"], b["article"]) == ("marketing", "consent", "PIPA 22(1)7")
            for b in decision["bases"]
        )


@given(requests())
@EXAMPLES
def test_the_subjects_suspension_refuses_everything_but_a_covering_mandate(request: Json) -> None:
    """Rule 3: a subject who asked to suspend processing gets TRANSFER_SUSPENDED as the only
    reason, whatever the data country, unless a mandate (rule 2, applied first) decides."""
    suspended = copy.deepcopy(request)
    suspended["subject"]["transfer_suspended"] = True
    decision = decide(suspended)
    if request["legal_mandate"] is None:
        assert [(r["code"], r["item"]) for r in decision["reasons"]] == [
            ("TRANSFER_SUSPENDED", None)
        ]
        assert not decision["allowed"]
    else:
        assert "TRANSFER_SUSPENDED" not in [r["code"] for r in decision["reasons"]]
