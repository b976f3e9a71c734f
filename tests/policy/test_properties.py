"""Invariants of the decision engine over arbitrary requests (hypothesis).

The strategies draw from small sets (four countries, three recipient ids, instants on a coarse
grid) so that the interesting coincidences happen often: a consent naming exactly this recipient,
a withdrawal at the very instant of the request, a domestic recipient, a tie between consents.
"""

import dataclasses
import json
import random
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any, TypeVar

from hypothesis import assume, given, settings
from hypothesis import strategies as st

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
    LegalMandate,
    RecipientFacts,
    RulePack,
    SubjectFacts,
    compile_pack,
    decide,
    load_pack,
)

PACK = load_pack()
T = TypeVar("T")


def _adequate_jp() -> RulePack:
    text = resources.files("databorder.policy.packs").joinpath("pipa.json").read_text("utf-8")
    data = json.loads(text)
    data["adequate_countries"] = ["JP"]
    return compile_pack(data)


PACKS = {"pipa": PACK, "pipa with JP adequate": _adequate_jp()}
KST = timezone(timedelta(hours=9))
AT = datetime(2026, 11, 23, 10, 0, tzinfo=KST)
COUNTRIES = ("KR", "CN", "US", "JP")
RECIPIENT_IDS = ("s-1", "s-2", "p-1")
PAYMENT_DATA = frozenset({DataItem.CARD_NUMBER, DataItem.BANK_ACCOUNT})
EXAMPLES = settings(max_examples=300, deadline=None)

ITEMS = tuple(DataItem)
PURPOSES = tuple(Purpose)


def subsets(values: tuple[T, ...], min_size: int = 0) -> st.SearchStrategy[frozenset[T]]:
    """A subset as one bitmask draw: several times cheaper to generate than `st.sets`, and it
    still shrinks towards the smallest subset."""
    mask = st.integers(min_value=0, max_value=2 ** len(values) - 1)
    return mask.map(lambda m: frozenset(v for n, v in enumerate(values) if m >> n & 1)).filter(
        lambda chosen: len(chosen) >= min_size
    )


# Instants on an hour grid around AT, so that "withdrawn exactly at `at`" is common.
instants = st.integers(min_value=-48, max_value=48).map(lambda h: AT + timedelta(hours=h))
future_instants = st.integers(min_value=1, max_value=48).map(lambda h: AT + timedelta(hours=h))
hours = st.integers(min_value=0, max_value=48)
maybe_hours = st.none() | hours
# Strategies are built once: building them inside a draw costs hypothesis a validation each time.
recipient_ids = subsets(RECIPIENT_IDS)
country_sets = subsets(COUNTRIES)
purpose_sets = subsets(PURPOSES, min_size=1)
item_sets = subsets(ITEMS, min_size=1)
certification_sets = subsets(("ISMS-P", "ISO-27001"))
kinds = st.sampled_from(ConsentKind)


def _expected_kind(purpose: Purpose, cross_border: bool) -> ConsentKind:
    if purpose is Purpose.MARKETING:
        return ConsentKind.MARKETING
    return ConsentKind.OVERSEAS_TRANSFER if cross_border else ConsentKind.THIRD_PARTY_PROVISION


# A consent's raw parts; `_consent` aims it at the request when `aimed` is drawn true (names the
# recipient, is of the kind the request needs, covers its purpose), so that consents ground often.
consent_parts = st.tuples(
    instants,  # given_at
    maybe_hours,  # withdrawn so many hours after it was given, or never
    st.booleans(),  # aimed
    st.booleans(),  # aimed by recipient id (else by country)
    recipient_ids,
    country_sets,
    purpose_sets,
    item_sets,
    kinds,
)
ConsentParts = tuple[
    datetime,
    int | None,
    bool,
    bool,
    frozenset[str],
    frozenset[str],
    frozenset[Purpose],
    frozenset[DataItem],
    ConsentKind,
]


def _consent(
    cid: str, parts: ConsentParts, to: RecipientFacts, purpose: Purpose, kind: ConsentKind
) -> ConsentFacts:
    given_at, withdrawn_after, aimed, by_id, ids, countries, purposes, items, drawn_kind = parts
    if aimed:
        ids = ids | {to.id} if by_id else ids
        countries = countries if by_id else countries | {to.country}
        purposes = purposes | {purpose}
    return ConsentFacts(
        id=cid,
        kind=kind if aimed else drawn_kind,
        notice_version="2026-11-01",
        recipients=ids,
        countries=countries,
        items=items,
        purposes=purposes,
        given_at=given_at,
        withdrawn_at=(
            given_at + timedelta(hours=withdrawn_after) if withdrawn_after is not None else None
        ),
    )


recipients = st.builds(
    RecipientFacts,
    id=st.sampled_from(RECIPIENT_IDS),
    name=st.sampled_from(["Shenzhen Example Trading Co., Ltd.", "Global Parcel Ltd."]),
    country=st.sampled_from(COUNTRIES),
    role=st.sampled_from(RecipientRole),
    certifications=certification_sets,
    contract_safeguards=st.sampled_from([True, True, True, False]),
    disclosed_in_notice=st.sampled_from([True, True, False]),
    retention_days=st.integers(min_value=1, max_value=400),
)

# Requested items: any non-empty subset, in a drawn order (the decision must keep it).
requested_items = st.permutations(ITEMS).flatmap(
    lambda order: subsets(order, min_size=1).map(
        lambda chosen: tuple(i for i in order if i in chosen)
    )
)
request_parts = st.tuples(
    recipients,
    st.sampled_from(COUNTRIES),  # residence
    st.sampled_from(Purpose),
    st.lists(consent_parts, max_size=3),
    st.sampled_from([False, False, False, True]),  # transfer_suspended
    requested_items,
    st.sampled_from([None, None, LegalMandate("관세법 제241조")]),
)


def _request(parts: tuple[Any, ...]) -> DecisionRequest:
    to, residence, purpose, consents, suspended, items, mandate = parts
    kind = _expected_kind(purpose, to.country != residence)
    return DecisionRequest(
        at=AT,
        subject=SubjectFacts(
            id="b-1",
            residence=residence,
            transfer_suspended=suspended,
            consents=tuple(
                _consent(f"c-{n}", c, to, purpose, kind) for n, c in enumerate(consents)
            ),
        ),
        recipient=to,
        purpose=purpose,
        items=items,
        legal_mandate=mandate,
    )


requests = request_parts.map(_request)


# Packs by name, so that a failing example prints a name rather than the whole pack.
cases = st.tuples(requests, st.sampled_from(sorted(PACKS)))


def _unpack(case: tuple[DecisionRequest, str]) -> tuple[DecisionRequest, RulePack]:
    request, name = case
    return request, PACKS[name]


def _valid(consent: ConsentFacts, at: datetime) -> bool:
    return consent.given_at <= at and (consent.withdrawn_at is None or consent.withdrawn_at > at)


def _grounding_consent(request: DecisionRequest, decision: Decision) -> ConsentFacts | None:
    return next((c for c in request.subject.consents if c.id == decision.consent_id), None)


@st.composite
def consented_cases(draw: st.DrawFn) -> tuple[DecisionRequest, str]:
    """A request with nothing in the way of a consent (no suspension, no mandate, safeguards in
    place) and one more consent aimed at it and valid at `at`: consents ground most of these."""
    request, name = draw(cases)
    to = dataclasses.replace(request.recipient, contract_safeguards=True)
    kind = _expected_kind(request.purpose, to.country != request.subject.residence)
    aimed = dataclasses.replace(
        _consent("c-aimed", draw(consent_parts), to, request.purpose, kind),
        recipients=frozenset({to.id}),
        kind=kind,
        given_at=request.at - timedelta(hours=draw(hours)),
        withdrawn_at=draw(st.none() | future_instants),
    )
    subject = dataclasses.replace(
        request.subject,
        transfer_suspended=False,
        consents=(*request.subject.consents, aimed),
    )
    return dataclasses.replace(request, subject=subject, recipient=to, legal_mandate=None), name


@given(cases)
@EXAMPLES
def test_no_decision_ever_releases_rrn(case: tuple[DecisionRequest, str]) -> None:
    request, pack = _unpack(case)
    assert decide(request, pack).items.get(DataItem.RRN, Disposition.DENY) is Disposition.DENY


@given(cases)
@EXAMPLES
def test_card_and_bank_data_reach_only_a_payment_processor_for_payment(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    released = decide(request, pack).released()
    if PAYMENT_DATA & released.keys():
        assert request.recipient.role is RecipientRole.PAYMENT_PROCESSOR
        assert request.purpose is Purpose.PAYMENT


@given(cases)
@EXAMPLES
def test_every_deny_is_explained_and_every_refusal_has_a_reason(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    decision = decide(request, pack)
    explained = {r.item for r in decision.reasons}
    if decision.allowed:
        # A release explains each withheld item by name, and nothing else.
        denied = {i for i, d in decision.items.items() if d is Disposition.DENY}
        assert explained == denied
    else:
        assert decision.reasons
        for item in decision.items:
            assert item in explained or None in explained
    for reason in decision.reasons:
        assert reason.en.strip()
        assert reason.ko.strip()


@given(cases)
@EXAMPLES
def test_allowed_exactly_when_some_item_is_released_in_its_table_form(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    decision = decide(request, pack)
    assert tuple(decision.items) == request.items  # one answer per requested item, in order
    assert decision.allowed == any(d is not Disposition.DENY for d in decision.items.values())
    assert (decision.ground is not None) == decision.allowed
    table = pack.purposes[request.purpose].dispositions
    for item, disposition in decision.released().items():
        assert table[item] is disposition
    # R1, R4, R8: the article belongs to the ground on this side of the border; the expiry is
    # the retention capped by the purpose.
    cross_border = request.recipient.country != request.subject.residence
    assert decision.cross_border == cross_border
    if not decision.allowed:
        assert decision.access_expires_after_delivery_days is None
        return
    (entry,) = (g for g in pack.grounds if g.ground is decision.ground)
    assert decision.article == (
        entry.cross_border_article if cross_border else entry.domestic_article
    )
    if not cross_border:
        assert decision.ground in {Ground.CONSENT, Ground.LEGAL_MANDATE, Ground.ENTRUSTED_CONTRACT}
    cap = pack.purposes[request.purpose].max_access_days
    assert decision.access_expires_after_delivery_days == min(request.recipient.retention_days, cap)


@given(st.one_of(cases, consented_cases()))
@EXAMPLES
def test_a_consent_ground_names_a_consent_valid_at_the_request_covering_what_it_releases(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    decision = decide(request, pack)
    if decision.ground is not Ground.CONSENT:
        assert decision.consent_id is None
        return
    consent = _grounding_consent(request, decision)
    assert consent is not None
    assert _valid(consent, request.at)  # never withdrawn at or before `at`, never yet to come
    assert consent.kind is _expected_kind(request.purpose, decision.cross_border)
    assert consent.names(request.recipient.id, request.recipient.country)
    assert request.purpose in consent.purposes
    assert decision.released().keys() <= consent.items


@given(consented_cases())
@EXAMPLES
def test_a_withdrawn_consent_never_grounds_a_transfer_at_or_after_its_withdrawal(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    decision = decide(request, pack)
    if decision.consent_id is None:
        return  # nothing releasable for this purpose and role: no consent grounded anything
    withdrawn = tuple(
        dataclasses.replace(c, withdrawn_at=request.at) if c.id == decision.consent_id else c
        for c in request.subject.consents
    )
    subject = dataclasses.replace(request.subject, consents=withdrawn)
    for later in (request.at, request.at + timedelta(hours=1), request.at + timedelta(days=400)):
        after = decide(dataclasses.replace(request, subject=subject, at=later), pack)
        assert after.consent_id != decision.consent_id


CONSENT_DIAGNOSES = frozenset({ReasonCode.CONSENT_WITHDRAWN, ReasonCode.CONSENT_DOES_NOT_COVER})


def _without_consent_diagnosis(decision: Decision) -> Decision:
    kept = tuple(r for r in decision.reasons if r.item or r.code not in CONSENT_DIAGNOSES)
    return dataclasses.replace(decision, reasons=kept)


@given(st.one_of(cases, consented_cases()))
@EXAMPLES
def test_consents_not_valid_at_the_request_change_nothing_but_the_refusals_diagnosis(
    case: tuple[DecisionRequest, str],
) -> None:
    # The strongest honest form: withdrawn (or not yet given) consents cannot change what is
    # released, in which form, on what ground or consent, for how long. They may only change a
    # refusal's request-level consent diagnosis (CONSENT_WITHDRAWN takes the place of
    # CONSENT_DOES_NOT_COVER, interpretation (e)).
    request, pack = _unpack(case)
    decision = decide(request, pack)
    valid_only = tuple(c for c in request.subject.consents if _valid(c, request.at))
    subject = dataclasses.replace(request.subject, consents=valid_only)
    without = decide(dataclasses.replace(request, subject=subject), pack)
    assert _without_consent_diagnosis(decision) == _without_consent_diagnosis(without)
    assert ReasonCode.CONSENT_WITHDRAWN not in {r.code for r in without.reasons}


@given(st.one_of(cases, consented_cases()))
@EXAMPLES
def test_marketing_is_never_allowed_without_a_marketing_consent(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    marketing = dataclasses.replace(request, purpose=Purpose.MARKETING)
    decision = decide(marketing, pack)
    if decision.allowed:
        consent = _grounding_consent(marketing, decision)
        assert decision.ground is Ground.CONSENT
        assert consent is not None
        assert consent.kind is ConsentKind.MARKETING
    others = tuple(c for c in request.subject.consents if c.kind is not ConsentKind.MARKETING)
    subject = dataclasses.replace(request.subject, consents=others)
    assert decide(dataclasses.replace(marketing, subject=subject), pack).allowed is False


@given(cases)
@EXAMPLES
def test_a_seller_is_never_on_entrusted_contract(case: tuple[DecisionRequest, str]) -> None:
    request, pack = _unpack(case)
    seller = dataclasses.replace(request.recipient, role=RecipientRole.SELLER)
    decision = decide(dataclasses.replace(request, recipient=seller), pack)
    assert decision.ground is not Ground.ENTRUSTED_CONTRACT


@given(cases)
@EXAMPLES
def test_suspension_and_missing_safeguards_refuse_everything(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    suspended = dataclasses.replace(request.subject, transfer_suspended=True)
    decision = decide(dataclasses.replace(request, subject=suspended), pack)
    assert not decision.allowed
    assert [r.code for r in decision.reasons] == [ReasonCode.TRANSFER_SUSPENDED]
    if request.recipient.country != request.subject.residence:
        active = dataclasses.replace(request.subject, transfer_suspended=False)
        bare = dataclasses.replace(request.recipient, contract_safeguards=False)
        decision = decide(dataclasses.replace(request, subject=active, recipient=bare), pack)
        assert not decision.allowed
        assert [r.code for r in decision.reasons] == [ReasonCode.CONTRACT_SAFEGUARDS_MISSING]


@given(cases)
@EXAMPLES
def test_a_legal_mandate_releases_every_item_the_table_allows_outside_marketing(
    case: tuple[DecisionRequest, str],
) -> None:
    request, pack = _unpack(case)
    assume(request.purpose is not Purpose.MARKETING)
    subject = dataclasses.replace(request.subject, transfer_suspended=False)
    to = dataclasses.replace(request.recipient, contract_safeguards=True)
    mandated = dataclasses.replace(
        request, subject=subject, recipient=to, legal_mandate=LegalMandate("관세법 제241조")
    )
    rule = pack.purposes[request.purpose]
    role_ok = rule.roles is None or to.role in rule.roles
    expected = {
        i: d for i in request.items if role_ok and (d := rule.dispositions.get(i)) is not None
    }
    decision = decide(mandated, pack)
    assert decision.released() == expected
    assert decision.ground is (Ground.LEGAL_MANDATE if expected else None)


@given(st.one_of(cases, consented_cases()), st.randoms(use_true_random=False))
@EXAMPLES
def test_the_order_of_consents_does_not_matter_when_they_were_given_at_distinct_times(
    case: tuple[DecisionRequest, str], rng: random.Random
) -> None:
    request, pack = _unpack(case)
    shuffled = list(request.subject.consents)
    assume(len({c.given_at for c in shuffled}) == len(shuffled))
    rng.shuffle(shuffled)
    subject = dataclasses.replace(request.subject, consents=tuple(shuffled))
    after = decide(dataclasses.replace(request, subject=subject), pack)
    before = decide(request, pack)
    assert dataclasses.replace(after, reasons=()) == dataclasses.replace(before, reasons=())
    assert sorted(after.reasons, key=repr) == sorted(before.reasons, key=repr)
