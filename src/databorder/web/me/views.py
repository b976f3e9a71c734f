"""What each privacy-center page shows, gathered for one buyer as plain values.

Every function takes the buyer's id from the signed-in session and filters every query by it:
there is no function here that reads a row without the buyer in its WHERE clause (the primary
keys of disclosures, grants, consents and orders lead with the buyer, so these are also index
range scans). Handlers translate HTTP; templates only lay these values out. "Now" is passed in.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import phonenumbers
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from databorder.consent.models import Consent, NoticeRecipient, NoticeVersion
from databorder.gateway.models import AccessGrant, Disclosure
from databorder.marketplace.models import Buyer, Order
from databorder.model import ConsentKind, DataItem, Disposition, Ground, Purpose, RecipientRole
from databorder.model.time import as_utc
from databorder.notices.labels import SECTION_GROUNDS
from databorder.notices.types import Section
from databorder.registry.models import Recipient

_ITEMS = {i.value: i for i in DataItem}
_PURPOSES = {p.value: p for p in Purpose}
_DISPOSITIONS = {d.value: d for d in Disposition}


class GrantState(StrEnum):
    """Whether a recipient can still read what it was given."""

    ACTIVE = "active"
    EXPIRED = "expired"  # its access period ended
    REVOKED = "revoked"  # ended early: a withdrawal, a suspension, an erasure


def grant_state(
    revoked_at: datetime | None, reason: str | None, expires_at: datetime | None, at: datetime
) -> GrantState:
    """A pure rule: the sweeper marks an ended grant revoked with reason "expired"."""
    if revoked_at is not None:
        return GrantState.EXPIRED if reason == "expired" else GrantState.REVOKED
    if expires_at is not None and expires_at <= at:
        return GrantState.EXPIRED
    return GrantState.ACTIVE


def section_of(cross_border: bool, ground: Ground) -> Section:
    """Which part of the policy a disclosure's ground belongs to, for its label."""
    if cross_border:
        return Section.OVERSEAS_TRANSFER
    for section in (Section.ENTRUSTMENT, Section.PROVISION):
        if ground in SECTION_GROUNDS[section]:
            return section
    return Section.OVERSEAS_TRANSFER


# --- home ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountryCount:
    country: str
    recipients: int
    abroad: bool


@dataclass(frozen=True, slots=True)
class HomeView:
    buyer_id: str
    recipients: int
    countries: tuple[CountryCount, ...]  # abroad first, most recipients first
    suspended: bool
    active_consents: int

    @property
    def abroad(self) -> int:
        return sum(1 for c in self.countries if c.abroad)


def dialled(phone: str) -> str:
    """A stored E.164 number grouped as people dial it (+86 755 8888 1234); as is if unreadable."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _countries_of(seat: str, data_countries: Iterable[str]) -> tuple[str, ...]:
    """Where one recipient holds the data: its seat first, then the others, sorted."""
    return (seat, *sorted({c for c in data_countries if c != seat}))


def home(session: Session, buyer: Buyer, home_country: str) -> HomeView:
    # DISTINCT over the recipient's id only: PostgreSQL cannot compare `json` values, so the
    # data countries are read for the distinct recipients in a second step.
    received = (
        select(Disclosure.recipient_id)
        .where(Disclosure.subject_id == buyer.id, Disclosure.allowed.is_(True))
        .distinct()
    )
    rows = session.execute(
        select(Recipient.id, Recipient.country, Recipient.data_countries).where(
            Recipient.id.in_(received)
        )
    ).all()
    per_country: dict[str, int] = defaultdict(int)
    for _, seat, data_countries in rows:
        for country in _countries_of(seat, data_countries):
            per_country[country] += 1
    countries = sorted(
        (CountryCount(c, n, c != home_country) for c, n in per_country.items()),
        key=lambda c: (not c.abroad, -c.recipients, c.country),
    )
    active = session.scalars(
        select(Consent.id).where(Consent.subject_id == buyer.id, Consent.withdrawn_at.is_(None))
    ).all()
    return HomeView(buyer.id, len(rows), tuple(countries), buyer.transfer_suspended, len(active))


# --- my data abroad and at home -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DisclosureRow:
    disclosure_id: str
    order_id: str
    decided_at: datetime
    purpose: Purpose
    items: tuple[tuple[DataItem, Disposition], ...]  # released items and their form
    ground: Ground
    section: Section
    article: str | None
    state: GrantState
    revoke_reason: str | None
    access_until: datetime | None
    retention_until: datetime | None  # the recipient's retention after delivery, if delivered
    logged: bool  # has a leaf in the disclosure log, so a proof


@dataclass(frozen=True, slots=True)
class RecipientCard:
    recipient_id: str
    name: str
    email: str
    phone: str | None
    role: RecipientRole
    countries: tuple[str, ...]  # seat first
    retention_days: int
    disclosures: tuple[DisclosureRow, ...]  # newest first


@dataclass(frozen=True, slots=True)
class CountryGroup:
    country: str
    abroad: bool
    recipients: tuple[RecipientCard, ...]

    @property
    def disclosures(self) -> int:
        return sum(len(r.disclosures) for r in self.recipients)


@dataclass(frozen=True, slots=True)
class MyDataView:
    groups: tuple[CountryGroup, ...]
    countries: tuple[str, ...]  # every country the buyer's data is held in, for the filter
    country: str | None
    state: GrantState | None
    total: int  # disclosures before filtering

    @property
    def shown(self) -> int:
        return sum(g.disclosures for g in self.groups)


def my_data(
    session: Session,
    buyer_id: str,
    home_country: str,
    at: datetime,
    country: str | None = None,
    state: GrantState | None = None,
) -> MyDataView:
    """Every allowed disclosure of the buyer's data, by the recipient's seat country."""
    # The buyer's grants as a subquery of their own: on Citus grants live with their recipient,
    # not the buyer, and a join into them from the buyer's shard is refused ("complex joins
    # are only supported when all distributed tables are co-located"); a subquery is read
    # first from the grants' shards, then joined.
    grants = (
        select(
            AccessGrant.recipient_id,
            AccessGrant.id,
            AccessGrant.items,
            AccessGrant.revoked_at,
            AccessGrant.revoke_reason,
            AccessGrant.expires_at,
        )
        .where(AccessGrant.subject_id == buyer_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Disclosure.id,
            Disclosure.order_id,
            Disclosure.decided_at,
            Disclosure.purpose,
            Disclosure.dispositions,
            Disclosure.ground,
            Disclosure.article,
            Disclosure.cross_border,
            Disclosure.leaf_index,
            grants.c["items"],
            grants.c.revoked_at,
            grants.c.revoke_reason,
            grants.c.expires_at,
            Order.delivered_at,
            Recipient,
        )
        .join(Recipient, Recipient.id == Disclosure.recipient_id)
        .join(
            Order,
            and_(Order.buyer_id == Disclosure.subject_id, Order.id == Disclosure.order_id),
        )
        .outerjoin(
            grants,
            and_(
                grants.c.recipient_id == Disclosure.recipient_id,
                grants.c.id == Disclosure.grant_id,
            ),
        )
        .where(Disclosure.subject_id == buyer_id, Disclosure.allowed.is_(True))
        .order_by(Disclosure.decided_at.desc(), Disclosure.id)
    ).all()
    cards: dict[str, tuple[Recipient, list[DisclosureRow]]] = {}
    for row in rows:
        recipient: Recipient = row.Recipient
        released = row.items if row.items is not None else row.dispositions
        items = tuple(
            (_ITEMS[item], _DISPOSITIONS[form])
            for item, form in released.items()
            if form != Disposition.DENY.value
        )
        ground = row.ground or Ground.CONSENT
        delivered = row.delivered_at
        cards.setdefault(recipient.id, (recipient, []))[1].append(
            DisclosureRow(
                disclosure_id=row.id,
                order_id=row.order_id,
                decided_at=row.decided_at,
                purpose=row.purpose,
                items=tuple(sorted(items, key=lambda pair: list(DataItem).index(pair[0]))),
                ground=ground,
                section=section_of(row.cross_border, ground),
                article=row.article,
                state=grant_state(row.revoked_at, row.revoke_reason, row.expires_at, at),
                revoke_reason=row.revoke_reason,
                access_until=row.expires_at,
                retention_until=(
                    delivered + timedelta(days=recipient.retention_days) if delivered else None
                ),
                logged=row.leaf_index is not None,
            )
        )
    total = sum(len(found) for _, found in cards.values())
    groups: dict[str, list[RecipientCard]] = defaultdict(list)
    for recipient, found in cards.values():
        held_in = _countries_of(recipient.country, recipient.data_countries)
        shown = tuple(d for d in found if state is None or d.state is state)
        # A country filter finds a recipient wherever it holds the data, not only at its seat:
        # a Korean processor on a Japanese cloud is found under Japan too.
        if not shown or (country is not None and country not in held_in):
            continue
        groups[recipient.country].append(
            RecipientCard(
                recipient_id=recipient.id,
                name=recipient.legal_name,
                email=recipient.privacy_email,
                phone=dialled(recipient.privacy_phone) if recipient.privacy_phone else None,
                role=recipient.role,
                countries=held_in,
                retention_days=recipient.retention_days,
                disclosures=shown,
            )
        )
    ordered = sorted(
        (
            CountryGroup(c, c != home_country, tuple(sorted(cards_, key=lambda r: r.name)))
            for c, cards_ in groups.items()
        ),
        key=lambda g: (not g.abroad, -len(g.recipients), g.country),
    )
    held = sorted(
        {c for r, _ in cards.values() for c in _countries_of(r.country, r.data_countries)}
    )
    return MyDataView(tuple(ordered), tuple(held), country, state, total)


# --- consents -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamedRecipient:
    """A recipient as the consent's notice version named it (Art. 28-8(2)3)."""

    recipient_id: str
    name: str
    email: str
    phone: str | None
    role: RecipientRole
    countries: tuple[str, ...]
    retention_days: int


@dataclass(frozen=True, slots=True)
class ConsentCard:
    consent_id: str
    kind: ConsentKind
    notice_version: str
    notice_published_at: datetime | None
    notice_sha256: str | None
    given_at: datetime
    withdrawn_at: datetime | None
    items: tuple[DataItem, ...]  # 1. the items
    countries: tuple[str, ...]  # 2. the destination countries
    recipients: tuple[NamedRecipient, ...]  # 3. who, with contacts (as that version named them)
    purposes: tuple[Purpose, ...]  # 4. purpose ...
    retention_days: tuple[int, ...]  # ... and retention (distinct values, shortest first)
    live_grants: int  # recipients' grants that rest on it now

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


def _named(session: Session, consents: Sequence[Consent]) -> dict[str, tuple[NamedRecipient, ...]]:
    """For each consent, the recipients its notice version named that it reaches: those listed
    by id, or for a country-wide consent every recipient of that version in those countries."""
    by_version: dict[str, list[Consent]] = defaultdict(list)
    for consent in consents:
        by_version[consent.notice_version].append(consent)
    found: dict[str, tuple[NamedRecipient, ...]] = {}
    for version, group in by_version.items():
        ids = {r for c in group for r in c.recipients}
        countries = {k for c in group for k in c.countries}
        conditions = []
        if ids:
            conditions.append(NoticeRecipient.recipient_id.in_(sorted(ids)))
        if countries:
            conditions.append(NoticeRecipient.country.in_(sorted(countries)))
        rows: Sequence[NoticeRecipient] = ()
        if conditions:
            rows = session.scalars(
                select(NoticeRecipient)
                .where(NoticeRecipient.version == version, or_(*conditions))
                .order_by(NoticeRecipient.name)
            ).all()
        for consent in group:
            found[consent.id] = tuple(
                NamedRecipient(
                    r.recipient_id,
                    r.name,
                    r.email,
                    dialled(r.phone) if r.phone else None,
                    r.role,
                    tuple(r.data_countries) or (r.country,),
                    r.retention_days,
                )
                for r in rows
                if r.recipient_id in consent.recipients or r.country in consent.countries
            )
    return found


def consents(session: Session, buyer_id: str) -> tuple[ConsentCard, ...]:
    """The buyer's consents, active first then newest first, each with its notice's items."""
    rows = session.scalars(select(Consent).where(Consent.subject_id == buyer_id)).all()
    versions = {
        v.version: v
        for v in session.scalars(
            select(NoticeVersion).where(
                NoticeVersion.version.in_(sorted({r.notice_version for r in rows}))
            )
        )
    }
    named = _named(session, rows)
    live: dict[str, int] = defaultdict(int)
    for (consent_ids,) in session.execute(
        select(AccessGrant.consent_ids).where(
            AccessGrant.subject_id == buyer_id, AccessGrant.revoked_at.is_(None)
        )
    ):
        for consent_id in consent_ids:
            live[consent_id] += 1
    cards = []
    for row in rows:
        recipients = named.get(row.id, ())
        notice = versions.get(row.notice_version)
        countries = sorted({c for r in recipients for c in r.countries} | set(row.countries))
        cards.append(
            ConsentCard(
                consent_id=row.id,
                kind=ConsentKind(row.kind),
                notice_version=row.notice_version,
                notice_published_at=notice.published_at if notice else None,
                notice_sha256=row.notice_sha256,
                given_at=row.given_at,
                withdrawn_at=row.withdrawn_at,
                items=tuple(i for i in DataItem if i.value in row.items),
                countries=tuple(countries),
                recipients=recipients,
                purposes=tuple(p for p in Purpose if p.value in row.purposes),
                retention_days=tuple(sorted({r.retention_days for r in recipients})),
                live_grants=live.get(row.id, 0),
            )
        )
    cards.sort(key=lambda c: (not c.active, -c.given_at.timestamp()))
    return tuple(cards)


# --- who lost access ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LostAccess:
    """A recipient whose grants on the buyer's data ended through one action."""

    recipient_id: str
    name: str
    country: str
    grants: int


def lost_access(
    session: Session,
    buyer_id: str,
    reason: str,
    consent_id: str | None = None,
    at: datetime | None = None,
) -> tuple[LostAccess, ...]:
    """Recipients whose grants were revoked for `reason`; with `consent_id` and `at`, only
    the grants that rested on that consent and ended when it was withdrawn."""
    rows = session.execute(
        select(
            AccessGrant.recipient_id,
            AccessGrant.consent_ids,
            AccessGrant.revoked_at,
            Recipient.legal_name,
            Recipient.country,
        )
        .join(Recipient, Recipient.id == AccessGrant.recipient_id)
        .where(AccessGrant.subject_id == buyer_id, AccessGrant.revoke_reason == reason)
    ).all()
    counted: dict[str, tuple[str, str, int]] = {}
    for recipient_id, consent_ids, revoked_at, name, country in rows:
        if consent_id is not None and consent_id not in consent_ids:
            continue
        if at is not None and revoked_at is not None and as_utc(revoked_at) != as_utc(at):
            continue
        _, _, n = counted.get(recipient_id, (name, country, 0))
        counted[recipient_id] = (name, country, n + 1)
    return tuple(
        LostAccess(rid, name, country, n)
        for rid, (name, country, n) in sorted(counted.items(), key=lambda kv: kv[1][0])
    )


def ever_received(session: Session, buyer_id: str) -> tuple[LostAccess, ...]:
    """Every recipient an allowed disclosure of the buyer's data ever went to: those an
    erasure asks to delete, whether or not they can still read it."""
    rows = session.execute(
        select(Disclosure.recipient_id, Recipient.legal_name, Recipient.country)
        .join(Recipient, Recipient.id == Disclosure.recipient_id)
        .where(Disclosure.subject_id == buyer_id, Disclosure.allowed.is_(True))
    ).all()
    return _per_recipient(rows, key=lambda a: (a.country, a.name))


def live_recipients(session: Session, buyer_id: str, at: datetime) -> tuple[LostAccess, ...]:
    """Recipients that can read the buyer's data now: what a suspension would end."""
    rows = session.execute(
        select(AccessGrant.recipient_id, Recipient.legal_name, Recipient.country)
        .join(Recipient, Recipient.id == AccessGrant.recipient_id)
        .where(
            AccessGrant.subject_id == buyer_id,
            AccessGrant.revoked_at.is_(None),
            AccessGrant.expires_at > at,
        )
    ).all()
    return _per_recipient(rows, key=lambda a: a.name)


def _per_recipient(rows: Sequence[Any], key: Callable[[LostAccess], Any]) -> tuple[LostAccess, ...]:
    """(recipient id, name, country) rows, one each per disclosure or grant, counted per recipient."""
    counted: dict[str, tuple[str, str, int]] = {}
    for recipient_id, name, country in rows:
        _, _, n = counted.get(recipient_id, (name, country, 0))
        counted[recipient_id] = (name, country, n + 1)
    found = (LostAccess(rid, name, country, n) for rid, (name, country, n) in counted.items())
    return tuple(sorted(found, key=key))


__all__ = [
    "ConsentCard",
    "CountryCount",
    "CountryGroup",
    "DisclosureRow",
    "GrantState",
    "HomeView",
    "LostAccess",
    "MyDataView",
    "NamedRecipient",
    "RecipientCard",
    "consents",
    "dialled",
    "ever_received",
    "grant_state",
    "home",
    "live_recipients",
    "lost_access",
    "my_data",
    "section_of",
]
