"""The decision engine: one pure function from a request and a rule pack to a decision.

It follows contracts/decision.md (version 2) rule by rule and is written for the hot path: texts
that depend only on the item and the purpose are built once per engine, and a decision sorts
the subject's few consents once per question, then walks the requested items. No I/O, no clock:
`at` is part of the request. Everything particular to one law comes from the pack
(`policy.protocol.Pack`): this module names no country, article or statute.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from databorder.model import (
    Basis,
    ConsentKind,
    DataItem,
    Disposition,
    Ground,
    ReasonCode,
)
from databorder.policy.pack import BasisRule, Recognition
from databorder.policy.protocol import Pack
from databorder.policy.types import (
    BasisUsed,
    ConsentFacts,
    Decision,
    DecisionRequest,
    Reason,
    SuspensionOrder,
)

_DENY = Disposition.DENY
_PLAIN = Disposition.PLAIN
_RELAY = Disposition.RELAY
_NO_GROUND = ReasonCode.NO_LAWFUL_GROUND
_WITHDRAWN = ReasonCode.CONSENT_WITHDRAWN
_NOT_COVERED = ReasonCode.CONSENT_DOES_NOT_COVER
# Reason texts by what they depend on: (code, item, purpose) for an item's, (code, recipient
# name, country, purpose, mandate) for a whole request's. Bounded: cleared when it grows past
# _CACHE_LIMIT (a registry of 180,000 recipients would otherwise keep every refusal's text).
_Cache = dict[tuple[Any, ...], Reason]
_CACHE_LIMIT = 65_536


@dataclass(slots=True)
class Engine:
    """Decides requests against one compiled pack; cheap to share between threads (read-only)."""

    pack: Pack
    _item_reasons: _Cache = field(default_factory=dict, init=False, repr=False)

    def decide(self, request: DecisionRequest) -> Decision:
        return decide(request, self.pack, self._item_reasons)

    def decide_many(self, requests: Iterable[DecisionRequest]) -> list[Decision]:
        cache = self._item_reasons
        pack = self.pack
        return [decide(r, pack, cache) for r in requests]


def _text(pack: Pack, code: ReasonCode, request: DecisionRequest, item: DataItem | None) -> Reason:
    _, templates = pack.reason_texts[code]
    recipient = request.recipient
    purpose = request.purpose
    rule = pack.purposes[purpose]
    roles = sorted(rule.roles) if rule.roles is not None else []
    mandate = pack.mandates.get(request.legal_mandate or "")
    texts = {}
    for lang, template in templates.items():
        texts[lang] = template.format_map(
            {
                "recipient": recipient.name,
                "country": recipient.country,
                "purpose": pack.purpose_labels[purpose][lang],
                "item": pack.item_labels[item][lang] if item is not None else "",
                "roles": ", ".join(pack.role_labels[r][lang] for r in roles),
                "mandate": mandate.title[lang] if mandate is not None else "",
            }
        )
    return Reason(code, item, texts)


def _cached(
    pack: Pack,
    cache: _Cache,
    key: tuple[Any, ...],
    code: ReasonCode,
    request: DecisionRequest,
    item: DataItem | None,
) -> Reason:
    reason = cache.get(key)
    if reason is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        reason = cache[key] = _text(pack, code, request, item)
    return reason


def _item_reason(
    pack: Pack, cache: _Cache, code: ReasonCode, request: DecisionRequest, item: DataItem
) -> Reason:
    # Item-level texts depend only on (code, item, purpose): build each once per engine.
    return _cached(pack, cache, (code, item, request.purpose), code, request, item)


def _refuse(
    request: DecisionRequest,
    pack: Pack,
    cross_border: bool,
    reasons: list[Reason],
    rule: str | None = None,
) -> Decision:
    return Decision(
        allowed=False,
        cross_border=cross_border,
        ground=None,
        article=None,
        bases=(),
        items=dict.fromkeys(request.items, _DENY),
        access_expires_after_delivery_days=None,
        reasons=tuple(reasons),
        rule=rule or pack.reason_texts[reasons[0].code][0],
    )


def _request_reason(
    pack: Pack, cache: _Cache, code: ReasonCode, request: DecisionRequest
) -> Reason:
    r = request.recipient
    key = (code, r.name, r.country, request.purpose, request.legal_mandate)
    return _cached(pack, cache, key, code, request, None)


def _refuse_whole(
    request: DecisionRequest, pack: Pack, cross_border: bool, code: ReasonCode, cache: _Cache
) -> Decision:
    """Rules 2 and 3: one reason for the whole request, every item denied."""
    return _refuse(request, pack, cross_border, [_request_reason(pack, cache, code, request)])


def _expiry(request: DecisionRequest, pack: Pack) -> int:
    cap = pack.purposes[request.purpose].max_access_days  # rule 8
    retention = request.recipient.retention_days
    return retention if retention < cap else cap


def _order_applies(
    orders: tuple[SuspensionOrder, ...], recipient_id: str, foreign: frozenset[str], at: datetime
) -> bool:
    return any(
        (o.recipient == recipient_id or (o.country is not None and o.country in foreign))
        and o.active_at(at)
        for o in orders
    )


class _ConsentQuestion:
    """One question answered by a consent kind: the covering consents, sorted once.

    A consent covers the recipient when it names its id, or when it names every country the
    test runs on and the recipient was named (with its contact) in the consent's notice version.
    The valid ones are kept latest first (ties: smallest id), so the first that lists an item is
    the one the contract says wins.
    """

    __slots__ = ("valid", "withdrawn")

    def __init__(
        self,
        consents: tuple[ConsentFacts, ...],
        kind: ConsentKind,
        request: DecisionRequest,
        tested: frozenset[str],
    ) -> None:
        recipient = request.recipient
        purpose = request.purpose
        at = request.at
        valid: list[ConsentFacts] = []
        withdrawn: list[ConsentFacts] = []
        for c in consents:
            if c.kind is not kind or purpose not in c.purposes:
                continue
            if not (
                recipient.id in c.recipients
                or (c.countries and tested <= c.countries and c.notice_version in recipient.notices)
            ):
                continue
            if c.given_at > at:
                continue
            if c.withdrawn_at is not None and c.withdrawn_at <= at:
                withdrawn.append(c)
            else:
                valid.append(c)
        if len(valid) > 1:
            valid.sort(key=lambda c: c.id)
            valid.sort(key=lambda c: c.given_at, reverse=True)
        self.valid = valid
        self.withdrawn = withdrawn

    def consent_for(self, item: DataItem) -> ConsentFacts | None:
        for c in self.valid:
            if item in c.items:
                return c
        return None

    def why_not(self, item: DataItem) -> ReasonCode:
        if self.valid:
            return _NOT_COVERED
        if any(item in c.items for c in self.withdrawn):
            return _WITHDRAWN
        return _NO_GROUND


def decide(request: DecisionRequest, pack: Pack, cache: _Cache | None = None) -> Decision:
    """Answer one request. Raises ValueError only for a request the contract cannot express."""
    if not request.items:
        raise ValueError("a decision request needs at least one item")
    if request.pack != pack.name:
        raise ValueError(f"request asks for pack {request.pack!r}, engine holds {pack.name!r}")
    if cache is None:
        cache = {}
    if len(request.items) > 1 and len(set(request.items)) != len(request.items):
        # An item asked twice is decided once: one disposition, and each reason given once.
        request = replace(request, items=tuple(dict.fromkeys(request.items)))
    subject = request.subject
    recipient = request.recipient
    purpose = request.purpose
    role = recipient.role
    at = request.at
    home = pack.home_country

    # Rule 1: where the data goes; the subject's residence plays no part.
    foreign = frozenset(c for c in (recipient.country, *recipient.data_countries) if c != home)
    cross_border = bool(foreign)
    tested = foreign if cross_border else frozenset((home,))
    entrusted = role in pack.entrusted_roles

    # Rule 2: a mandate the pack lists, covering role, data countries and purpose, or nothing.
    mandate = None
    if request.legal_mandate is not None:
        mandate = pack.mandates.get(request.legal_mandate)
        if (
            mandate is None
            or not mandate.validity.holds_at(at)
            or role not in mandate.roles
            or purpose not in mandate.purposes
            or not tested <= mandate.countries
        ):
            return _refuse_whole(
                request, pack, cross_border, ReasonCode.MANDATE_DOES_NOT_COVER, cache
            )

    # Rule 3: refusals of the whole request, in the contract's order.
    if subject.transfer_suspended and mandate is None:
        return _refuse_whole(request, pack, cross_border, ReasonCode.TRANSFER_SUSPENDED, cache)
    if cross_border and _order_applies(request.suspension_orders, recipient.id, foreign, at):
        return _refuse_whole(
            request, pack, cross_border, ReasonCode.TRANSFER_ORDER_SUSPENDED, cache
        )
    if not recipient.contract_safeguards and (cross_border or entrusted):
        return _refuse_whole(
            request, pack, cross_border, ReasonCode.CONTRACT_SAFEGUARDS_MISSING, cache
        )
    disclosed = request.notice_in_force is not None and request.notice_in_force in recipient.notices
    if not disclosed and (cross_border or entrusted):
        return _refuse_whole(request, pack, cross_border, ReasonCode.NOT_DISCLOSED, cache)
    purpose_rule = pack.purposes[purpose]
    if purpose_rule.roles is not None and role not in purpose_rule.roles:
        return _refuse_whole(request, pack, cross_border, ReasonCode.ROLE_NOT_PERMITTED, cache)

    prohibited = pack.prohibited_items
    item_reasons: list[Reason] = []
    released: dict[DataItem, Disposition] = {}

    if mandate is not None:
        # Rule 2: the statute's item list replaces the purpose table.
        relay = pack.mandate_relay_items
        for item in request.items:
            if item in mandate.items:
                released[item] = _RELAY if item in relay else _PLAIN
            else:
                released[item] = _DENY
                code = (
                    ReasonCode.ITEM_PROHIBITED if item in prohibited else ReasonCode.ITEM_NOT_NEEDED
                )
                item_reasons.append(_item_reason(pack, cache, code, request, item))
        if not any(d is not _DENY for d in released.values()):
            return _refuse(request, pack, cross_border, item_reasons)
        template = (
            pack.mandate_cross_border_article if cross_border else pack.mandate_domestic_article
        )
        article = template.format(citation=mandate.citation)
        if subject.transfer_suspended:  # Art. 37(2)1 lifted it; Art. 37(4) says tell the buyer
            item_reasons.insert(0, _text(pack, ReasonCode.SUSPENSION_REFUSED_BY_LAW, request, None))
        return Decision(
            allowed=True,
            cross_border=cross_border,
            ground=Ground.LEGAL_MANDATE,
            article=article,
            bases=(BasisUsed(Basis.MANDATE, Ground.LEGAL_MANDATE, article, mandate_id=mandate.id),),
            items=released,
            access_expires_after_delivery_days=_expiry(request, pack),
            reasons=tuple(item_reasons),
            rule="R2.mandate",
        )

    # Rule 5: what the purpose needs, in which form.
    table = purpose_rule.dispositions
    candidates: list[tuple[DataItem, Disposition]] = []
    for item in request.items:
        released[item] = _DENY
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
        else:
            candidates.append((item, disposition))
    if not candidates:
        return _refuse(request, pack, cross_border, item_reasons)

    # Rules 4 and 6: every question the law asks needs a basis for each item.
    consents = subject.consents
    marketing = purpose in pack.marketing_purposes
    marketing_q = (
        _ConsentQuestion(consents, pack.marketing_consent, request, tested) if marketing else None
    )
    provision_q = None
    domestic_rule: BasisRule | None = None  # entrustment with no consent needed
    domestic_basis = Basis.PROVISION
    if role in pack.provision_roles:
        provision_q = _ConsentQuestion(consents, pack.provision_consent, request, tested)
        domestic_rule = pack.provision_basis
    elif entrusted:
        domestic_basis = Basis.ENTRUSTMENT
        if marketing:  # entrusted marketing rests on the marketing consent (rule 6)
            provision_q = marketing_q
            domestic_rule = pack.entrustment_by_consent_basis
        else:
            domestic_rule = pack.entrustment_basis
    transfer_q = (
        _ConsentQuestion(consents, pack.transfer_consent, request, tested) if cross_border else None
    )
    certified = recognised = False
    by_country: list[list[Recognition]] = []
    if cross_border:
        held = recipient.certifications
        certified = recipient.certification_measures and any(
            d.certification in held and d.validity.holds_at(at) for d in pack.designations
        )
        # Every foreign data country must be recognised, each by any recognition in force.
        active = [r for r in pack.recognitions if r.validity.holds_at(at)]
        by_country = [[r for r in active if c in r.countries] for c in foreign]
        recognised = all(by_country)

    # What each released item rests on is noted as plain keys (a consent id, or a transfer
    # ground's index and consent id); the few distinct BasisUsed values are built once at the
    # end. Building one per item and question cost a quarter of a cross-border decision.
    domestic_used: dict[str | None, None] = {}
    marketing_used: dict[str, None] = {}
    transfer_used: dict[tuple[int, str | None], None] = {}
    grounds = pack.transfer_grounds
    for item, disposition in candidates:
        missing: list[ReasonCode] | None = None
        domestic_id: str | None = None  # the consent the provision or entrustment rests on
        # Provision or entrustment.
        if domestic_rule is None:
            missing = [_NO_GROUND]  # a role the pack gives no domestic basis
        elif provision_q is not None:
            c = provision_q.consent_for(item)
            if c is None:
                missing = [provision_q.why_not(item)]
            else:
                domestic_id = c.id
        # Marketing (rule 4).
        marketing_id = None
        if marketing_q is not None:
            c = marketing_q.consent_for(item)
            if c is None:
                missing = [*(missing or ()), marketing_q.why_not(item)]
            else:
                marketing_id = c.id
        # The transfer abroad, ground by ground in the pack's order.
        transfer: tuple[int, str | None] | None = None
        if transfer_q is not None:
            for index, g in enumerate(grounds):
                ground = g.ground
                if ground is Ground.CONSENT:
                    c = transfer_q.consent_for(item)
                    if c is None:
                        continue
                    transfer = (index, c.id)
                    break
                if ground is Ground.ENTRUSTED_CONTRACT:
                    if not entrusted or marketing:
                        continue
                elif ground is Ground.CERTIFICATION:
                    if not certified:
                        continue
                elif ground is Ground.ADEQUACY:
                    if not recognised or not all(
                        any(item not in r.excluded_items for r in recs) for recs in by_country
                    ):
                        continue
                else:  # a mandate is rule 2, never a transfer ground tried per item
                    continue
                transfer = (index, None)
                break
            if transfer is None:
                missing = [*(missing or ()), transfer_q.why_not(item)]
        if missing:
            item_reasons.extend(
                _item_reason(pack, cache, code, request, item) for code in dict.fromkeys(missing)
            )
            continue
        released[item] = disposition
        if domestic_rule is not None:
            domestic_used[domestic_id] = None
        if marketing_id is not None:
            marketing_used[marketing_id] = None
        if transfer is not None:
            transfer_used[transfer] = None

    if len(item_reasons) > 1:  # in the order the items were asked, as a reader scans them
        position = {item: i for i, item in enumerate(request.items)}
        item_reasons.sort(key=lambda r: position[r.item] if r.item is not None else -1)
    if not domestic_used and not transfer_used and not marketing_used:
        return _refuse(request, pack, cross_border, item_reasons, "R6.bases")
    bases: list[BasisUsed] = []
    if domestic_rule is not None:
        bases.extend(
            BasisUsed(domestic_basis, domestic_rule.ground, domestic_rule.article, cid)
            for cid in domestic_used
        )
    m = pack.marketing_basis
    bases.extend(BasisUsed(Basis.MARKETING, m.ground, m.article, cid) for cid in marketing_used)
    ordered = sorted(transfer_used, key=lambda t: t[0]) if len(transfer_used) > 1 else transfer_used
    transfer_bases = [
        BasisUsed(Basis.TRANSFER, grounds[i].ground, grounds[i].article, cid) for i, cid in ordered
    ]
    # Cross-border, every released item has a transfer basis; at home, a domestic one.
    first = transfer_bases[0] if transfer_bases else bases[0]
    bases.extend(transfer_bases)
    return Decision(
        allowed=True,
        cross_border=cross_border,
        ground=first.ground,
        article=first.article,
        bases=tuple(bases),
        items=released,
        access_expires_after_delivery_days=_expiry(request, pack),
        reasons=tuple(item_reasons),
        rule="R6.bases",
    )


__all__ = ["Engine", "decide"]
