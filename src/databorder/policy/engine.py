"""The decision engine: one pure function from a request and a rule pack to a decision.

It follows contracts/decision.md rule by rule (the rule ids are the pack's) and is written for the
hot path: the pack is precompiled into lookup tables, texts that depend only on the item and the
purpose are built once per engine, and a decision walks the requested items and the subject's
consents once each. No I/O, no clock: `at` is part of the request.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from databorder.model import (
    ConsentKind,
    DataItem,
    Disposition,
    Ground,
    Purpose,
    ReasonCode,
    RecipientRole,
)
from databorder.policy.pack import RulePack
from databorder.policy.types import ConsentFacts, Decision, DecisionRequest, Reason

_DENY = Disposition.DENY
_CONSENT = Ground.CONSENT
_LEGAL_MANDATE = Ground.LEGAL_MANDATE
_ENTRUSTED = Ground.ENTRUSTED_CONTRACT
_CERTIFICATION = Ground.CERTIFICATION
_ADEQUACY = Ground.ADEQUACY


@dataclass(slots=True)
class Engine:
    """Decides requests against one compiled pack; cheap to share between threads (read-only)."""

    pack: RulePack
    _item_reasons: dict[tuple[ReasonCode, DataItem, Purpose], Reason] = field(
        default_factory=dict, init=False, repr=False
    )

    def decide(self, request: DecisionRequest) -> Decision:
        return decide(request, self.pack, self._item_reasons)

    def decide_many(self, requests: Iterable[DecisionRequest]) -> list[Decision]:
        cache = self._item_reasons
        pack = self.pack
        return [decide(r, pack, cache) for r in requests]


def _text(
    pack: RulePack,
    code: ReasonCode,
    request: DecisionRequest,
    item: DataItem | None,
) -> Reason:
    _, en, ko = pack.reason_texts[code]
    if item is None and code in pack.request_texts:
        en, ko = pack.request_texts[code]
    recipient = request.recipient
    purpose = request.purpose
    rule = pack.purposes[purpose]
    roles = sorted(rule.roles) if rule.roles is not None else []
    values = {
        "recipient": recipient.name,
        "country": recipient.country,
        "purpose": purpose.value,
        "purpose_ko": pack.purpose_labels[purpose],
        "item": item.value if item is not None else "",
        "item_ko": pack.item_labels[item] if item is not None else "",
        "roles": ", ".join(r.value for r in roles),
        "roles_ko": ", ".join(pack.role_labels[r] for r in roles),
    }
    return Reason(code, item, en.format_map(values), ko.format_map(values))


def _item_reason(
    pack: RulePack,
    cache: dict[tuple[ReasonCode, DataItem, Purpose], Reason],
    code: ReasonCode,
    request: DecisionRequest,
    item: DataItem,
) -> Reason:
    # Item-level texts depend only on (code, item, purpose): build each once per engine.
    key = (code, item, request.purpose)
    reason = cache.get(key)
    if reason is None:
        reason = cache[key] = _text(pack, code, request, item)
    return reason


def _refuse(
    request: DecisionRequest, pack: RulePack, cross_border: bool, rule: str, reasons: list[Reason]
) -> Decision:
    return Decision(
        allowed=False,
        cross_border=cross_border,
        ground=None,
        article=pack.rules[rule].article,
        items=dict.fromkeys(request.items, _DENY),
        access_expires_after_delivery_days=None,
        reasons=tuple(reasons),
        rule=rule,
    )


def decide(
    request: DecisionRequest,
    pack: RulePack,
    cache: dict[tuple[ReasonCode, DataItem, Purpose], Reason] | None = None,
) -> Decision:
    """Answer one request. Raises ValueError only for a request the contract cannot express."""
    if not request.items:
        raise ValueError("a decision request needs at least one item")
    if request.pack != pack.name:
        raise ValueError(f"request asks for pack {request.pack!r}, engine holds {pack.name!r}")
    if cache is None:
        cache = {}
    subject = request.subject
    recipient = request.recipient
    purpose = request.purpose
    at = request.at
    cross_border = recipient.country != subject.residence  # R1

    # R3: screen every item against the purpose's table before looking for a ground.
    purpose_rule = pack.purposes[purpose]
    table = purpose_rule.dispositions
    role_ok = purpose_rule.roles is None or recipient.role in purpose_rule.roles
    prohibited = pack.prohibited_items
    candidates: dict[DataItem, Disposition] = {}
    item_reasons: list[Reason] = []
    for item in request.items:
        if item in prohibited:
            item_reasons.append(
                _item_reason(pack, cache, ReasonCode.ITEM_PROHIBITED, request, item)
            )
            continue
        disposition = table.get(item)
        if disposition is None:
            item_reasons.append(
                _item_reason(pack, cache, ReasonCode.ITEM_NOT_NEEDED, request, item)
            )
        elif not role_ok:
            item_reasons.append(
                _item_reason(pack, cache, ReasonCode.ROLE_NOT_PERMITTED, request, item)
            )
        else:
            candidates[item] = disposition

    # R2: refusals that no ground can lift.
    if subject.transfer_suspended:
        return _refuse(
            request,
            pack,
            cross_border,
            "R2.suspended",
            [_text(pack, ReasonCode.TRANSFER_SUSPENDED, request, None)],
        )
    if cross_border and not recipient.contract_safeguards:
        return _refuse(
            request,
            pack,
            cross_border,
            "R2.safeguards",
            [_text(pack, ReasonCode.CONTRACT_SAFEGUARDS_MISSING, request, None)],
        )
    if not candidates:
        rule = (
            "R3.prohibited"
            if item_reasons[0].code is ReasonCode.ITEM_PROHIBITED
            else (
                "R3.payment"
                if item_reasons[0].code is ReasonCode.ROLE_NOT_PERMITTED
                else "R3.needed"
            )
        )
        return _refuse(request, pack, cross_border, rule, item_reasons)

    # R4: the grounds in the pack's order; the first that holds wins.
    consent_only = pack.consent_only_purposes.get(purpose)
    consent_kind = consent_only or (
        pack.cross_border_consent if cross_border else pack.domestic_consent
    )
    not_disclosed = False
    for g in pack.grounds:
        ground = g.ground
        article = g.cross_border_article if cross_border else g.domestic_article
        if article is None:
            continue
        if ground is _CONSENT:
            chosen = _best_consent(
                subject.consents,
                consent_kind,
                recipient.id,
                recipient.country,
                purpose,
                candidates,
                at,
            )
            if chosen is None:
                continue
            released: dict[DataItem, Disposition] = {}
            reasons = item_reasons
            for item in request.items:
                disposition = candidates.get(item)
                if disposition is None:
                    released[item] = _DENY
                elif item in chosen.items:
                    released[item] = disposition
                else:
                    released[item] = _DENY
                    reasons.append(
                        _item_reason(pack, cache, ReasonCode.CONSENT_DOES_NOT_COVER, request, item)
                    )
            rule = "R4.marketing" if consent_only is not None else g.rule
            return _allow(
                request, pack, cross_border, ground, article, released, reasons, rule, chosen.id
            )
        if consent_only is not None:
            continue  # R4: marketing stands on its consent alone
        if ground is _LEGAL_MANDATE:
            holds = request.legal_mandate is not None
        elif ground is _ENTRUSTED:
            # R5: a seller is never an entrusted processor; R6: nor is an undisclosed one.
            holds = recipient.role in pack.entrusted_roles
            if holds and not recipient.disclosed_in_notice:
                holds = False
                not_disclosed = True
        elif ground is _CERTIFICATION:
            holds = not recipient.certifications.isdisjoint(pack.recognised_certifications)
        else:  # adequacy
            holds = recipient.country in pack.adequate_countries
        if holds:
            released = {i: candidates.get(i, _DENY) for i in request.items}
            return _allow(
                request, pack, cross_border, ground, article, released, item_reasons, g.rule, None
            )

    # No ground: explain the refusal as precisely as the facts allow.
    reasons = [_text(pack, ReasonCode.NO_LAWFUL_GROUND, request, None)]
    rule = "R5.seller" if recipient.role is RecipientRole.SELLER else "R4.consent"
    if consent_only is not None:
        rule = "R4.marketing"
    withdrawn, uncovered = _consent_diagnosis(
        subject.consents, consent_kind, recipient.id, recipient.country, purpose, at
    )
    if withdrawn:
        reasons.append(_text(pack, ReasonCode.CONSENT_WITHDRAWN, request, None))
    elif uncovered:
        reasons.append(_text(pack, ReasonCode.CONSENT_DOES_NOT_COVER, request, None))
    if not_disclosed:
        reasons.append(_text(pack, ReasonCode.NOT_DISCLOSED, request, None))
        rule = "R6.not_disclosed"
    reasons.extend(item_reasons)
    return _refuse(request, pack, cross_border, rule, reasons)


def _allow(
    request: DecisionRequest,
    pack: RulePack,
    cross_border: bool,
    ground: Ground,
    article: str,
    released: dict[DataItem, Disposition],
    reasons: list[Reason],
    rule: str,
    consent_id: str | None,
) -> Decision:
    cap = pack.purposes[request.purpose].max_access_days
    retention = request.recipient.retention_days
    return Decision(
        allowed=True,
        cross_border=cross_border,
        ground=ground,
        article=article,
        items=released,
        access_expires_after_delivery_days=retention if retention < cap else cap,  # R8
        reasons=tuple(reasons),
        rule=rule,
        consent_id=consent_id,
    )


def _best_consent(
    consents: tuple[ConsentFacts, ...],
    kind: ConsentKind,
    recipient_id: str,
    country: str,
    purpose: Purpose,
    candidates: dict[DataItem, Disposition],
    at: datetime,
) -> ConsentFacts | None:
    """The valid consent that releases the most candidate items.

    Ties go to the latest given, then to the smallest id, so the answer never depends on the
    order the consents arrive in.

    One consent grounds the whole release, so that withdrawing it revokes exactly what it
    granted; a consent that covers the recipient and purpose but none of the items grounds nothing.
    """
    best: ConsentFacts | None = None
    best_count = 0
    for c in consents:
        if c.kind is not kind or purpose not in c.purposes:
            continue
        if not (recipient_id in c.recipients or country in c.countries):
            continue
        if c.given_at > at or (c.withdrawn_at is not None and c.withdrawn_at <= at):
            continue
        count = sum(1 for i in candidates if i in c.items)
        if count > best_count or (
            count
            and count == best_count
            and best is not None
            and (c.given_at, best.id) > (best.given_at, c.id)  # later wins; then smaller id
        ):
            best, best_count = c, count
    return best


def _consent_diagnosis(
    consents: tuple[ConsentFacts, ...],
    kind: ConsentKind,
    recipient_id: str,
    country: str,
    purpose: Purpose,
    at: datetime,
) -> tuple[bool, bool]:
    """(a covering consent was withdrawn by `at`, a valid consent names the recipient but not this)."""
    withdrawn = uncovered = False
    for c in consents:
        if c.kind is not kind or not (recipient_id in c.recipients or country in c.countries):
            continue
        if c.given_at > at:
            continue
        if c.withdrawn_at is not None and c.withdrawn_at <= at:
            if purpose in c.purposes:
                withdrawn = True
        else:
            uncovered = True
    return withdrawn, uncovered
