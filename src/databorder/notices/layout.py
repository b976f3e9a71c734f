"""A snapshot checked and laid out the way the guideline reads: sections, then one table per ground.

Every format starts here, so they agree on the order (section, ground, country, name, id) and
on which tables are too long to print. Checking happens here too, once per snapshot and before
anything is written: a notice that would misstate a transfer is refused whole rather than
published with a hole in it. Checks of combinations (section, ground, role, article, countries)
run once per distinct combination, a few dozen among 180,000 entries; the rest are one pass.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from databorder.model import DataItem, Ground, Purpose, RecipientRole, UnknownCountryError
from databorder.model import country_code as _country_code
from databorder.notices.labels import SECTION_GROUNDS, article_label
from databorder.notices.types import NoticeEntry, NoticeSnapshot, Section

"""Cross-border is judged from Korea (LAW.md): data leaving KR is a transfer abroad."""

DEFAULT_PAGE_LIMIT = 50
_MAX_PROBLEMS_SHOWN = 20

_SECTION_RANK = {s: i for i, s in enumerate(Section)}
_GROUND_RANK = {g: i for i, g in enumerate(Ground)}
_ITEM_RANK = {item: i for i, item in enumerate(DataItem)}
_PURPOSE_RANK = {p: i for i, p in enumerate(Purpose)}
_ROLE_RANK = {r: i for i, r in enumerate(RecipientRole)}
_ID = attrgetter("recipient_id")
_NAME = attrgetter("name")
_COUNTRY = attrgetter("country")
_SUMMARISED = attrgetter("data_countries", "items", "purposes", "role", "retention_days")


def _is_e164(phone: str) -> bool:
    """+ and 2 to 15 digits; the registry stores phones this way (model.contact)."""
    return 3 <= len(phone) <= 16 and phone[0] == "+" and phone[1:].isascii() and phone[1:].isdigit()


class InvalidSnapshotError(ValueError):
    """A snapshot that no notice may be rendered from; `problems` lists every one found."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[:_MAX_PROBLEMS_SHOWN])
        more = len(self.problems) - _MAX_PROBLEMS_SHOWN
        suffix = f"; and {more} more" if more > 0 else ""
        super().__init__(f"snapshot cannot be published: {shown}{suffix}")


@dataclass(frozen=True, slots=True)
class Summary:
    """What a table too long to print says instead of its rows: exact counts, nothing vague."""

    count: int
    countries: tuple[tuple[str, int], ...]  # every data country with its recipients, most first
    items: tuple[DataItem, ...]
    purposes: tuple[Purpose, ...]
    roles: tuple[RecipientRole, ...]
    shortest_retention_days: int
    longest_retention_days: int


@dataclass(frozen=True, slots=True)
class Table:
    """The recipients of one ground in one section, sorted by country, name and id."""

    section: Section
    ground: Ground
    article: str
    entries: tuple[NoticeEntry, ...]
    summary: Summary | None  # set exactly when the entries exceed the page limit


@dataclass(frozen=True, slots=True)
class Layout:
    snapshot: NoticeSnapshot
    page_limit: int
    tables: tuple[Table, ...]  # by section, then ground; only grounds actually used

    def section(self, section: Section) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.section is section)

    def entries(self) -> list[NoticeEntry]:
        """Every entry once, in the notice's order: what the full lists print."""
        return [e for t in self.tables for e in t.entries]


def ordered_items(items: Iterable[DataItem]) -> tuple[DataItem, ...]:
    """Items in the vocabulary's order, so two entries asking the same read the same."""
    return tuple(sorted(set(items), key=_ITEM_RANK.__getitem__))


def ordered_purposes(purposes: Iterable[Purpose]) -> tuple[Purpose, ...]:
    return tuple(sorted(set(purposes), key=_PURPOSE_RANK.__getitem__))


def _summarise(entries: list[NoticeEntry]) -> Summary:
    # One pass counting the distinct combinations: 180,000 entries carry only a few dozen.
    combos = Counter(map(_SUMMARISED, entries))
    countries: Counter[str] = Counter()
    items: set[DataItem] = set()
    purposes: set[Purpose] = set()
    roles: set[RecipientRole] = set()
    retention: set[int] = set()
    for (codes, combo_items, combo_purposes, role, days), n in combos.items():
        for code in codes:
            countries[code] += n
        items.update(combo_items)
        purposes.update(combo_purposes)
        roles.add(role)
        retention.add(days)
    return Summary(
        count=len(entries),
        countries=tuple(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))),
        items=ordered_items(items),
        purposes=ordered_purposes(purposes),
        roles=tuple(sorted(roles, key=_ROLE_RANK.__getitem__)),
        shortest_retention_days=min(retention),
        longest_retention_days=max(retention),
    )


def _country_problem(seat: str, codes: tuple[str, ...], section: Section, home: str) -> str | None:
    for code in (seat, *codes):
        try:
            if _country_code(code) != code:
                return f"country {code!r} must be an upper-case ISO 3166-1 alpha-2 code"
        except UnknownCountryError:
            return f"country {code!r} is not an ISO 3166-1 alpha-2 code"
    if not codes or codes[0] != seat:
        return f"data countries {list(codes)} must start with the seat {seat!r}"
    rest = codes[1:]
    if list(rest) != sorted(set(rest)) or seat in rest:
        return f"data countries {list(codes)} must list the seat, then the others sorted, once each"
    abroad = any(code != home for code in codes)
    if abroad and section is not Section.OVERSEAS_TRANSFER:
        # A domestic section naming data that leaves Korea would hide a transfer abroad,
        # which is what Temu was fined for.
        return f"data going to {list(codes)} is a transfer abroad and belongs in the overseas_transfer section, not {section.value}"
    if not abroad and section is Section.OVERSEAS_TRANSFER:
        return f"data staying in {home} is not a transfer abroad; expected the provision or entrustment section"
    return None


def check(snapshot: NoticeSnapshot) -> None:
    """Raise InvalidSnapshotError naming every problem, or return: nothing half-published."""
    problems: list[str] = []
    if snapshot.published_at.utcoffset() is None:
        problems.append("published_at must be timezone-aware")
    if not snapshot.version:
        problems.append("version must not be empty")
    entries = snapshot.entries
    ids = Counter(map(attrgetter("recipient_id"), entries))
    if len(ids) != len(entries):
        repeated = sorted(rid for rid, n in ids.items() if n > 1)
        problems.append(f"recipients named more than once: {repeated}")
    for seat, codes, section in {(e.country, e.data_countries, e.section) for e in entries}:
        problem = _country_problem(seat, codes, section, snapshot.home_country)
        if problem is not None:
            problems.append(problem)
    articles: dict[tuple[Section, Ground], set[str]] = {}
    for section, ground, role, article in {
        (e.section, e.ground, e.role, e.article) for e in entries
    }:
        if ground not in SECTION_GROUNDS[section]:
            problems.append(
                f"the {section.value} section cannot rest on {ground.value}; expected one of {[g.value for g in SECTION_GROUNDS[section]]}"
            )
        if role is RecipientRole.SELLER and ground is Ground.ENTRUSTED_CONTRACT:
            # LAW.md: a seller receives the data for its own use; it is a third party, never
            # a processor, and a notice listing it as entrusted would misstate the transfer.
            problems.append("a seller cannot be listed on the entrusted_contract ground")
        try:
            article_label(article, "en")
        except ValueError as exc:
            problems.append(str(exc))
        articles.setdefault((section, ground), set()).add(article)
    for (section, ground), seen in articles.items():
        if len(seen) > 1:
            problems.append(
                f"the {section.value} table for {ground.value} cites several articles {sorted(seen)}; expected one"
            )
    bad = [
        e.recipient_id
        for e in entries
        if not (e.name and e.email and e.items and e.purposes and e.retention_days > 0)
    ]
    if bad:
        problems.append(
            f"recipients without a name, email, item, purpose or positive retention: {sorted(bad)}"
        )
    # The downloads print phones as they are; only E.164 (+ and up to 15 digits) is safe there.
    bad = [e.recipient_id for e in entries if e.phone is not None and not _is_e164(e.phone)]
    if bad:
        problems.append(f"phones must be E.164 (+ and 2 to 15 digits): {sorted(bad)}")
    if problems:
        raise InvalidSnapshotError(problems)


def lay_out(snapshot: NoticeSnapshot, page_limit: int = DEFAULT_PAGE_LIMIT) -> Layout:
    """Check the snapshot and group it into the tables every format prints."""
    if page_limit < 1:
        raise ValueError(f"page_limit must be at least 1, got {page_limit}")
    check(snapshot)
    groups: dict[tuple[Section, Ground], list[NoticeEntry]] = {}
    for entry in snapshot.entries:
        key = (entry.section, entry.ground)
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(entry)
    tables = []
    for (section, ground), group in sorted(
        groups.items(), key=lambda kv: (_SECTION_RANK[kv[0][0]], _GROUND_RANK[kv[0][1]])
    ):
        # By country, then name, then id: three stable sorts on plain strings, least
        # significant first, are a third of the time of one sort on tuple keys.
        group.sort(key=_ID)
        group.sort(key=_NAME)
        group.sort(key=_COUNTRY)
        tables.append(
            Table(
                section=section,
                ground=ground,
                article=group[0].article,
                entries=tuple(group),
                summary=_summarise(group) if len(group) > page_limit else None,
            )
        )
    return Layout(snapshot=snapshot, page_limit=page_limit, tables=tuple(tables))


__all__ = [
    "DEFAULT_PAGE_LIMIT",
    "InvalidSnapshotError",
    "Layout",
    "Summary",
    "Table",
    "check",
    "lay_out",
    "ordered_items",
    "ordered_purposes",
]
