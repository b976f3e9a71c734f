"""Publishing a notice version: snapshot the registry, render every format, store it immutably.

The version, the recipients it names and its documents are written in the caller's
transaction: a version exists whole or not at all, and is never changed afterwards.
"""

import hashlib
import json
import os
import threading
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import String, Table, func, select, type_coerce
from sqlalchemy.orm import Session

from databorder.consent.models import NoticeDocument, NoticeRecipient, NoticeVersion
from databorder.errors import InvalidInput
from databorder.i18n import LANGUAGES
from databorder.model import Purpose, RecipientRole
from databorder.notices import content_hash
from databorder.notices.classify import Classifier
from databorder.notices.formats import FORMATS
from databorder.notices.layout import Layout, lay_out
from databorder.notices.store import COUNTED, PublishedVersion, name_key
from databorder.notices.types import Controller, NoticeEntry, NoticeSnapshot
from databorder.policy.protocol import Pack
from databorder.registry.models import Recipient
from databorder.store.query import insert_prepared, insert_rows

# The full lists are stored as their hash only and rebuilt from the version's rows on request
# (notices.store): at 180,000 recipients they are ~230 MB a version, the pages ~50 KB.
REBUILT = frozenset({"csv", "json", "jsonld"})
_RECIPIENTS = cast(Table, NoticeRecipient.__table__)
_DOCUMENTS = cast(Table, NoticeDocument.__table__)
_ROLES = {r.value: r for r in RecipientRole}
_PURPOSES = {p.value: p for p in Purpose}


_CONTENT = "content"


class _Hashes:
    """The version's content hash and the full lists' SHA-256 and size, computed in a forked
    process while the caller writes.

    At 180,000 recipients rendering CSV, JSON and JSON-LD and hashing costs ~2.7 s of CPU and
    writing the version's rows ~2.5 s; on two cores they overlap and a publish fits its 5 s
    budget. Only the hashes come back through a pipe (the lists are stored as hashes and
    rebuilt on request).
    A process with other threads (the server's scheduled publish) renders in place instead:
    forking it could copy a lock another thread holds.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.pid = 0
        self.read = -1
        if hasattr(os, "fork") and threading.active_count() == 1:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: render, hash, report, and leave without cleanup
                code = 1
                try:
                    os.close(read)
                    os.write(write, json.dumps(_hash_lists(layout)).encode())
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            self.pid, self.read = pid, read

    def result(self) -> dict[str, tuple[str, int]]:
        if self.pid:
            with os.fdopen(self.read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if status == 0 and data:
                return {k: (v[0], v[1]) for k, v in json.loads(data).items()}
        return _hash_lists(self.layout)  # no fork, or the child failed: do it here


def _hash_lists(layout: Layout) -> dict[str, tuple[str, int]]:
    out = {_CONTENT: (content_hash(layout.snapshot), 0)}
    for name in sorted(REBUILT):
        content = FORMATS[name].render(layout, None)
        out[name] = (hashlib.sha256(content).hexdigest(), len(content))
    return out


def _counts(snapshot: NoticeSnapshot) -> dict[str, dict[str, int]]:
    """What the directory's one-filter searches total to (NoticeStore.directory)."""
    tallies: dict[str, Counter[str]] = {f: Counter() for f in COUNTED}
    for e in snapshot.entries:
        tallies["country"][e.country] += 1
        tallies["role"][e.role.value] += 1
        tallies["section"][e.section.value] += 1
        tallies["ground"][e.ground.value] += 1
    return {f: dict(t) for f, t in tallies.items()}


def _insert_named(session: Session, version: str, snapshot: NoticeSnapshot) -> None:
    """The version's rows, one per recipient named.

    The rows go to the driver as prepared tuples (executemany on SQLite, COPY on PostgreSQL):
    the JSON lists are serialised once per distinct value (a few hundred among 180,000 rows)
    and enums written by value, where Core's per-column conversion spent ~3 s on json.dumps
    and Enum.value at that size, and PostgreSQL's executemany ~10 s.
    """
    texts: dict[Any, str] = {}

    def text(values: tuple[Any, ...]) -> str:
        found = texts.get(values)
        if found is None:
            found = texts[values] = json.dumps([str(v) for v in values])
        return found

    values: dict[Any, str] = {}

    def value(member: Any) -> str:
        found = values.get(member)
        if found is None:
            found = values[member] = str(member.value)
        return found

    names = (
        "version", "recipient_id", "name", "name_key", "country", "data_countries", "role",
        "email", "phone", "section", "ground", "article", "items", "purposes", "retention_days",
    )  # fmt: skip
    insert_prepared(
        session,
        _RECIPIENTS,
        names,
        [
            (
                version,
                e.recipient_id,
                e.name,
                name_key(e.name),
                e.country,
                text(e.data_countries),
                value(e.role),
                e.email,
                e.phone,
                value(e.section),
                value(e.ground),
                e.article,
                text(e.items),
                text(e.purposes),
                e.retention_days,
            )
            for e in snapshot.entries
        ],
    )


class NoticePublisher:
    """Snapshots the registry into a new, immutable version with every rendering."""

    def __init__(self, pack: Pack, controller: Controller) -> None:
        self.classifier = Classifier(pack)
        self.home_country = pack.home_country
        self.controller = controller

    def snapshot(self, session: Session, version: str, at: datetime) -> NoticeSnapshot:
        """Every recipient registered by `at`, classified. At 180,000 recipients this is read
        as raw column values: the JSON lists and enums repeat a few hundred distinct values,
        parsed once each instead of once a row (the ORM's per-row conversion cost ~2 s)."""
        r = cast(Table, Recipient.__table__).c
        raw = (r.data_countries, r.role, r.purposes)
        rows = session.execute(
            select(
                r.id,
                r.legal_name,
                r.country,
                *(type_coerce(c, String) for c in raw),
                r.privacy_email,
                r.privacy_phone,
                r.retention_days,
            ).where(r.created_at <= at)
        )
        countries: dict[Any, tuple[str, ...]] = {}
        purposes: dict[Any, tuple[Purpose, ...]] = {}

        def parsed(value: Any, memo: dict[Any, Any], convert: Any) -> Any:
            key = value if isinstance(value, str) else tuple(value)  # psycopg parses JSON itself
            found = memo.get(key)
            if found is None:
                items = json.loads(value) if isinstance(value, str) else value
                found = memo[key] = tuple(convert(v) for v in items)
            return found

        place = self.classifier.placement
        entries = []
        for row in rows:
            role = _ROLES[str(row[4])]
            purposes_of = parsed(row[5], purposes, _PURPOSES.__getitem__)
            data_countries, section, ground, article, items = place(
                row[2], parsed(row[3], countries, str), role, purposes_of
            )
            entries.append(
                NoticeEntry(
                    row[0],
                    row[1],
                    row[2],
                    data_countries,
                    role,
                    row[6],
                    row[7],
                    section,
                    ground,
                    article,
                    items,
                    purposes_of,
                    row[8],
                )
            )
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
        layout = lay_out(snapshot)
        lists = _Hashes(layout)  # the full lists and the content hash, beside the writes below
        documents = {
            (fmt.name, lang): fmt.render(layout, lang)
            for fmt in FORMATS.values()
            if fmt.name not in REBUILT
            for lang in (LANGUAGES if fmt.localised else (None,))
        }
        row = NoticeVersion(
            version=version,
            published_at=at,
            summary=summary,
            content_sha256=None,  # set below, in the same transaction, when the hash is in
            recipient_count=len(snapshot.entries),
            controller=asdict(self.controller),
            home_country=self.home_country,
            counts=_counts(snapshot),
        )
        session.add(row)
        session.flush()
        _insert_named(session, version, snapshot)
        hashes = lists.result()
        digest = hashes.pop(_CONTENT)[0]
        row.content_sha256 = digest
        rows = [
            {
                "version": version,
                "format": fmt,
                "language": lang or "",
                "content": content,
                "sha256": hashlib.sha256(content).hexdigest(),
                "size": len(content),
            }
            for (fmt, lang), content in documents.items()
        ]
        rows.extend(
            {
                "version": version,
                "format": fmt,
                "language": "",
                "content": None,
                "sha256": sha256,
                "size": size,
            }
            for fmt, (sha256, size) in hashes.items()
        )
        insert_rows(session, _DOCUMENTS, rows)
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
