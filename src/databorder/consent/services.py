"""Recording consents against the notice version shown, and withdrawing them.

A consent keeps the version it was given against and that version's content hash (ISO/IEC TS
27560: notice, time, method, status), so the buyer's agreement points at the exact text shown;
a country-wide consent reaches only the recipients that version named (contract v2).

Withdrawal only stamps `withdrawn_at`; the record stays, because the audit must show that a
disclosure made before the withdrawal was lawful when made. Revoking the grants a consent
grounded is the gateway's job, called in the same transaction (see `gateway.grants`).
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from databorder.consent.models import Consent, NoticeVersion
from databorder.consent.schemas import ConsentIn
from databorder.errors import Conflict, InvalidInput, NotFound
from databorder.marketplace.models import Buyer
from databorder.store.query import by_id, rows_where_in


class ConsentService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def give(self, data: ConsentIn) -> Consent:
        if self.session.get(Buyer, data.subject_id) is None:
            raise NotFound("buyer", data.subject_id)
        notice = self.session.get(NoticeVersion, data.notice_version)
        if notice is None:
            raise InvalidInput.one(
                "notice_version", f"unknown notice version {data.notice_version!r}"
            )
        if data.given_at < notice.published_at:
            raise InvalidInput.one(
                "given_at",
                f"consent given before notice {notice.version} was published "
                f"({notice.published_at.isoformat()}); the buyer cannot have seen it",
            )
        if data.notice_sha256 is not None and data.notice_sha256 != notice.content_sha256:
            raise InvalidInput.one(
                "notice_sha256",
                f"the consent screen showed a text hashing to {data.notice_sha256}, but notice "
                f"{notice.version} was published as {notice.content_sha256}: show the published "
                "version and ask again",
            )
        consent_id = data.id or f"c-{uuid.uuid4()}"
        if by_id(self.session, Consent, consent_id) is not None:
            raise Conflict(f"consent {consent_id!r} exists already")
        row = Consent(
            id=consent_id,
            subject_id=data.subject_id,
            kind=data.kind,
            notice_version=data.notice_version,
            recipients=list(data.recipients),
            countries=list(data.countries),
            items=[i.value for i in data.items],
            purposes=[p.value for p in data.purposes],
            given_at=data.given_at,
            withdrawn_at=data.withdrawn_at,
            notice_sha256=notice.content_sha256,
            method=data.method,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def withdraw(self, consent_id: str, at: datetime) -> Consent:
        row = by_id(self.session, Consent, consent_id)
        if row is None:
            raise NotFound("consent", consent_id)
        if row.withdrawn_at is not None:
            raise Conflict(
                f"consent {consent_id!r} was already withdrawn at {row.withdrawn_at.isoformat()}"
            )
        if at < row.given_at:
            raise InvalidInput.one(
                "at",
                f"withdrawal at {at.isoformat()} is before the consent was given "
                f"({row.given_at.isoformat()})",
            )
        row.withdrawn_at = at
        self.session.flush()
        return row

    def for_subjects(self, subject_ids: Iterable[str]) -> dict[str, list[Consent]]:
        ids = set(subject_ids)
        found: dict[str, list[Consent]] = {i: [] for i in ids}
        for row in rows_where_in(self.session, Consent, Consent.subject_id, ids):
            found[row.subject_id].append(row)
        return found
