"""Many requests, one transaction: the gateway's work for a group of concurrent HTTP requests.

The API queues concurrent disclosures and seller reads (api/batching.py, group commit) and
hands each group to one of these functions in its worker thread. A group is one transaction;
each request still gets its own answer, a result or the error that refused it, so one bad
request does not fail its neighbours. Credentials are checked here, inside the transaction
that would disclose or read, so a key revoked a moment ago is refused at once.

The functions take their dependencies as keywords, so the API binds them once
(`functools.partial`) and the group is the only argument left.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from databorder.auth.services import Scope, ServiceKeys
from databorder.errors import DataborderError
from databorder.gateway.codec import outcome_to_json
from databorder.gateway.seller import OrderView, ReadAsk, SellerAccess
from databorder.gateway.services import Gateway
from databorder.gateway.types import DisclosureAsk, DisclosureOutcome
from databorder.ledger.log import StoredLog
from databorder.registry.services import RegistryService

K = TypeVar("K")
R = TypeVar("R")


def once_each(keys: Iterable[K], check: Callable[[K], R]) -> dict[K, R | DataborderError]:
    """`check` run once for each distinct key of a group: its result, or the error it raised.

    The requests of a group mostly carry the same few credentials; each is looked up once.
    """
    found: dict[K, R | DataborderError] = {}
    for key in keys:
        if key not in found:
            try:
                found[key] = check(key)
            except DataborderError as exc:
                found[key] = exc
    return found


@dataclass(frozen=True, slots=True)
class PendingDisclosure:
    """A request waiting for its group's transaction: the credential is checked there again."""

    credential: str
    ask: DisclosureAsk
    # When the caller said it happened; None: when the group's transaction runs, so a request
    # queued behind a withdrawal is judged after it, not refused for a time it never gave.
    at: datetime | None
    # Keeps the answer (its JSON bytes) in the group's transaction: an Idempotency-Key's
    # answer commits with the disclosure it describes (api/idempotency.py, Keeper.created).
    keep: Callable[[Session, bytes], None] | None = None


@dataclass(frozen=True, slots=True)
class RecordedDisclosure:
    outcome: DisclosureOutcome
    tree_size: int  # the log's size once the group was appended: the leaf is inside it
    body: bytes  # the answer, as POST /v1/disclosures sends it


def disclose_group(
    group: Sequence[PendingDisclosure],
    *,
    sessions: sessionmaker[Session],
    gateway: Gateway,
    log: StoredLog,
    clock: Callable[[], datetime],
) -> list[RecordedDisclosure | Exception]:
    """One transaction for a group of disclosures: credentials, decisions, grants, log leaves.

    A credential revoked since the front door admitted it is refused here, in the same
    transaction that would have disclosed, so revocation takes effect at once.
    """
    with sessions.begin() as session:
        keys = ServiceKeys(session)
        at = clock()
        callers = once_each(
            (p.credential for p in group), lambda key: keys.require(key, Scope.PLATFORM, at)
        )
        refusals = [
            caller if isinstance(caller := callers[p.credential], DataborderError) else None
            for p in group
        ]
        admitted = [
            (p.ask, p.at or at)
            for p, refusal in zip(group, refusals, strict=True)
            if refusal is None
        ]
        done = iter(gateway.disclose_each(session, admitted))
        outcomes = [refusal or next(done) for refusal in refusals]
        tree_size = log.size(session)
        answers: list[RecordedDisclosure | Exception] = []
        for pending, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, Exception):
                answers.append(outcome)
                continue
            body = json.dumps(outcome_to_json(outcome, tree_size), ensure_ascii=False).encode()
            if pending.keep is not None:
                pending.keep(session, body)
            answers.append(RecordedDisclosure(outcome, tree_size, body))
    return answers


@dataclass(frozen=True, slots=True)
class PendingRead:
    key: str  # the recipient's API key, as presented
    order_id: str
    token: str  # the grant token, as presented
    at: datetime


def read_group(
    group: Sequence[PendingRead],
    *,
    sessions: sessionmaker[Session],
    seller: SellerAccess,
    take: Callable[[str], None],
) -> list[OrderView | Exception]:
    """One transaction for a group of seller reads: each caller's key, rate limit, grant, record.

    `take` spends one unit of a recipient's rate limit (by id), raising TooManyRequests when
    none is left; it runs only for callers whose key checked out.
    """
    with sessions.begin() as session:
        callers = once_each((p.key for p in group), RegistryService(session).authenticate)
        refusals: list[DataborderError | None] = []
        asks: list[ReadAsk] = []
        for pending in group:
            caller = callers[pending.key]
            if isinstance(caller, DataborderError):
                refusals.append(caller)
                continue
            try:
                take(caller.id)
            except DataborderError as exc:
                refusals.append(exc)
                continue
            refusals.append(None)
            asks.append(ReadAsk(caller, pending.order_id, pending.token, pending.at))
        views = iter(seller.read_many(session, asks))
        return [refusal or next(views) for refusal in refusals]
