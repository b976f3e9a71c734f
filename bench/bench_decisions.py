"""Decisions per second of the pure policy engine, side by side with AWS Cedar (`cedarpy`).

Requests come from the synthetic marketplace (`databorder.sim`): half decided when each order's
disclosures are asked for, half re-decided at the world's end as an audit would (so consents
withdrawn since then refuse). Both engines run on one core (the process is pinned while timing).

Cedar evaluates an equivalent policy set generated from the same rule pack, one authorization per
requested item (principal = recipient, action = release, resource = the item), batched with
`cedarpy.is_authorized_batch`, and the run checks that Cedar's allow/deny per item agrees with our
engine's deny/non-deny per item.

What the Cedar policy encodes, and what it cannot (the gaps):
- Encoded, from the pack's data: R1 cross-border (country != residence); R2 suspension and missing
  safeguards (`forbid`); R3 the items table per purpose, payment items only to a payment
  processor, `rrn` forbidden; R4 the grounds in order: a mandate releases every releasable item;
  else the consent the engine would choose (valid at `at`, of the kind the purpose and border need,
  naming the recipient or its country, covering the purpose, the most releasable requested items,
  the latest given on a tie, the first listed on a full tie: computed in Cedar with `if`-sums over
  fixed consent slots `c0`..`cK-1`, since Cedar has no quantifier over a set of records) releases
  what it covers; else entrusted contract, certification, adequacy release every releasable item;
  marketing only on a marketing consent.
- Not encodable: Cedar answers allow/deny per item, so there are no dispositions (plain / relay /
  masked), no ground or article, no reasons (Korean or English), no `consent_id`, no access
  expiry; a decision's items are independent authorizations, so facts shared by a decision (the
  requested items, the consents) are repeated in every item's context; the number of consent slots
  is fixed when the policy is generated (the maximum any subject in the run holds).
- The caller (the "policy enforcement point") does the translation: instants to epoch seconds, a
  never-withdrawn consent to a far-future withdrawal, the request's facts into a Cedar context.
  That translation is timed separately and included in Cedar's end-to-end figure.

Run: `.venv/bin/python bench/bench_decisions.py [--quick]`, or `make bench` for every benchmark.
"""

import gc
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from itertools import islice
from typing import Any

from databorder.model import ConsentKind, DataItem, Disposition, Purpose, RecipientRole
from databorder.policy import (
    ConsentFacts,
    Decision,
    DecisionRequest,
    Engine,
    LegalMandate,
    RecipientFacts,
    RulePack,
    SubjectFacts,
    compile_pack,
    load_pack,
)
from databorder.sim import decision_requests, generate_world

try:
    import cedarpy
except ImportError:  # pragma: no cover - the bench extra is not installed
    cedarpy = None

SEED = 7
START = datetime(2026, 5, 1, tzinfo=UTC)
NEVER = 2**53  # a never-withdrawn consent, as epoch seconds Cedar can compare
GOAL = 100_000  # decisions per second (issue 2, "Speed")


# --- requests --------------------------------------------------------------------------------


def synthetic_requests(count: int, seed: int = SEED) -> list[DecisionRequest]:
    """`count` varied requests from one synthetic world: half at order time, half as an audit."""
    orders = count // 4 + 50  # about five disclosures per order: enough for each half
    world = generate_world(
        seed, buyers=max(200, orders // 3), sellers=120, orders=orders, start=START
    )
    half = count // 2
    live = list(islice(decision_requests(world, at_order_time=True), half))
    audit = list(islice(decision_requests(world, at_order_time=False), count - half))
    requests = live + audit
    if len(requests) < count:
        raise RuntimeError(f"the synthetic world gave {len(requests)} requests, wanted {count}")
    return requests


def adversarial_requests(count: int, seed: int = SEED) -> list[DecisionRequest]:
    """Random requests that the synthetic world would rarely make (split consents, withdrawals at
    the very instant, every role for every purpose), to check Cedar's equivalence, not speed."""
    rng = random.Random(seed)
    at = START + timedelta(days=100)
    countries = ("KR", "CN", "US", "JP")
    recipients = [
        RecipientFacts(
            id=f"r-{n}",
            name=f"Recipient {n}",
            country=rng.choice(countries),
            role=rng.choice(list(RecipientRole)),
            certifications=frozenset(rng.sample(["ISMS-P", "ISO-27001"], rng.randint(0, 1))),
            contract_safeguards=rng.random() < 0.85,
            disclosed_in_notice=rng.random() < 0.8,
            retention_days=rng.randint(1, 400),
        )
        for n in range(40)
    ]

    def consent(n: int, to: RecipientFacts, purpose: Purpose, residence: str) -> ConsentFacts:
        needed = (
            ConsentKind.MARKETING
            if purpose is Purpose.MARKETING
            else ConsentKind.OVERSEAS_TRANSFER
            if to.country != residence
            else ConsentKind.THIRD_PARTY_PROVISION
        )
        given = at + timedelta(hours=rng.randint(-48, 2))
        withdrawn = given + timedelta(hours=rng.randint(0, 96)) if rng.random() < 0.3 else None
        return ConsentFacts(
            id=f"c-{n}",
            kind=needed if rng.random() < 0.7 else rng.choice(list(ConsentKind)),
            notice_version="2026-05-01",
            recipients=frozenset({to.id} if rng.random() < 0.6 else {"r-0"}),
            countries=frozenset({to.country} if rng.random() < 0.2 else set()),
            items=frozenset(rng.sample(list(DataItem), rng.randint(1, 5))),
            purposes=frozenset({purpose} if rng.random() < 0.8 else {rng.choice(list(Purpose))}),
            given_at=given,
            withdrawn_at=withdrawn,
        )

    requests = []
    for n in range(count):
        to = rng.choice(recipients)
        purpose = rng.choice(list(Purpose))
        residence = rng.choice(("KR", "KR", "KR", "CN"))
        consents = tuple(consent(k, to, purpose, residence) for k in range(rng.randint(0, 4)))
        requests.append(
            DecisionRequest(
                at=at,
                subject=SubjectFacts(
                    id=f"b-{n}",
                    residence=residence,
                    transfer_suspended=rng.random() < 0.05,
                    consents=consents,
                ),
                recipient=to,
                purpose=purpose,
                items=tuple(rng.sample(list(DataItem), rng.randint(1, 6))),
                legal_mandate=LegalMandate("관세법 제241조") if rng.random() < 0.1 else None,
            )
        )
    return requests


# --- the Cedar policy, generated from the pack ---------------------------------------------
#
# Cedar's vocabulary here: principal = Recipient entity (role, country, safeguards, disclosed,
# certifications); resource = Item entity; context = the decision's facts (subject: the Buyer
# entity with residence, suspension and consent slots c0..cK-1; purpose; requested items; whether
# a mandate is given; `at` in epoch seconds) plus the item as a string. Buyers and recipients live
# in an entity store loaded once, as a Cedar deployment would keep them.

_ROLE = "principal.role"
_COUNTRY = "principal.country"
_CROSS = "principal.country != context.subject.residence"


def _strings(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in sorted(values)) + "]"


def _any(terms: Sequence[str]) -> str:
    return "(" + " || ".join(terms) + ")" if terms else "false"


def _role_ok(pack: RulePack, purpose: Purpose) -> str:
    roles = pack.purposes[purpose].roles
    return "true" if roles is None else f"{_strings([r.value for r in roles])}.contains({_ROLE})"


def _releasable(pack: RulePack, item: DataItem) -> str:
    """Cedar: the literal `item` is in the request purpose's table, for this role (R3)."""
    if item in pack.prohibited_items:
        return "false"
    return _any(
        [
            f'(context.purpose == "{p.value}" && {_role_ok(pack, p)})'
            for p, rule in pack.purposes.items()
            if item in rule.dispositions
        ]
    )


def _releasable_resource(pack: RulePack) -> str:
    """Cedar: the authorization's resource is in the purpose's table, for this role (R3)."""
    terms = []
    for p, rule in pack.purposes.items():
        uids = ", ".join(f'Item::"{i.value}"' for i in sorted(rule.dispositions))
        terms.append(
            f'(context.purpose == "{p.value}" && [{uids}].contains(resource) && {_role_ok(pack, p)})'
        )
    return _any(terms)


def _expected_kind(pack: RulePack) -> str:
    kind = (
        f'(if {_CROSS} then "{pack.cross_border_consent.value}" '
        f'else "{pack.domestic_consent.value}")'
    )
    for purpose, only in pack.consent_only_purposes.items():
        kind = f'(if context.purpose == "{purpose.value}" then "{only.value}" else {kind})'
    return kind


def _covers(pack: RulePack, c: str, item: DataItem) -> str:
    return (
        f'(context.requested.contains("{item.value}") && {c}.items.contains("{item.value}") '
        f"&& {_releasable(pack, item)})"
    )


def _holds(pack: RulePack, k: int) -> str:
    """Cedar: consent slot k is valid at `at`, of the right kind, names the recipient or its
    country, covers the purpose and at least one releasable requested item."""
    c = f"context.subject.c{k}"
    covers_one = _any([_covers(pack, c, i) for i in DataItem if i not in pack.prohibited_items])
    return (
        f"(context.subject has c{k} && {c}.kind == {_expected_kind(pack)} "
        f"&& {c}.given_at <= context.at && {c}.withdrawn_at > context.at "
        f"&& ({c}.recipients.contains(principal) || {c}.countries.contains({_COUNTRY})) "
        f"&& {c}.purposes.contains(context.purpose) && {covers_one})"
    )


def _count(pack: RulePack, k: int) -> str:
    """Cedar: how many releasable requested items consent slot k covers (the engine's count)."""
    c = f"context.subject.c{k}"
    terms = [
        f"(if {_covers(pack, c, i)} then 1 else 0)"
        for i in DataItem
        if i not in pack.prohibited_items
    ]
    return "(" + " + ".join(terms) + ")"


def _chosen(pack: RulePack, k: int, slots: int) -> str:
    """Cedar: slot k is the consent the engine grounds on: the most items, then the latest
    given, then the first listed."""
    ck, gk = _count(pack, k), f"context.subject.c{k}.given_at"
    beats = []
    for j in range(slots):
        if j == k:
            continue
        cj, gj = _count(pack, j), f"context.subject.c{j}.given_at"
        tie_ok = f"{gj} < {gk}" if j < k else f"{gj} <= {gk}"
        beats.append(f"(!{_holds(pack, j)} || {cj} < {ck} || ({cj} == {ck} && {tie_ok}))")
    return "(" + " && ".join([_holds(pack, k), *beats]) + ")"


def cedar_policies(pack: RulePack, slots: int, exact: bool = True) -> str:
    """The PIPA pack as a Cedar policy set for per-item authorization, with `slots` consents.

    `exact` encodes the engine's choice of one consent (most items, latest, first); without it
    any covering consent releases the item, a smaller policy that differs where two consents
    split the items between them.
    """
    releasable = _releasable_resource(pack)
    consent_only = _strings([p.value for p in pack.consent_only_purposes])
    not_consent_only = f"!{consent_only}.contains(context.purpose)"
    any_consent = _any([_holds(pack, k) for k in range(slots)])
    consent_item = _any(
        [
            f"({_chosen(pack, k, slots) if exact else _holds(pack, k)} "
            f"&& context.subject.c{k}.items.contains(context.item))"
            for k in range(slots)
        ]
    )
    entrusted = (
        f"({_strings([r.value for r in pack.entrusted_roles])}.contains({_ROLE}) "
        f"&& principal.disclosed)"
    )
    certified = (
        f"({_CROSS} && principal.certifications.containsAny("
        f"{_strings(sorted(pack.recognised_certifications))}))"
        if pack.recognised_certifications
        else "false"
    )
    adequate = (
        f"({_CROSS} && {_strings(sorted(pack.adequate_countries))}.contains({_COUNTRY}))"
        if pack.adequate_countries
        else "false"
    )
    release = 'permit (principal is Recipient, action == Action::"release", resource is Item)'
    refuse = 'forbid (principal, action == Action::"release", resource)'
    prohibited = ", ".join(f'Item::"{i.value}"' for i in sorted(pack.prohibited_items))
    return "\n".join(
        [
            "// R2: refusals no ground can lift.",
            f'@id("R2.suspended")\n{refuse}\nwhen {{ context.subject.suspended }};',
            f'@id("R2.safeguards")\n{refuse}\nwhen {{ {_CROSS} && !principal.safeguards }};',
            "// R3: prohibited items (Art. 24-2).",
            f'@id("R3.prohibited")\n{refuse}\nwhen {{ [{prohibited}].contains(resource) }};',
            "// R4: a legal mandate releases every releasable item (not for marketing).",
            f'@id("R4.legal_mandate")\n{release}\n'
            f"when {{ {releasable} && context.mandate && {not_consent_only} }};",
            "// R4: the chosen consent releases the releasable items it covers.",
            f'@id("R4.consent")\n{release}\nwhen {{ {releasable} && {consent_item} }};',
            "// R4-R7: without a consent, entrusted contract, certification or adequacy.",
            f'@id("R4.other_grounds")\n{release}\nwhen {{ {releasable} && {not_consent_only} '
            f"&& !{any_consent} && ({entrusted} || {certified} || {adequate}) }};",
        ]
    )


# --- the entity store and the authorizations (the enforcement point's work) ----------------


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _ref(kind: str, id_: str) -> dict[str, Any]:
    return {"__entity": {"type": kind, "id": id_}}


def cedar_entities(requests: Sequence[DecisionRequest]) -> str:
    """Every recipient and buyer the requests name, as a Cedar entity store (JSON)."""
    recipients: dict[str, RecipientFacts] = {}
    subjects: dict[str, SubjectFacts] = {}
    for request in requests:
        for store, key, facts in (
            (recipients, request.recipient.id, request.recipient),
            (subjects, request.subject.id, request.subject),
        ):
            if store.setdefault(key, facts) != facts:  # type: ignore[arg-type]
                raise ValueError(f"{key} has different facts in different requests")
    entities: list[dict[str, Any]] = [
        {
            "uid": {"type": "Recipient", "id": r.id},
            "attrs": {
                "role": r.role.value,
                "country": r.country,
                "safeguards": r.contract_safeguards,
                "disclosed": r.disclosed_in_notice,
                "certifications": sorted(r.certifications),
            },
            "parents": [],
        }
        for r in recipients.values()
    ]
    for s in subjects.values():
        attrs: dict[str, Any] = {"residence": s.residence, "suspended": s.transfer_suspended}
        for k, c in enumerate(s.consents):
            attrs[f"c{k}"] = {
                "kind": c.kind.value,
                "recipients": [_ref("Recipient", r) for r in sorted(c.recipients)],
                "countries": sorted(c.countries),
                "purposes": sorted(p.value for p in c.purposes),
                "items": sorted(i.value for i in c.items),
                "given_at": _epoch(c.given_at),
                "withdrawn_at": _epoch(c.withdrawn_at) if c.withdrawn_at is not None else NEVER,
            }
        entities.append({"uid": {"type": "Buyer", "id": s.id}, "attrs": attrs, "parents": []})
    return json.dumps(entities)


def cedar_requests(request: DecisionRequest) -> list[dict[str, Any]]:
    """One Cedar authorization per requested item.

    The items of a decision share their context, so it is serialised to JSON once and each item
    only appends its name: cedarpy would otherwise `json.dumps` the same context once per item.
    """
    context = {
        "subject": _ref("Buyer", request.subject.id),
        "purpose": request.purpose.value,
        "requested": [i.value for i in request.items],
        "mandate": request.legal_mandate is not None,
        "at": _epoch(request.at),
    }
    shared = json.dumps(context)[:-1]
    principal = {"type": "Recipient", "id": request.recipient.id}
    return [
        {
            "principal": principal,
            "action": _ACTION,
            "resource": _RESOURCES[item],
            "context": f'{shared}, "item": "{item.value}"}}',
        }
        for item in request.items
    ]


_ACTION = {"type": "Action", "id": "release"}
_RESOURCES = {i: {"type": "Item", "id": i.value} for i in DataItem}


# --- timing ----------------------------------------------------------------------------------


@contextmanager
def one_core() -> Iterator[str]:
    """Pin the process to one CPU while timing (both engines), then restore the affinity."""
    if not hasattr(os, "sched_getaffinity"):
        yield "not pinned (no sched_setaffinity on this platform)"
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield f"pinned to CPU {cpu}"
    finally:
        os.sched_setaffinity(0, before)


def best_of(repeat: int, work: Callable[[], object]) -> tuple[float, list[float]]:
    """The fastest of `repeat` runs (the least disturbed), and all of them; GC paused as pytest
    -benchmark and timeit do, so a collection in one run does not decide the figure."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return min(times), times


def _cedar_batches(
    authorizations: list[dict[str, Any]], policies: Any, entities: Any, batch: int
) -> list[bool]:
    allowed: list[bool] = []
    for start in range(0, len(authorizations), batch):
        results = cedarpy.is_authorized_batch(
            authorizations[start : start + batch], policies, entities
        )
        for result in results:
            # An evaluation error makes Cedar skip the policy (deny by default): that would be a
            # bug in the generated policy, not an answer, so it stops the run.
            if result.diagnostics.errors:
                raise RuntimeError(f"Cedar evaluation error: {result.diagnostics.errors}")
            allowed.append(result.allowed)
    return allowed


def run(quick: bool = False) -> dict[str, Any]:
    count = 2_000 if quick else 10_000
    repeat = 2 if quick else 5
    requests = synthetic_requests(count)
    pack = load_pack()
    items = sum(len(r.items) for r in requests)
    figures: dict[str, Any] = {"requests": count, "items": items, "quick": quick}

    decisions: list[Decision] = []

    def engine_run() -> None:
        nonlocal decisions
        decisions = Engine(pack).decide_many(requests)  # a fresh engine: its text cache starts cold

    with one_core() as pinning:
        figures["pinning"] = pinning
        engine_best, engine_times = best_of(repeat, engine_run)
    figures["engine_s"] = engine_best
    figures["engine_decisions_per_s"] = count / engine_best
    figures["engine_median_decisions_per_s"] = count / statistics.median(engine_times)
    figures["engine_meets_goal"] = count / engine_best >= GOAL
    figures["grounds"] = dict(Counter(str(d.ground) for d in decisions).most_common())
    figures["rules"] = dict(Counter(d.rule for d in decisions).most_common())

    if cedarpy is None:
        figures["cedar"] = "cedarpy is not installed (pip install -e '.[bench]')"
        figures["markdown"] = markdown(figures)
        return figures

    slots = max(len(r.subject.consents) for r in requests)
    figures["cedar_slots"] = slots
    store = cedar_entities(requests)
    started = time.perf_counter()
    entities = cedarpy.Entities.from_json_str(store)
    figures["cedar_entities_load_s"] = time.perf_counter() - started
    figures["cedar_entities"] = len(json.loads(store))

    authorizations: list[dict[str, Any]] = []

    def translate() -> None:
        nonlocal authorizations
        authorizations = [a for r in requests for a in cedar_requests(r)]

    cedar_repeat = max(1, repeat - 2)
    with one_core():
        translate_best, _ = best_of(cedar_repeat, translate)
    figures["cedar_translate_s"] = translate_best
    figures["engine_items_per_s"] = items / engine_best
    ours = [d.items[i] is not Disposition.DENY for d in decisions for i in d.items]

    variants = {
        "exact": cedar_policies(pack, slots, exact=True),
        "any-consent": cedar_policies(pack, slots, exact=False),
        # The binding's floor: the same authorizations against a policy that permits everything,
        # so what remains is parsing each context and answering, not evaluating our rules.
        "floor": "permit (principal, action, resource);",
    }
    figures["cedar"] = {}
    for name, text in variants.items():
        policies = cedarpy.PolicySet.from_str(text)
        allowed: list[bool] = []

        def authorize(policies: Any = policies) -> None:
            nonlocal allowed
            allowed = _cedar_batches(authorizations, policies, entities, 4096)

        with one_core():
            authorize_best, _ = best_of(cedar_repeat, authorize)
        agree = sum(a == b for a, b in zip(ours, allowed, strict=True))
        figures["cedar"][name] = {
            "policy_chars": len(text),
            "authorize_s": authorize_best,
            "authorizations_per_s": items / authorize_best,
            "decisions_per_s": count / (translate_best + authorize_best),
            "decisions_per_s_authorize_only": count / authorize_best,
            "ratio_decisions": figures["engine_decisions_per_s"]
            / (count / (translate_best + authorize_best)),
            "ratio_items": figures["engine_items_per_s"] / (items / authorize_best),
            "agreement_pct": 100 * agree / items,
            "disagreements": _disagreements(requests, decisions, ours, allowed),
        }
    figures["adversarial"] = adversarial_agreement(pack, 1_000 if quick else 5_000)
    figures["markdown"] = markdown(figures)
    return figures


def adversarial_agreement(pack: RulePack, count: int) -> dict[str, Any]:
    """Cedar's per-item allow/deny against the engine's on random, adversarial requests."""
    requests = adversarial_requests(count)
    entities = cedarpy.Entities.from_json_str(cedar_entities(requests))
    authorizations = [a for r in requests for a in cedar_requests(r)]
    slots = max(len(r.subject.consents) for r in requests)
    out: dict[str, Any] = {"requests": count}
    # The shipped pack recognises no country; a variant recognising Japan exercises adequacy.
    data = json.loads(
        resources.files("databorder.policy.packs").joinpath("pipa.json").read_text("utf-8")
    )
    data["adequate_countries"] = ["JP"]
    adequate_jp = compile_pack(data)
    for name, exact, variant in (
        ("exact", True, pack),
        ("any-consent", False, pack),
        ("exact, JP adequate", True, adequate_jp),
    ):
        decisions = Engine(variant).decide_many(requests)
        ours = [d.items[i] is not Disposition.DENY for d in decisions for i in d.items]
        out["items"] = len(ours)
        policies = cedarpy.PolicySet.from_str(cedar_policies(variant, slots, exact=exact))
        allowed = _cedar_batches(authorizations, policies, entities, 4096)
        out[name] = {
            "agreement_pct": 100
            * sum(a == b for a, b in zip(ours, allowed, strict=True))
            / len(ours),
            "disagreements": _disagreements(requests, decisions, ours, allowed),
        }
    return out


def _disagreements(
    requests: Sequence[DecisionRequest],
    decisions: Sequence[Decision],
    ours: Sequence[bool],
    cedar: Sequence[bool],
    limit: int = 5,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    position = 0
    for request, decision in zip(requests, decisions, strict=True):
        for item in decision.items:
            if ours[position] != cedar[position] and len(rows) < limit:
                rows.append(
                    {
                        "recipient": request.recipient.id,
                        "purpose": request.purpose.value,
                        "item": item.value,
                        "engine": decision.items[item].value,
                        "engine_rule": decision.rule,
                        "consent_id": decision.consent_id,
                        "cedar_allowed": cedar[position],
                    }
                )
            position += 1
    return rows


def markdown(f: dict[str, Any]) -> str:
    engine_items = f["items"] / f["engine_s"]
    lines = [
        "## Policy decisions (`bench/bench_decisions.py`)",
        "",
        f"{f['requests']:,} requests ({f['items']:,} items) from the synthetic world (seed {SEED}), "
        f"half at order time, half re-decided at the world's end; {f['pinning']}; fastest of "
        f"several runs, garbage collector paused while timing.",
        "",
        "| engine | decisions/s | items/s | agrees with databorder | notes |",
        "|---|---:|---:|---:|---|",
        f"| databorder (pure Python) | {f['engine_decisions_per_s']:,.0f} | {engine_items:,.0f} "
        f"| | dispositions, ground, article, Korean and English reasons; goal "
        f"{GOAL:,}/s {'met' if f['engine_meets_goal'] else 'NOT met'} |",
    ]
    cedar = f.get("cedar")
    if not isinstance(cedar, dict):
        lines += ["", str(cedar), ""]
        return "\n".join(lines)
    notes = {
        "exact": "the pack as Cedar, with the engine's choice of one consent",
        "any-consent": "any covering consent releases an item (smaller policy)",
        "floor": "permit-all policy: cedarpy's cost without our rules",
    }
    for name, c in cedar.items():
        lines.append(
            f"| Cedar {name}, end to end | {c['decisions_per_s']:,.0f} | "
            f"{f['items'] / (f['cedar_translate_s'] + c['authorize_s']):,.0f} | "
            f"{c['agreement_pct']:.2f}% | {notes[name]}; {c['policy_chars']:,}-character "
            f"policy; includes building the requests |"
        )
        lines.append(
            f"| Cedar {name}, authorization only | {c['decisions_per_s_authorize_only']:,.0f} "
            f"| {c['authorizations_per_s']:,.0f} | | `is_authorized_batch` on prebuilt requests |"
        )
    exact = cedar["exact"]
    lines += [
        "",
        f"Ratio databorder / Cedar (exact policy): {exact['ratio_decisions']:.0f}x in decisions per "
        f"second end to end, {exact['ratio_items']:.0f}x against Cedar's authorizations per second "
        f"alone. Cedar answers allow/deny per item only ({f['cedar_slots']} consent slots, "
        f"{f['cedar_entities']:,} buyers and recipients in an entity store loaded once in "
        f"{f['cedar_entities_load_s'] * 1000:.0f} ms, not counted). The floor row is the "
        "binding's own cost (parsing each authorization and answering in JSON) with a policy "
        "that permits everything; its agreement only shows how many items our engine denies.",
        "",
        f"Equivalence on {f['adversarial']['requests']:,} random adversarial requests "
        f"({f['adversarial']['items']:,} items: split and withdrawn consents, every role and "
        f"purpose): exact policy {f['adversarial']['exact']['agreement_pct']:.2f}% (with Japan "
        f"adequate: {f['adversarial']['exact, JP adequate']['agreement_pct']:.2f}%), any-consent "
        f"policy {f['adversarial']['any-consent']['agreement_pct']:.2f}%.",
        "",
        "Outcomes: " + ", ".join(f"{rule} {n:,}" for rule, n in f["rules"].items()) + ".",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    result = run(quick="--quick" in sys.argv)
    print(result["markdown"])
    checks = {**(result.get("cedar") or {})}
    checks.pop("floor", None)
    for name, variant in (result.get("adversarial") or {}).items():
        if isinstance(variant, dict):
            checks[f"{name} (adversarial)"] = variant
    for name, variant in checks.items():
        if variant["disagreements"]:
            print(f"first disagreements with Cedar {name}:")
            for row in variant["disagreements"]:
                print(" ", row)
