"""The public pages' query parameters, checked before anything is looked up.

Every problem is collected before answering (one 400 page lists them all, like the registry's
CSV import), each naming the field and saying what was expected and what came. Unknown values
are errors, not ignored: a directory filtered by a misspelt country must not quietly show every
country. Empty values (a form's "all" choice) mean no filter.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from databorder.errors import NotFound
from databorder.model import Ground, RecipientRole
from databorder.model.country import UnknownCountryError, country_code
from databorder.model.fields import control_character, is_ident
from databorder.notices.types import Section
from databorder.web.errors import N_, BadQuery, QueryProblem

MAX_QUERY = 100
MAX_VERSION = 64
MAX_PAGE = 1_000_000

# What each parameter is called on a page, for the 400 page's list of problems.
FIELD_LABELS: dict[str, str] = {
    "q": N_("Name"),
    "country": N_("Country"),
    "role": N_("Role"),
    "section": N_("Section"),
    "ground": N_("Legal ground"),
    "version": N_("Version"),
    "page": N_("Page"),
    "from": N_("From version"),
    "to": N_("To version"),
}

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    q: str | None = None
    country: str | None = None
    role: RecipientRole | None = None
    section: Section | None = None
    ground: Ground | None = None
    version: str | None = None
    page: int = 1

    def filters(self) -> dict[str, str]:
        """The query without its page, as URL parameters (for the pages' links)."""
        values = {
            "q": self.q,
            "country": self.country,
            "role": self.role,
            "section": self.section,
            "ground": self.ground,
            "version": self.version,
        }
        return {k: str(v) for k, v in values.items() if v is not None}


@dataclass(frozen=True, slots=True)
class DiffQuery:
    old: str
    new: str


class _Collector:
    def __init__(self, params: Mapping[str, str]) -> None:
        self.params = params
        self.problems: list[QueryProblem] = []

    def text(self, name: str) -> str | None:
        value = self.params.get(name, "").strip()
        # No name, version or country holds one, and PostgreSQL cannot even compare with a NUL.
        found = control_character(value)
        if found is not None:
            index, char = found
            self.problems.append(
                QueryProblem(
                    name,
                    N_("control character %(char)s at position %(index)s: expected printable text"),
                    {"char": f"U+{ord(char):04X}", "index": index},
                )
            )
            return None
        return value or None

    def bounded(self, name: str, limit: int) -> str | None:
        value = self.text(name)
        if value is not None and len(value) > limit:
            self.problems.append(
                QueryProblem(
                    name,
                    N_("too long: at most %(limit)s characters, got %(length)s"),
                    {"limit": limit, "length": len(value)},
                )
            )
            return None
        return value

    def choice(self, name: str, enum: type[E]) -> E | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            expected = ", ".join(member.value for member in enum)
            self.problems.append(
                QueryProblem(
                    name,
                    N_("unknown value %(value)s: expected one of %(expected)s"),
                    {"value": repr(value), "expected": expected},
                )
            )
            return None

    def country(self, name: str) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return country_code(value)
        except UnknownCountryError:
            self.problems.append(
                QueryProblem(
                    name,
                    N_(
                        "unknown country %(value)s: expected a two-letter ISO 3166 code such as CN or US"
                    ),
                    {"value": repr(value)},
                )
            )
            return None

    def page(self, name: str) -> int:
        value = self.text(name)
        if value is None:
            return 1
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
            self.problems.append(
                QueryProblem(
                    name,
                    N_("expected a whole number from 1 to %(limit)s, got %(value)s"),
                    {"limit": MAX_PAGE, "value": repr(value[:20])},
                )
            )
            return 1
        return int(value)

    def required(self, name: str, read: Callable[[str], str | None]) -> str:
        value = read(name)
        if value is None and not any(p.field == name for p in self.problems):
            self.problems.append(QueryProblem(name, N_("required: choose a version")))
        return value or ""

    def done(self) -> None:
        if self.problems:
            raise BadQuery(self.problems)


def stored_name(kind: str, value: str) -> str:
    """A page's path segment that names a stored thing (a version, a disclosure, a request):
    one no name can match is not found, and never reaches the database (which may not even
    compare with it: PostgreSQL refuses a NUL)."""
    if not is_ident(value):
        raise NotFound(kind, value)
    return value


def directory_query(params: Mapping[str, str]) -> DirectoryQuery:
    """The directory's filters, or BadQuery naming every wrong one."""
    given = _Collector(params)
    query = DirectoryQuery(
        q=given.bounded("q", MAX_QUERY),
        country=given.country("country"),
        role=given.choice("role", RecipientRole),
        section=given.choice("section", Section),
        ground=given.choice("ground", Ground),
        version=given.bounded("version", MAX_VERSION),
        page=given.page("page"),
    )
    given.done()
    return query


def download_query(params: Mapping[str, str]) -> str | None:
    """The version a download asks for (None: the one in force), or BadQuery if malformed."""
    given = _Collector(params)
    version = given.bounded("version", MAX_VERSION)
    given.done()
    return version


def diff_query(params: Mapping[str, str]) -> DiffQuery:
    """The two versions to compare, or BadQuery when one is missing or malformed."""
    given = _Collector(params)

    def version(name: str) -> str | None:
        return given.bounded(name, MAX_VERSION)

    old = given.required("from", version)
    new = given.required("to", version)
    given.done()
    return DiffQuery(old=old, new=new)


__all__ = [
    "FIELD_LABELS",
    "DiffQuery",
    "DirectoryQuery",
    "diff_query",
    "directory_query",
    "download_query",
    "stored_name",
]
