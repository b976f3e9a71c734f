"""What each public page shows, gathered from the notice store as plain values.

The handlers translate HTTP; these functions ask the store the few questions a page needs and
hand the template frozen values, so a page's content is decided (and tested) without HTTP and
the template only lays it out. Every function takes the store and, where "now" matters, the time
(`at`), never a clock of its own.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from math import ceil
from urllib.parse import urlencode

import pycountry
from markupsafe import Markup

from databorder import i18n
from databorder.notices.diff import diff as compare
from databorder.notices.diff import render_diff_html
from databorder.notices.links import DIRECTORY_PATH
from databorder.notices.store import DirectoryPage, NoticeStore, PublishedVersion
from databorder.web.params import DiffQuery, DirectoryQuery

EARLIER_SHOWN = 5  # earlier versions listed on a policy page; the rest are one link away
PAGE_WINDOW = 2  # page links shown either side of the current one


@dataclass(frozen=True, slots=True)
class PolicyView:
    version: PublishedVersion
    in_force: PublishedVersion | None
    fragment: Markup  # the stored rendering, produced and escaped by the notice renderer
    earlier: tuple[PublishedVersion, ...]
    previous: PublishedVersion | None  # the version just before, for "what changed"

    @property
    def current(self) -> bool:
        return self.in_force is not None and self.in_force.version == self.version.version


def policy(
    store: NoticeStore, at: datetime, lang: str, version: str | None = None
) -> PolicyView | None:
    """The policy as published in `version`, or the one in force at `at`; None if nothing is."""
    in_force = store.in_force(at)
    shown = store.get(version) if version is not None else in_force
    if shown is None:
        return None
    versions = store.versions()  # newest first
    position = next(i for i, v in enumerate(versions) if v.version == shown.version)
    older = tuple(versions[position + 1 :])
    fragment = store.document(shown.version, "html", lang).decode()
    return PolicyView(
        version=shown,
        in_force=in_force,
        # The renderer escapes every registry value itself (its golden files pin the bytes), so
        # the fragment is inserted as HTML, not escaped a second time.
        fragment=Markup(fragment),  # noqa: S704
        earlier=older[:EARLIER_SHOWN],
        previous=older[0] if older else None,
    )


@dataclass(frozen=True, slots=True)
class DiffView:
    old: PublishedVersion
    new: PublishedVersion
    fragment: Markup  # the notices' diff renderer's output, escaped by it


def version_diff(store: NoticeStore, query: DiffQuery, lang: str) -> DiffView:
    """What changed from one version to another (NotFound for an unknown version)."""
    old, new = store.get(query.old), store.get(query.new)
    changes = compare(store.snapshot(old.version), store.snapshot(new.version))
    return DiffView(old, new, Markup(render_diff_html(changes, lang)))  # noqa: S704 (see policy)


@dataclass(frozen=True, slots=True)
class PageLink:
    label: int
    url: str
    current: bool


@dataclass(frozen=True, slots=True)
class DirectoryView:
    version: PublishedVersion
    current: bool
    query: DirectoryQuery
    result: DirectoryPage
    pages: int
    links: tuple[PageLink, ...]
    first: int  # 1-based position of the first entry shown, 0 when none
    last: int

    @property
    def previous_url(self) -> str | None:
        return _page_url(self.query, self.result.page - 1) if self.result.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return (
            _page_url(self.query, self.result.page + 1) if self.result.page < self.pages else None
        )


def _page_url(query: DirectoryQuery, number: int) -> str:
    params = query.filters()
    if number > 1:
        params["page"] = str(number)
    return DIRECTORY_PATH + (f"?{urlencode(params)}" if params else "")


def directory(
    store: NoticeStore, at: datetime, query: DirectoryQuery, per_page: int
) -> DirectoryView | None:
    """One page of the directory of the asked or in-force version; None if nothing is published.

    A page past the end is not an error worth a status: the page says there are no entries
    there and links back, as a search with no match does.
    """
    in_force = store.in_force(at)
    shown = store.get(query.version) if query.version is not None else in_force
    if shown is None:
        return None
    result = store.directory(
        shown.version,
        q=query.q,
        country=query.country,
        role=query.role,
        section=query.section,
        ground=query.ground,
        page=query.page,
        per_page=per_page,
    )
    pages = max(1, ceil(result.total / per_page))
    window = range(max(1, result.page - PAGE_WINDOW), min(pages, result.page + PAGE_WINDOW) + 1)
    numbers = sorted({1, pages, *window})
    first = (result.page - 1) * per_page + 1 if result.entries else 0
    return DirectoryView(
        version=shown,
        current=in_force is not None and in_force.version == shown.version,
        query=query,
        result=result,
        pages=pages,
        links=tuple(PageLink(n, _page_url(query, n), n == result.page) for n in numbers),
        first=first,
        last=first + len(result.entries) - 1 if result.entries else 0,
    )


def download_version(
    store: NoticeStore, at: datetime, version: str | None
) -> PublishedVersion | None:
    """The version a download is of: the one asked for (NotFound if unknown) or the one in force."""
    return store.get(version) if version is not None else store.in_force(at)


@cache
def countries(lang: str) -> tuple[tuple[str, str], ...]:
    """Every ISO 3166-1 country as (code, name in `lang`), sorted by that name, for the select."""
    named = ((c.alpha_2, i18n.country_name(c.alpha_2, lang)) for c in pycountry.countries)
    return tuple(sorted(named, key=lambda pair: pair[1]))


__all__ = [
    "DiffView",
    "DirectoryView",
    "PageLink",
    "PolicyView",
    "countries",
    "directory",
    "download_version",
    "policy",
    "version_diff",
]
