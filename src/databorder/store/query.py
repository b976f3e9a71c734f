"""Query helpers shared by the services."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, LargeBinary, Result, Table, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

# Bound IN (...) lists: databases cap the number of bound parameters in one statement.
CHUNK = 500


def rows_where_in(
    session: Session, model: type[T], column: InstrumentedAttribute[Any], values: Iterable[Any]
) -> Iterator[T]:
    """Every row of `model` whose `column` is in `values`, in chunks of CHUNK."""
    ordered = sorted(set(values))
    for start in range(0, len(ordered), CHUNK):
        yield from session.scalars(select(model).where(column.in_(ordered[start : start + CHUNK])))


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (SQLAlchemy types it only on CursorResult)."""
    return int(cast(CursorResult[Any], result).rowcount)


def by_id(session: Session, model: type[T], ident: str) -> T | None:
    """A row by its `id` where the primary key leads with a distribution column.

    On one database this is an index lookup; on a sharded one it asks every shard, so hot
    paths look rows up by their full key instead.
    """
    column: InstrumentedAttribute[Any] = getattr(model, "id")  # noqa: B009 (generic over models)
    return session.scalars(select(model).where(column == ident)).first()


_PROCESSORS: dict[tuple[str, str, tuple[str, ...]], list[Any]] = {}


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Bulk INSERT, on SQLite through the driver's executemany, each column converted by its type.

    Core's executemany builds parameters row by row through generic machinery that cost about
    as much as SQLite's own work on the log's hot path; here each column's bind processor
    (the same conversions Core applies: JSON, UTC datetimes, enums) is looked up once per
    statement shape and applied in one tight loop. Every row must have the first row's keys.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        # psycopg adapts JSON and typed parameters through the compiled statement's casts;
        # Core's insert is the right path there (bulk loads use COPY instead).
        session.execute(insert(table), list(rows))
        return
    names = tuple(rows[0])
    key = (dialect.name, table.name, names)
    processors = _PROCESSORS.get(key)
    if processors is None:
        # The dialect's own processors (as Core uses): SQLite's DATETIME one writes every
        # instant with its microseconds, so stored instants compare as text in time order.
        # Except for bytes: Core wraps each in sqlite3.Binary (a memoryview), which sqlite3
        # does not need (SQLAlchemy says as much); on the log's appends, with four binary
        # columns a leaf, that wrapping cost about a tenth of the time.
        processors = _PROCESSORS[key] = [
            None
            if isinstance(table.c[n].type, LargeBinary)
            else table.c[n].type.dialect_impl(dialect).bind_processor(dialect)
            for n in names
        ]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    values = ", ".join([mark] * len(names))
    # Identifiers come from the table definition, quoted; every value is bound, none inlined.
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({values})"  # noqa: S608
    pairs = list(zip(names, processors, strict=True))
    connection.exec_driver_sql(
        sql, [tuple(row[n] if p is None else p(row[n]) for n, p in pairs) for row in rows]
    )


def insert_prepared(
    session: Session, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Bulk INSERT of rows already in the database's text representation: JSON as its text,
    enums by value, numbers as numbers. SQLite takes them through executemany, PostgreSQL
    through COPY ... FROM STDIN, whose text format reads exactly those values.

    For the few bulk writers that build their values themselves because per-column
    conversion (and, on PostgreSQL, one INSERT per row) dominated their time.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    for name in names:
        if name not in table.c:
            raise ValueError(f"{table.name} has no column {name!r}")
    columns = ", ".join(quote(n) for n in names)
    if dialect.name == "postgresql":
        driver: Any = connection.connection.driver_connection  # psycopg's own connection
        # Identifiers come from the table definition, quoted; the values travel as data.
        sql = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    if dialect.name != "sqlite":
        raise ValueError(f"insert_prepared supports SQLite and PostgreSQL, not {dialect.name}")
    marks = ", ".join("?" * len(names))
    # Identifiers come from the table definition, quoted; every value is bound, none inlined.
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(sql, list(rows))
