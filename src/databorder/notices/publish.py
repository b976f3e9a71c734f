"""Publishing a notice version: snapshot the registry, render every format, store it immutably.

The version, the recipients it names and its documents are written in the caller's
transaction: a version exists whole or not at all, and is never changed afterwards.
"""

import hashlib
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from databorder.consent.models import NoticeDocument, NoticeRecipient, NoticeVersion
from databorder.errors import InvalidInput
from databorder.model import Purpose, RecipientRole
from databorder.notices import content_hash, render_all
from databorder.notices.classify import Classifier, RegistryRecipient
from databorder.notices.store import PublishedVersion, name_key
from databorder.notices.types import Controller, NoticeSnapshot
from databorder.policy.protocol import Pack
from databorder.registry.models import Recipient
from databorder.store.query import insert_rows

# The full lists are stored as their hash only and rebuilt from the version's rows on request
# (notices.store): at 180,000 recipients they are ~230 MB a version, the pages ~50 KB.
REBUILT = frozenset({"csv", "json", "jsonld"})
_RECIPIENTS = cast(Table, NoticeRecipient.__table__)
_DOCUMENTS = cast(Table, NoticeDocument.__table__)
_ROLES = {r.value: r for r in RecipientRole}
_PURPOSES = {p.value: p for p in Purpose}


class NoticePublisher:
    """Snapshots the registry into a new, immutable version with every rendering."""

    def __init__(self, pack: Pack, controller: Controller) -> None:
        self.classifier = Classifier(pack)
        self.home_country = pack.home_country
        self.controller = controller

    def snapshot(self, session: Session, version: str, at: datetime) -> NoticeSnapshot:
        r = cast(Table, Recipient.__table__).c
        rows = session.execute(
            select(
                r.id,
                r.legal_name,
                r.country,
                r.data_countries,
                r.role,
                r.privacy_email,
                r.privacy_phone,
                r.purposes,
                r.retention_days,
            ).where(r.created_at <= at)
        )
        recipients = (
            RegistryRecipient(
                id=row[0],
                name=row[1],
                country=row[2],
                data_countries=tuple(row[3]),
                role=_ROLES[row[4]] if isinstance(row[4], str) else row[4],
                email=row[5],
                phone=row[6],
                purposes=tuple(_PURPOSES[p] for p in row[7]),
                retention_days=row[8],
            )
            for row in rows
        )
        entries = self.classifier.entries(recipients)
        return NoticeSnapshot(version, at, self.controller, tuple(entries), self.home_country)

    def next_version(self, session: Session, at: datetime) -> str:
        """The date of publication, with `.2`, `.3`... when several land on one day."""
        base = at.date().isoformat()
        taken = set(
            session.scalars(
                select(NoticeVersion.version).where(NoticeVersion.version.like(f"{base}%"))
            )
        )
        if base not in taken:
            return base
        n = 2
        while f"{base}.{n}" in taken:
            n += 1
        return f"{base}.{n}"

    def publish(
        self, session: Session, at: datetime, version: str | None = None, summary: str = ""
    ) -> PublishedVersion:
        latest = session.scalar(select(func.max(NoticeVersion.published_at)))
        if latest is not None and at < latest:
            raise InvalidInput.one(
                "at",
                f"a version cannot be published before the latest one ({latest.isoformat()}): "
                "versions are in force in the order they were published",
            )
        if version is None:
            version = self.next_version(session, at)
        elif session.get(NoticeVersion, version) is not None:
            raise InvalidInput.one("version", f"notice version {version!r} exists already")
        snapshot = self.snapshot(session, version, at)
        documents = render_all(snapshot)
        digest = content_hash(snapshot)
        session.add(
            NoticeVersion(
                version=version,
                published_at=at,
                summary=summary,
                content_sha256=digest,
                recipient_count=len(snapshot.entries),
                controller=asdict(self.controller),
                home_country=self.home_country,
            )
        )
        session.flush()
        insert_rows(
            session,
            _RECIPIENTS,
            [
                {
                    "version": version,
                    "recipient_id": e.recipient_id,
                    "name": e.name,
                    "name_key": name_key(e.name),
                    "country": e.country,
                    "data_countries": list(e.data_countries),
                    "role": e.role,
                    "email": e.email,
                    "phone": e.phone,
                    "section": e.section.value,
                    "ground": e.ground,
                    "article": e.article,
                    "items": [i.value for i in e.items],
                    "purposes": [p.value for p in e.purposes],
                    "retention_days": e.retention_days,
                }
                for e in snapshot.entries
            ],
        )
        insert_rows(
            session,
            _DOCUMENTS,
            [
                {
                    "version": version,
                    "format": fmt,
                    "language": lang or "",
                    "content": None if fmt in REBUILT else content,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "size": len(content),
                }
                for (fmt, lang), content in documents.items()
            ],
        )
        return PublishedVersion(version, at, digest, len(snapshot.entries), summary)

    def due(self, session: Session, at: datetime, every_days: int) -> bool:
        """Whether the batch schedule should publish now: changes are pending and the last
        version is at least `every_days` old (or none was ever published)."""
        latest = session.scalar(select(func.max(NoticeVersion.published_at)))
        if latest is None:
            return session.scalar(select(func.count()).select_from(Recipient)) != 0
        if at - latest < timedelta(days=every_days):
            return False
        changed = session.scalar(select(func.max(Recipient.updated_at)))
        return changed is not None and changed > latest
