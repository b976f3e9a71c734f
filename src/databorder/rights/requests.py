"""Every right a buyer exercises becomes a tracked request, ended at every recipient concerned.

`RightsRequests` is what the privacy center and the API call. Each operation writes in the
caller's transaction: the right itself (shred, revoke, re-seal: `RightsService` and the vault),
the request with its tracking number and legal deadline, and one task and outbox message per
recipient to tell. Nothing is sent here: the dispatcher (rights/dispatch.py) delivers the
messages after the commit, each recipient on its own, so one failing recipient never fails
the request.

Who is told:
- erasure: every recipient that ever received the buyer's data (an allowed disclosure), even
  if its access ended long ago, because it may still hold a copy;
- correction: recipients with a live grant that releases a changed item in a readable form
  (a relayed phone keeps working and shows nothing that changed);
- suspension and withdrawal: recipients whose live grants the request revoked.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from databorder.consent.models import Consent
from databorder.errors import Conflict, FieldProblem, InvalidInput, NotFound
from databorder.gateway.models import AccessGrant, Disclosure, SellerRead
from databorder.marketplace.models import Buyer, Order
from databorder.marketplace.schemas import BuyerPii
from databorder.marketplace.services import ORDER_ITEMS_LABEL
from databorder.model import DataItem, Disposition
from databorder.model.ids import time_ordered_id
from databorder.registry.models import Recipient
from databorder.rights.models import OutboxMessage, RightsCounter, RightsRequest, RightsTask
from databorder.rights.services import RightsService
from databorder.rights.tasks import Target, open_tasks
from databorder.rights.types import (
    DEFAULT_DEADLINE_DAYS,
    TOPICS,
    Receipt,
    RecipientRef,
    RequestKind,
    RequestState,
    TaskView,
    deadline,
    request_move,
    tracking_number,
)
from databorder.store.query import by_id
from databorder.vault.service import Vault

# Art. 36 corrections the privacy center offers: the contact and delivery items a buyer keeps
# up to date. Identity numbers and payment data are corrected with the marketplace itself.
CORRECTABLE = frozenset(
    {DataItem.NAME, DataItem.PHONE, DataItem.EMAIL, DataItem.ADDRESS, DataItem.POSTAL_CODE}
)
# Items a recipient reads in a form that shows the value; a relayed item shows a relay number.
_READABLE = frozenset({Disposition.PLAIN.value, Disposition.MASKED.value})
COMPLAINT_MAX_CHARS = 5000
_COMPLAINT_LABEL = "rights_complaint:"  # vault label prefix: binds a sealed text to its request


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _text(value: str, field: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput.one(field, "expected some text, got nothing")
    if len(text) > limit:
        raise InvalidInput.one(field, f"expected at most {limit} characters, got {len(text)}")
    return text


def validate_changes(changes: Mapping[DataItem, str]) -> dict[DataItem, str]:
    """The corrected values, normalised as registration normalises them, or every problem."""
    if not changes:
        raise InvalidInput.one("changes", "expected at least one item to correct")
    problems: list[FieldProblem] = []
    valid: dict[DataItem, str] = {}
    for item, value in changes.items():
        field = f"changes.{item.value}"
        if item not in CORRECTABLE:
            problems.append(
                FieldProblem(
                    field,
                    f"expected one of {sorted(i.value for i in CORRECTABLE)}, got {item.value}",
                )
            )
            continue
        if not value or not value.strip():
            problems.append(
                FieldProblem(field, "expected a value; to remove data, erase the account")
            )
            continue
        model = BuyerPii.model_construct(name="")  # a blank to validate one field into
        try:  # the registration's own rules for the field (one definition of a valid phone)
            BuyerPii.__pydantic_validator__.validate_assignment(model, item.value, value)
        except ValidationError as exc:
            problems += [
                FieldProblem(field, str(e["msg"]).removeprefix("Value error, "))
                for e in exc.errors()
            ]
            continue
        valid[item] = str(getattr(model, item.value))
    if problems:
        raise InvalidInput(problems)
    return valid


class RightsRequests:
    def __init__(
        self, session: Session, vault: Vault, deadline_days: int = DEFAULT_DEADLINE_DAYS
    ) -> None:
        if deadline_days < 1:
            raise ValueError(f"deadline_days is at least 1, got {deadline_days}")
        self.session = session
        self.vault = vault
        self.deadline_days = deadline_days
        self._rights = RightsService(session, vault)

    # -- the rights ---------------------------------------------------------------------------

    def erase(self, subject_id: str, at: datetime) -> Receipt:
        """Revoke every grant, destroy the vault key, and tell every recipient that ever
        received the buyer's data to erase it (`customers/redact`)."""
        self._buyer(subject_id)
        received = self._received(subject_id)
        live = self._live(subject_id, at)
        outcome = self._rights.erase(subject_id, at)
        request = self._open(
            subject_id,
            RequestKind.ERASURE,
            at,
            {"grants_revoked": outcome.grants_revoked, "recipients": len(received)},
        )
        return self._notify(request, received, at, revoked=live)

    def withdraw(self, subject_id: str, consent_id: str, at: datetime) -> Receipt:
        """Withdraw one of the buyer's own consents; the receipt names whom it cut off."""
        self._buyer(subject_id)
        if self.session.get(Consent, (subject_id, consent_id)) is None:
            raise NotFound("consent", consent_id)  # another buyer's: as if it did not exist
        live = self._live(subject_id, at, lambda grant: consent_id in grant.consent_ids)
        outcome = self._rights.withdraw(consent_id, at)
        request = self._open(
            subject_id,
            RequestKind.WITHDRAWAL,
            at,
            {"consent_id": consent_id, "grants_revoked": outcome.grants_revoked},
        )
        return self._notify(request, live, at, revoked=live)

    def suspend(self, subject_id: str, at: datetime) -> Receipt:
        """Suspend every transfer of the buyer (Art. 37); recipients with live grants are told."""
        self._buyer(subject_id)
        live = self._live(subject_id, at)
        outcome = self._rights.suspend_transfers(subject_id, at)
        request = self._open(
            subject_id, RequestKind.SUSPENSION, at, {"grants_revoked": outcome.grants_revoked}
        )
        return self._notify(request, live, at, revoked=live)

    def correct(self, subject_id: str, changes: Mapping[DataItem, str], at: datetime) -> Receipt:
        """Re-seal the corrected items; recipients reading them see the new values next time."""
        self._buyer(subject_id)
        values = validate_changes(changes)
        self.vault.put(self.session, subject_id, values, at)
        changed = {item.value for item in values}
        concerned: dict[str, Target] = {}
        for grant in self._live_grants(subject_id, at):
            items = {i for i, d in grant.items.items() if d in _READABLE} & changed
            if items:
                before = concerned.get(grant.recipient_id, Target(frozenset()))
                concerned[grant.recipient_id] = Target(
                    before.orders | {grant.order_id}, before.items | items
                )
        request = self._open(subject_id, RequestKind.CORRECTION, at, {"items": sorted(changed)})
        return self._notify(request, concerned, at)

    def complain(self, subject_id: str, text: str, at: datetime) -> Receipt:
        """File a complaint with the privacy officer; its text is sealed with the buyer's data."""
        self._buyer(subject_id)
        body = _text(text, "text", COMPLAINT_MAX_CHARS)
        request = self._open(subject_id, RequestKind.COMPLAINT, at, {})
        request.sealed_text = self.vault.seal_text(
            self.session, subject_id, _COMPLAINT_LABEL + request.id, body, at
        )
        self.session.flush()
        return self._receipts([request])[0]

    def export(self, subject_id: str, at: datetime) -> dict[str, Any]:
        """Everything held about the buyer (Art. 35), personal data decrypted, as JSON values.

        The export is itself a request, completed at once, and appears in what it returns.
        """
        buyer = self._buyer(subject_id)
        request = self._open(subject_id, RequestKind.EXPORT, at, {})
        request.state = request_move(request.state, RequestState.COMPLETED)
        request.completed_at = at
        self.session.flush()
        order_rows = self.session.scalars(
            select(Order).where(Order.buyer_id == subject_id).order_by(Order.ordered_at, Order.id)
        ).all()
        disclosure_rows = self.session.scalars(
            select(Disclosure)
            .where(Disclosure.subject_id == subject_id)
            .order_by(Disclosure.decided_at, Disclosure.id)
        ).all()
        grant_rows = self.session.scalars(
            select(AccessGrant)
            .where(AccessGrant.subject_id == subject_id)
            .order_by(AccessGrant.created_at, AccessGrant.id)
        ).all()
        read_rows = self._reads(grant_rows)
        refs = self._refs(
            [o.seller_id for o in order_rows]
            + [d.recipient_id for d in disclosure_rows]
            + [g.recipient_id for g in grant_rows]
        )

        def recipient(rid: str) -> dict[str, str | None]:
            ref = refs.get(rid)
            return {
                "id": rid,
                "legal_name": ref.legal_name if ref else None,
                "country": ref.country if ref else None,
            }

        orders = [
            {
                "id": o.id,
                "seller": recipient(o.seller_id),
                "ordered_at": _iso(o.ordered_at),
                "delivered_at": _iso(o.delivered_at),
                "order_items": (
                    self.vault.open_text(
                        self.session, subject_id, ORDER_ITEMS_LABEL, o.items_sealed
                    )
                    if o.items_sealed is not None
                    else None
                ),
            }
            for o in order_rows
        ]
        disclosures = [
            {
                "id": d.id,
                "decided_at": _iso(d.decided_at),
                "order_id": d.order_id,
                "recipient": recipient(d.recipient_id),
                "recipient_country": d.recipient_country,
                "purpose": d.purpose.value,
                "allowed": d.allowed,
                "cross_border": d.cross_border,
                "dispositions": d.dispositions,
                "ground": d.ground.value if d.ground else None,
                "article": d.article,
                "reasons": d.reasons,
                "consent_ids": d.consent_ids,
                "notice_version": d.notice_version,
                "grant_id": d.grant_id,
                "leaf_index": d.leaf_index,
            }
            for d in disclosure_rows
        ]
        grants = [
            {
                "id": g.id,
                "recipient": recipient(g.recipient_id),
                "order_id": g.order_id,
                "purpose": g.purpose.value,
                "items": g.items,
                "ground": g.ground.value,
                "consent_ids": g.consent_ids,
                "created_at": _iso(g.created_at),
                "expires_at": _iso(g.expires_at),
                "revoked_at": _iso(g.revoked_at),
                "revoke_reason": g.revoke_reason,
                "state": (
                    "revoked"
                    if g.revoked_at is not None
                    else "expired"
                    if g.expires_at <= at
                    else "active"
                ),
            }
            for g in grant_rows
        ]
        reads = [
            {
                "id": r.id,
                "recipient": recipient(r.recipient_id),
                "order_id": r.order_id,
                "grant_id": r.grant_id,
                "items": r.items,
                "read_at": _iso(r.read_at),
                "leaf_index": r.leaf_index,
            }
            for r in read_rows
        ]
        consents = [
            {
                "id": c.id,
                "kind": c.kind.value,
                "notice_version": c.notice_version,
                "notice_sha256": c.notice_sha256,
                "recipients": c.recipients,
                "countries": c.countries,
                "items": c.items,
                "purposes": c.purposes,
                "method": c.method,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
            }
            for c in self.session.scalars(
                select(Consent)
                .where(Consent.subject_id == subject_id)
                .order_by(Consent.given_at, Consent.id)
            )
        ]
        rows = self._requests(RightsRequest.subject_id == subject_id)
        receipts = self._receipts(rows)
        requests = [_receipt_json(r) for r in receipts]
        complaints = [
            {
                "tracking_number": row.tracking_number,
                "text": self.vault.open_text(
                    self.session, subject_id, _COMPLAINT_LABEL + row.id, row.sealed_text
                ),
                "state": row.state.value,
                "created_at": _iso(row.created_at),
                "deadline": _iso(row.deadline),
                "answer": row.answer,
                "answered_at": _iso(row.completed_at),
            }
            for row in rows
            if row.kind is RequestKind.COMPLAINT and row.sealed_text is not None
        ]
        return {
            "format": "databorder.export/1",
            "exported_at": _iso(at),
            "tracking_number": request.tracking_number,
            "subject": {
                "id": buyer.id,
                "residence": buyer.residence,
                "created_at": _iso(buyer.created_at),
                "transfer_suspended": buyer.transfer_suspended,
            },
            "personal_data": self._decrypted(subject_id),
            "orders": orders,
            "disclosures": disclosures,
            "grants": grants,
            "reads": reads,
            "consents": consents,
            "requests": requests,
            "complaints": complaints,
        }

    # -- reading requests ---------------------------------------------------------------------

    def for_subject(self, subject_id: str) -> list[Receipt]:
        """The buyer's requests, newest first, each with its recipients' tasks."""
        return self._receipts(self._requests(RightsRequest.subject_id == subject_id))

    def receipt(self, subject_id: str, request_id: str) -> Receipt:
        """One of the buyer's requests; another buyer's answers like one that does not exist."""
        rows = self._requests(
            and_(RightsRequest.subject_id == subject_id, RightsRequest.id == request_id)
        )
        if not rows:
            raise NotFound("rights request", request_id)
        return self._receipts(rows)[0]

    def overdue(self, at: datetime) -> list[Receipt]:
        """Open requests past their deadline, oldest deadline first (the officer's list).

        Their tasks are listed whole: those not acknowledged are the overdue ones.
        """
        rows = self.session.scalars(
            select(RightsRequest)
            .where(
                RightsRequest.state.in_([RequestState.RECEIVED, RequestState.IN_PROGRESS]),
                RightsRequest.deadline < at,
            )
            .order_by(RightsRequest.deadline, RightsRequest.id)
        ).all()
        return self._receipts(rows)

    # -- the officer's answers ----------------------------------------------------------------

    def answer(self, request_id: str, text: str, at: datetime) -> Receipt:
        """Answer a complaint; it is completed with the answer."""
        request = self._open_request(request_id)
        if request.kind is not RequestKind.COMPLAINT:
            raise Conflict(
                f"rights request {request_id!r} is a {request.kind.value}, not a complaint: "
                "it completes when its recipients acknowledge"
            )
        request.answer = _text(text, "text", COMPLAINT_MAX_CHARS)
        request.state = request_move(request.state, RequestState.COMPLETED)
        request.completed_at = at
        self.session.flush()
        return self._receipts([request])[0]

    def reject(self, request_id: str, reason: str, at: datetime) -> Receipt:
        """Close a request without acting on it, saying why (the buyer sees the reason)."""
        request = self._open_request(request_id)
        request.answer = _text(reason, "reason", COMPLAINT_MAX_CHARS)
        request.state = request_move(request.state, RequestState.REJECTED)
        request.completed_at = at
        self.session.flush()
        return self._receipts([request])[0]

    # -- internals ----------------------------------------------------------------------------

    def _buyer(self, subject_id: str) -> Buyer:
        # Locked until the transaction ends: a disclosure group deciding on this buyer's
        # consents waits, or is waited for (gateway/services.py, _locked_buyers).
        buyer = self.session.get(Buyer, subject_id, with_for_update=True, populate_existing=True)
        if buyer is None or buyer.deleted_at is not None:
            raise NotFound("buyer", subject_id)
        return buyer

    def _open_request(self, request_id: str) -> RightsRequest:
        # Found by id, then locked by its full key: Citus locks rows only in a query that
        # names the distribution column (one shard), and the officer knows the id alone.
        found = by_id(self.session, RightsRequest, request_id)
        if found is None:
            raise NotFound("rights request", request_id)
        request = self.session.scalars(
            select(RightsRequest)
            .where(RightsRequest.subject_id == found.subject_id, RightsRequest.id == request_id)
            .with_for_update()
        ).one()
        if request.state not in (RequestState.RECEIVED, RequestState.IN_PROGRESS):
            raise Conflict(f"rights request {request_id!r} is {request.state.value} already")
        return request

    def _next_serial(self, year: int) -> int:
        """The year's next tracking serial, handed out once: the counter row stays locked
        until the caller's transaction ends, so concurrent requests queue here briefly."""
        dialect = self.session.get_bind().dialect.name
        bump = {"last": RightsCounter.last + 1}
        upsert: postgresql.Insert | sqlite.Insert
        if dialect == "postgresql":
            pg = postgresql.insert(RightsCounter).values(year=year, last=1)
            upsert = pg.on_conflict_do_update(index_elements=[RightsCounter.year], set_=bump)
        elif dialect == "sqlite":
            lite = sqlite.insert(RightsCounter).values(year=year, last=1)
            upsert = lite.on_conflict_do_update(index_elements=[RightsCounter.year], set_=bump)
        else:
            raise NotImplementedError(
                f"tracking numbers support SQLite and PostgreSQL, not {dialect}"
            )
        return int(self.session.execute(upsert.returning(RightsCounter.last)).scalar_one())

    def _open(
        self, subject_id: str, kind: RequestKind, at: datetime, detail: dict[str, Any]
    ) -> RightsRequest:
        year = at.astimezone(UTC).year
        request = RightsRequest(
            subject_id=subject_id,
            id=time_ordered_id(),
            tracking_number=tracking_number(year, self._next_serial(year)),
            kind=kind,
            state=RequestState.RECEIVED,
            detail=detail,
            sealed_text=None,
            answer=None,
            created_at=at,
            deadline=deadline(at, self.deadline_days),
            completed_at=None,
        )
        self.session.add(request)
        self.session.flush()
        return request

    def _notify(
        self,
        request: RightsRequest,
        targets: Mapping[str, Target],
        at: datetime,
        revoked: Mapping[str, Target] | None = None,
    ) -> Receipt:
        """Open a task per target; a request with nobody to tell is complete at once."""
        open_tasks(self.session, request, TOPICS[request.kind], targets, at)
        target = RequestState.IN_PROGRESS if targets else RequestState.COMPLETED
        request.state = request_move(request.state, target)
        if target is RequestState.COMPLETED:
            request.completed_at = at
        self.session.flush()
        receipt = self._receipts([request])[0]
        if not revoked:
            return receipt
        refs = self._refs(revoked)
        return replace(receipt, revoked=tuple(refs[r] for r in sorted(revoked)))

    def _received(self, subject_id: str) -> dict[str, Target]:
        """Every recipient an allowed disclosure ever went to, with its orders and items."""
        orders: dict[str, set[str]] = defaultdict(set)
        items: dict[str, set[str]] = defaultdict(set)
        for recipient_id, order_id, dispositions in self.session.execute(
            select(Disclosure.recipient_id, Disclosure.order_id, Disclosure.dispositions).where(
                Disclosure.subject_id == subject_id, Disclosure.allowed.is_(True)
            )
        ):
            orders[recipient_id].add(order_id)
            items[recipient_id].update(
                i for i, d in dispositions.items() if d != Disposition.DENY.value
            )
        return {r: Target(frozenset(orders[r]), frozenset(items[r])) for r in orders}

    def _live_grants(self, subject_id: str, at: datetime) -> Sequence[AccessGrant]:
        return self.session.scalars(
            select(AccessGrant).where(
                AccessGrant.subject_id == subject_id,
                AccessGrant.revoked_at.is_(None),
                AccessGrant.expires_at > at,
            )
        ).all()

    def _live(
        self,
        subject_id: str,
        at: datetime,
        which: Callable[[AccessGrant], bool] = lambda _grant: True,
    ) -> dict[str, Target]:
        """Recipients with live grants (those `which` keeps), their orders and items."""
        orders: dict[str, set[str]] = defaultdict(set)
        items: dict[str, set[str]] = defaultdict(set)
        for grant in self._live_grants(subject_id, at):
            if which(grant):
                orders[grant.recipient_id].add(grant.order_id)
                items[grant.recipient_id].update(grant.items)
        return {r: Target(frozenset(orders[r]), frozenset(items[r])) for r in orders}

    def _refs(self, recipient_ids: Iterable[str]) -> dict[str, RecipientRef]:
        ids = sorted(set(recipient_ids))
        if not ids:
            return {}
        return {
            rid: RecipientRef(rid, name, country)
            for rid, name, country in self.session.execute(
                select(Recipient.id, Recipient.legal_name, Recipient.country).where(
                    Recipient.id.in_(ids)
                )
            )
        }

    def _decrypted(self, subject_id: str) -> dict[str, str]:
        try:
            values = self.vault.get(self.session, subject_id, list(DataItem))
        except NotFound:  # nothing of theirs was ever stored in the vault
            return {}
        return {item.value: value for item, value in sorted(values.items())}

    def _reads(self, grants: Sequence[AccessGrant]) -> list[SellerRead]:
        found: list[SellerRead] = []
        by_recipient: dict[str, list[str]] = defaultdict(list)
        for grant in grants:
            by_recipient[grant.recipient_id].append(grant.id)
        for recipient_id, grant_ids in sorted(by_recipient.items()):
            found += self.session.scalars(
                select(SellerRead)
                .where(SellerRead.recipient_id == recipient_id, SellerRead.grant_id.in_(grant_ids))
                .order_by(SellerRead.read_at, SellerRead.id)
            )
        return sorted(found, key=lambda r: (r.read_at, r.id))

    def _requests(self, where: ColumnElement[bool]) -> list[RightsRequest]:
        return list(
            self.session.scalars(
                select(RightsRequest)
                .where(where)
                .order_by(RightsRequest.created_at.desc(), RightsRequest.id.desc())
            )
        )

    def _receipts(self, rows: Sequence[RightsRequest]) -> list[Receipt]:
        return receipts(self.session, rows)


def receipts(session: Session, rows: Sequence[RightsRequest]) -> list[Receipt]:
    """The requests with their tasks (recipient, state, channel), in the order given."""
    tasks: dict[tuple[str, str], list[TaskView]] = defaultdict(list)
    by_subject: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_subject[row.subject_id].append(row.id)
    deadlines = {(r.subject_id, r.id): r.deadline for r in rows}
    for subject_id, request_ids in by_subject.items():
        for task, name, country, channel in session.execute(
            select(RightsTask, Recipient.legal_name, Recipient.country, OutboxMessage.channel)
            .join(Recipient, Recipient.id == RightsTask.recipient_id)
            .join(
                OutboxMessage,
                and_(
                    OutboxMessage.subject_id == RightsTask.subject_id,
                    OutboxMessage.task_id == RightsTask.id,
                ),
            )
            .where(RightsTask.subject_id == subject_id, RightsTask.request_id.in_(request_ids))
            .order_by(Recipient.country, Recipient.legal_name, RightsTask.recipient_id)
        ):
            key = (subject_id, task.request_id)
            tasks[key].append(
                TaskView(
                    id=task.id,
                    recipient=RecipientRef(task.recipient_id, name, country),
                    topic=task.topic,
                    state=task.state,
                    channel=channel,
                    attempts=task.attempts,
                    notified_at=task.notified_at,
                    acknowledged_at=task.acknowledged_at,
                    last_error=task.last_error,
                    deadline=deadlines[key],
                )
            )
    return [
        Receipt(
            id=row.id,
            tracking_number=row.tracking_number,
            kind=row.kind,
            state=row.state,
            created_at=row.created_at,
            deadline=row.deadline,
            completed_at=row.completed_at,
            detail=dict(row.detail),
            answer=row.answer,
            tasks=tuple(tasks[(row.subject_id, row.id)]),
        )
        for row in rows
    ]


def _receipt_json(receipt: Receipt) -> dict[str, Any]:
    return {
        "id": receipt.id,
        "tracking_number": receipt.tracking_number,
        "kind": receipt.kind.value,
        "state": receipt.state.value,
        "created_at": _iso(receipt.created_at),
        "deadline": _iso(receipt.deadline),
        "completed_at": _iso(receipt.completed_at),
        "detail": receipt.detail,
        "tasks": [
            {
                "recipient": {
                    "id": t.recipient.id,
                    "legal_name": t.recipient.legal_name,
                    "country": t.recipient.country,
                },
                "topic": t.topic.value,
                "state": t.state.value,
                "notified_at": _iso(t.notified_at),
                "acknowledged_at": _iso(t.acknowledged_at),
            }
            for t in receipt.tasks
        ],
    }
