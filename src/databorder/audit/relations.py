"""The relations every check reads: one shape, whichever engine runs the checks.

Three kinds, all described here once as data:

- **tables** (`TABLES`): columns of the live tables, by the same names. On SQLite and
  PostgreSQL a check reads the table itself; the Parquet export writes exactly these columns
  and DuckDB reads them through a view of the same name.
- **links** (`LINKS`): the JSON columns (`dispositions`, `consent_ids`, `bases`, a grant's
  `items`, `data_countries`, a notice's `items`) flattened into one row per element. The export
  flattens them in Python while streaming; on the live databases they are a common table
  expression rendered per dialect from the same description (`render.link_sql`). Why links and
  not the engines' JSON functions in each check: the three engines spell JSON access three ways
  (SQLite `json_each`, PostgreSQL `json_array_elements_text`, DuckDB `unnest`/`->>`), and
  writing a check once over rows is the only way to keep one text per check; a link relation
  is also what a columnar engine scans fastest at 100 million rows.
- **the log's own**, computed in Python by the same code for every engine: `log_leaf_records`
  (each leaf's record type and id, read from its canonical JSON by `leaf_names`; a leaf whose
  bytes are not JSON names nothing, where a database's JSON function would abort the whole
  audit) and `log_problems` (what `ledger.verify.verify_log` found, so the Merkle checks are
  the ledger's, not re-implemented here). The live engines hold them in temporary tables for
  the audit's transaction; the export writes them like the others.

Instants are UTC everywhere: SQLite stores them as UTC text, PostgreSQL as `timestamptz`, the
export as Parquet `TIMESTAMP(us, UTC)` which the DuckDB views read as UTC timestamps.

A disclosure and its link rows join on `dkey` (`KEY`), one column whatever the engine: live it
is the disclosure's `id` (a UUID, unique on its own: the log names a disclosure by it alone),
in the export a `BIGINT` numbering the disclosures, written into each link row as well. At 100
million disclosures and 360 million items, a hash join on one integer is several times faster
than on the `(subject_id, id)` strings the table's primary key is made of.
"""

import json
from dataclasses import dataclass
from enum import StrEnum

# The join key of a disclosure and its links; live, the column it stands for.
KEY = "dkey"
KEY_SOURCE = "id"


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    INSTANT = "instant"
    KEY = "key"  # the disclosure's join key (`KEY`): its `id` live, a BIGINT in the export


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the live table's name and the relation's
    columns: tuple[Column, ...]

    @property
    def stored(self) -> tuple[Column, ...]:
        """The columns the live table holds (not the join key, which stands for one)."""
        return tuple(c for c in self.columns if c.kind is not Kind.KEY)

    @property
    def keyed(self) -> bool:
        return len(self.stored) != len(self.columns)


class Shape(StrEnum):
    ARRAY = "array"  # ["a", "b"]: one row per element, its value in `out[0]`
    OBJECT = "object"  # {"k": "v"}: one row per key, key in `out[0]`, value in `out[1]`
    OBJECTS = "objects"  # [{"f": ...}]: one row per element, each of `out` read as a field


@dataclass(frozen=True, slots=True)
class Link:
    name: str
    table: str  # the live table holding the JSON column
    keys: tuple[tuple[str, str], ...]  # (column in the table, column in the relation)
    json_column: str
    shape: Shape
    out: tuple[str, ...]  # the element's columns, all text
    # The table's own columns each row repeats, by the same names: what the checks filter
    # and group a link's rows by, so that they need not join the table back (see LINKS).
    carried: tuple[Column, ...] = ()

    @property
    def columns(self) -> tuple[Column, ...]:
        keys = tuple(Column(o, Kind.KEY if o == KEY else Kind.TEXT) for _, o in self.keys)
        return keys + self.carried + tuple(Column(o, Kind.TEXT) for o in self.out)


def _cols(spec: str) -> tuple[Column, ...]:
    """`"id, decided_at:instant, allowed:bool"`: text unless a kind is given."""
    out = []
    for part in spec.split(","):
        name, _, kind = part.strip().partition(":")
        out.append(Column(name, Kind(kind) if kind else Kind.TEXT))
    return tuple(out)


TABLES: tuple[Table, ...] = (
    Table(
        "disclosures",
        _cols(
            "subject_id, id, order_id, recipient_id, purpose, allowed:bool, cross_border:bool, "
            "recipient_country, ground, legal_mandate, notice_version, decided_at:instant, "
            f"grant_id, leaf_index:int, imported_by, {KEY}:key"
        ),
    ),
    Table(
        "access_grants",
        _cols(
            "recipient_id, id, order_id, subject_id, purpose, ground, access_days:int, "
            "created_at:instant, expires_at:instant, revoked_at:instant, revoke_reason"
        ),
    ),
    Table(
        "consents",
        _cols("subject_id, id, kind, notice_version, given_at:instant, withdrawn_at:instant"),
    ),
    Table(
        "seller_reads",
        _cols("recipient_id, id, grant_id, order_id, read_at:instant, leaf_index:int"),
    ),
    Table(
        "recipients",
        _cols(
            "id, country, role, contract_safeguards:bool, certification_measures:bool, "
            "retention_days:int, domestic_agent_name, created_at:instant, updated_at:instant"
        ),
    ),
    Table("notice_versions", _cols("version, published_at:instant")),
    Table("notice_recipients", _cols("version, recipient_id, country, role, ground")),
    Table(
        "suspension_orders",
        _cols("id, recipient_id, country, starts_at:instant, ends_at:instant"),
    ),
    Table(
        "rights_requests",
        _cols(
            "subject_id, id, kind, state, created_at:instant, deadline:instant, "
            "completed_at:instant"
        ),
    ),
    Table(
        "rights_tasks",
        _cols(
            "subject_id, id, request_id, recipient_id, state, created_at:instant, "
            "acknowledged_at:instant"
        ),
    ),
)

_DISCLOSURE = ((KEY_SOURCE, KEY),)
_GRANT = (("recipient_id", "recipient_id"), ("id", "grant_id"))
_NOTICE = (("version", "version"), ("recipient_id", "recipient_id"))

LINKS: tuple[Link, ...] = (
    # Each item repeats what the item checks read of its disclosure: at 100 million
    # disclosures and 360 million items, joining the two to learn an item's purpose costs a
    # hash table of every disclosure in each of four checks; repeated in a column file, the
    # same values cost little (runs of one value compress to almost nothing), and the checks
    # join the disclosures only for the id of the few items they report.
    Link(
        "disclosure_items",
        "disclosures",
        _DISCLOSURE,
        "dispositions",
        Shape.OBJECT,
        ("item", "form"),
        _cols(
            "allowed:bool, cross_border:bool, purpose, legal_mandate, recipient_id, "
            "decided_at:instant, leaf_index:int"
        ),
    ),
    Link(
        "disclosure_consents",
        "disclosures",
        _DISCLOSURE,
        "consent_ids",
        Shape.ARRAY,
        ("consent_id",),
    ),
    Link(
        "disclosure_bases",
        "disclosures",
        _DISCLOSURE,
        "bases",
        Shape.OBJECTS,
        ("basis", "ground", "consent_id", "mandate_id"),
    ),
    Link("grant_items", "access_grants", _GRANT, "items", Shape.OBJECT, ("item", "form")),
    Link("grant_consents", "access_grants", _GRANT, "consent_ids", Shape.ARRAY, ("consent_id",)),
    Link(
        "recipient_data_countries",
        "recipients",
        (("id", "recipient_id"),),
        "data_countries",
        Shape.ARRAY,
        ("country",),
    ),
    Link(
        "notice_recipient_countries",
        "notice_recipients",
        _NOTICE,
        "data_countries",
        Shape.ARRAY,
        ("country",),
    ),
    Link("notice_recipient_items", "notice_recipients", _NOTICE, "items", Shape.ARRAY, ("item",)),
)

# Each log leaf's record, read from its canonical JSON (`type` and `id`), and for a leaf that
# names a disclosure that disclosure's join key (`record_key`, a `KEY`): live the id it names
# (as a disclosure's key is its id), in the export the number of the disclosure holding that
# id, or NULL when none does. The log checks compare keys: at 100 million disclosures, a hash
# join carrying every disclosure's 36-character id to compare with its leaf's cost more than
# the rest of those checks.
LEAF_RECORDS = Table(
    "log_leaf_records", _cols(f"leaf_index:int, record_type, record_id, record_key:{Kind.KEY}")
)
# What the ledger's verification found; `leaf_index` is the first leaf a problem touches.
LOG_PROBLEMS = Table("log_problems", _cols("defect, leaf_index:int, detail"))

EXPORTED: tuple[Table | Link, ...] = (*TABLES, *LINKS, LEAF_RECORDS, LOG_PROBLEMS)


def table(name: str) -> Table:
    for t in TABLES:
        if t.name == name:
            return t
    raise KeyError(name)


def links_of(table_name: str) -> tuple[Link, ...]:
    return tuple(link for link in LINKS if link.table == table_name)


def leaf_names(data: bytes) -> tuple[str | None, str | None]:
    """The record type and id a log leaf's canonical JSON names; (None, None) if it names none."""
    try:
        record = json.loads(data)
    except ValueError:  # not UTF-8 or not JSON: a tampered leaf, which LOG-tree reports
        return None, None
    if not isinstance(record, dict):
        return None, None
    kind, ident = record.get("type"), record.get("id")
    return (
        kind if isinstance(kind, str) else None,
        ident if isinstance(ident, str) else None,
    )


def leaf_key(kind: str | None, ident: str | None) -> str | None:
    """A leaf's `record_key` on the live engines: the id it names if it names a disclosure."""
    return ident if kind == "disclosure" else None
