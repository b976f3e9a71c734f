"""What changed between two versions of the notice, and which changes need buyers' fresh consent.

A consent is informed only about what the buyer was shown (PIPA 17(2), 28-8(2)): the recipients
by name and contact, the countries, the items, the purposes, the retention. So a change that
widens what rests on a consent ground (a new recipient, country, item or purpose, a longer
retention, a recipient newly moved onto consent) reaches nobody until buyers consent again.
A new processor on the entrustment ground needs only the published policy to name it
(28-8(1)3, Art. 26), and the statute, certification and adequacy grounds need no consent at
all. Removals never need consent: less reaches fewer.

Countries, items and purposes are compared per table (section and ground), not over the whole
notice: China already named for a processor does not tell a buyer that sellers in China will
now receive their data on their consent.

`why` is a msgid of the `notices` catalogue, so one diff serves every language:
`databorder.i18n.gettext(lang, "notices")(change.why)`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import StrEnum

from databorder.i18n import country_name, translations
from databorder.model import DataItem, Ground, Purpose
from databorder.notices.labels import (
    ground_label,
    item_label,
    purpose_label,
    section_label,
)
from databorder.notices.layout import check
from databorder.notices.render import DOMAIN, environment
from databorder.notices.types import NoticeEntry, NoticeSnapshot, Section


def _n(message: str) -> str:
    """Marks a msgid of the `notices` catalogue for `make i18n`."""
    return message


class ChangeKind(StrEnum):
    RECIPIENT_ADDED = "recipient_added"
    RECIPIENT_REMOVED = "recipient_removed"
    RECIPIENT_CHANGED = "recipient_changed"
    COUNTRY_ADDED = "country_added"
    COUNTRY_REMOVED = "country_removed"
    ITEM_ADDED = "item_added"
    ITEM_REMOVED = "item_removed"
    PURPOSE_ADDED = "purpose_added"
    PURPOSE_REMOVED = "purpose_removed"


WHY_NEW_RECIPIENT_ON_CONSENT = _n(
    "A new recipient on a consent ground: a consent reaches only the recipients it named, so buyers must consent again before it receives anything."
)
WHY_NEW_PROCESSOR = _n(
    "A new processor on the entrustment ground: naming it in the published policy is what the law asks; no fresh consent."
)
WHY_NEW_RECIPIENT_WITHOUT_CONSENT = _n(
    "A new recipient on a ground that needs no consent: the published policy must name it."
)
WHY_REMOVED = _n("A removal needs no consent: less data reaches fewer recipients.")
WHY_MOVED_ONTO_CONSENT = _n(
    "The recipient now rests on a consent ground it did not rest on before: buyers never consented to it."
)
WHY_RENAMED = _n(
    "The recipient's name changed on a consent ground: a consent reaches the recipient it named, so buyers must consent to the new name."
)
WHY_ROLE_CHANGED = _n(
    "The recipient's role changed on a consent ground: buyers consented to the role they were told of, so they must consent again."
)
WHY_NEW_COUNTRY_ON_CONSENT = _n(
    "A new country on a consent ground: buyers consented knowing the countries named, so they must consent again."
)
WHY_NEW_ITEM_ON_CONSENT = _n(
    "A new item on a consent ground: buyers consented to the items named, so they must consent again."
)
WHY_NEW_PURPOSE_ON_CONSENT = _n(
    "A new purpose on a consent ground: buyers consented to the purposes named, so they must consent again."
)
WHY_LONGER_RETENTION = _n(
    "A longer retention on a consent ground: buyers consented to the period named, so they must consent again."
)
WHY_NARROWER_OR_CONTACT = _n(
    "Contact details changed or the transfer narrowed: the published policy is updated; no fresh consent."
)
WHY_CHANGED_WITHOUT_CONSENT = _n(
    "A change on a ground that needs no consent: the published policy is updated."
)
WHY_ADDED_ON_ENTRUSTMENT = _n(
    "Added on the entrustment ground: naming it in the published policy is what the law asks; no fresh consent."
)
WHY_ADDED_WITHOUT_CONSENT = _n(
    "Added on a ground that needs no consent: the published policy must name it."
)


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    section: Section
    ground: Ground
    subject: str  # the recipient id, country code, item or purpose value
    needs_consent: bool
    why: str  # a `notices` msgid
    name: str = ""  # the recipient's legal name, for recipient changes
    country: str = ""  # the recipient's seat, for recipient changes
    changed: tuple[str, ...] = ()  # the fields that differ, for RECIPIENT_CHANGED


@dataclass(frozen=True, slots=True)
class NoticeDiff:
    old_version: str | None  # None: the first version, everything in it is new
    new_version: str
    recipients_added: tuple[Change, ...]
    recipients_removed: tuple[Change, ...]
    recipients_changed: tuple[Change, ...]
    countries_added: tuple[Change, ...]
    countries_removed: tuple[Change, ...]
    items_added: tuple[Change, ...]
    items_removed: tuple[Change, ...]
    purposes_added: tuple[Change, ...]
    purposes_removed: tuple[Change, ...]

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(c for f in _CHANGE_FIELDS for c in getattr(self, f))

    @property
    def needs_fresh_consent(self) -> bool:
        """True when any change widens what a consent covered: ask buyers again first."""
        return any(c.needs_consent for c in self.changes)


_CHANGE_FIELDS = tuple(
    f.name for f in fields(NoticeDiff) if f.name.endswith(("_added", "_removed", "_changed"))
)
_SECTION_RANK = {s: i for i, s in enumerate(Section)}
_GROUND_RANK = {g: i for i, g in enumerate(Ground)}
_ITEM_RANK = {i.value: n for n, i in enumerate(DataItem)}
_PURPOSE_RANK = {p.value: n for n, p in enumerate(Purpose)}
_COMPARED = (
    "name",
    "country",
    "data_countries",
    "role",
    "email",
    "phone",
    "section",
    "ground",
    "article",
    "items",
    "purposes",
    "retention_days",
)

Scope = tuple[Section, Ground]


def _added_why(ground: Ground, on_consent: str) -> tuple[bool, str]:
    if ground is Ground.CONSENT:
        return True, on_consent
    if ground is Ground.ENTRUSTED_CONTRACT:
        return False, WHY_ADDED_ON_ENTRUSTMENT
    return False, WHY_ADDED_WITHOUT_CONSENT


def _recipient_added(entry: NoticeEntry) -> Change:
    if entry.ground is Ground.CONSENT:
        needs, why = True, WHY_NEW_RECIPIENT_ON_CONSENT
    elif entry.ground is Ground.ENTRUSTED_CONTRACT:
        needs, why = False, WHY_NEW_PROCESSOR
    else:
        needs, why = False, WHY_NEW_RECIPIENT_WITHOUT_CONSENT
    return Change(
        ChangeKind.RECIPIENT_ADDED,
        entry.section,
        entry.ground,
        entry.recipient_id,
        needs,
        why,
        entry.name,
        entry.country,
    )


def _recipient_removed(entry: NoticeEntry) -> Change:
    return Change(
        ChangeKind.RECIPIENT_REMOVED,
        entry.section,
        entry.ground,
        entry.recipient_id,
        False,
        WHY_REMOVED,
        entry.name,
        entry.country,
    )


def _widening(old: NoticeEntry, new: NoticeEntry) -> str | None:
    """The first way `new` asks more of a consent than `old` did, or None."""
    if old.ground is not Ground.CONSENT or old.section is not new.section:
        return WHY_MOVED_ONTO_CONSENT
    if old.name != new.name:
        return WHY_RENAMED
    if old.role is not new.role:
        return WHY_ROLE_CHANGED
    if not set(new.data_countries) <= set(old.data_countries):
        return WHY_NEW_COUNTRY_ON_CONSENT
    if not set(new.items) <= set(old.items):
        return WHY_NEW_ITEM_ON_CONSENT
    if not set(new.purposes) <= set(old.purposes):
        return WHY_NEW_PURPOSE_ON_CONSENT
    if new.retention_days > old.retention_days:
        return WHY_LONGER_RETENTION
    return None


def _same(field: str, old: NoticeEntry, new: NoticeEntry) -> bool:
    a, b = getattr(old, field), getattr(new, field)
    if field in ("items", "purposes"):
        return set(a) == set(b)
    return bool(a == b)


def _recipient_changed(old: NoticeEntry, new: NoticeEntry) -> Change | None:
    changed = tuple(f for f in _COMPARED if not _same(f, old, new))
    if not changed:
        return None
    if new.ground is Ground.CONSENT:
        widening = _widening(old, new)
        needs, why = (True, widening) if widening else (False, WHY_NARROWER_OR_CONTACT)
    else:
        needs, why = False, WHY_CHANGED_WITHOUT_CONSENT
    return Change(
        ChangeKind.RECIPIENT_CHANGED,
        new.section,
        new.ground,
        new.recipient_id,
        needs,
        why,
        new.name,
        new.country,
        changed,
    )


def _scoped(
    entries: Iterable[NoticeEntry], values: Callable[[NoticeEntry], Iterable[str]]
) -> dict[Scope, set[str]]:
    found: dict[Scope, set[str]] = {}
    for e in entries:
        found.setdefault((e.section, e.ground), set()).update(values(e))
    return found


def _ordered(values: set[str], rank: dict[str, int] | None) -> list[str]:
    return sorted(values, key=rank.__getitem__) if rank else sorted(values)


def _set_changes(
    old: dict[Scope, set[str]],
    new: dict[Scope, set[str]],
    added: ChangeKind,
    removed: ChangeKind,
    on_consent: str,
    rank: dict[str, int] | None,
) -> tuple[tuple[Change, ...], tuple[Change, ...]]:
    gained: list[Change] = []
    lost: list[Change] = []
    for scope in sorted(old.keys() | new.keys(), key=_scope_rank):
        section, ground = scope
        before, after = old.get(scope, set()), new.get(scope, set())
        needs, why = _added_why(ground, on_consent)
        gained.extend(
            Change(added, section, ground, v, needs, why) for v in _ordered(after - before, rank)
        )
        lost.extend(
            Change(removed, section, ground, v, False, WHY_REMOVED)
            for v in _ordered(before - after, rank)
        )
    return tuple(gained), tuple(lost)


def _scope_rank(scope: Scope) -> tuple[int, int]:
    return _SECTION_RANK[scope[0]], _GROUND_RANK[scope[1]]


def _recipient_rank(change: Change) -> tuple[int, int, str, str, str]:
    return (
        *_scope_rank((change.section, change.ground)),
        change.country,
        change.name,
        change.subject,
    )


def diff(old: NoticeSnapshot | None, new: NoticeSnapshot) -> NoticeDiff:
    """Compare two versions; `old=None` treats every entry of `new` as added.

    InvalidSnapshotError if either could not be published (an id named twice would make
    "the same recipient" ambiguous).
    """
    if old is not None:
        check(old)
    check(new)
    before = {e.recipient_id: e for e in old.entries} if old else {}
    after = {e.recipient_id: e for e in new.entries}
    added = [_recipient_added(e) for rid, e in after.items() if rid not in before]
    removed = [_recipient_removed(e) for rid, e in before.items() if rid not in after]
    changed = [
        c
        for rid, e in after.items()
        if rid in before and (c := _recipient_changed(before[rid], e)) is not None
    ]
    old_entries = old.entries if old else ()
    countries = _set_changes(
        _scoped(old_entries, lambda e: e.data_countries),
        _scoped(new.entries, lambda e: e.data_countries),
        ChangeKind.COUNTRY_ADDED,
        ChangeKind.COUNTRY_REMOVED,
        WHY_NEW_COUNTRY_ON_CONSENT,
        None,
    )
    items = _set_changes(
        _scoped(old_entries, lambda e: (i.value for i in e.items)),
        _scoped(new.entries, lambda e: (i.value for i in e.items)),
        ChangeKind.ITEM_ADDED,
        ChangeKind.ITEM_REMOVED,
        WHY_NEW_ITEM_ON_CONSENT,
        _ITEM_RANK,
    )
    purposes = _set_changes(
        _scoped(old_entries, lambda e: (p.value for p in e.purposes)),
        _scoped(new.entries, lambda e: (p.value for p in e.purposes)),
        ChangeKind.PURPOSE_ADDED,
        ChangeKind.PURPOSE_REMOVED,
        WHY_NEW_PURPOSE_ON_CONSENT,
        _PURPOSE_RANK,
    )
    return NoticeDiff(
        old_version=old.version if old else None,
        new_version=new.version,
        recipients_added=tuple(sorted(added, key=_recipient_rank)),
        recipients_removed=tuple(sorted(removed, key=_recipient_rank)),
        recipients_changed=tuple(sorted(changed, key=_recipient_rank)),
        countries_added=countries[0],
        countries_removed=countries[1],
        items_added=items[0],
        items_removed=items[1],
        purposes_added=purposes[0],
        purposes_removed=purposes[1],
    )


# --- the diff as a reader sees it -------------------------------------------------------------

_FIELD_LABELS = {
    "name": _n("legal name"),
    "country": _n("seat"),
    "data_countries": _n("countries"),
    "role": _n("role"),
    "email": _n("email"),
    "phone": _n("phone"),
    "section": _n("section"),
    "ground": _n("legal ground"),
    "article": _n("article"),
    "items": _n("items"),
    "purposes": _n("purposes"),
    "retention_days": _n("retention period"),
}

_GROUP_TITLES = {
    "recipients_added": _n("Recipients added"),
    "recipients_removed": _n("Recipients removed"),
    "recipients_changed": _n("Recipients changed"),
    "countries_added": _n("Countries added"),
    "countries_removed": _n("Countries removed"),
    "items_added": _n("Items added"),
    "items_removed": _n("Items removed"),
    "purposes_added": _n("Purposes added"),
    "purposes_removed": _n("Purposes removed"),
}


@dataclass(frozen=True, slots=True)
class DiffRow:
    kind: str
    subject: str  # the raw subject (id or code), for data attributes
    what: str
    scope: str
    needs_consent: bool
    consent: str
    why: str


@dataclass(frozen=True, slots=True)
class DiffGroup:
    id: str
    title: str
    rows: tuple[DiffRow, ...]


@dataclass(frozen=True, slots=True)
class DiffView:
    lang: str
    old_version: str
    new_version: str
    title: str
    verdict: str
    needs_fresh_consent: bool
    groups: tuple[DiffGroup, ...]
    headers: tuple[str, ...]


def _what(change: Change, lang: str, t: Callable[[str], str]) -> str:
    kind = change.kind
    if kind in (ChangeKind.COUNTRY_ADDED, ChangeKind.COUNTRY_REMOVED):
        return country_name(change.subject, lang)
    if kind in (ChangeKind.ITEM_ADDED, ChangeKind.ITEM_REMOVED):
        return item_label(DataItem(change.subject), lang)
    if kind in (ChangeKind.PURPOSE_ADDED, ChangeKind.PURPOSE_REMOVED):
        return purpose_label(Purpose(change.subject), lang)
    text = t(_n("%(name)s (%(country)s)")) % {
        "name": change.name,
        "country": country_name(change.country, lang),
    }
    if change.changed:
        changed = ", ".join(t(_FIELD_LABELS[f]) for f in change.changed)
        text = t(_n("%(recipient)s; changed: %(fields)s")) % {"recipient": text, "fields": changed}
    return text


def diff_view(d: NoticeDiff, lang: str) -> DiffView:
    t = translations(lang, DOMAIN).gettext
    groups = []
    for name in _CHANGE_FIELDS:
        changes: tuple[Change, ...] = getattr(d, name)
        if not changes:
            continue
        rows = tuple(
            DiffRow(
                kind=c.kind.value,
                subject=c.subject,
                what=_what(c, lang, t),
                scope=t(_n("%(section)s: %(ground)s"))
                % {
                    "section": section_label(c.section, lang),
                    "ground": ground_label(c.ground, lang, c.section),
                },
                needs_consent=c.needs_consent,
                consent=t(_n("Needed")) if c.needs_consent else t(_n("Not needed")),
                why=t(c.why),
            )
            for c in changes
        )
        groups.append(DiffGroup(name.replace("_", "-"), t(_GROUP_TITLES[name]), rows))
    if d.needs_fresh_consent:
        verdict = _n(
            "Some changes need buyers' fresh consent: the recipients they concern receive nothing on consent until buyers have consented to this version."
        )
    elif groups:
        verdict = _n("No change needs fresh consent: publishing this version is enough.")
    else:
        verdict = _n("The two versions name the same recipients, countries, items and purposes.")
    if d.old_version is None:
        title = t(_n("Version %(new)s: everything in it is new")) % {"new": d.new_version}
    else:
        title = t(_n("Changes from version %(old)s to version %(new)s")) % {
            "old": d.old_version,
            "new": d.new_version,
        }
    return DiffView(
        lang=lang,
        old_version=d.old_version or "",
        new_version=d.new_version,
        title=title,
        verdict=t(verdict),
        needs_fresh_consent=d.needs_fresh_consent,
        groups=tuple(groups),
        headers=(
            t(_n("Change")),
            t(_n("Section and legal ground")),
            t(_n("Fresh consent")),
            t(_n("Why")),
        ),
    )


def render_diff_html(d: NoticeDiff, lang: str) -> str:
    """The diff as a `<section>` fragment: each change, whether it needs consent, and why."""
    return environment(lang).get_template("diff.html").render(diff=diff_view(d, lang))


__all__ = [
    "Change",
    "ChangeKind",
    "DiffView",
    "NoticeDiff",
    "diff",
    "diff_view",
    "render_diff_html",
]
