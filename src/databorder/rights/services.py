"""The buyer's levers over their data, each one transaction that also ends recipients' access.

Withdrawing a consent revokes the grants it grounded; suspending transfers revokes every live
grant of the buyer; erasing the account revokes them all and destroys the buyer's vault key, so
that nothing of theirs can be decrypted anywhere afterwards, and deletes the records their log
leaves commit to, so the published log says nothing of them either (PIPA Art. 21, 36, 37).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from databorder.consent.services import ConsentService
from databorder.errors import Conflict, NotFound
from databorder.gateway.models import AccessGrant, Disclosure, SellerRead
from databorder.gateway.services import revoke_grants, revoke_grants_for_consent
from databorder.ledger.models import LogRecord
from databorder.marketplace.models import Buyer
from databorder.store.query import rowcount
from databorder.vault.service import Vault


@dataclass(frozen=True, slots=True)
class RightsOutcome:
    subject_id: str
    grants_revoked: int


def _revoke_all(session: Session, subject_id: str, at: datetime, reason: str) -> int:
    return revoke_grants(session, AccessGrant.subject_id == subject_id, at, reason)


def _forget_log_records(session: Session, subject_id: str) -> int:
    """Delete the records (and salts) the buyer's private leaves commit to: the leaves stay and
    prove the tree, and reveal nothing of the buyer any more. Returns how many were deleted."""
    disclosed = select(Disclosure.leaf_index).where(Disclosure.subject_id == subject_id)
    read = (
        select(SellerRead.leaf_index)
        # On the full key (recipient_id, grant_id) as the foreign key reads: Citus joins the
        # two tables, both spread by recipient, only on their distribution column.
        .join(
            AccessGrant,
            and_(
                AccessGrant.recipient_id == SellerRead.recipient_id,
                AccessGrant.id == SellerRead.grant_id,
            ),
        )
        .where(AccessGrant.subject_id == subject_id)
    )
    deleted = session.execute(
        delete(LogRecord).where(
            or_(LogRecord.leaf_index.in_(disclosed), LogRecord.leaf_index.in_(read))
        )
    )
    return rowcount(deleted)


class RightsService:
    def __init__(self, session: Session, vault: Vault) -> None:
        self.session = session
        self.vault = vault

    def _buyer(self, subject_id: str) -> Buyer:
        # Locked, as RightsRequests._buyer says why.
        buyer = self.session.get(Buyer, subject_id, with_for_update=True, populate_existing=True)
        if buyer is None or buyer.deleted_at is not None:
            raise NotFound("buyer", subject_id)
        return buyer

    def withdraw(self, consent_id: str, at: datetime) -> RightsOutcome:
        consent = ConsentService(self.session).withdraw(consent_id, at)
        self._buyer(consent.subject_id)  # locked before the grants are read
        return RightsOutcome(
            consent.subject_id,
            revoke_grants_for_consent(self.session, consent.subject_id, consent_id, at),
        )

    def suspend_transfers(self, subject_id: str, at: datetime) -> RightsOutcome:
        buyer = self._buyer(subject_id)
        if buyer.transfer_suspended:
            raise Conflict(f"transfers of buyer {subject_id!r} are already suspended")
        buyer.transfer_suspended = True
        return RightsOutcome(subject_id, _revoke_all(self.session, subject_id, at, "suspended"))

    def erase(self, subject_id: str, at: datetime) -> RightsOutcome:
        buyer = self._buyer(subject_id)
        revoked = _revoke_all(self.session, subject_id, at, "erased")
        self.vault.shred(self.session, subject_id, at)
        _forget_log_records(self.session, subject_id)
        buyer.deleted_at = at
        self.session.flush()
        return RightsOutcome(subject_id, revoked)
