"""Reading published notice versions back: the public pages, the gateway and the diff use it.

The engine's `notice_in_force` and `recipient.notices` are read from these rows
(`notice_in_force`, `versions_naming`), so a recipient added to the registry is NOT_DISCLOSED
until a version that names it is published (`notices.publish`).
"""

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from threading import Lock
from typing import Any, cast

from sqlalchemy import Table, func, literal, select
from sqlalchemy.orm import Session

from databorder.consent.models import NoticeDocument, NoticeRecipient, NoticeVersion
from databorder.errors import DataborderError, InvalidInput, NotFound
from databorder.model import DataItem, Ground, Purpose, RecipientRole
from databorder.notices.formats import FORMATS as NOTICE_FORMATS
from databorder.notices.layout import lay_out
from databorder.notices.types import Controller, NoticeEntry, NoticeSnapshot, Section
from databorder.policy import load_pack
from databorder.store.query import CHUNK

_RECIPIENTS = cast(Table, NoticeRecipient.__table__)
_DOCUMENTS = cast(Table, NoticeDocument.__table__)
FORMATS = NOTICE_FORMATS
_ROLES = {r.value: r for r in RecipientRole}
_PURPOSES = {p.value: p for p in Purpose}
_ITEMS = {i.value: i for i in DataItem}
_GROUNDS = {g.value: g for g in Ground}
_SECTIONS = {s.value: s for s in Section}


@dataclass(frozen=True, slots=True)
class PublishedVersion:
    version: str
    published_at: datetime
    content_sha256: str
    recipient_count: int
    summary: str
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DirectoryPage:
    version: str
    total: int  # exact, or a lower bound (COUNT_CAP + 1) when `exact` is false
    page: int
    per_page: int
    entries: tuple[NoticeEntry, ...]
    exact: bool = True


# The filters whose totals are tallied at publication; other searches count up to COUNT_CAP.
COUNTED = ("country", "role", "section", "ground")
COUNT_CAP = 5_000


def _published(row: NoticeVersion) -> PublishedVersion:
    return PublishedVersion(
        row.version,
        row.published_at,
        row.content_sha256 or "",
        row.recipient_count,
        row.summary,
        row.counts,
    )


def name_key(name: str) -> str:
    """The directory's search key: case-folded, so "acme" finds "ACME Trading"."""
    return name.casefold()


def notice_in_force(session: Session, at: datetime) -> str | None:
    """The latest version published at or before `at` (None if none was)."""
    return session.scalars(
        select(NoticeVersion.version)
        .where(NoticeVersion.published_at <= at)
        .order_by(NoticeVersion.published_at.desc(), NoticeVersion.version.desc())
        .limit(1)
    ).first()


def versions_naming(session: Session, recipient_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """For each recipient, every published version that named it (the engine's `notices`)."""
    ids = sorted(set(recipient_ids))
    found: dict[str, set[str]] = {i: set() for i in ids}
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(NoticeRecipient.recipient_id, NoticeRecipient.version).where(
                NoticeRecipient.recipient_id.in_(ids[start : start + CHUNK])
            )
        )
        for recipient_id, version in rows:
            found[recipient_id].add(version)
    return {i: frozenset(v) for i, v in found.items()}


def _entry(row: Any) -> NoticeEntry:
    return NoticeEntry(
        recipient_id=row.recipient_id,
        name=row.name,
        country=row.country,
        data_countries=tuple(row.data_countries),
        role=_ROLES[row.role],
        email=row.email,
        phone=row.phone,
        section=_SECTIONS[row.section],
        ground=_GROUNDS[row.ground],
        article=row.article,
        items=tuple(_ITEMS[i] for i in row.items),
        purposes=tuple(_PURPOSES[p] for p in row.purposes),
        retention_days=row.retention_days,
    )


class NoticeIntegrityError(DataborderError):
    """A stored version no longer renders to the bytes published: its rows were changed."""

    status = 500


class _Recent:
    """The last few rebuilt full lists: versions never change, and a rebuild at 180,000
    recipients costs about a second of CPU, too much to pay on every public download."""

    def __init__(self, size: int = 3) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, str, str]) -> bytes | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str, str], value: bytes) -> bytes:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


_REBUILT = _Recent()


class NoticeStore:
    """Reads published versions: the public pages, the privacy center and the diff use it."""

    def __init__(
        self, session: Session, controller: Controller | None = None, home_country: str = ""
    ) -> None:
        self.session = session
        self.controller = controller
        # The law's home for snapshots read back (the diff); the default pack's unless given.
        self.home_country = home_country or load_pack().home_country

    def versions(self) -> list[PublishedVersion]:
        rows = self.session.scalars(
            select(NoticeVersion).order_by(
                NoticeVersion.published_at.desc(), NoticeVersion.version.desc()
            )
        )
        return [_published(r) for r in rows]

    def in_force(self, at: datetime) -> PublishedVersion | None:
        version = notice_in_force(self.session, at)
        return self.get(version) if version is not None else None

    def get(self, version: str) -> PublishedVersion:
        row = self.session.get(NoticeVersion, version)
        if row is None:
            raise NotFound("notice version", version)
        return _published(row)

    def document(self, version: str, fmt: str, lang: str | None) -> bytes:
        """The rendering as published: stored bytes, or the full list rebuilt from the version's
        rows and checked against the hash taken at publication (kept for the last few asked)."""
        if fmt not in FORMATS:
            raise InvalidInput.one("format", f"expected one of {sorted(FORMATS)}, got {fmt!r}")
        row = self.session.get(NoticeDocument, (version, fmt, lang or ""))
        if row is None:
            raise NotFound("notice document", f"{version} {fmt} {lang or ''}".strip())
        if row.content is not None:
            return row.content
        key = (version, fmt, row.sha256)
        cached = _REBUILT.get(key)
        if cached is None:
            rendered = FORMATS[fmt].render(lay_out(self.snapshot(version)), lang)
            digest = hashlib.sha256(rendered).hexdigest()
            if digest != row.sha256:
                raise NoticeIntegrityError(
                    f"notice {version} {fmt}: rebuilt bytes hash to {digest}, "
                    f"published {row.sha256}; the stored version was altered"
                )
            cached = _REBUILT.put(key, rendered)
        return cached

    def snapshot(self, version: str) -> NoticeSnapshot:
        """The version as published: its rows, and the controller and home it was rendered with."""
        row = self.session.get(NoticeVersion, version)
        if row is None:
            raise NotFound("notice version", version)
        rows = self.session.execute(
            select(_RECIPIENTS).where(_RECIPIENTS.c.version == version)
        ).all()
        return NoticeSnapshot(
            version=version,
            published_at=row.published_at,
            controller=Controller(**row.controller) if row.controller else self._controller(),
            entries=tuple(_entry(r) for r in rows),
            home_country=row.home_country or self.home_country,
        )

    def _controller(self) -> Controller:
        return self.controller or _NO_CONTROLLER

    def directory(
        self,
        version: str,
        *,
        q: str | None = None,
        country: str | None = None,
        role: RecipientRole | None = None,
        section: Section | None = None,
        ground: Ground | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> DirectoryPage:
        """One page of the version's recipients, by name, filtered; O(log n + page) per query.

        A name prefix is a range on the case-folded name within the version (the index
        `(version, name_key)`, or `(version, country|role, name_key)` with a filter).
        """
        if page < 1 or per_page < 1 or per_page > 500:
            raise InvalidInput.one("page", "page must be >= 1 and per_page between 1 and 500")
        published = self.get(version)
        c = _RECIPIENTS.c
        conditions = [c.version == version]
        if q:
            key = name_key(q)
            conditions += [c.name_key >= key, c.name_key < key + "\U0010ffff"]
        if country is not None:
            conditions.append(c.country == country)
        if role is not None:
            conditions.append(c.role == role.value)
        if section is not None:
            conditions.append(c.section == section.value)
        if ground is not None:
            conditions.append(c.ground == ground.value)
        filters = {
            "country": country,
            "role": role.value if role is not None else None,
            "section": section.value if section is not None else None,
            "ground": ground.value if ground is not None else None,
        }
        given = {f: v for f, v in filters.items() if v is not None}
        exact = True
        if len(conditions) == 1:
            total = published.recipient_count
        elif not q and len(given) == 1 and published.counts:
            ((field, value),) = given.items()
            total = int(published.counts.get(field, {}).get(value, 0))
        else:
            # A search's exact size is not worth counting 100,000 index entries for: up to
            # COUNT_CAP it is exact, beyond it the page says "more than".
            capped = select(literal(1)).select_from(_RECIPIENTS).where(*conditions)
            total = (
                self.session.scalar(
                    select(func.count()).select_from(capped.limit(COUNT_CAP + 1).subquery())
                )
                or 0
            )
            exact = total <= COUNT_CAP
        rows = self.session.execute(
            select(_RECIPIENTS)
            .where(*conditions)
            .order_by(c.name_key, c.recipient_id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return DirectoryPage(version, total, page, per_page, tuple(_entry(r) for r in rows), exact)


_NO_CONTROLLER = Controller("", "", "", "", "", "")
