"""Where the audit relations come from: the live database, or DuckDB over a Parquet export.

Both adapters give the runner (`audit/run.py`) the same thing: the definitions the engine
needs in front of a check, and the rows a statement returns, with instants as aware UTC
datetimes. Neither knows any check.

- `LiveSource` reads SQLite or PostgreSQL inside the caller's transaction (`snapshot` opens
  one at REPEATABLE READ on PostgreSQL, so every check sees the same data). The JSON links are
  common table expressions in the dialect's JSON functions (on SQLite the tables too, to put
  instants in one text form: `render.table_sql`); the leaf records and the ledger's
  verification are computed in Python and held in temporary tables, dropped on close.
- `ParquetSource` opens an in-memory DuckDB over an export directory (`audit/export.py`):
  one view per relation, instants read as UTC timestamps.
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, cast

import duckdb
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import BigInteger, Connection, Engine, String, bindparam, text
from sqlalchemy.orm import Session

from databorder.audit.relations import (
    EXPORTED,
    LEAF_RECORDS,
    LINKS,
    LOG_PROBLEMS,
    TABLES,
    Kind,
    leaf_key,
    leaf_names,
)
from databorder.audit.render import (
    LIVE_DIALECTS,
    dollar_params,
    link_sql,
    params_used,
    table_sql,
)
from databorder.errors import DataborderError, InvalidInput
from databorder.ledger.log import StoredLog
from databorder.ledger.verify import Problem, VerifyResult, verify_log
from databorder.store.base import UTCDateTime

# A finding row: record_kind, record, related_kind, related, leaf_index, at, note.
Row = tuple[Any, ...]

MANIFEST = "manifest.json"
FORMAT = "databorder-audit-export"
# 2: the disclosures and their links carry the integer join key `dkey`; 3: each item carries
# what the item checks read of its disclosure; 4: each leaf record carries the key of the
# disclosure it names (`relations.LEAF_RECORDS`).
FORMAT_VERSION = 4

# Rows read or written per round trip: bounds memory on a log of any size.
CHUNK = 50_000


class Source(Protocol):
    """What the runner needs of an engine."""

    @property
    def engine(self) -> str: ...

    def definitions(self) -> Mapping[str, str]:
        """`name -> "name AS (...)"` for relations this engine builds per statement."""
        ...

    def fetch(self, sql: str, params: Mapping[str, Any]) -> Sequence[Row]:
        """The statement's rows; `params` may hold more names than the statement binds."""
        ...


def _bound(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    used = params_used(sql)
    missing = used - set(params)
    if missing:
        raise ValueError(f"audit statement binds {sorted(missing)} but no value was given")
    return {name: params[name] for name in used}


@contextmanager
def snapshot(db: Engine) -> Iterator[Connection]:
    """One read transaction over the live database: REPEATABLE READ on PostgreSQL, so the
    audit (or the export) sees one state however long it runs. On SQLite every transaction
    here begins IMMEDIATE (store/db.py), so writers wait until it ends."""
    with db.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")  # in place
        with connection.begin():
            yield connection


def problems_rows(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [{"defect": p.defect.value, "leaf_index": p.index, "detail": p.detail} for p in problems]


def leaf_record_rows(connection: Connection) -> Iterator[list[dict[str, Any]]]:
    """Every leaf's record type and id, in chunks, read from `log_leaves` by index, with the
    live engines' `record_key` (the id, for a disclosure's leaf: `relations.leaf_key`)."""
    result = connection.execute(
        text('SELECT "index", data FROM log_leaves ORDER BY "index"'),
        execution_options={"yield_per": CHUNK},
    )
    for part in result.partitions(CHUNK):
        chunk = []
        for index, data in part:
            kind, ident = leaf_names(bytes(data))
            chunk.append(
                {
                    "leaf_index": index,
                    "record_type": kind,
                    "record_id": ident,
                    "record_key": leaf_key(kind, ident),
                }
            )
        yield chunk


def verify(connection: Connection, public_key: Ed25519PublicKey, log: StoredLog) -> VerifyResult:
    """The ledger's own verification, on the caller's connection (its transaction)."""
    with Session(bind=connection) as session:
        return verify_log(session, public_key, log)


class LiveSource:
    """SQLite or PostgreSQL, in the caller's transaction. Use as a context manager."""

    def __init__(
        self, connection: Connection, public_key: Ed25519PublicKey, log: StoredLog
    ) -> None:
        dialect = connection.dialect.name
        if dialect not in LIVE_DIALECTS:
            raise DataborderError(
                f"the audit runs on {' or '.join(LIVE_DIALECTS)} (or DuckDB over an export), "
                f"not {dialect}"
            )
        self._connection = connection
        self._dialect = dialect
        # On SQLite the tables too are expressions, their instants in one text form; on
        # PostgreSQL the keyed ones, for their join key.
        tables = {t.name: table_sql(t, dialect) for t in TABLES if dialect == "sqlite" or t.keyed}
        self._definitions = {**tables, **{link.name: link_sql(link, dialect) for link in LINKS}}
        self._load(public_key, log)

    @property
    def engine(self) -> str:
        return self._dialect

    def definitions(self) -> Mapping[str, str]:
        return self._definitions

    def _load(self, public_key: Ed25519PublicKey, log: StoredLog) -> None:
        problems = verify(self._connection, public_key, log).problems
        # A name taken in the temporary schema by an earlier run on this pooled connection
        # that died before its close.
        self._drop()
        drop = " ON COMMIT DROP" if self._dialect == "postgresql" else ""
        execute = self._connection.execute
        execute(
            text(
                f"CREATE TEMPORARY TABLE {LEAF_RECORDS.name} (leaf_index BIGINT PRIMARY KEY, "
                f"record_type VARCHAR, record_id VARCHAR, record_key VARCHAR){drop}"
            )
        )
        execute(
            text(
                f"CREATE TEMPORARY TABLE {LOG_PROBLEMS.name} (defect VARCHAR, "
                f"leaf_index BIGINT, detail VARCHAR){drop}"
            )
        )
        insert_leaf = text(
            f"INSERT INTO {LEAF_RECORDS.name} "  # noqa: S608 (our table name)
            "VALUES (:leaf_index, :record_type, :record_id, :record_key)"
        )
        for chunk in leaf_record_rows(self._connection):
            if chunk:
                execute(insert_leaf, chunk)
        if problems:
            execute(
                text(f"INSERT INTO {LOG_PROBLEMS.name} VALUES (:defect, :leaf_index, :detail)"),  # noqa: S608 (our table name)
                problems_rows(problems),
            )

    def _drop(self) -> None:
        # Qualified by the temporary schema: never a table of the same name elsewhere.
        schema = "pg_temp" if self._dialect == "postgresql" else "temp"
        for name in (LEAF_RECORDS.name, LOG_PROBLEMS.name):
            self._connection.execute(text(f"DROP TABLE IF EXISTS {schema}.{name}"))

    def fetch(self, sql: str, params: Mapping[str, Any]) -> Sequence[Row]:
        values = _bound(sql, params)
        instants = [
            bindparam(name, type_=UTCDateTime())
            for name, value in values.items()
            if isinstance(value, datetime)
        ]
        statement = (
            text(sql)
            .bindparams(*instants)
            .columns(
                record_kind=String(),
                record=String(),
                related_kind=String(),
                related=String(),
                leaf_index=BigInteger(),
                at=UTCDateTime(),
                note=String(),
            )
        )
        return [tuple(row) for row in self._connection.execute(statement, values)]

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:  # after an error the transaction is rolled back, tables and all
            self.close()


def read_manifest(directory: Path) -> tuple[dict[str, Any], datetime]:
    """The export's manifest, checked, and when its snapshot was taken.

    The manifest is written last: without it the export did not finish."""
    path = directory / MANIFEST
    if not path.is_file():
        raise InvalidInput.one(
            "parquet",
            f"{directory} holds no {MANIFEST}: not an export of `databorder export parquet`, "
            "or one that did not finish",
        )
    try:
        manifest: Any = json.loads(path.read_text("utf-8"))
    except (ValueError, OSError) as exc:
        raise InvalidInput.one("parquet", f"{path} cannot be read: {exc}") from exc
    found = (manifest.get("format"), manifest.get("version")) if isinstance(manifest, dict) else ()
    if found != (FORMAT, FORMAT_VERSION):
        raise InvalidInput.one(
            "parquet",
            f"{path} is not a {FORMAT} version {FORMAT_VERSION} manifest, got {found!r}",
        )
    try:
        exported_at = datetime.fromisoformat(str(manifest.get("exported_at")))
    except ValueError:
        exported_at = None
    if exported_at is None or exported_at.tzinfo is None:
        raise InvalidInput.one(
            "parquet", f"{path}: exported_at must be an ISO 8601 instant with an offset"
        )
    return cast(dict[str, Any], manifest), exported_at


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class ParquetSource:
    """DuckDB in memory over an export directory. Use as a context manager."""

    def __init__(
        self, directory: Path, threads: int | None = None, temp_directory: Path | None = None
    ) -> None:
        self.manifest, self.exported_at = read_manifest(directory)
        missing = [r.name for r in EXPORTED if not (directory / f"{r.name}.parquet").is_file()]
        if missing:
            raise InvalidInput.one(
                "parquet", f"{directory} lacks {', '.join(f'{m}.parquet' for m in missing)}"
            )
        self._con = duckdb.connect(":memory:")
        # Instants are UTC: the export's TIMESTAMP(us, UTC) columns are read as plain UTC
        # timestamps, which Python receives without a zone library.
        self._con.execute("SET TimeZone = 'UTC'")
        if threads is not None:
            self._con.execute(f"SET threads = {int(threads)}")
        # The runner sorts the findings itself: DuckDB need not keep rows in scan order, which
        # lets its joins and aggregates stream with less memory at 100 million rows.
        self._con.execute("SET preserve_insertion_order = false")
        if temp_directory is not None:  # where a join larger than memory spills
            self._con.execute(f"SET temp_directory = {_sql_string(str(temp_directory))}")
        for relation in EXPORTED:
            # The same instant as a plain timestamp from its microseconds: a CAST from
            # TIMESTAMPTZ goes through the time zone library for every value, five times
            # slower, which at 360 million items was seconds of every item check.
            columns = ", ".join(
                f"make_timestamp(epoch_us({c.name})) AS {c.name}"
                if c.kind is Kind.INSTANT
                else c.name
                for c in relation.columns
            )
            path = _sql_string(str(directory / f"{relation.name}.parquet"))
            # Names from relations.py; the path is quoted as a string literal.
            view = f"CREATE VIEW {relation.name} AS SELECT {columns} FROM read_parquet({path})"  # noqa: S608
            self._con.execute(view)

    @property
    def engine(self) -> str:
        return "duckdb"

    def definitions(self) -> Mapping[str, str]:
        return {}

    def fetch(self, sql: str, params: Mapping[str, Any]) -> Sequence[Row]:
        values = {
            name: value.astimezone(UTC).replace(tzinfo=None)
            if isinstance(value, datetime)
            else value
            for name, value in _bound(sql, params).items()
        }
        rows = self._con.execute(dollar_params(sql), values).fetchall()
        return [
            (
                *row[:5],
                row[5].replace(tzinfo=UTC) if isinstance(row[5], datetime) else row[5],
                row[6],
            )
            for row in rows
        ]

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
