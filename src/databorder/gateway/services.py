"""disclose(): build the request from the database, decide, and record it all in one transaction.

For each ask the gateway writes a disclosure row (refusals too, with their reasons), an access
grant when something is released, and a leaf in the disclosure log, all in the caller's
transaction: if any write fails, none of them happened. Asks are handled in batches so that a
thousand disclosures cost a handful of queries, not thousands.
"""

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple, Protocol, cast

from sqlalchemy import ColumnElement, Table, and_, func, select, update
from sqlalchemy.orm import Session

from databorder.auth.tokens import GRANT_TOKEN_PREFIX, hash_secret, new_secret
from databorder.consent.facts import consent_facts
from databorder.consent.models import Consent, NoticeVersion
from databorder.consent.services import ConsentService
from databorder.errors import Conflict, DataborderError, InvalidInput, NotFound, field_problem
from databorder.gateway.expiry import grant_expiry
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.gateway.types import DisclosureAsk, DisclosureOutcome, HistoryImport
from databorder.marketplace.models import Buyer, Order
from databorder.model import DataItem, Disposition, RecipientRole
from databorder.model.ids import time_ordered_id
from databorder.notices.store import versions_naming
from databorder.policy.codec import basis_to_json
from databorder.policy.engine import Engine
from databorder.policy.types import Decision, DecisionRequest, RecipientFacts, SubjectFacts
from databorder.registry.facts import recipient_facts
from databorder.registry.models import Recipient, SuspensionOrder
from databorder.store.distribution import by_shard, distributed_tables
from databorder.store.query import CHUNK, by_id, insert_rows, rowcount, rows_where_in
from databorder.vault.relay import RelayPool


class LeafLog(Protocol):
    """The disclosure log as the gateway sees it: append a private leaf per record (the leaf
    commits to it; the record and its salt are kept beside) inside the caller's transaction."""

    def append_records(
        self, session: Session, records: Sequence[Mapping[str, Any]]
    ) -> list[int]: ...


# Core tables for bulk INSERTs: one executemany per table per batch, no ORM object per row.
_GRANTS = cast(Table, AccessGrant.__table__)
_DISCLOSURES = cast(Table, Disclosure.__table__)


class _Notices:
    """The published versions, to find the one in force at each ask's `at` (one query a batch)."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(NoticeVersion.published_at, NoticeVersion.version).order_by(
                NoticeVersion.published_at, NoticeVersion.version
            )
        ).all()
        self.times = [r[0] for r in rows]
        self.versions = [r[1] for r in rows]

    def in_force(self, at: datetime) -> str | None:
        i = bisect_right(self.times, at)
        return self.versions[i - 1] if i else None


def leaf_record(
    row: dict[str, Any], decision: Decision, expires_at: datetime | None
) -> dict[str, Any]:
    """The log leaf's content: what was asked, what was decided and why, and for how long."""
    record = {
        "type": "disclosure",
        "id": row["id"],
        "decided_at": row["decided_at"].isoformat(),
        "order_id": row["order_id"],
        "subject_id": row["subject_id"],
        "recipient_id": row["recipient_id"],
        "recipient_country": row["recipient_country"],
        "purpose": row["purpose"].value,
        "requested": row["requested"],
        "dispositions": row["dispositions"],
        "allowed": decision.allowed,
        "cross_border": decision.cross_border,
        "ground": decision.ground.value if decision.ground else None,
        "article": decision.article,
        "bases": row["bases"],
        "rule": decision.rule,
        "reasons": [
            {"code": r.code.value, "item": r.item.value if r.item else None}
            for r in decision.reasons
        ],
        "consent_ids": row["consent_ids"],
        "grant_id": row["grant_id"],
        "access_expires_at": expires_at.isoformat() if expires_at else None,
        "pack": row["pack"],
        "pack_version": row["pack_version"],
        "notice_version": row["notice_version"],
        "legal_mandate": row["legal_mandate"],
    }
    if row.get("imported_by"):  # history the officer brought in, never a live disclosure
        record["imported_by"] = row["imported_by"]
        record["imported_at"] = row["imported_at"].isoformat()
    return record


def _locked_buyers(session: Session, ids: Iterable[str]) -> dict[str, Buyer]:
    """The asks' buyers, their rows locked until the transaction ends (FOR UPDATE, in id order).

    A withdrawal, suspension or erasure locks its buyer's row first too (rights/), so the two
    take turns: on PostgreSQL a withdrawal committed while a group was deciding on the consent
    it withdrew left a live grant on it (the crash harness found one). SQLite serialises
    writers already and ignores the clause. On Citus, which refuses FOR UPDATE across shards,
    the buyers are locked one shard at a time, in shard order (`distribution.by_shard`).
    """
    ordered = sorted(set(ids))
    groups = [ordered]
    if "buyers" in distributed_tables(session):
        groups = by_shard(session, "buyers", ordered)
    found: dict[str, Buyer] = {}
    for group in groups:
        for start in range(0, len(group), CHUNK):
            chunk = group[start : start + CHUNK]
            query = select(Buyer).where(Buyer.id.in_(chunk)).order_by(Buyer.id).with_for_update()
            found.update((b.id, b) for b in session.scalars(query))
    return found


def _rights_floors(session: Session, consents: dict[str, list[Consent]]) -> dict[str, datetime]:
    """Each buyer's latest withdrawal, suspension or erasure: consents recorded as withdrawn
    (an import can bring those in) and the rights requests (the platform's and the privacy
    center's). One grouped query per chunk of buyers, by the rights table's leading key."""
    # The rights package builds on the gateway (revocation); importing its model at the top
    # would import that package's services before this module is done.
    from databorder.rights.models import RightsRequest  # noqa: PLC0415
    from databorder.rights.types import RequestKind  # noqa: PLC0415

    # The events no disclosure may be dated before: decided "as of" an earlier moment, it
    # would be judged on a consent already withdrawn or a transfer already stopped.
    cutting = (RequestKind.WITHDRAWAL, RequestKind.SUSPENSION, RequestKind.ERASURE)
    floors: dict[str, datetime] = {}
    for subject_id, rows in consents.items():
        withdrawn = [c.withdrawn_at for c in rows if c.withdrawn_at is not None]
        if withdrawn:
            floors[subject_id] = max(withdrawn)
    ids = sorted(consents)
    for start in range(0, len(ids), CHUNK):
        for subject_id, latest in session.execute(
            select(RightsRequest.subject_id, func.max(RightsRequest.created_at))
            .where(
                RightsRequest.subject_id.in_(ids[start : start + CHUNK]),
                RightsRequest.kind.in_(cutting),
            )
            .group_by(RightsRequest.subject_id)
        ):
            if subject_id not in floors or latest > floors[subject_id]:
                floors[subject_id] = latest
    return floors


class _Plan(NamedTuple):
    """An ask that passed its checks, with its decision, waiting to be recorded."""

    ask: DisclosureAsk
    at: datetime
    order: Order
    recipient: Recipient
    decision: Decision
    notice_version: str | None


class Gateway:
    def __init__(
        self,
        engine: Engine,
        log: LeafLog | None,
        pre_delivery_cap_days: int = 60,
        relay: RelayPool | None = None,
    ) -> None:
        self.engine = engine
        self.log = log
        self.pre_delivery_cap_days = pre_delivery_cap_days
        self.relay = relay or RelayPool()

    def disclose(self, session: Session, ask: DisclosureAsk, at: datetime) -> DisclosureOutcome:
        return self.disclose_many(session, [(ask, at)])[0]

    def disclose_many(
        self,
        session: Session,
        asks: Sequence[tuple[DisclosureAsk, datetime]],
        *,
        rights_floor: bool = True,
    ) -> list[DisclosureOutcome]:
        """Decide and record every ask; all or nothing (the caller's transaction).

        An ask that cannot be decided (unknown order, erased buyer, ...) raises before
        anything is written, so the caller's transaction holds none of the batch. With
        `rights_floor` (the default) an ask dated before a withdrawal, suspension or erasure
        already recorded for its buyer is refused: decided "as of" that moment, it would
        undo the buyer's choice. Only a simulation replaying its own history turns it off.
        """
        plans = self._plan(session, asks, rights_floor=rights_floor)
        for plan in plans:
            if isinstance(plan, DataborderError):
                raise plan
        return self._record(session, cast(list[_Plan], plans))

    def disclose_each(
        self, session: Session, asks: Sequence[tuple[DisclosureAsk, datetime]]
    ) -> list[DisclosureOutcome | DataborderError]:
        """Like disclose_many, but an ask that cannot be decided answers with its own error
        while the others are recorded: concurrent HTTP requests share one transaction this
        way (see api/batching.py) without one bad request failing its neighbours."""
        plans = self._plan(session, asks, rights_floor=True)
        recorded = iter(
            self._record(session, [p for p in plans if not isinstance(p, DataborderError)])
        )
        return [p if isinstance(p, DataborderError) else next(recorded) for p in plans]

    def import_history(
        self,
        session: Session,
        asks: Sequence[tuple[DisclosureAsk, datetime]],
        history: HistoryImport,
    ) -> list[DisclosureOutcome]:
        """Disclosures that happened before databorder recorded them (a migration, a back-fill).

        Each is decided as of its own time against the facts recorded, logged and marked as
        imported (by whom, when, why), and never granted: nothing brought in this way can be
        read by a recipient. None may be dated after the import. All or nothing.
        """
        for n, (_ask, when) in enumerate(asks):
            if when > history.at:
                raise InvalidInput(
                    [
                        field_problem(
                            ("disclosures", n, "at"),
                            f"{when.isoformat()} is in the future; an import records the past",
                        )
                    ]
                )
        plans = self._plan(session, asks, rights_floor=False)
        for plan in plans:
            if isinstance(plan, DataborderError):
                raise plan
        return self._record(session, cast(list[_Plan], plans), history)

    def _plan(
        self,
        session: Session,
        asks: Sequence[tuple[DisclosureAsk, datetime]],
        *,
        rights_floor: bool,
    ) -> list["_Plan | DataborderError"]:
        """Load what the asks need in a handful of queries and decide each; writes nothing."""
        orders = {
            o.id: o for o in rows_where_in(session, Order, Order.id, (a.order_id for a, _ in asks))
        }
        recipients = {
            r.id: r
            for r in rows_where_in(
                session, Recipient, Recipient.id, (a.recipient_id for a, _ in asks)
            )
        }
        buyers = _locked_buyers(session, (o.buyer_id for o in orders.values()))
        consents = ConsentService(session).for_subjects(buyers)
        floors = _rights_floors(session, consents) if rights_floor else {}
        notices = _Notices(session)
        naming = versions_naming(session, recipients)
        orders_in_registry = tuple(o.facts() for o in session.scalars(select(SuspensionOrder)))
        subjects: dict[str, SubjectFacts] = {}
        facts: dict[str, RecipientFacts] = {}
        pack = self.engine.pack
        plans: list[_Plan | DataborderError] = []
        for ask, at in asks:
            order = orders.get(ask.order_id)
            recipient = recipients.get(ask.recipient_id)
            if order is None:
                plans.append(NotFound("order", ask.order_id))
                continue
            if recipient is None:
                plans.append(NotFound("recipient", ask.recipient_id))
                continue
            buyer = buyers[order.buyer_id]
            if buyer.deleted_at is not None:
                plans.append(
                    Conflict(
                        f"order {order.id!r} belongs to an erased buyer; nothing can be disclosed"
                    )
                )
                continue
            if recipient.role == RecipientRole.SELLER and recipient.id != order.seller_id:
                plans.append(
                    InvalidInput.one(
                        "recipient_id", f"seller {recipient.id!r} did not sell order {order.id!r}"
                    )
                )
                continue
            if at < order.ordered_at:
                plans.append(InvalidInput.one("at", "a disclosure cannot precede its order"))
                continue
            floor = floors.get(buyer.id)
            if floor is not None and at < floor:
                plans.append(
                    InvalidInput.one(
                        "at",
                        f"{at.isoformat()} precedes the withdrawal, suspension or erasure "
                        f"recorded for this buyer at {floor.isoformat()}; a disclosure is "
                        "judged against every rights event already recorded",
                    )
                )
                continue
            subject = subjects.get(buyer.id)
            if subject is None:
                subject = subjects[buyer.id] = SubjectFacts(
                    id=buyer.id,
                    residence=buyer.residence,
                    transfer_suspended=buyer.transfer_suspended,
                    consents=tuple(map(consent_facts, consents[buyer.id])),
                )
            rfacts = facts.get(recipient.id)
            if rfacts is None:
                rfacts = facts[recipient.id] = recipient_facts(recipient, naming[recipient.id])
            in_force = notices.in_force(at)
            decision = self.engine.decide(
                DecisionRequest(
                    at=at,
                    subject=subject,
                    recipient=rfacts,
                    purpose=ask.purpose,
                    items=tuple(dict.fromkeys(ask.items)),
                    pack=pack.name,
                    notice_in_force=in_force,
                    suspension_orders=orders_in_registry,
                    legal_mandate=ask.legal_mandate,
                )
            )
            plans.append(_Plan(ask, at, order, recipient, decision, in_force))
        return plans

    def _record(
        self,
        session: Session,
        plans: Sequence["_Plan"],
        history: HistoryImport | None = None,
    ) -> list[DisclosureOutcome]:
        """Write the grants, relay endpoints, log leaves and disclosure rows of decided asks.

        With `history` they are past disclosures brought in: marked rows and leaves, no grants.

        Rows are written with bulk INSERTs (one statement per table per batch), not as ORM
        objects: building and flushing an object per row cost two thirds of the time.
        """
        if not plans:
            return []
        pack = self.engine.pack
        outcomes: list[DisclosureOutcome] = []
        leaves: list[dict[str, Any]] = []
        grant_rows: list[dict[str, Any]] = []
        disclosure_rows: list[dict[str, Any]] = []
        relayed: list[tuple[str, str, DataItem]] = []
        for ask, at, order, recipient, decision, notice_version in plans:
            consent_ids = list(decision.consent_ids)
            grant_id = token = expires_at = None
            days = decision.access_expires_after_delivery_days
            if (
                history is None
                and decision.allowed
                and decision.ground is not None
                and days is not None
            ):
                grant_id = time_ordered_id()
                token = new_secret(GRANT_TOKEN_PREFIX)
                expires_at = grant_expiry(
                    order.ordered_at, order.delivered_at, days, self.pre_delivery_cap_days
                )
                released = decision.released()
                grant_rows.append(
                    {
                        "recipient_id": recipient.id,
                        "id": grant_id,
                        "token_hash": hash_secret(token),
                        "order_id": order.id,
                        "subject_id": order.buyer_id,
                        "purpose": ask.purpose,
                        "items": {i.value: d.value for i, d in released.items()},
                        "ground": decision.ground,
                        "consent_ids": consent_ids,
                        "access_days": days,
                        "created_at": at,
                        "expires_at": expires_at,
                        "revoked_at": None,
                        "revoke_reason": None,
                    }
                )
                relayed.extend(
                    (recipient.id, grant_id, item)
                    for item, d in released.items()
                    if d is Disposition.RELAY
                )
            row = {
                "subject_id": order.buyer_id,
                "id": time_ordered_id(),
                "order_id": order.id,
                "recipient_id": recipient.id,
                "purpose": ask.purpose,
                "requested": [i.value for i in decision.items],
                "dispositions": {i.value: d.value for i, d in decision.items.items()},
                "allowed": decision.allowed,
                "cross_border": decision.cross_border,
                "recipient_country": recipient.country,
                "ground": decision.ground,
                "article": decision.article,
                "rule": decision.rule,
                "reasons": [r.code.value for r in decision.reasons],
                "bases": [basis_to_json(b) for b in decision.bases],
                "consent_ids": consent_ids,
                "pack": pack.name,
                "pack_version": pack.version,
                "notice_version": notice_version,
                "legal_mandate": ask.legal_mandate,
                "decided_at": at,
                "grant_id": grant_id,
                "leaf_index": None,
                "imported_by": history.officer if history else None,
                "imported_at": history.at if history else None,
            }
            disclosure_rows.append(row)
            leaf = leaf_record(row, decision, expires_at)
            if history is not None:
                leaf["import_reason"] = history.reason
            leaves.append(leaf)
            outcomes.append(
                DisclosureOutcome(str(row["id"]), decision, grant_id, token, expires_at, None)
            )
        if grant_rows:  # grants first: disclosures and relay endpoints reference them
            insert_rows(session, _GRANTS, grant_rows)
        if relayed:
            self.relay.bind(session, relayed, max(p.at for p in plans))
        if self.log is not None:
            indexes = self.log.append_records(session, leaves)
            for row, index in zip(disclosure_rows, indexes, strict=True):
                row["leaf_index"] = index
            outcomes = [replace(o, leaf_index=i) for o, i in zip(outcomes, indexes, strict=True)]
        insert_rows(session, _DISCLOSURES, disclosure_rows)
        return outcomes

    def mark_delivered(self, session: Session, order_id: str, at: datetime) -> int:
        """Record delivery and move every live grant's end to delivery + its access days."""
        order = by_id(session, Order, order_id)
        if order is None:
            raise NotFound("order", order_id)
        if at < order.ordered_at:
            raise InvalidInput.one("delivered_at", "delivery cannot precede the order")
        if order.delivered_at is not None:
            raise Conflict(
                f"order {order_id!r} was already delivered at {order.delivered_at.isoformat()}"
            )
        order.delivered_at = at
        grants = session.scalars(
            select(AccessGrant).where(
                AccessGrant.order_id == order_id, AccessGrant.revoked_at.is_(None)
            )
        ).all()
        for grant in grants:
            grant.expires_at = grant_expiry(
                order.ordered_at, at, grant.access_days, self.pre_delivery_cap_days
            )
        session.flush()
        return len(grants)


def revoke_grants(session: Session, which: ColumnElement[bool], at: datetime, reason: str) -> int:
    """Revoke at once every live grant matching `which`; call in the triggering transaction."""
    result = session.execute(
        update(AccessGrant)
        .where(which, AccessGrant.revoked_at.is_(None))
        .values(revoked_at=at, revoke_reason=reason)
    )
    return rowcount(result)


def revoke_grants_for_consent(
    session: Session, subject_id: str, consent_id: str, at: datetime
) -> int:
    """The grants that rest on a withdrawn consent, and only those.

    A grant can rest on several consents (provision and transfer, per item): withdrawing any
    one of them ends it. The buyer's live grants are few, so they are read by the buyer's index
    and matched here rather than through a JSON index each database spells differently.
    """
    ids = [
        grant_id
        for grant_id, consent_ids in session.execute(
            select(AccessGrant.id, AccessGrant.consent_ids).where(
                AccessGrant.subject_id == subject_id, AccessGrant.revoked_at.is_(None)
            )
        )
        if consent_id in consent_ids
    ]
    if not ids:
        return 0
    return revoke_grants(
        session,
        and_(AccessGrant.subject_id == subject_id, AccessGrant.id.in_(ids)),
        at,
        "consent_withdrawn",
    )
