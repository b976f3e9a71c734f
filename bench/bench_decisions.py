"""Decisions per second of the pure policy engine (contract v2), side by side with AWS Cedar.

Requests come from a synthetic marketplace built here with the v2 types (a fixed cast and seed, so
the mix below stays the same whatever the demo's world becomes): half decided when each order's disclosures are asked for, half re-decided at
the world's end as an audit would (so consents withdrawn since, and suspension orders made or ended
since, change the answer). Both engines run on one core (the process is pinned while timing).

The mix: sellers with two consents (provision and overseas transfer, named or country-wide),
country-wide consents given against a notice version that named the seller and one that did not,
sellers and processors never named in a notice, entrusted carriers, warehouses and service desks
at home and abroad, Korean processors on a foreign cloud (`data_countries`), EU sellers, processors
and a payment processor under the adequacy recognition, ISMS-P holders with and without the
measures of Art. 28-8(1)4, a regulator's orders active and ended (on a recipient, on a country,
on a Korean seller, which cannot apply), the customs mandate asked for by a Korean broker
(covering), a Chinese broker and a seller (not covering), with unlisted and prohibited items,
subjects who asked to suspend processing, marketing, withdrawn consents, and unneeded or prohibited
items.

Cedar evaluates the pack re-expressed as a Cedar policy set generated from the pack's data, one
authorization per requested item (principal = the recipient, action = release, resource = the
item), batched with `cedarpy.is_authorized_batch`; the run checks Cedar's allow/deny per item
against the engine's deny/non-deny per item, and the refusal code of whole-request refusals.

What the Cedar policy encodes natively (all in Cedar, from the pack's data):
- R1: cross-border (`!["KR"].containsAll(principal.data_countries)`), and every "the recipient's
  country" test run on every foreign data country (for a domestic transfer, on the home country).
- R2: the pack's mandates (id, validity dates, roles, purposes, countries) and their item lists;
  a mandate given and not covering is a `forbid`; a covering one releases exactly its items.
- R3: one `forbid` per whole-request refusal, `@id` = its reason code: the subject's suspension
  (lifted by a covering mandate), a suspension order applying (naming the recipient or a foreign
  data country, `from <= at < to`), missing safeguards, not disclosed (`notice_in_force` in the
  recipient's notices) when cross-border or entrusted, payment only to a payment processor.
- R4-R6: the purpose table per item (`rrn` is in no purpose's table); per item, one basis per
  question: provision (a valid `third_party_provision` consent covering recipient, purpose and
  item; a country-wide consent only if the recipient's notices contain the consent's notice
  version), entrustment (entrusted roles; for marketing the marketing consent), marketing
  (a valid `marketing` consent), and when cross-border transfer: an `overseas_transfer` consent,
  an entrusted role not for marketing, a designated certification in force plus the measures,
  or every foreign data country recognised by some recognition in force that does not exclude
  the item (Cedar has no quantifier over the recipient's countries and no set union: the policy
  enumerates the subsets of the pack's recognitions, each subset's union of countries written
  as a literal, 2^n - 1 terms for n recognitions; n = 1 in the shipped pack, 2 in the variant).
- Validity of consents, orders, designations, recognitions and mandates: comparisons of epoch
  seconds (`given_at <= at < withdrawn_at`, `from <= at < to`), in Cedar.

What the enforcement point (the caller) precomputes outside Cedar, and why:
- `principal.foreign` (the recipient's data countries minus the home country): Cedar has no set
  difference or union, and "every foreign data country is in the consent's countries" needs it.
- Instants as epoch seconds (pack dates become literals of the generated policy, 00:00 KST);
  a null `withdrawn_at` or order `to` as a far-future instant, a null `notice_in_force` or
  `legal_mandate` as an absent context attribute: Cedar has no null.
- Lists of records as fixed slots: the subject's consents as `c0`..`cK-1`, the suspension orders
  as `o0`..`oN-1` (Cedar has no quantifier over a set of records, so "some consent covers" is an
  OR over slots); the slot counts are fixed when the policy is generated (the run's maximum).
- Buyers (suspension, consents), recipients and order sets live in an entity store built and
  loaded once, as a Cedar deployment would keep them (not timed); consent items are `Item`
  references, so a decision's items share one context, serialised once per decision.
- Two slot layouts are measured: `v2` keeps one list of slots and tests each consent's kind in
  Cedar; `v2 by kind` has the caller file each consent under its kind (`overseas_transfer0`..),
  so each question scans only its own slots. Both must agree with the engine; the ratio is
  taken against the faster.

What Cedar cannot express (it answers allow or deny per authorization, nothing else):
- "the consent given last wins (ties: smallest id)": Cedar can test that some consent covers an
  item but cannot return which, so no `consent_id`, no `bases`, no `ground`/`article`.
- Per-question reason diagnosis (`CONSENT_DOES_NOT_COVER` / `CONSENT_WITHDRAWN` /
  `NO_LAWFUL_GROUND` per item and question): a deny by default carries no policy, and Cedar
  has no way to say which question failed; `ITEM_NOT_NEEDED`/`ITEM_PROHIBITED` likewise.
  Whole-request refusals do carry their `forbid`'s `@id`, but Cedar reports every satisfied
  `forbid` unordered: the caller picks the first in the contract's order (measured below).
- The informational `SUSPENSION_REFUSED_BY_LAW`, dispositions (plain / relay / masked), the
  access expiry (a minimum), and `allowed` (an aggregate over a decision's authorizations).
- With the shipped purpose table no excluded item can reach the adequacy ground (card and bank
  data go only to payment processors, which the earlier entrusted-contract ground covers), so the
  exclusions are exercised by the adversarial run's variant pack.

Timing: the fastest of several runs by the wall clock (the figure, and the goal's test), with
this thread's CPU time for the same runs beside it: on a shared machine other processes on the
pinned CPU lengthen the wall time of both engines, not their CPU time.

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
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources
from itertools import combinations
from typing import Any

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
    Contact,
    Decision,
    DecisionRequest,
    Engine,
    RecipientFacts,
    RulePack,
    SubjectFacts,
    SuspensionOrder,
    compile_pack,
    load_pack,
)
from databorder.policy.pack import Validity

try:
    import cedarpy
except ImportError:  # pragma: no cover - the bench extra is not installed
    cedarpy = None

SEED = 7
GOAL = 100_000  # decisions per second on one core (issue 2, "Speed"; issue 9 keeps it)
NEVER = 2**53  # a never-withdrawn consent or an open-ended order, as epoch seconds
KST = timezone(timedelta(hours=9))
START = datetime(2026, 1, 5, 9, tzinfo=KST)  # the first order
END = datetime(2026, 12, 20, 18, tzinfo=KST)  # the world's end: the audit re-decides here
NOTICES = ("2025-11-01", "2026-04-01", "2026-08-01", "2026-11-01")  # published privacy notices
PACK = load_pack("pipa")
HOME = PACK.home_country
CUSTOMS = "KR-CUSTOMS-ACT-241"

# The refusals of rules 2 and 3, in the contract's order: a Cedar `forbid` each.
REFUSALS = (
    ReasonCode.MANDATE_DOES_NOT_COVER,
    ReasonCode.TRANSFER_SUSPENDED,
    ReasonCode.TRANSFER_ORDER_SUSPENDED,
    ReasonCode.CONTRACT_SAFEGUARDS_MISSING,
    ReasonCode.NOT_DISCLOSED,
    ReasonCode.ROLE_NOT_PERMITTED,
)
_REFUSAL_RANK = {code.value: n for n, code in enumerate(REFUSALS)}


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=KST)


def notice_in_force(at: datetime) -> str | None:
    """The latest notice version published at or before `at`."""
    version = None
    for v in NOTICES:
        if _day(v) <= at:
            version = v
    return version


# --- the synthetic world -----------------------------------------------------------------------

_S, _P = RecipientRole.SELLER, RecipientRole.PROCESSOR
_B, _Y = RecipientRole.CUSTOMS_BROKER, RecipientRole.PAYMENT_PROCESSOR
ISMS_P = "ISMS-P"


def _recipient(
    id_: str,
    role: RecipientRole,
    country: str,
    named_from: int | None = 0,
    *,
    data: tuple[str, ...] = (),
    certs: tuple[str, ...] = (),
    measures: bool = False,
    safeguards: bool = True,
    retention: int = 30,
) -> RecipientFacts:
    """`named_from`: the first notice version (index into NOTICES) that named it; None: never."""
    return RecipientFacts(
        id=id_,
        name=f"Recipient {id_}",
        country=country,
        role=role,
        contact=Contact(email=f"privacy@{id_}.example", phone="+82 2 555 0100"),
        certifications=frozenset(certs),
        certification_measures=measures,
        contract_safeguards=safeguards,
        notices=frozenset(NOTICES[named_from:]) if named_from is not None else frozenset(),
        retention_days=retention,
        data_countries=data,
    )


def _cast() -> dict[str, RecipientFacts]:
    r = [
        *(_recipient(f"s-kr-{n:02}", _S, "KR", n % 3, retention=20 + n) for n in range(1, 9)),
        _recipient("s-kr-09", _S, "KR", data=("CN",)),  # staff in Shenzhen view the orders
        *(_recipient(f"s-cn-{n:02}", _S, "CN") for n in range(1, 9)),
        *(_recipient(f"s-cn-{n:02}", _S, "CN", 2) for n in range(9, 13)),  # named from August
        *(_recipient(f"s-cn-{n:02}", _S, "CN", None) for n in range(13, 17)),  # never named
        _recipient("s-cn-17", _S, "CN"),  # a suspension order since 2026-08-01
        _recipient("s-cn-18", _S, "CN"),  # a suspension order 2026-05-01 to 2026-09-01
        _recipient("s-cn-19", _S, "CN", safeguards=False),
        *(_recipient(f"s-us-{n:02}", _S, "US") for n in range(1, 4)),
        _recipient("s-us-04", _S, "US", certs=(ISMS_P,), measures=True),
        _recipient("s-us-05", _S, "US", certs=(ISMS_P,)),  # certified, measures not taken
        *(_recipient(f"s-jp-{n:02}", _S, "JP", 1) for n in range(1, 3)),
        _recipient("s-de-01", _S, "DE"),
        _recipient("s-de-02", _S, "DE", 2),
        _recipient("s-fr-01", _S, "FR"),
        _recipient("s-ru-01", _S, "RU"),  # the country is under an order from 2026-10-15
        *(_recipient(f"p-kr-{n:02}", _P, "KR", retention=14) for n in range(1, 4)),  # carriers
        _recipient("p-kr-04", _P, "KR", data=("US",), retention=90),  # desk on a US cloud
        _recipient("p-kr-05", _P, "KR", data=("IE",), retention=60),  # desk on an EU cloud
        _recipient("p-kr-06", _P, "KR", data=("RU",)),  # support staff in Russia
        _recipient("p-kr-07", _P, "KR", None, retention=7),  # same-day courier, never named
        _recipient("p-kr-08", _P, "KR", safeguards=False),
        _recipient("p-cn-01", _P, "CN", 1, retention=60),  # bonded warehouse
        _recipient("p-cn-02", _P, "CN", None),
        _recipient("p-jp-01", _P, "JP", certs=(ISMS_P,), measures=True),  # air freight
        _recipient("p-us-01", _P, "US", retention=90),  # service desk
        _recipient("p-ie-01", _P, "IE", 1, retention=120),  # marketing agency
        _recipient("b-kr-01", _B, "KR"),
        _recipient("b-kr-02", _B, "KR", 1),
        _recipient("b-cn-01", _B, "CN"),
        _recipient("pay-kr-01", _Y, "KR", retention=400),
        _recipient("pay-de-01", _Y, "DE", retention=400),
        _recipient("pay-us-01", _Y, "US", certs=(ISMS_P,), measures=True, retention=400),
    ]
    return {x.id: x for x in r}


ORDERS = (
    SuspensionOrder("o-1", "s-cn-17", None, _day("2026-08-01")),
    SuspensionOrder("o-2", "s-cn-18", None, _day("2026-05-01"), _day("2026-09-01")),
    SuspensionOrder("o-3", None, "RU", _day("2026-10-15")),
    SuspensionOrder("o-4", "s-kr-01", None, _day("2026-04-01")),  # domestic: never applies
)

SHIP = (DataItem.NAME, DataItem.PHONE, DataItem.ADDRESS, DataItem.POSTAL_CODE, DataItem.ORDER_ITEMS)
CUSTOMS_ITEMS = (
    DataItem.NAME,
    DataItem.CUSTOMS_CODE,
    DataItem.ADDRESS,
    DataItem.POSTAL_CODE,
    DataItem.PHONE,
    DataItem.ORDER_ITEMS,
)
SERVICE = (DataItem.NAME, DataItem.PHONE, DataItem.EMAIL, DataItem.ORDER_ITEMS)
EXTRAS = (DataItem.EMAIL, DataItem.RRN, DataItem.BIRTH_DATE, DataItem.CARD_NUMBER)


@dataclass
class _Buyer:
    id: str
    suspended: bool
    consents: list[ConsentFacts] = field(default_factory=list)
    orders: int = 0


@dataclass(frozen=True)
class _Ask:
    buyer: _Buyer
    recipient: RecipientFacts
    purpose: Purpose
    items: tuple[DataItem, ...]
    mandate: str | None
    at: datetime


class _World:
    """Orders placed by buyers over 2026, each giving consents and asking for disclosures."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.cast = _cast()
        self.buyers: list[_Buyer] = []
        self.asks: list[_Ask] = []
        self.consents = 0
        ids = list(self.cast)
        self.sellers = [i for i in ids if i.startswith("s-")]
        self.seller_weights = [
            0.2 if i in {"s-cn-13", "s-cn-14", "s-cn-15", "s-cn-16"} else 1.0 for i in self.sellers
        ]

    def _foreign(self, r: RecipientFacts) -> frozenset[str]:
        return frozenset(c for c in (r.country, *r.data_countries) if c != HOME)

    def _consent(
        self,
        buyer: _Buyer,
        kind: ConsentKind,
        at: datetime,
        recipients: Sequence[str] = (),
        countries: Sequence[str] = (),
        items: Sequence[DataItem] = SHIP,
        purposes: Sequence[Purpose] = (Purpose.SHIPPING,),
    ) -> None:
        rng = self.rng
        given = at - timedelta(seconds=rng.randint(30, 900))
        withdrawn = None
        if rng.random() < 0.1:
            withdrawn = given + timedelta(hours=rng.randint(1, 24 * 150))
        self.consents += 1
        buyer.consents.append(
            ConsentFacts(
                id=f"c-{self.consents}",
                kind=kind,
                notice_version=notice_in_force(at) or NOTICES[0],
                recipients=frozenset(recipients),
                countries=frozenset(countries),
                items=frozenset(items),
                purposes=frozenset(purposes),
                given_at=given,
                withdrawn_at=withdrawn,
            )
        )

    def _seller_consents(
        self, buyer: _Buyer, seller: RecipientFacts, at: datetime, marketing: bool
    ) -> None:
        rng = self.rng
        items = list(SHIP)
        if rng.random() < 0.1:  # the consent screen left one item out
            items.remove(rng.choice((DataItem.PHONE, DataItem.POSTAL_CODE, DataItem.ADDRESS)))
        if marketing or rng.random() < 0.3:
            items.append(DataItem.EMAIL)
        purposes = [Purpose.SHIPPING]
        if rng.random() < 0.5:
            purposes.append(Purpose.CUSTOMER_SERVICE)
        if (marketing and rng.random() < 0.7) or rng.random() < 0.03:
            purposes.append(Purpose.MARKETING)
        provision, transfer = ConsentKind.THIRD_PARTY_PROVISION, ConsentKind.OVERSEAS_TRANSFER
        foreign = sorted(self._foreign(seller))
        named = (seller.id,)
        if not foreign:
            pattern = rng.choices(("named", "country", "none"), (85, 10, 5))[0]
            if pattern == "named":
                self._consent(buyer, provision, at, named, (), items, purposes)
            elif pattern == "country":
                self._consent(buyer, provision, at, (), (HOME,), items, purposes)
            return
        pattern = rng.choices(
            ("two named", "named + country", "country both", "provision only", "transfer only"),
            (45, 20, 10, 15, 10),
        )[0]
        if pattern in ("two named", "named + country", "provision only"):
            self._consent(buyer, provision, at, named, (), items, purposes)
        if pattern == "country both":
            self._consent(buyer, provision, at, (), foreign, items, purposes)
        if pattern in ("two named", "transfer only"):
            self._consent(buyer, transfer, at, named, (), items, purposes)
        if pattern in ("named + country", "country both"):
            self._consent(buyer, transfer, at, (), foreign, items, purposes)

    def _ask(
        self,
        buyer: _Buyer,
        recipient: str,
        purpose: Purpose,
        items: Sequence[DataItem],
        at: datetime,
        mandate: str | None = None,
        extra: float = 0.15,
    ) -> None:
        wanted = list(items)
        if self.rng.random() < extra:
            more = self.rng.choice(EXTRAS)
            if more not in wanted:
                wanted.append(more)
        self.asks.append(_Ask(buyer, self.cast[recipient], purpose, tuple(wanted), mandate, at))

    def order(self) -> None:
        rng = self.rng
        if not self.buyers or rng.random() < 0.45:
            self.buyers.append(_Buyer(f"b-{len(self.buyers) + 1}", rng.random() < 0.02))
            buyer = self.buyers[-1]
        else:
            buyer = rng.choice(self.buyers)
            if buyer.orders >= 3:
                self.buyers.append(_Buyer(f"b-{len(self.buyers) + 1}", rng.random() < 0.02))
                buyer = self.buyers[-1]
        buyer.orders += 1
        at = START + timedelta(seconds=rng.randint(0, int((END - START).total_seconds()) - 86400))
        seller = self.cast[rng.choices(self.sellers, self.seller_weights)[0]]
        cross = bool(self._foreign(seller))
        marketer = None
        if rng.random() < 0.12:
            marketer = seller.id if rng.random() < 0.6 else "p-ie-01"
        self._seller_consents(buyer, seller, at, marketer == seller.id)
        if marketer is not None:
            items = (DataItem.EMAIL,) if rng.random() < 0.7 else (DataItem.EMAIL, DataItem.PHONE)
            self._consent(
                buyer, ConsentKind.MARKETING, at, (marketer,), (), items, (Purpose.MARKETING,)
            )
            if marketer == "p-ie-01" and rng.random() < 0.5:  # and to send it abroad
                self._consent(
                    buyer,
                    ConsentKind.OVERSEAS_TRANSFER,
                    at,
                    (marketer,),
                    (),
                    items,
                    (Purpose.MARKETING,),
                )

        self._ask(buyer, seller.id, Purpose.SHIPPING, SHIP, at)
        if cross and rng.random() < 0.4:
            carrier = rng.choice(("p-cn-01", "p-cn-01", "p-cn-02", "p-jp-01"))
        else:
            carrier = rng.choices(
                ("p-kr-01", "p-kr-02", "p-kr-03", "p-kr-07", "p-kr-08"), (30, 30, 30, 5, 3)
            )[0]
        self._ask(buyer, carrier, Purpose.SHIPPING, SHIP, at, extra=0.05)
        if cross and rng.random() < 0.7:
            who, mandate = rng.choices(
                (
                    ("b-kr-01", CUSTOMS),
                    ("b-kr-02", CUSTOMS),
                    ("b-cn-01", CUSTOMS),
                    (seller.id, CUSTOMS),
                    ("b-kr-01", None),
                    ("b-kr-01", "KR-UNKNOWN-ACT"),
                ),
                (45, 35, 6, 6, 6, 2),
            )[0]
            items = list(CUSTOMS_ITEMS)
            if rng.random() < 0.1:
                items.append(rng.choice((DataItem.RRN, DataItem.EMAIL)))
            self._ask(buyer, who, Purpose.CUSTOMS_CLEARANCE, items, at, mandate, extra=0)
        if rng.random() < 0.6:
            payer = rng.choices(
                ("pay-kr-01", "pay-de-01", "pay-us-01", seller.id), (60, 20, 17, 3)
            )[0]
            card = DataItem.CARD_NUMBER if rng.random() < 0.8 else DataItem.BANK_ACCOUNT
            self._ask(buyer, payer, Purpose.PAYMENT, (DataItem.NAME, card), at, extra=0.03)
        if rng.random() < 0.25:
            desk = rng.choice((seller.id, seller.id, "p-kr-04", "p-kr-05", "p-kr-06", "p-us-01"))
            self._ask(buyer, desk, Purpose.CUSTOMER_SERVICE, SERVICE, at, extra=0.05)
        if marketer is not None or rng.random() < 0.03:
            target = marketer or seller.id
            items = (DataItem.EMAIL,) if rng.random() < 0.7 else (DataItem.EMAIL, DataItem.PHONE)
            self._ask(buyer, target, Purpose.MARKETING, items, at, extra=0)


def _request(ask: _Ask, subjects: dict[str, SubjectFacts], at: datetime) -> DecisionRequest:
    return DecisionRequest(
        at=at,
        subject=subjects[ask.buyer.id],
        recipient=ask.recipient,
        purpose=ask.purpose,
        items=ask.items,
        pack=PACK.name,
        notice_in_force=notice_in_force(at),
        suspension_orders=ORDERS,
        legal_mandate=ask.mandate,
    )


def synthetic_requests(count: int, seed: int = SEED) -> list[DecisionRequest]:
    """`count` varied requests: half at order time, half re-decided at the world's end."""
    world = _World(seed)
    half = count // 2
    while len(world.asks) < max(half, count - half):
        world.order()
    subjects = {
        b.id: SubjectFacts(
            id=b.id,
            residence="CN" if int(b.id[2:]) % 10 == 0 else HOME,  # plays no part in v2
            transfer_suspended=b.suspended,
            consents=tuple(b.consents),
        )
        for b in world.buyers
    }
    live = [_request(a, subjects, a.at) for a in world.asks[:half]]
    audit = [_request(a, subjects, END) for a in world.asks[: count - half]]
    return live + audit


# --- adversarial requests, and a pack variant that makes every rule bite -----------------------


def variant_pack() -> RulePack:
    """The PIPA pack with more to decide: a recognition excluding released items, a second
    recognition that starts and ends in 2026, a designation that ends, a second certification,
    and a mandate for sellers and processors at home and in China that lists `rrn`."""
    data = json.loads(
        resources.files("databorder.policy.packs").joinpath("pipa.json").read_text("utf-8")
    )
    eu = data["recognitions"][0]
    eu["excluded_items"] = sorted({*eu["excluded_items"], "phone", "email", "name"})
    data["recognitions"].append(
        {
            "id": "JP-TEST",
            "countries": ["JP"],
            "excluded_items": ["address"],
            "source": "benchmark variant",
            "from": "2026-03-01",
            "to": "2026-10-01",
        }
    )
    data["designations"][0]["to"] = "2026-09-01"
    data["designations"].append(
        {
            "certification": "ISO-27701",
            "source": "benchmark variant",
            "from": "2026-06-01",
            "to": None,
        }
    )
    mandate = dict(data["mandates"][0])
    mandate.update(
        id="TEST-MANDATE",
        citation="Test Act Art. 1",
        roles=["seller", "processor"],
        countries=["KR", "CN"],
        purposes=["shipping", "marketing"],
        items=["name", "rrn", "email"],
        source="benchmark variant",
        **{"from": "2026-02-01", "to": "2026-12-01"},
    )
    data["mandates"].append(mandate)
    return compile_pack(data)


def adversarial_requests(count: int, seed: int = SEED) -> list[DecisionRequest]:
    """Random requests aimed at every path (to check Cedar's equivalence, not speed): instants on
    every boundary of the packs' dates, consents of every kind naming the recipient, another
    recipient or countries, against notice versions that did or did not name it, withdrawn
    before, at or after `at`; recipients with up to three data countries (EU, Japan, China);
    every role for every purpose; orders on the recipient, another one or a country; covering,
    non-covering and unknown mandates. Each request has its own subject and recipient."""
    rng = random.Random(seed)
    variant_mandate = variant_pack().mandates["TEST-MANDATE"]
    countries = (HOME, "CN", "US", "DE", "JP", "RU", "IE")
    boundaries = [
        _day(d) + timedelta(seconds=s)
        for d in (
            "2025-09-16",
            "2023-10-16",
            "2026-02-01",
            "2026-03-01",
            "2026-06-01",
            "2026-09-01",
            "2026-10-01",
            "2026-12-01",
        )
        for s in (-1, 0, 1)
    ]

    def near(at: datetime, days: int) -> datetime:
        if rng.random() < 0.15:
            return at
        return at + timedelta(seconds=rng.randint(-days * 86400, days * 86400))

    def some(values: Sequence[Any], low: int, high: int) -> list[Any]:
        return rng.sample(list(values), rng.randint(low, min(high, len(values))))

    requests = []
    for n in range(count):
        if rng.random() < 0.3:
            at = rng.choice(boundaries)
        else:
            at = START + timedelta(seconds=rng.randint(0, int((END - START).total_seconds())))
        mandate = rng.choices((None, CUSTOMS, "TEST-MANDATE", "NO-SUCH-MANDATE"), (80, 8, 10, 2))[0]
        fits = PACK.mandates.get(mandate or "") or variant_mandate if mandate else None
        seat = rng.choice(countries)
        others = [c for c in countries if c != seat]
        if rng.random() < 0.2:  # recognised countries only, alone or together (EU, Japan)
            seat, others = rng.choice(("DE", "IE", "JP")), ["DE", "IE", "JP"]
            others.remove(seat)
        role = rng.choice(list(RecipientRole))
        purpose = rng.choice(list(Purpose))
        if fits is not None and rng.random() < 0.6:  # the mandate's own role, purpose, country
            role = rng.choice(sorted(fits.roles))
            purpose = rng.choice(sorted(fits.purposes))
            seat = rng.choice(sorted(fits.countries))
            others = [c for c in countries if c != seat]
        rid = f"r-{n}"
        notice = rng.choice(NOTICES) if rng.random() < 0.95 else None
        notices = {v for v in NOTICES if rng.random() < 0.4}
        if notice is not None and rng.random() < 0.8:
            notices.add(notice)
        recipient = RecipientFacts(
            id=rid,
            name=f"Recipient {n}",
            country=seat,
            role=role,
            certifications=frozenset(some(["ISMS-P", "ISO-27701", "ISO-27001"], 0, 2)),
            certification_measures=rng.random() < 0.6,
            contract_safeguards=rng.random() < 0.95,
            notices=frozenset(notices),
            retention_days=rng.randint(1, 400),
            data_countries=tuple(rng.sample(others, rng.choices((0, 1, 2), (50, 35, 15))[0])),
        )
        foreign = sorted({seat, *recipient.data_countries} - {HOME})
        table = list(PACK.purposes[purpose].dispositions)
        asked = some(table, 1, 4) if table and rng.random() < 0.85 else []
        asked += [i for i in some(list(DataItem), 0, 2) if i not in asked]
        if not asked:
            asked = [rng.choice(list(DataItem))]
        consents = []
        for k in range(rng.randint(0, 6)):
            who = rng.random()
            recipients = {rid} if who < 0.5 else {"r-other"} if who < 0.6 else set()
            chosen: set[str] = set()
            if not recipients or rng.random() < 0.2:
                chosen = (
                    set(foreign or [HOME]) if rng.random() < 0.7 else set(some(countries, 1, 3))
                )
            given = near(at, 60)
            withdrawn = None
            if rng.random() < 0.3:
                withdrawn = max(given, at if rng.random() < 0.3 else near(at, 30))
            purposes = {purpose} if rng.random() < 0.8 else set()
            purposes |= set(some(list(Purpose), 0 if purposes else 1, 1))
            items = set(asked) if rng.random() < 0.5 else set(some(asked, 0, len(asked)))
            items |= set(some(list(DataItem), 0 if items else 1, 2))
            consents.append(
                ConsentFacts(
                    id=f"c-{n}-{k}",
                    kind=rng.choice(list(ConsentKind)),
                    notice_version=rng.choice(NOTICES),
                    recipients=frozenset(recipients),
                    countries=frozenset(chosen),
                    items=frozenset(items),
                    purposes=frozenset(purposes),
                    given_at=given,
                    withdrawn_at=withdrawn,
                )
            )
        orders = []
        for k in range(rng.choices((0, 1, 2, 3), (60, 25, 10, 5))[0]):
            start = near(at, 30)
            end = None
            if rng.random() < 0.5:
                end = start + timedelta(seconds=rng.randint(1, 60 * 86400))
            if rng.random() < 0.5:
                target = rid if rng.random() < 0.6 else "r-other"
                orders.append(SuspensionOrder(f"o-{n}-{k}", target, None, start, end))
            else:
                country = rng.choice(foreign) if foreign and rng.random() < 0.5 else None
                country = country or rng.choice(countries)
                orders.append(SuspensionOrder(f"o-{n}-{k}", None, country, start, end))
        requests.append(
            DecisionRequest(
                at=at,
                subject=SubjectFacts(
                    id=f"b-{n}",
                    residence=rng.choice(countries),
                    transfer_suspended=rng.random() < 0.06,
                    consents=tuple(consents),
                ),
                recipient=recipient,
                purpose=purpose,
                items=tuple(asked),
                pack=PACK.name,
                notice_in_force=notice,
                suspension_orders=tuple(orders),
                legal_mandate=mandate,
            )
        )
    return requests


# --- the Cedar policy, generated from the pack -------------------------------------------------
#
# principal = Recipient (role, data_countries, foreign, safeguards, notices, certifications,
# measures); resource = Item; context = {subject: Buyer (suspended, consent slots c0..), orders:
# OrderSet (slots o0..), purpose, at, notice?, mandate?}.


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _strings(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in sorted(values)) + "]"


def _items(values: Sequence[DataItem]) -> str:
    return "[" + ", ".join(f'Item::"{v.value}"' for v in sorted(values)) + "]"


def _any(terms: Sequence[str]) -> str:
    return "(" + " || ".join(terms) + ")" if terms else "false"


def _all(terms: Sequence[str]) -> str:
    return "(" + " && ".join(terms) + ")" if terms else "true"


def _holds(validity: Validity) -> str:
    """Cedar: `from <= at < to`, the pack's dates as epoch-second literals."""
    terms = [f"{_epoch(validity.from_)} <= context.at"]
    if validity.to is not None:
        terms.append(f"context.at < {_epoch(validity.to)}")
    return _all(terms)


@dataclass(frozen=True)
class Layout:
    """Where the consents and orders sit in the entity store, and how many slots each has.

    `by_kind` False: one list of slots `c0`.. per subject, each with its `kind` tested in Cedar.
    `by_kind` True: the caller files each consent under its kind (`third_party_provision0`..,
    `overseas_transfer0`.., `marketing0`..), so a question scans only the slots of its kind.
    """

    by_kind: bool
    consents: dict[str, int]  # slots per attribute prefix
    orders: int

    def prefix(self, kind: ConsentKind) -> str:
        return kind.value if self.by_kind else "c"

    @classmethod
    def of(cls, requests: Sequence[DecisionRequest], by_kind: bool) -> "Layout":
        slots: dict[str, int] = {}
        for r in requests:
            counts = Counter(
                k.value if by_kind else "c" for k in (c.kind for c in r.subject.consents)
            )
            for prefix, n in counts.items():
                slots[prefix] = max(slots.get(prefix, 0), n)
        orders = max((len(r.suspension_orders) for r in requests), default=0)
        return cls(by_kind, slots, orders)


class _Cedar:
    """Builds the policy text for one pack and fixed slot counts."""

    def __init__(self, pack: RulePack, layout: Layout) -> None:
        self.pack = pack
        self.layout = layout
        self.cross = f'!["{pack.home_country}"].containsAll(principal.data_countries)'
        self.entrusted = (
            f"{_strings([r.value for r in pack.entrusted_roles])}.contains(principal.role)"
        )
        self.provision_role = (
            f"{_strings([r.value for r in pack.provision_roles])}.contains(principal.role)"
        )
        self.marketing = (
            f"{_strings([p.value for p in pack.marketing_purposes])}.contains(context.purpose)"
        )

    def tested_in(self, countries: str) -> str:
        """Cedar: every foreign data country (for a domestic transfer: home) is in `countries`."""
        return (
            f"(if {self.cross} then {countries}.containsAll(principal.foreign) "
            f'else {countries}.contains("{self.pack.home_country}"))'
        )

    def consent(self, kind: ConsentKind) -> str:
        """Cedar: some consent slot of `kind`, valid at `at`, covers recipient, purpose, item."""
        terms = []
        prefix = self.layout.prefix(kind)
        for k in range(self.layout.consents.get(prefix, 0)):
            c = f"context.subject.{prefix}{k}"
            of_kind = "" if self.layout.by_kind else f' && {c}.kind == "{kind.value}"'
            terms.append(
                f"(context.subject has {prefix}{k}{of_kind} "
                f"&& {c}.given_at <= context.at && context.at < {c}.withdrawn_at "
                f"&& {c}.purposes.contains(context.purpose) && {c}.items.contains(resource) "
                f"&& ({c}.recipients.contains(principal) "
                f"|| ({self.tested_in(c + '.countries')} && principal.notices.contains({c}.notice))))"
            )
        return _any(terms)

    def order_applies(self) -> str:
        terms = []
        for k in range(self.layout.orders):
            o = f"context.orders.o{k}"
            terms.append(
                f"(context.orders has o{k} && (({o} has recipient && {o}.recipient == principal) "
                f"|| ({o} has country && principal.foreign.contains({o}.country))) "
                f"&& {o}.from <= context.at && context.at < {o}.to)"
            )
        return _any(terms)

    def mandate_covers(self, with_items: bool) -> str:
        terms = []
        for m in self.pack.mandates.values():
            parts = [
                f'context.mandate == "{m.id}"',
                _holds(m.validity),
                f"{_strings([r.value for r in m.roles])}.contains(principal.role)",
                f"{_strings([p.value for p in m.purposes])}.contains(context.purpose)",
                self.tested_in(_strings(sorted(m.countries))),
            ]
            if with_items:
                parts.append(f"{_items(sorted(m.items))}.contains(resource)")
            terms.append(_all(parts))
        return f"(context has mandate && {_any(terms)})"

    def adequacy(self) -> str:
        """Cedar: each foreign data country is recognised by some recognition in force that does
        not exclude the item. Cedar has no quantifier over `principal.foreign` and no set union,
        so this enumerates the subsets of the pack's recognitions, the union of each subset's
        countries written out as a literal: 2^n - 1 terms for n recognitions."""
        recognitions = self.pack.recognitions
        if len(recognitions) > 10:
            raise ValueError("too many recognitions to enumerate their subsets in Cedar")
        terms = []
        for size in range(1, len(recognitions) + 1):
            for subset in combinations(recognitions, size):
                union = sorted(set().union(*(r.countries for r in subset)))
                usable = [
                    f"{_holds(r.validity)} && !{_items(sorted(r.excluded_items))}.contains(resource)"
                    for r in subset
                ]
                terms.append(_all([f"{_strings(union)}.containsAll(principal.foreign)", *usable]))
        return _any(terms)

    def transfer(self) -> str:
        grounds = []
        for g in self.pack.transfer_grounds:
            if g.ground is Ground.CONSENT:
                grounds.append(self.consent(self.pack.transfer_consent))
            elif g.ground is Ground.ENTRUSTED_CONTRACT:
                grounds.append(f"({self.entrusted} && !{self.marketing})")
            elif g.ground is Ground.CERTIFICATION:
                held = [
                    f'(principal.certifications.contains("{d.certification}") && {_holds(d.validity)})'
                    for d in self.pack.designations
                ]
                grounds.append(f"(principal.measures && {_any(held)})")
            elif g.ground is Ground.ADEQUACY:
                grounds.append(self.adequacy())
        return f"(!{self.cross} || {_any(grounds)})"

    def text(self) -> str:
        pack = self.pack
        cross, entrusted, marketing = self.cross, self.entrusted, self.marketing
        disclosed = "(context has notice && principal.notices.contains(context.notice))"
        restricted = [
            f'(context.purpose == "{p.value}" && !{_strings([r.value for r in rule.roles])}'
            ".contains(principal.role))"
            for p, rule in pack.purposes.items()
            if rule.roles is not None
        ]
        table = _any(
            [
                f'(context.purpose == "{p.value}" && {_items(sorted(rule.dispositions))}'
                ".contains(resource))"
                for p, rule in pack.purposes.items()
                if rule.dispositions
            ]
        )
        marketing_consent = self.consent(pack.marketing_consent)
        domestic = _any(
            [
                f"({self.provision_role} && {self.consent(pack.provision_consent)})",
                f"({entrusted} && (!{marketing} || {marketing_consent}))",
            ]
        )
        refuse = 'forbid (principal, action == Action::"release", resource)'
        release = 'permit (principal is Recipient, action == Action::"release", resource is Item)'
        covers = self.mandate_covers(with_items=False)
        code = ReasonCode
        return "\n".join(
            [
                "// Rules 2 and 3: refusals of the whole request, @id = the reason code.",
                f'@id("{code.MANDATE_DOES_NOT_COVER}")\n{refuse}\n'
                f"when {{ context has mandate && !{covers} }};",
                f'@id("{code.TRANSFER_SUSPENDED}")\n{refuse}\n'
                f"when {{ context.subject.suspended && !{covers} }};",
                f'@id("{code.TRANSFER_ORDER_SUSPENDED}")\n{refuse}\n'
                f"when {{ {cross} && {self.order_applies()} }};",
                f'@id("{code.CONTRACT_SAFEGUARDS_MISSING}")\n{refuse}\n'
                f"when {{ !principal.safeguards && ({cross} || {entrusted}) }};",
                f'@id("{code.NOT_DISCLOSED}")\n{refuse}\n'
                f"when {{ !{disclosed} && ({cross} || {entrusted}) }};",
                f'@id("{code.ROLE_NOT_PERMITTED}")\n{refuse}\nwhen {{ {_any(restricted)} }};',
                "// Rule 2: a covering mandate releases exactly its items.",
                f'@id("R2.mandate")\n{release}\nwhen {{ {self.mandate_covers(with_items=True)} }};',
                "// Rules 4-6: the purpose table, then a basis per question for the item.",
                f'@id("R6.bases")\n{release}\nwhen {{ !(context has mandate) && {table} '
                f"&& {domestic} && (!{marketing} || {marketing_consent}) && {self.transfer()} }};",
            ]
        )


def cedar_policies(pack: RulePack, layout: Layout) -> str:
    """The pack as a Cedar policy set for per-item authorization."""
    return _Cedar(pack, layout).text()


# --- the entity store and the authorizations (the enforcement point's work) --------------------


def _ref(kind: str, id_: str) -> dict[str, Any]:
    return {"__entity": {"type": kind, "id": id_}}


def _order_set_id(orders: tuple[SuspensionOrder, ...]) -> str:
    return ",".join(o.id for o in orders) or "none"


def cedar_entities(requests: Sequence[DecisionRequest], home: str, layout: Layout) -> str:
    """Every recipient, buyer and set of suspension orders the requests name, as Cedar JSON."""
    recipients: dict[str, RecipientFacts] = {}
    subjects: dict[str, SubjectFacts] = {}
    order_sets: dict[str, tuple[SuspensionOrder, ...]] = {}
    for request in requests:
        for store, key, facts in (
            (recipients, request.recipient.id, request.recipient),
            (subjects, request.subject.id, request.subject),
            (order_sets, _order_set_id(request.suspension_orders), request.suspension_orders),
        ):
            if store.setdefault(key, facts) != facts:  # type: ignore[arg-type]
                raise ValueError(f"{key} has different facts in different requests")
    entities: list[dict[str, Any]] = []
    for r in recipients.values():
        countries = {r.country, *r.data_countries}
        attrs = {
            "role": r.role.value,
            "data_countries": sorted(countries),
            "foreign": sorted(countries - {home}),  # precomputed: Cedar has no set difference
            "safeguards": r.contract_safeguards,
            "notices": sorted(r.notices),
            "certifications": sorted(r.certifications),
            "measures": r.certification_measures,
        }
        entities.append({"uid": {"type": "Recipient", "id": r.id}, "attrs": attrs, "parents": []})
    for s in subjects.values():
        attrs: dict[str, Any] = {"suspended": s.transfer_suspended}
        filed: Counter[str] = Counter()
        for c in s.consents:
            prefix = layout.prefix(c.kind)
            attrs[f"{prefix}{filed[prefix]}"] = {
                "kind": c.kind.value,
                "notice": c.notice_version,
                "recipients": [_ref("Recipient", r) for r in sorted(c.recipients)],
                "countries": sorted(c.countries),
                "purposes": sorted(p.value for p in c.purposes),
                "items": [_ref("Item", i.value) for i in sorted(c.items)],
                "given_at": _epoch(c.given_at),
                "withdrawn_at": _epoch(c.withdrawn_at) if c.withdrawn_at is not None else NEVER,
            }
            filed[prefix] += 1
        entities.append({"uid": {"type": "Buyer", "id": s.id}, "attrs": attrs, "parents": []})
    for key, orders in order_sets.items():
        slots: dict[str, Any] = {}
        for k, o in enumerate(orders):
            slot: dict[str, Any] = {"from": _epoch(o.from_), "to": _epoch(o.to) if o.to else NEVER}
            if o.recipient is not None:
                slot["recipient"] = _ref("Recipient", o.recipient)
            if o.country is not None:
                slot["country"] = o.country
            slots[f"o{k}"] = slot
        entities.append({"uid": {"type": "OrderSet", "id": key}, "attrs": slots, "parents": []})
    return json.dumps(entities)


_ACTION = {"type": "Action", "id": "release"}
_RESOURCES = {i: {"type": "Item", "id": i.value} for i in DataItem}


def cedar_requests(request: DecisionRequest) -> list[dict[str, Any]]:
    """One Cedar authorization per requested item, sharing one serialised context."""
    context: dict[str, Any] = {
        "subject": _ref("Buyer", request.subject.id),
        "orders": _ref("OrderSet", _order_set_id(request.suspension_orders)),
        "purpose": request.purpose.value,
        "at": _epoch(request.at),
    }
    if request.notice_in_force is not None:
        context["notice"] = request.notice_in_force
    if request.legal_mandate is not None:
        context["mandate"] = request.legal_mandate
    shared = json.dumps(context)
    principal = {"type": "Recipient", "id": request.recipient.id}
    return [
        {"principal": principal, "action": _ACTION, "resource": _RESOURCES[item], "context": shared}
        for item in request.items
    ]


# --- timing --------------------------------------------------------------------------------


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


@dataclass
class Timing:
    """The fastest of several runs, by the wall clock and by this thread's CPU time.

    The wall clock is the figure; the CPU time shows what the run cost when the machine is
    shared (other processes on the pinned CPU lengthen the wall time, not the CPU time).
    """

    wall: float
    cpu: float
    walls: list[float]


def best_of(repeat: int, work: Callable[[], object]) -> Timing:
    """The fastest of `repeat` runs (the least disturbed); GC paused as pytest-benchmark and
    timeit do, so a collection in one run does not decide the figure."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            cpu = time.thread_time()
            started = time.perf_counter()
            work()
            walls.append(time.perf_counter() - started)
            cpus.append(time.thread_time() - cpu)
        finally:
            gc.enable()
    return Timing(min(walls), min(cpus), walls)


@dataclass
class _CedarAnswers:
    allowed: list[bool] = field(default_factory=list)
    forbids: list[tuple[str, ...]] = field(default_factory=list)  # @ids of satisfied forbids


def _cedar_batches(
    authorizations: list[dict[str, Any]], policies: Any, entities: Any, batch: int = 4096
) -> _CedarAnswers:
    out = _CedarAnswers()
    for start in range(0, len(authorizations), batch):
        results = cedarpy.is_authorized_batch(
            authorizations[start : start + batch], policies, entities
        )
        for result in results:
            # An evaluation error makes Cedar skip the policy (deny by default): that would be a
            # bug in the generated policy, not an answer, so it stops the run.
            diagnostics = result.diagnostics
            if diagnostics.errors:
                raise RuntimeError(f"Cedar evaluation error: {diagnostics.errors}")
            allowed = result.allowed
            out.allowed.append(allowed)
            out.forbids.append(
                () if allowed else tuple(diagnostics.id_annotations_by_reason.values())
            )
    return out


def _engine_refusal(decision: Decision) -> str | None:
    """The code of a whole-request refusal (rules 2 and 3), else None."""
    if decision.allowed or decision.reasons[0].item is not None:
        return None
    return decision.reasons[0].code.value


def _cedar_refusal(forbids: tuple[str, ...]) -> str | None:
    """The caller's reading of Cedar's forbids: the first in the contract's order."""
    codes = [f for f in forbids if f in _REFUSAL_RANK]
    return min(codes, key=_REFUSAL_RANK.__getitem__) if codes else None


def compare(
    requests: Sequence[DecisionRequest],
    decisions: Sequence[Decision],
    answers: _CedarAnswers,
    limit: int = 5,
) -> dict[str, Any]:
    """Per item allow/deny and per request refusal code, engine against Cedar."""
    rows: list[dict[str, Any]] = []
    items = agree = refused = codes_agree = 0
    position = 0
    for request, decision in zip(requests, decisions, strict=True):
        first = position
        for item in request.items:
            ours = decision.items[item] is not Disposition.DENY
            theirs = answers.allowed[position]
            items += 1
            if ours == theirs:
                agree += 1
            elif len(rows) < limit:
                rows.append(
                    {
                        "request": request,
                        "item": item.value,
                        "engine": decision.items[item].value,
                        "engine_rule": decision.rule,
                        "engine_reasons": [(r.code.value, r.item) for r in decision.reasons],
                        "cedar_allowed": theirs,
                        "cedar_forbids": answers.forbids[position],
                    }
                )
            position += 1
        engine_code = _engine_refusal(decision)
        cedar_code = _cedar_refusal(answers.forbids[first])
        if engine_code is not None or cedar_code is not None:
            refused += 1
            codes_agree += engine_code == cedar_code
            if engine_code != cedar_code and len(rows) < limit:
                rows.append({"request": request, "engine_code": engine_code, "cedar": cedar_code})
    return {
        "items": items,
        "agreement_pct": 100 * agree / items if items else 100.0,
        "refusals": refused,
        "refusal_codes_agree_pct": 100 * codes_agree / refused if refused else 100.0,
        "disagreements": rows,
    }


def run(quick: bool = False) -> dict[str, Any]:
    count = 2_000 if quick else 10_000
    repeat = 2 if quick else 5
    requests = synthetic_requests(count)
    pack = PACK
    items = sum(len(r.items) for r in requests)
    figures: dict[str, Any] = {"requests": count, "items": items, "quick": quick}

    decisions: list[Decision] = []

    def engine_run() -> None:
        nonlocal decisions
        decisions = Engine(pack).decide_many(requests)  # a fresh engine: its text cache starts cold

    with one_core() as pinning:
        figures["pinning"] = pinning
        engine = best_of(repeat, engine_run)
    figures["engine_s"] = engine.wall
    figures["engine_cpu_s"] = engine.cpu
    figures["engine_decisions_per_s"] = count / engine.wall
    figures["engine_median_decisions_per_s"] = count / statistics.median(engine.walls)
    figures["engine_cpu_decisions_per_s"] = count / engine.cpu
    figures["engine_items_per_s"] = items / engine.wall
    figures["engine_meets_goal"] = count / engine.wall >= GOAL
    figures["mix"] = _mix(requests, decisions)

    if cedarpy is None:
        figures["cedar"] = "cedarpy is not installed (pip install -e '.[bench]')"
        figures["markdown"] = markdown(figures)
        return figures

    authorizations: list[dict[str, Any]] = []

    def translate() -> None:
        nonlocal authorizations
        authorizations = [a for r in requests for a in cedar_requests(r)]

    cedar_repeat = max(1, repeat - 2)
    with one_core():
        translated = best_of(cedar_repeat, translate)
    figures["cedar_translate_s"] = translated.wall

    layouts = {"v2": Layout.of(requests, by_kind=False), "v2 by kind": Layout.of(requests, True)}
    figures["cedar_slots"] = {name: layout.consents for name, layout in layouts.items()}
    figures["cedar_order_slots"] = layouts["v2"].orders
    stores = {}
    for name, layout in layouts.items():
        started = time.perf_counter()
        stores[name] = cedarpy.Entities.from_json_str(
            cedar_entities(requests, pack.home_country, layout)
        )
        figures.setdefault("cedar_entities_load_s", {})[name] = time.perf_counter() - started
    figures["cedar_entities"] = len(stores["v2"])
    variants = {
        name: (cedar_policies(pack, layout), stores[name]) for name, layout in layouts.items()
    }
    # The binding's floor: the same authorizations against a policy that permits everything,
    # so what remains is parsing each context and answering, not evaluating our rules.
    variants["floor"] = ("permit (principal, action, resource);", stores["v2"])
    figures["cedar"] = {}
    for name, (text, entities) in variants.items():
        policies = cedarpy.PolicySet.from_str(text)
        answers = _CedarAnswers()

        def authorize(policies: Any = policies, entities: Any = entities) -> None:
            nonlocal answers
            answers = _cedar_batches(authorizations, policies, entities)

        with one_core():
            authorized = best_of(cedar_repeat, authorize)
        end_to_end = count / (translated.wall + authorized.wall)
        end_to_end_cpu = count / (translated.cpu + authorized.cpu)
        figures["cedar"][name] = {
            "policy_chars": len(text),
            "authorize_s": authorized.wall,
            "authorizations_per_s": items / authorized.wall,
            "decisions_per_s": end_to_end,
            "decisions_per_s_authorize_only": count / authorized.wall,
            "cpu_decisions_per_s": end_to_end_cpu,
            "ratio_decisions": figures["engine_decisions_per_s"] / end_to_end,
            "ratio_items": figures["engine_items_per_s"] / (items / authorized.wall),
            "ratio_cpu": figures["engine_cpu_decisions_per_s"] / end_to_end_cpu,
            **compare(requests, decisions, answers),
        }
    figures["adversarial"] = adversarial_agreement(1_000 if quick else 5_000)
    figures["markdown"] = markdown(figures)
    return figures


def adversarial_agreement(count: int) -> dict[str, Any]:
    """Cedar's per-item allow/deny and refusal codes against the engine's on random requests,
    for each pack and each slot layout."""
    requests = adversarial_requests(count)
    authorizations = [a for r in requests for a in cedar_requests(r)]
    out: dict[str, Any] = {"requests": count, "items": len(authorizations)}
    for name, variant in (("shipped pack", PACK), ("variant pack", variant_pack())):
        decisions = Engine(variant).decide_many(requests)
        results = []
        for by_kind in (False, True):
            layout = Layout.of(requests, by_kind)
            entities = cedarpy.Entities.from_json_str(
                cedar_entities(requests, variant.home_country, layout)
            )
            policies = cedarpy.PolicySet.from_str(cedar_policies(variant, layout))
            answers = _cedar_batches(authorizations, policies, entities)
            results.append(compare(requests, decisions, answers))
        worst = min(results, key=lambda r: (r["agreement_pct"], r["refusal_codes_agree_pct"]))
        worst["released"] = sum(
            d.items[i] is not Disposition.DENY for d in decisions for i in d.items
        )
        out[name] = worst
    return out


def _mix(requests: Sequence[DecisionRequest], decisions: Sequence[Decision]) -> dict[str, Any]:
    """What the run decided: by rule, by basis and ground used, by reason code."""
    bases: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for d in decisions:
        for b in d.bases:
            bases[f"{b.basis}/{b.ground}"] += 1
        for r in d.reasons:
            reasons[r.code.value] += 1
    return {
        "allowed": sum(d.allowed for d in decisions),
        "cross_border": sum(d.cross_border for d in decisions),
        "released_items": sum(len(d.released()) for d in decisions),
        "mandates": sum(r.legal_mandate is not None for r in requests),
        "rules": dict(Counter(d.rule for d in decisions).most_common()),
        "bases": dict(bases.most_common()),
        "reasons": dict(reasons.most_common()),
    }


def markdown(f: dict[str, Any]) -> str:
    mix = f["mix"]
    lines = [
        "## Policy decisions (`bench/bench_decisions.py`)",
        "",
        f"{f['requests']:,} requests ({f['items']:,} items) on decision contract v2 from the "
        f"benchmark's synthetic marketplace (seed {SEED}), half at order time, half re-decided at "
        f"the world's end; {f['pinning']}; fastest of several runs, garbage collector paused "
        "while timing.",
        "",
        "| engine | decisions/s | items/s | agrees with databorder | notes |",
        "|---|---:|---:|---:|---|",
        f"| databorder (pure Python) | {f['engine_decisions_per_s']:,.0f} "
        f"| {f['engine_items_per_s']:,.0f} | | dispositions, bases, ground, article, Korean and "
        f"English reasons; goal {GOAL:,}/s {'met' if f['engine_meets_goal'] else 'NOT met'} |",
    ]
    cedar = f.get("cedar")
    if not isinstance(cedar, dict):
        lines += ["", str(cedar), ""]
        return "\n".join(lines)
    notes = {
        "v2": "contract v2 as Cedar, consent kinds tested in Cedar",
        "v2 by kind": "the same, consents filed by kind by the caller (fewer slots per question)",
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
    best = max(("v2", "v2 by kind"), key=lambda n: cedar[n]["decisions_per_s"])
    c = cedar[best]
    adv = f["adversarial"]
    slots = ", ".join(
        f"{name}: " + " + ".join(f"{n} {p}" for p, n in sorted(layout.items()))
        for name, layout in f["cedar_slots"].items()
    )
    lines += [
        "",
        f"Ratio databorder / Cedar (the faster encoding, {best}): {c['ratio_decisions']:.0f}x in "
        f"decisions per second end to end, {c['ratio_items']:.0f}x against Cedar's "
        f"authorizations per second alone; by this thread's CPU time (the same runs) databorder "
        f"{f['engine_cpu_decisions_per_s']:,.0f} and Cedar {c['cpu_decisions_per_s']:,.0f} "
        f"decisions/s, {c['ratio_cpu']:.0f}x. Cedar answers allow/deny per item only (consent "
        f"slots {slots}; {f['cedar_order_slots']} order slots; {f['cedar_entities']:,} buyers, "
        "recipients and order sets in an entity store built and loaded once, not counted). The "
        "floor row is the binding's own cost (parsing each authorization and answering in JSON) "
        "with a policy that permits everything; its agreement only shows how many items our "
        "engine denies.",
        "",
        f"Whole-request refusals (rules 2 and 3): {c['refusals']:,}; the `@id` of Cedar's "
        "`forbid`, the first in the contract's order when several hold, names the engine's code "
        f"for {c['refusal_codes_agree_pct']:.2f}%. Cedar cannot give the per-item reasons, which "
        "consent grounds an item (the one given last), the bases, the dispositions or the access "
        "expiry; the caller precomputes the foreign data countries (Cedar has no set difference), "
        "instants as epoch seconds, and lists of consents and orders as fixed slots (Cedar has "
        "no quantifier): see the module docstring.",
        "",
        f"Equivalence on {adv['requests']:,} random adversarial requests ({adv['items']:,} items: "
        "instants on every boundary, consents and orders naming other recipients and countries, "
        "every role, purpose and mandate), the lower of the two encodings: per item "
        f"{adv['shipped pack']['agreement_pct']:.2f}% with the shipped pack, "
        f"{adv['variant pack']['agreement_pct']:.2f}% with a variant pack (recognitions excluding "
        "released items, designations and recognitions ending, a second mandate listing `rrn`); "
        f"refusal codes {adv['shipped pack']['refusal_codes_agree_pct']:.2f}% and "
        f"{adv['variant pack']['refusal_codes_agree_pct']:.2f}%.",
        "",
        f"Outcomes: {mix['allowed']:,} allowed ({mix['released_items']:,} items released), "
        f"{mix['cross_border']:,} cross-border, {mix['mandates']:,} citing a mandate. By rule: "
        + ", ".join(f"{rule} {n:,}" for rule, n in mix["rules"].items())
        + ". Bases used: "
        + ", ".join(f"{b} {n:,}" for b, n in mix["bases"].items())
        + ". Reasons: "
        + ", ".join(f"{code} {n:,}" for code, n in mix["reasons"].items())
        + ".",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    result = run(quick="--quick" in sys.argv)
    print(result["markdown"])
    checks = {name: c for name, c in (result.get("cedar") or {}).items() if name != "floor"}
    for name in ("shipped pack", "variant pack"):
        if name in (result.get("adversarial") or {}):
            checks[f"{name} (adversarial)"] = result["adversarial"][name]
    for name, variant in checks.items():
        if variant["disagreements"]:
            print(f"first disagreements with Cedar {name}:")
            for row in variant["disagreements"]:
                print(" ", row)
